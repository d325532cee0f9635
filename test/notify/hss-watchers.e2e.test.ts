import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Notifier } from "../../src/notify/notifier-types.js";
import { NOTIFY_ACTIONS } from "../../src/notify/notify-action-ids.js";
import type { NotifierCloud } from "../../src/notify/watcher-kind.js";
import type { ServerView } from "../../src/sandbox/cloud/index.js";
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
  - id: hss
    kind: hss_hosts
  - id: ports
    kind: hss_open_ports
routes:
  - id: ops
    channels: [C_OPS]
  - id: prod-security
    channels: [C_PROD]
    events: ["hss.*"]
    min_severity: critical
    match: { tags: { env: prod } }
`);

const QUIET = 10 * 60_000;

describe("HSS watchers against the simulated cloud and the fake Slack", () => {
  let env: NotifyEnv;
  let notifier: Notifier;
  /** Runs a watcher and returns what it posted per channel. */
  const run = (watcher: "hss" | "ports") => runWatcherOnce(env, notifier, watcher);
  /** Active servers whose HSS agent is online, one per test so quiet periods do not interfere. */
  const onlineHosts: ServerView[] = [];
  const nextHost = (predicate: (s: ServerView) => boolean = () => true): ServerView => {
    const index = onlineHosts.findIndex(predicate);
    if (index < 0) throw new Error("no more suitable hosts in the simulated world");
    return onlineHosts.splice(index, 1)[0]!;
  };

  beforeAll(async () => {
    env = await startNotifyEnv({ sim: { servers: 40 } });
    notifier = env.notifier(CONFIG);
    onlineHosts.push(
      ...env.control
        .servers()
        .filter((s) => s.status === "ACTIVE" && env.control.host(s.id)?.agentStatus === "online"),
    );
  });
  afterAll(async () => {
    await env.close();
  });

  it("takes baselines silently", async () => {
    expect((await run("hss")).result).toMatchObject({ outcome: "baseline" });
    expect((await run("ports")).result).toMatchObject({ outcome: "baseline" });
    expect(env.slack.calls("chat.postMessage")).toHaveLength(0);
  });

  it("announces an agent going offline, and back online after the quiet period", async () => {
    const host = nextHost();
    env.control.setHost(host.id, { agentStatus: "offline" });
    const offline = await run("hss");
    expect(offline.ops).toHaveLength(1);
    const text = textsOf(offline.ops[0]!).join("\n");
    expect(text).toContain(host.name);
    expect(text).toContain("HSS agent went *offline*");
    expect(buttonsOf(offline.ops[0]!)).toEqual([
      { actionId: NOTIFY_ACTIONS.hostDetails, value: host.id },
      { actionId: NOTIFY_ACTIONS.hostPorts, value: host.id },
    ]);

    env.clock.advance(QUIET);
    env.control.setHost(host.id, { agentStatus: "online" });
    const online = await run("hss");
    expect(online.ops).toHaveLength(1);
    expect(textsOf(online.ops[0]!).join("\n")).toContain("HSS agent is back online");
  });

  it("does not call an agent offline because its server was stopped", async () => {
    const host = nextHost();
    env.control.setServer(host.id, { status: "SHUTOFF" });
    expect(env.control.host(host.id)?.agentStatus).toBe("offline");
    const { result, ops } = await run("hss");
    expect(result).toMatchObject({ outcome: "ok", changes: 0 });
    expect(ops).toHaveLength(0);
  });

  it.each([
    ["agent install failed", { agentStatus: "install_failed" as const }, "HSS agent installation failed"],
    ["protection closed", { protectStatus: "closed" as const }, "HSS protection *closed*"],
    [
      "protection exception",
      { protectStatus: "protection_exception" as const },
      "HSS protection *exception*",
    ],
  ])("announces %s once", async (_name, patch, expected) => {
    const host = nextHost();
    env.control.setHost(host.id, patch);
    const first = await run("hss");
    expect(first.ops).toHaveLength(1);
    expect(textsOf(first.ops[0]!).join("\n")).toContain(expected);
    expect((await run("hss")).ops).toHaveLength(0);
  });

  it("announces a detection result turning risk, also in the prod channel for a prod host", async () => {
    const host = nextHost((s) => s.tags.env === "prod" && env.control.host(s.id)?.detectResult !== "risk");
    env.control.setHost(host.id, { detectResult: "risk" });
    const { ops, prod } = await run("hss");
    expect(ops).toHaveLength(1);
    expect(prod).toHaveLength(1);
    expect(textsOf(prod[0]!).join("\n")).toContain("HSS detection result turned *risk*");
  });

  it("announces rising risk counts with before and after, but not falling ones", async () => {
    const host = nextHost();
    const view = env.control.host(host.id)!;
    env.control.setHost(host.id, { vulnerability: view.vulnerability + 3, intrusion: view.intrusion + 1 });
    const rose = await run("hss");
    expect(rose.ops).toHaveLength(1);
    const text = textsOf(rose.ops[0]!).join("\n");
    expect(text).toContain(`vulnerabilities ${view.vulnerability} → *${view.vulnerability + 3}*`);
    expect(text).toContain(`intrusions ${view.intrusion} → *${view.intrusion + 1}*`);
    expect(text).toContain(`baseline ${view.baseline}`);

    env.clock.advance(QUIET);
    env.control.setHost(host.id, { vulnerability: 0 });
    expect((await run("hss")).ops).toHaveLength(0);
  });

  it("announces rising asset risks in the operator's words", async () => {
    const host = nextHost();
    const view = env.control.host(host.id)!;
    env.control.setHost(host.id, { asset: view.asset + 2 });
    const rose = await run("hss");
    expect(rose.ops).toHaveLength(1);
    expect(textsOf(rose.ops[0]!).join("\n")).toContain(`asset risks ${view.asset} → *${view.asset + 2}*`);

    env.clock.advance(QUIET);
    env.control.setHost(host.id, { asset: 0 });
    expect((await run("hss")).ops).toHaveLength(0);
  });

  it("announces a new dangerous open port with protocol, process path and PID, escaped", async () => {
    const host = nextHost((s) => s.tags.env === "prod");
    env.control.addPort(host.id, {
      port: 8081,
      type: "TCP",
      status: "normal",
      pid: 100,
      path: "/usr/bin/ok",
    });
    env.control.addPort(host.id, {
      port: 4444,
      type: "TCP",
      status: "danger",
      pid: 31337,
      path: "/tmp/<!channel>/*nc* `x`",
    });
    const { result, ops, prod } = await run("ports");
    expect(result).toMatchObject({ outcome: "ok", changes: 1, announced: 1 });
    expect(ops).toHaveLength(1);
    expect(prod).toHaveLength(1);
    const texts = textsOf(ops[0]!);
    const text = texts.join("\n");
    expect(text).toContain("`TCP 4444`");
    expect(text).toContain("(PID 31337)");
    expect(text).toContain("&lt;!channel&gt;");
    for (const t of texts) expect(t).not.toContain("<!channel>");
    expect(buttonsOf(ops[0]!)).toContainEqual({ actionId: NOTIFY_ACTIONS.hostPorts, value: host.id });
    expect((await run("ports")).ops).toHaveLength(0);
  });
});

describe("HSS scan-task watcher against the simulated cloud and the fake Slack", () => {
  let env: NotifyEnv;
  const HOSTILE = "<@U_ALICE> *boss*";
  const config = (id: string) =>
    testConfig(`
