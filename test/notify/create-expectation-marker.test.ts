import { describe, expect, it } from "vitest";
import { createExpectationMarker } from "../../src/notify/create-expectation-marker.js";
import { type ExpectedTransition, expectationKey } from "../../src/notify/mark-expected-transition.js";
import { createManualClock } from "../../src/sandbox/cloud/index.js";
import { createMemoryStore } from "../../src/store/create-memory-store.js";
import type { Store } from "../../src/store/store.js";
import { T0, testConfig } from "./helpers/start-notify-env.js";

const CONFIG = testConfig(`
defaults:
  alert_channels: [C_OPS]
watchers:
  - id: ecs-fast
    kind: ecs_servers
    interval: 1m
    lease_ttl: 2m
  - id: ecs-slow
    kind: ecs_servers
    interval: 5m
    lease_ttl: 1m
  - id: hss
    kind: hss_hosts
    interval: 1h
`);
const NO_ECS = testConfig(`
defaults:
  alert_channels: [C_OPS]
watchers:
  - id: hss
    kind: hss_hosts
`);

function setup(config = CONFIG, store?: Store) {
  const clock = createManualClock(T0);
  const s = store ?? createMemoryStore({ clock });
  const warnings: object[] = [];
  const logger = { debug() {}, info() {}, warn: (o: object) => warnings.push(o), error() {} };
  const mark = createExpectationMarker({ store: s, clock, config, logger });
  const expected = async (serverId: string) =>
    (await s.get<{ expected: ExpectedTransition[] }>(expectationKey(serverId)))?.value.expected ?? [];
  return { clock, mark, expected, warnings };
}

describe("createExpectationMarker", () => {
  it("records the status each start, stop and delete leads to, for every server of the call", async () => {
    const { mark, expected } = setup();
    await mark({ call: "ecs.batch_stop", serverIds: ["a", "b"], waitTimeoutMs: 15 * 60_000 });
    await mark({ call: "ecs.batch_start", serverIds: ["a"], waitTimeoutMs: 15 * 60_000 });
    await mark({ call: "ecs.delete", serverIds: ["c"], waitTimeoutMs: 30 * 60_000 });
    // The wait timeout, plus the slowest ECS watcher's interval + lease TTL (5m + 1m beats 1m + 2m).
    const grace = 6 * 60_000;
    expect(await expected("a")).toEqual([
      { toStatus: "SHUTOFF", until: T0 + 15 * 60_000 + grace },
      { toStatus: "ACTIVE", until: T0 + 15 * 60_000 + grace },
    ]);
    expect(await expected("b")).toEqual([{ toStatus: "SHUTOFF", until: T0 + 15 * 60_000 + grace }]);
    expect(await expected("c")).toEqual([{ toStatus: "GONE", until: T0 + 30 * 60_000 + grace }]);
  });

  it("uses a default wait when the flow has none after the call", async () => {
    const { mark, expected } = setup();
    await mark({ call: "ecs.batch_stop", serverIds: ["a"] });
    expect(await expected("a")).toEqual([{ toStatus: "SHUTOFF", until: T0 + 15 * 60_000 + 6 * 60_000 }]);
  });

  it("records nothing for a reboot, a resize, a migration, tags, locks or disks (no stable status changes)", async () => {
    const { mark, expected } = setup();
    for (const call of [
      "ecs.batch_reboot",
      "ecs.resize",
      "ecs.migrate",
      "ecs.add_tags",
      "ecs.lock",
      "ecs.attach_volume",
      "ecs.detach_volume",
    ])
      await mark({ call, serverIds: ["a"], waitTimeoutMs: 60_000 });
    expect(await expected("a")).toEqual([]);
  });

  it("records ACTIVE for a reinstall or an OS change (the stopped server starts on its new disk)", async () => {
    const { mark, expected } = setup();
    await mark({ call: "ecs.reinstall", serverIds: ["a"], waitTimeoutMs: 60_000 });
    await mark({ call: "ecs.change_os", serverIds: ["b"], waitTimeoutMs: 60_000 });
    expect((await expected("a")).map((e) => e.toStatus)).toEqual(["ACTIVE"]);
    expect((await expected("b")).map((e) => e.toStatus)).toEqual(["ACTIVE"]);
  });

  it("records nothing when no ECS watcher is enabled", async () => {
    const { mark, expected } = setup(NO_ECS);
    await mark({ call: "ecs.batch_stop", serverIds: ["a"], waitTimeoutMs: 60_000 });
    expect(await expected("a")).toEqual([]);
  });

  it("marks large batches completely", async () => {
    const { mark, expected } = setup();
    const ids = Array.from({ length: 40 }, (_, i) => `s-${i}`);
    await mark({ call: "ecs.batch_stop", serverIds: ids, waitTimeoutMs: 60_000 });
    for (const id of ids) expect(await expected(id)).toHaveLength(1);
  });

  it("never throws: a store failure is logged, and the change will simply be announced", async () => {
    const clock = createManualClock(T0);
    const broken = createMemoryStore({ clock });
    broken.update = async () => {
      throw new Error("store down");
    };
    const { mark, warnings } = setup(CONFIG, broken);
    await expect(
      mark({ call: "ecs.batch_stop", serverIds: ["a", "b"], waitTimeoutMs: 60_000 }),
    ).resolves.toBeUndefined();
    expect(warnings).toEqual([expect.objectContaining({ call: "ecs.batch_stop", failed: 2 })]);
  });
});
