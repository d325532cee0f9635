import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createFleetIndex, DEFAULT_FLEET_RELIST_MS } from "../../src/notify/create-fleet-index.js";
import type { Notifier } from "../../src/notify/notifier-types.js";
import { runWatcherOnce } from "../helpers/run-watcher-once.js";
import { type NotifyEnv, startNotifyEnv, testConfig, textsOf } from "./helpers/start-notify-env.js";

/**
 * The watchers' fleet on a 10,000-server simulated fleet, over loopback: listed in full once, then kept current
 * by the cloud's changes (two requests a look), listed in full again when the changes do not account for a
 * server or after the relist interval. Requests counted from the simulator's request log.
 */
const CONFIG = testConfig(`
version: 1
defaults:
  interval: 1m
  alert_channels: [C_OPS]
watchers:
  - id: ecs
    kind: ecs_servers
  - id: hosts
    kind: hss_hosts
routes:
  - id: ops
    channels: [C_OPS]
`);

let env: NotifyEnv;
beforeAll(async () => {
  env = await startNotifyEnv({ sim: { servers: 10_000 } });
}, 60_000);
afterAll(async () => {
  await env?.close();
});

const ecsReads = () => env.control.requests().filter((r) => r.path.endsWith("servers/detail"));
const fullPages = () =>
  ecsReads().filter((r) => r.query["changes-since"] === undefined && r.query.limit !== "1");
const changeReads = () => ecsReads().filter((r) => r.query["changes-since"] !== undefined);

describe("the fleet index", () => {
  beforeEach(() => env.control.clearRequests());

  it("lists once in full, then reads two requests a look and sees a stop, a tag change and a new server", async () => {
    const fleet = createFleetIndex(env.client.ecs, { now: () => env.clock.now() });
    const first = await fleet.servers();
    expect(first.length).toBe(env.control.servers().length);
    expect(fullPages().length).toBe(10);
    expect(changeReads()).toHaveLength(0);

    const [a, b] = env.control.servers().filter((s) => s.status === "ACTIVE");
    env.clock.advance(60_000);
    env.control.setServer(a!.id, { status: "SHUTOFF" });
    env.control.setServer(b!.id, { tags: { ...b!.tags, team: "payments" } });
    const added = env.control.addServer({ name: "fleet-index-new", tags: { env: "dev" } });
    env.clock.advance(60_000);
    env.control.clearRequests();
    const [second, alsoSecond] = await Promise.all([fleet.servers(), fleet.servers()]);
    // Two looks at once share one: the changes and the count.
    expect(alsoSecond).toBe(second);
    expect(ecsReads()).toHaveLength(2);
    expect(changeReads()).toHaveLength(1);
    const byId = new Map(second.map((s) => [s.id, s]));
    expect(byId.get(a!.id)?.status).toBe("SHUTOFF");
    expect(byId.get(b!.id)?.tags.team).toBe("payments");
    expect(byId.get(added.id)).toMatchObject({ name: "fleet-index-new", tags: { env: "dev" } });
    expect(second.length).toBe(env.control.servers().length);
  }, 60_000);

  it("lists in full again when a server left without being among the changes, and after the relist interval", async () => {
    const fleet = createFleetIndex(env.client.ecs, { now: () => env.clock.now() });
    await fleet.servers();
    const [gone] = env.control.servers();
    env.control.deleteServer(gone!.id);
    env.clock.advance(60_000);
    env.control.clearRequests();
    const after = await fleet.servers();
    // The changes did not account for the count: the fleet was listed again, without the server.
    expect(fullPages().length).toBe(10);
    expect(after.some((s) => s.id === gone!.id)).toBe(false);
    expect(after.length).toBe(env.control.servers().length);

    env.clock.advance(60_000);
    env.control.clearRequests();
    await fleet.servers();
    expect(ecsReads()).toHaveLength(2);

    env.clock.advance(DEFAULT_FLEET_RELIST_MS);
    env.control.clearRequests();
    await fleet.servers();
    expect(fullPages().length).toBe(10);
    expect(changeReads()).toHaveLength(0);
  }, 60_000);

  it("lists in full each look for a client that cannot tell changes", async () => {
    const fleet = createFleetIndex(
      { listServers: (...args) => env.client.ecs.listServers(...args) },
      { now: () => env.clock.now() },
    );
    await fleet.servers();
    env.clock.advance(60_000);
    env.control.clearRequests();
    await fleet.servers();
    expect(fullPages().length).toBe(10);
  }, 60_000);
});

describe("the watchers on it", () => {
  let notifier: Notifier;
  beforeAll(() => {
    notifier = env.notifier(CONFIG);
  });

  it("share one fleet: after the first runs, each run reads the servers in two requests and still announces a stop", async () => {
    env.control.clearRequests();
    expect((await notifier.runOnce("ecs")).outcome).toBe("baseline");
    expect(fullPages().length).toBe(10);
    env.control.clearRequests();
    expect((await notifier.runOnce("hosts")).outcome).toBe("baseline");
    // The HSS hosts watcher's server names and tags came from the fleet the ECS watcher listed.
    expect(fullPages()).toHaveLength(0);
    expect(changeReads()).toHaveLength(1);

    const target = env.control.servers().find((s) => s.status === "ACTIVE" && s.tags.env !== "prod");
    env.clock.advance(60_000);
    env.control.setServer(target!.id, { status: "SHUTOFF" });
    env.clock.advance(60_000);
    env.control.clearRequests();
    const { result, ops } = await runWatcherOnce(env, notifier, "ecs");
    expect(result).toMatchObject({ outcome: "ok" });
    expect(ecsReads()).toHaveLength(2);
    expect(ops.flatMap(textsOf).join("\n")).toContain(target!.name);
  }, 120_000);
});