defaults: { alert_channels: [C_OPS] }
watchers: [{ id: ${id}, kind: hss_scan_tasks }]
routes: [{ id: ops, channels: [C_OPS] }]
`);

  beforeAll(async () => {
    env = await startNotifyEnv();
  });
  afterAll(async () => {
    await env.close();
  });

  it("is unavailable when the cloud client given to the notifier cannot list scan tasks", async () => {
    const { client } = env;
    // Everything the notifier reads except hss.listScanTasks.
    const cloud: NotifierCloud = {
      ecs: { listServers: (...args) => client.ecs.listServers(...args) },
      hss: {
        listHosts: (...args) => client.hss.listHosts(...args),
        listOpenPorts: (...args) => client.hss.listOpenPorts(...args),
        listScanTaskHosts: (...args) => client.hss.listScanTaskHosts(...args),
      },
    };
    const notifier = env.notifier(config("scans-without-list"), { cloud });
    expect(await notifier.runOnce("scans-without-list")).toMatchObject({
      outcome: "skipped",
      reason: "unavailable",
    });
    expect((await notifier.tick()).watchers).toEqual([]);
    const [info] = await notifier.listWatchers();
    expect(info).toMatchObject({ id: "scans-without-list", available: false });
    expect(env.slack.calls("chat.postMessage")).toHaveLength(0);
  });

  it("baselines a running task silently, then announces its failed hosts once, escaped", async () => {
    const [prod, other] = env.control
      .servers()
      .filter((s) => s.tags.env === "prod" && env.control.host(s.id) !== undefined);
    const hostile = env.control.addServer({ name: HOSTILE, tags: { env: "prod" } });
    const task = env.control.addScanTask({
      hosts: [hostile.id, prod!.id, other!.id],
      vulTypes: ["linux_vul", "app_vul"],
    });
    const notifier = env.notifier(config("scans"));
    expect(await notifier.runOnce("scans")).toMatchObject({ outcome: "baseline" });
    expect(await notifier.runOnce("scans")).toMatchObject({ outcome: "ok", changes: 0 });
    expect(env.slack.calls("chat.postMessage")).toHaveLength(0);

    env.control.finishScanTask(task.id, {
      failed: [
        { host: hostile.id, failedReasons: [{ failedReason: "Scan timed out <!channel>." }] },
        { host: prod!.id, failedReasons: [{ vulType: "app_vul", failedReason: "Insufficient disk space." }] },
      ],
    });
    expect(env.control.scanTask(task.id)).toMatchObject({ status: "finished", failed: 2, succeeded: 1 });
    const result = await notifier.runOnce("scans");
    expect(result).toMatchObject({ outcome: "ok", changes: 2, announced: 2, posted: 1 });
    expect(env.slack.calls("chat.postMessage")).toHaveLength(1);
    const [message] = env.posted("C_OPS");
    const texts = textsOf(message!);
    const text = texts.join("\n");
    expect(text).toContain("vulnerability scan failed: `linux_vul` Scan timed out &lt;!channel&gt;.");
    expect(text).toContain("vulnerability scan failed: `app_vul` Insufficient disk space.");
    expect(text).toContain("&lt;@U_ALICE&gt;");
    expect(outsideCodeSpans(text)).not.toContain("*boss*");
    expect(text).toContain(prod!.name);
    expect(text).not.toContain(other!.name);
    for (const t of texts) expect(t).not.toMatch(/<@|<!/);
    expect(buttonsOf(message!)).toContainEqual({ actionId: NOTIFY_ACTIONS.scanTaskHosts, value: task.id });
    // The second button of a kind gets a numbered action ID.
    expect(buttonsOf(message!).map((b) => b.actionId)).toContain(`${NOTIFY_ACTIONS.hostDetails}.1`);

    expect(await notifier.runOnce("scans")).toMatchObject({ outcome: "ok", changes: 0 });
    expect(env.slack.calls("chat.postMessage")).toHaveLength(1);
  });
});
