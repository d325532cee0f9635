/**
 * Channel notifications inside the whole bot (`startHwcChatops`, as production composes it), over loopback:
 * signed Slack requests, the fake Slack, the simulated cloud, the shipped policy and flows, a memory store.
 * Operations started through the bot are not announced again; a notification's buttons run the command they
 * stand for (Start through the policy and approval path); `/ops watch list` answers.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningBot } from "../../src/app/start-hwc-chatops.js";
import { createCloudClient } from "../../src/cloud/create-cloud-client.js";
import type { CloudConfig } from "../../src/cloud/load-cloud-config.js";
import type { CloudClient } from "../../src/cloud/types.js";
import { NOTIFY_ACTIONS } from "../../src/notify/index.js";
import {
  type CloudSimulator,
  simulatorCloudConfig,
  startCloudSimulator,
} from "../../src/sandbox/cloud/index.js";
import { type FakeSlack, type FakeSlackMessage, startFakeSlack } from "../../src/sandbox/slack/index.js";
import { sendBlockAction, sendSlashCommand } from "../helpers/slack-requests.js";
import { startShippedBot } from "../helpers/start-shipped-bot.js";
import { actionIdsOf, IDS, textOf } from "./helpers/operations-harness.js";

/** Watchers that run once at start (the baseline) and then only when the test says so. */
const NOTIFICATIONS = `
version: 1
defaults:
  interval: 1h
  quiet_period: 10m
  alert_channels: [C_OPS]
watchers:
  - id: ecs-servers
    kind: ecs_servers
  - id: hss-hosts
    kind: hss_hosts
  - id: hss-scan-tasks
    kind: hss_scan_tasks
routes:
  - id: ops-everything
    channels: [C_OPS]
  - id: prod-important
    channels: [C_PROD]
    min_severity: warning
    match: { tags: { env: prod } }
audit:
  digest_channel: D_ERIN # the admin's DM: the bot is a member
  digest_every: 1h
`;

let fake: FakeSlack;
let sim: CloudSimulator;
let cloud: CloudClient;
let bot: RunningBot;
let dir: string;

const id = (name: string) => {
  const s = sim.control.server(name);
  if (!s) throw new Error(`no server ${name}`);
  return s.id;
};

/** Top-level bot messages in a channel, oldest first (a thread's parent carries its own ts). */
const posted = (channel: string) =>
  fake
    .messages(channel)
    .filter((m) => m.user === IDS.bot && (m.threadTs === undefined || m.threadTs === m.ts));

/** Runs a watcher now and returns its result and the messages it posted per channel. */
async function run(watcherId: string) {
  const before = { ops: posted(IDS.ops).length, prod: posted(IDS.prod).length };
  const result = await bot.notifier.runOnce(watcherId);
  return { result, ops: posted(IDS.ops).slice(before.ops), prod: posted(IDS.prod).slice(before.prod) };
}

function command(text: string, input: { user?: string; channel?: string; command?: string } = {}) {
  const url = `${bot.url}/slack/events`;
  return sendSlashCommand(
    url,
    fake.signingSecret,
    fake.buildSlashCommand({ text, command: input.command ?? "/ecs", ...input }),
  );
}

function click(message: FakeSlackMessage, actionId: string, user: string, channel = message.channel) {
  return sendBlockAction(
    `${bot.url}/slack/events`,
    fake.signingSecret,
    fake.buildBlockAction({ user, channel, message, actions: [{ actionId }] }),
  );
}

/** The first ephemeral reply (response_url) to `user` whose text includes `needle`. */
function ephemeral(user: string, needle: string): Promise<string> {
  return fake.waitFor(() =>
    fake
      .responses()
      .map((r) =>
        r.effect.kind === "ephemeral" && r.effect.ephemeral.user === user ? textOf(r.effect.ephemeral) : "",
      )
      .find((t) => t.includes(needle)),
  );
}

/** The request card in `channel` whose command line includes `commandLine`, once `check` holds. */
function card(commandLine: string, channel: string, check: (text: string) => boolean) {
  return fake.waitFor(() => {
    const found = posted(channel)
      .filter((m) => textOf(m).includes(commandLine) && !textOf(m).includes("Preparing"))
      .at(-1);
    return found && check(textOf(found)) ? found : undefined;
  });
}

const mutations = (type: string, serverId: string) =>
  sim.control
    .requests()
    .filter((r) => r.mutation?.type === type && JSON.stringify(r.mutation).includes(serverId));

