import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Notifier } from "../../src/notify/notifier-types.js";
import { NOTIFY_ACTIONS } from "../../src/notify/notify-action-ids.js";
import { runWatcherOnce } from "../helpers/run-watcher-once.js";
import { outsideCodeSpans } from "../render/block-kit-test-helpers.js";
import {
  buttonsOf,
  type NotifyEnv,
  startNotifyEnv,
  testConfig,
  textsOf,
} from "./helpers/start-notify-env.js";

const CONFIG = testConfig(`
version: 1
defaults:
  interval: 1m
  quiet_period: 10m
  alert_channels: [C_OPS]
watchers:
  - id: ecs
    kind: ecs_servers
routes:
  - id: ops
    channels: [C_OPS]
  - id: prod
    channels: [C_PROD]
    min_severity: warning
    match: { tags: { env: prod } }
`);

const QUIET = 10 * 60_000;

describe("ECS watcher against the simulated cloud and the fake Slack", () => {
  let env: NotifyEnv;
  let notifier: Notifier;
  /** Runs the watcher and returns the messages it posted per channel. */
  const run = () => runWatcherOnce(env, notifier, "ecs");
  const server = (predicate: (s: ReturnType<NotifyEnv["control"]["servers"]>[number]) => boolean) => {
    const found = env.control.servers().find(predicate);
    if (!found) throw new Error("no such server in the simulated world");
    return found;
  };

  beforeAll(async () => {
    env = await startNotifyEnv();
    notifier = env.notifier(CONFIG);
  });
  afterAll(async () => {
    await env.close();
  });

  it("takes a baseline silently on the first run", async () => {
    const { result, ops, prod } = await run();
    expect(result).toMatchObject({ outcome: "baseline", observed: env.control.servers().length });
    expect(ops).toHaveLength(0);
    expect(prod).toHaveLength(0);
    expect(env.slack.calls("chat.postMessage")).toHaveLength(0);
  });

  it("announces a server entering ERROR once, in every channel whose route takes it", async () => {
    const prodServer = server((s) => s.tags.env === "prod" && s.status === "ACTIVE");
    env.control.setServer(prodServer.id, { status: "ERROR" });
    const { result, ops, prod } = await run();
    expect(result).toMatchObject({ outcome: "ok", changes: 1, announced: 1, posted: 2 });
    expect(ops).toHaveLength(1);
    expect(prod).toHaveLength(1);
    const text = textsOf(ops[0]!).join("\n");
    expect(text).toContain(prodServer.name);
    expect(text).toContain("entered *ERROR* (was ACTIVE)");
    expect(buttonsOf(ops[0]!)).toEqual([{ actionId: NOTIFY_ACTIONS.serverDetails, value: prodServer.id }]);
    // Nothing changed since: nothing is posted.
    expect(await run()).toMatchObject({ ops: [], prod: [] });
  });

  it("announces a stop outside hwc-chatops with a Start button, and the start after it", async () => {
    const staging = server((s) => s.tags.env === "staging" && s.status === "ACTIVE");
    env.control.setServer(staging.id, { status: "SHUTOFF" });
    const stopped = await run();
    expect(stopped.ops).toHaveLength(1);
    // A warning about a staging server: the prod route does not take it.
    expect(stopped.prod).toHaveLength(0);
    expect(textsOf(stopped.ops[0]!).join("\n")).toContain("stopped outside hwc-chatops (was ACTIVE)");
    expect(buttonsOf(stopped.ops[0]!)).toEqual([
      { actionId: NOTIFY_ACTIONS.serverDetails, value: staging.id },
      { actionId: NOTIFY_ACTIONS.serverStart, value: staging.id },
    ]);

    env.clock.advance(QUIET);
    env.control.setServer(staging.id, { status: "ACTIVE" });
    const started = await run();
    expect(started.ops).toHaveLength(1);
    expect(started.prod).toHaveLength(0);
    expect(textsOf(started.ops[0]!).join("\n")).toContain("started outside hwc-chatops");
  });

  it("does not re-announce stops and deletions started through hwc-chatops", async () => {
    env.clock.advance(QUIET);
    const target = server((s) => s.tags.env === "prod" && s.status === "ACTIVE");
    await notifier.markExpectedTransition(target.id, "SHUTOFF", env.clock.now() + 5 * 60_000);
    const stop = await env.client.ecs.stopServers([target.id]);
    expect(stop.failures).toEqual([]);
    env.clock.advance(5_000);
    expect(env.control.server(target.id)?.status).toBe("SHUTOFF");
    const afterStop = await run();
    expect(afterStop.result).toMatchObject({ outcome: "ok", changes: 1, expected: 1, announced: 0 });
    expect(afterStop.ops).toHaveLength(0);
    expect(afterStop.prod).toHaveLength(0);

    // The expectation is used up: a start by someone else is news.
    env.control.setServer(target.id, { status: "ACTIVE" });
    const startedElsewhere = await run();
    expect(startedElsewhere.ops).toHaveLength(1);

    const doomed = server((s) => s.status === "ACTIVE" && s.id !== target.id);
    await notifier.markExpectedTransition(doomed.id, "DELETED", env.clock.now() + 5 * 60_000);
    await env.client.ecs.deleteServers([doomed.id]);
    env.clock.advance(5_000);
    expect(env.control.server(doomed.id)).toBeUndefined();
    const afterDelete = await run();
    expect(afterDelete.result).toMatchObject({ expected: 1, announced: 0 });
    expect(afterDelete.ops).toHaveLength(0);
  });

  it("announces a server that disappears outside hwc-chatops", async () => {
    // The previous test announced a prod server starting: leave its quiet period behind.
    env.clock.advance(QUIET);
    const victim = server((s) => s.tags.env === "prod" && s.status === "ACTIVE");
    env.control.deleteServer(victim.id);
    const { ops, prod } = await run();
    expect(ops).toHaveLength(1);
    expect(prod).toHaveLength(1);
    expect(textsOf(ops[0]!).join("\n")).toContain("disappeared from the server list (last seen ACTIVE)");
    expect(buttonsOf(ops[0]!)).toEqual([]);
  });

  it("keeps hostile server names harmless in the posted blocks", async () => {
    env.clock.advance(QUIET);
    const target = server((s) => s.tags.env === "staging" && s.status === "ACTIVE");
    const hostile = "<!channel> *pwn* <https://evil.example|click> :skull: `x` &amp;";
    env.control.setServer(target.id, { name: hostile, status: "SHUTOFF" });
    const { ops } = await run();
    expect(ops).toHaveLength(1);
    const texts = textsOf(ops[0]!);
    for (const text of texts) {
      expect(text).not.toContain("<!channel>");
      expect(text).not.toContain("<https://evil.example");
      expect(outsideCodeSpans(text)).not.toMatch(/:skull:|\*pwn\*/);
    }
    expect(texts.join("\n")).toContain("&lt;!channel&gt;");
    // The fake Slack validated the blocks on the way in; the name still reads as the server's name.
    expect(env.slack.calls("chat.postMessage").at(-1)?.response.body.ok).toBe(true);
  });
});
