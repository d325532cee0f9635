import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { HssListing } from "../../src/cloud/types.js";
import type { Notifier } from "../../src/notify/create-notifier.js";
import { NOTIFY_ACTIONS } from "../../src/notify/notify-action-ids.js";
import type { ScanTaskSummary } from "../../src/notify/watcher-kind.js";
import type { ServerView } from "../../src/sandbox/cloud/index.js";
import { type ScriptedReply, startScriptedServer } from "../cloud/helpers/start-scripted-server.js";
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
  async function run(watcher: "hss" | "ports") {
    const before = { ops: env.posted("C_OPS").length, prod: env.posted("C_PROD").length };
    const result = await notifier.runOnce(watcher);
    return {
      result,
      ops: env.posted("C_OPS").slice(before.ops),
      prod: env.posted("C_PROD").slice(before.prod),
    };
  }
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

describe("HSS scan-task watcher (scan tasks served by a scripted HSS endpoint)", () => {
  let env: NotifyEnv;
  let hss: Awaited<ReturnType<typeof startScriptedServer>>;
  let phase: "running" | "finished" = "running";
  const TASK = "0f0e0d0c0b0a09080706050403020100";
  let failedHosts: ServerView[] = [];

  beforeAll(async () => {
    hss = await startScriptedServer((req): ScriptedReply => {
      const url = new URL(req.url, "http://x");
      if (url.pathname.endsWith("/vulnerability/scan-tasks")) {
        return {
          status: 200,
          body: {
            total_num: 1,
            data_list: [
              {
                id: TASK,
                task_status: phase,
                failed_host_num: phase === "finished" ? failedHosts.length : 0,
              },
            ],
          },
        };
      }
      if (url.pathname.endsWith(`/vulnerability/scan-task/${TASK}/hosts`)) {
        expect(url.searchParams.get("scan_status")).toBe("failed");
        return {
          status: 200,
          body: {
            total_num: failedHosts.length,
            data_list: failedHosts.map((s, i) => ({
              host_id: s.id,
              host_name: i === 0 ? "<@U_ALICE> *boss*" : s.name,
              scan_status: "failed",
              failed_reasons: [{ vul_type: "linux_vul", failed_reason: "Scan timed out." }],
            })),
          },
        };
      }
      return { status: 404, body: { error_code: "HSS.0000", error_msg: "not scripted" } };
    });
    env = await startNotifyEnv({ endpoints: { hss: hss.url } });
    failedHosts = env.control
      .servers()
      .filter((s) => s.tags.env === "prod")
      .slice(0, 2);
  });
  afterAll(async () => {
    await env.close();
    await hss.close();
  });

  /**
   * The cloud client has no scan-task list yet: this adapter reads the scripted endpoint the way the
   * client would (unsigned, which the scripted server accepts).
   */
  async function listScanTasks(): Promise<HssListing<ScanTaskSummary>> {
    const res = await fetch(`${hss.url}/v5/${env.sim.projectId}/vulnerability/scan-tasks?offset=0&limit=200`);
    const body = (await res.json()) as {
      total_num: number;
      data_list: { id: string; task_status: string; failed_host_num: number }[];
    };
    return {
      totalNum: body.total_num,
      items: body.data_list.map((t) => ({
        id: t.id,
        status: t.task_status,
        failedHostNum: t.failed_host_num,
      })),
    };
  }

  it("is unavailable while the cloud client cannot list scan tasks", async () => {
    const config = testConfig(`
defaults: { alert_channels: [C_OPS] }
watchers: [{ id: scans, kind: hss_scan_tasks }]
routes: [{ id: ops, channels: [C_OPS] }]
`);
    const notifier = env.notifier(config);
    expect(await notifier.runOnce("scans")).toMatchObject({ outcome: "skipped", reason: "unavailable" });
    expect((await notifier.tick()).watchers).toEqual([]);
    const [info] = await notifier.listWatchers();
    expect(info).toMatchObject({ id: "scans", available: false });
    expect(env.slack.calls("chat.postMessage")).toHaveLength(0);
  });

  it("announces a finished task's failed hosts with their reasons, once", async () => {
    const config = testConfig(`
defaults: { alert_channels: [C_OPS] }
watchers: [{ id: scans, kind: hss_scan_tasks }]
routes:
  - { id: ops, channels: [C_OPS] }
  - { id: prod, channels: [C_PROD], min_severity: warning, match: { tags: { env: prod } } }
`);
    const cloud = { ...env.client, hss: { ...env.client.hss, listScanTasks } };
    const notifier = env.notifier(config, { cloud });
    expect(await notifier.runOnce("scans")).toMatchObject({ outcome: "baseline" });
    expect(await notifier.runOnce("scans")).toMatchObject({ outcome: "ok", changes: 0 });

    phase = "finished";
    const result = await notifier.runOnce("scans");
    expect(result).toMatchObject({ outcome: "ok", changes: 2, announced: 2, posted: 2 });
    const [ops] = env.posted("C_OPS");
    const [prod] = env.posted("C_PROD");
    expect(env.posted("C_OPS")).toHaveLength(1);
    expect(env.posted("C_PROD")).toHaveLength(1);
    const texts = textsOf(ops!);
    const text = texts.join("\n");
    expect(text).toContain("vulnerability scan failed: `linux_vul` Scan timed out.");
    expect(text).toContain(failedHosts[1]!.name);
    for (const t of texts) expect(t).not.toContain("<@U_ALICE>");
    expect(buttonsOf(prod!)).toContainEqual({ actionId: NOTIFY_ACTIONS.scanTaskHosts, value: TASK });
    // The second button of a kind gets a numbered action ID.
    expect(buttonsOf(ops!).map((b) => b.actionId)).toContain(`${NOTIFY_ACTIONS.hostDetails}.1`);

    expect(await notifier.runOnce("scans")).toMatchObject({ outcome: "ok", changes: 0 });
    expect(env.posted("C_OPS")).toHaveLength(1);
  });
});