beforeAll(async () => {
  fake = await startFakeSlack();
  sim = await startCloudSimulator({ jobTiming: { initMs: 20, runningMs: 60 } });
  const cloudConfig: CloudConfig = {
    ...simulatorCloudConfig(sim),
    connectTimeoutMs: 2_000,
    requestTimeoutMs: 10_000,
  };
  cloud = createCloudClient(cloudConfig, { retry: { maxAttempts: 2, baseDelayMs: 10, maxDelayMs: 50 } });
  // The servers of the stories, in a known state before the watchers take their baseline.
  sim.control.setServer(id("web-01"), { status: "ACTIVE", tags: { env: "dev", role: "web" } });
  sim.control.setServer(id("web-02"), { status: "ACTIVE", tags: { env: "dev", role: "web" } });
  sim.control.setServer(id("web-03"), { status: "ACTIVE", tags: { env: "prod", role: "web" } });
  sim.control.setServer(id("web-04"), { status: "ACTIVE", tags: { env: "dev", role: "web" } });
  sim.control.setHost(id("web-04"), { agentStatus: "online" });

  dir = await mkdtemp(join(tmpdir(), "hwc-notify-e2e-"));
  const notificationsFile = join(dir, "notifications.yml");
  await writeFile(notificationsFile, NOTIFICATIONS);
  bot = await startShippedBot(fake, cloudConfig, notificationsFile, {
    cloudClient: cloud,
    statusIntervalMs: 100,
    sweepIntervalMs: 50,
  });
  // The notifier's first tick takes every baseline; the next runs are an hour away.
  const deadline = Date.now() + 10_000;
  for (;;) {
    const watchers = await bot.notifier.listWatchers();
    if (watchers.every((w) => w.lastSuccessAt !== undefined)) break;
    if (Date.now() > deadline) throw new Error("the watchers took no baseline");
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
});

afterAll(async () => {
  await bot?.stop(2_000);
  await cloud?.close();
  await sim?.close();
  await fake?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe("notifications in the composed bot", () => {
  /** The notification of web-02 stopping out of band (test 2), clicked in later tests. */
  let web02Stopped: FakeSlackMessage;

  it("/ops watch list answers with the watchers", async () => {
    const res = await command("watch list", { command: "/ops" });
    expect(res.status).toBe(200);
    const text = await ephemeral(IDS.alice, "ecs-servers");
    expect(text).toContain("3 watchers");
    expect(text).toContain("hss-hosts");
    expect(text).toContain("hss-scan-tasks");
    expect(text).toContain("baseline of");
    // Channels as Slack channel links (Slack shows the current name), never as raw IDs in code.
    expect(text).toContain("<#C_OPS>");
    expect(text).not.toContain("`C_OPS`");
  });

  it("a stop through the bot is not announced; a stop made out of band is, once", async () => {
    // web-01 is env=dev: a soft stop is allowed outright by the shipped policy.
    expect((await command("stop web-01")).status).toBe(200);
    await card("/ecs stop web-01", IDS.ops, (t) => t.includes("Done"));
    await bot.operations.idle();
    expect(sim.control.server("web-01")?.status).toBe("SHUTOFF");

    const own = await run("ecs-servers");
    expect(own.result).toMatchObject({ outcome: "ok", changes: 1, expected: 1, announced: 0 });
    expect(own.ops).toEqual([]);
    expect(own.prod).toEqual([]);

    sim.control.setServer(id("web-02"), { status: "SHUTOFF" });
    const outside = await run("ecs-servers");
    expect(outside.result).toMatchObject({ outcome: "ok", changes: 1, expected: 0, announced: 1 });
    expect(outside.ops).toHaveLength(1);
    web02Stopped = outside.ops[0]!;
    expect(textOf(web02Stopped)).toContain("web-02");
    expect(textOf(web02Stopped)).not.toContain("web-01");
    expect(actionIdsOf(web02Stopped)).toEqual([NOTIFY_ACTIONS.serverDetails, NOTIFY_ACTIONS.serverStart]);

    expect(await run("ecs-servers")).toMatchObject({ result: { changes: 0 }, ops: [], prod: [] });
  });

  it("Details answers with the server as it is now, only to the clicking user", async () => {
    await click(web02Stopped, NOTIFY_ACTIONS.serverDetails, IDS.bob);
    const text = await ephemeral(IDS.bob, id("web-02"));
    expect(text).toContain("web-02");
    expect(text).toContain("SHUTOFF");
  });

  it("Start on a stopped env=dev server goes through the policy: allowed, it starts, and is not re-announced", async () => {
    const serverId = id("web-02");
    await click(web02Stopped, NOTIFY_ACTIONS.serverStart, IDS.alice);
    const started = await card(`/ecs start ${serverId}`, IDS.ops, (t) => t.includes("Done"));
    expect(textOf(started)).toContain("Allowed by the policy");
    await bot.operations.idle();
    expect(sim.control.server("web-02")?.status).toBe("ACTIVE");
    expect(mutations("batchStartServers", serverId)).toHaveLength(1);

    const after = await run("ecs-servers");
    expect(after.result).toMatchObject({ outcome: "ok", changes: 1, expected: 1, announced: 0 });
    expect(after.ops).toEqual([]);
  });

  it("Start on a stopped env=prod server posts an approval card and starts nothing", async () => {
    const serverId = id("web-03");
    sim.control.setServer(serverId, { status: "SHUTOFF" });
    const stopped = await run("ecs-servers");
    expect(stopped.result).toMatchObject({ announced: 1 });
    expect(stopped.ops).toHaveLength(1);
    expect(stopped.prod).toHaveLength(1);

    // Clicked in the production channel: the request lives there, Alice is the requester.
    await click(stopped.prod[0]!, NOTIFY_ACTIONS.serverStart, IDS.alice);
    const approval = await card(`/ecs start ${serverId}`, IDS.prod, (t) => t.includes("Approve"));
    expect(actionIdsOf(approval)).toContain("ops.approval.approve");
    expect(textOf(approval)).toContain("<@U_ALICE>");
    expect(await ephemeral(IDS.alice, "needs 1 approval")).toContain("posted it in the channel");
    await bot.operations.idle();
    expect(sim.control.server("web-03")?.status).toBe("SHUTOFF");
    expect(mutations("batchStartServers", serverId)).toHaveLength(0);
  });

  it("Host details and Open ports answer with the HSS views of that host", async () => {
    const hostId = id("web-04");
    sim.control.setHost(hostId, { agentStatus: "offline" });
    const offline = await run("hss-hosts");
    expect(offline.ops).toHaveLength(1);
    const message = offline.ops[0]!;
    expect(actionIdsOf(message)).toEqual([NOTIFY_ACTIONS.hostDetails, NOTIFY_ACTIONS.hostPorts]);

    await click(message, NOTIFY_ACTIONS.hostDetails, IDS.carol);
    const details = await ephemeral(IDS.carol, "web-04");
    expect(details).toContain("offline");

    await click(message, NOTIFY_ACTIONS.hostPorts, IDS.carol);
    const ports = await ephemeral(IDS.carol, "Open ports on web-04");
    expect(ports).toContain(hostId);
  });

  it("Failed hosts answers with the scan task's failed hosts", async () => {
    const task = sim.control.addScanTask({ hosts: ["web-01", "web-03", "web-04"] });
    expect(await run("hss-scan-tasks")).toMatchObject({ ops: [] });
    sim.control.finishScanTask(task.id, {
      failed: [{ host: "web-04", failedReasons: [{ failedReason: "Insufficient disk space." }] }],
    });
    const failed = await run("hss-scan-tasks");
    expect(failed.ops).toHaveLength(1);
    expect(actionIdsOf(failed.ops[0]!)).toContain(NOTIFY_ACTIONS.scanTaskHosts);

    await click(failed.ops[0]!, NOTIFY_ACTIONS.scanTaskHosts, IDS.erin);
    const text = await ephemeral(IDS.erin, task.id);
    expect(text).toContain("status `failed`");
    expect(text).toContain("web-04");
    expect(text).not.toContain("web-01");
  });

  it("a button with a forged value is refused without touching anything", async () => {
    const forged = { ...web02Stopped, blocks: [] };
    await sendBlockAction(
      `${bot.url}/slack/events`,
      fake.signingSecret,
      fake.buildBlockAction({
        user: IDS.dave,
        channel: IDS.ops,
        message: forged,
        actions: [{ actionId: `${NOTIFY_ACTIONS.serverStart}.3`, value: "not-an-id" }],
      }),
    );
    expect(await ephemeral(IDS.dave, "not valid")).toContain("Run the command instead");
  });

  it("posts the audit chain head to the digest channel, and /ops audit verify checks against it", async () => {
    const digest = bot.auditDigest;
    expect(digest).toBeDefined();
    // The poster started with the bot; this tick posts now unless its own timer already did this hour.
    const tick = await digest!.tick();
    expect(["posted", "unchanged", "claimed"], JSON.stringify(tick)).toContain(tick.outcome);
    const message = await fake.waitFor(() =>
      posted(IDS.dmErin).find((m) => textOf(m).includes("Audit log digest")),
    );
    const [, seq] = /Entry `?(\d+)`?/.exec(textOf(message)) ?? [];
    expect(Number(seq)).toBeGreaterThan(0);
    await command("audit verify", { command: "/ops", user: IDS.erin });
    const text = await ephemeral(IDS.erin, "The audit log is intact");
    expect(text).toContain(`It still contains entry ${seq} with the hash of the digest posted`);
  });
});
