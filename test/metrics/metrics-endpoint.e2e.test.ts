/**
 * `/metrics` and `/readyz` of the bot as production composes it (`startHwcChatops`) over loopback: signed Slack
 * requests, the fake Slack, the simulated cloud (the composition builds the cloud client, so its calls are
 * counted), the shipped policy and flows. Counters are read by scraping over HTTP after real commands.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningBot } from "../../src/app/start-hwc-chatops.js";
import type { CloudConfig } from "../../src/cloud/load-cloud-config.js";
import {
  type CloudSimulator,
  simulatorCloudConfig,
  startCloudSimulator,
} from "../../src/sandbox/cloud/index.js";
import { type FakeSlack, type FakeSlackMessage, startFakeSlack } from "../../src/sandbox/slack/index.js";
import { IDS, latestCard } from "../e2e/helpers/operations-harness.js";
import { sendBlockAction, sendSlashCommand } from "../helpers/slack-requests.js";
import { startShippedBot } from "../helpers/start-shipped-bot.js";
import { sample, scrape } from "./scrape-metrics.js";

const NOTIFICATIONS = `
version: 1
defaults:
  interval: 1h
  alert_channels: [C_OPS]
watchers:
  - id: ecs-servers
    kind: ecs_servers
routes:
  - id: ops-everything
    channels: [C_OPS]
`;

let fake: FakeSlack;
let sim: CloudSimulator;
let bot: RunningBot;
let dir: string;

const metricsUrl = () => `${bot.url}/metrics`;

function command(text: string, user: string = IDS.alice) {
  return sendSlashCommand(
    `${bot.url}/slack/events`,
    fake.signingSecret,
    fake.buildSlashCommand({ text, command: "/ecs", user }),
  );
}

function card(commandLine: string, check: (text: string) => boolean): Promise<FakeSlackMessage> {
  return fake.waitFor(() => latestCard(fake, commandLine, check));
}

const id = (name: string) => {
  const s = sim.control.server(name);
  if (!s) throw new Error(`no server ${name}`);
  return s.id;
};

beforeAll(async () => {
  fake = await startFakeSlack();
  sim = await startCloudSimulator({ jobTiming: { initMs: 20, runningMs: 60 } });
  const cloudConfig: CloudConfig = {
    ...simulatorCloudConfig(sim),
    connectTimeoutMs: 2_000,
    requestTimeoutMs: 10_000,
  };
  sim.control.setServer(id("web-01"), { status: "ACTIVE", tags: { env: "dev", role: "web" } });
  sim.control.setServer(id("web-02"), { status: "ACTIVE", tags: { env: "dev", role: "web" } });
  dir = await mkdtemp(join(tmpdir(), "hwc-metrics-e2e-"));
  const notificationsFile = join(dir, "notifications.yml");
  await writeFile(notificationsFile, NOTIFICATIONS);
  bot = await startShippedBot(fake, cloudConfig, notificationsFile, {
    statusIntervalMs: 100,
    sweepIntervalMs: 50,
  });
  await fake.waitFor(async () =>
    (await bot.notifier.listWatchers()).every((w) => w.lastSuccessAt !== undefined),
  );
});

afterAll(async () => {
  await bot?.stop(2_000);
  await sim?.close();
  await fake?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe("GET /metrics", () => {
  it("counts an allowed stop end to end: command, decisions, execution, cloud calls, job, Slack, store", async () => {
    expect((await command("stop web-01")).status).toBe(200);
    await card("/ecs stop web-01", (t) => t.includes("Done"));
    await bot.operations.idle();
    const res = await fetch(metricsUrl());
    expect(res.headers.get("content-type")).toContain("text/plain");
    const text = await res.text();

    expect(sample(text, "hwc_chatops_commands_total", { verb: "ecs.stop", outcome: "handled" })).toBe(1);
    expect(sample(text, "hwc_chatops_policy_decisions_total", { decision: "allow", stage: "request" })).toBe(
      1,
    );
    expect(
      sample(text, "hwc_chatops_policy_decisions_total", { decision: "allow", stage: "before_execution" }),
    ).toBe(1);
    expect(sample(text, "hwc_chatops_executions_total", { outcome: "succeeded" })).toBe(1);
    expect(sample(text, "hwc_chatops_execution_duration_seconds_count", { outcome: "succeeded" })).toBe(1);
    // An allowed request waited for nobody: no approval latency.
    expect(sample(text, "hwc_chatops_approval_latency_seconds_count")).toBe(0);
    expect(sample(text, "hwc_chatops_job_duration_seconds_count", { status: "SUCCESS" })).toBe(1);
    const stops = [
      ...text.matchAll(
        /^hwc_chatops_cloud_requests_total\{operation="([^"]*[sS]top[^"]*)",status="(\d+)"\}/gm,
      ),
    ];
    expect(stops.map((m) => m[2])).toContain("200");
    expect(sample(text, "hwc_chatops_cloud_request_duration_seconds_count")).toBeGreaterThan(0);
    expect(
      sample(text, "hwc_chatops_slack_api_calls_total", { method: "chat.postMessage", outcome: "ok" }),
    ).toBeGreaterThan(0);
    expect(
      sample(text, "hwc_chatops_store_operation_duration_seconds_count", {
        operation: "append",
        outcome: "ok",
      }),
    ).toBeGreaterThan(0);
    expect(sample(text, "hwc_chatops_watcher_runs_total", { kind: "ecs_servers", outcome: "baseline" })).toBe(
      1,
    );
    expect(sample(text, "hwc_chatops_watcher_failures_total")).toBe(0);
    // The default process metrics, under the bot's prefix.
    expect(text).toMatch(/^hwc_chatops_process_cpu_user_seconds_total \d/m);
    expect(text).toMatch(/^hwc_chatops_nodejs_heap_size_used_bytes /m);
  });

  it("counts a command not understood, a decision that needs approval, and the time to its decision (cancelled)", async () => {
    await command("frobnicate web-01");
    await fake.waitFor(() => fake.ephemerals({ user: IDS.alice }).length > 0 || undefined);
    await command("delete web-02");
    const pending = await card("/ecs delete web-02", (t) => t.includes("Approval needed"));
    await sendBlockAction(
      `${bot.url}/slack/events`,
      fake.signingSecret,
      fake.buildBlockAction({
        user: IDS.bob,
        channel: IDS.ops,
        message: pending,
        actions: [{ actionId: "ops.approval.reject" }],
      }),
    );
    await sendBlockAction(
      `${bot.url}/slack/events`,
      fake.signingSecret,
      fake.buildBlockAction({
        user: IDS.alice,
        channel: IDS.ops,
        message: pending,
        actions: [{ actionId: "ops.approval.cancel" }],
      }),
    );
    await card("/ecs delete web-02", (t) => t.includes("Cancelled") || t.includes("cancelled"));
    const text = await scrape(metricsUrl());
    expect(sample(text, "hwc_chatops_commands_total", { verb: "unparsed", outcome: "not_understood" })).toBe(
      1,
    );
    expect(
      sample(text, "hwc_chatops_policy_decisions_total", { decision: "needs_approval", stage: "request" }),
    ).toBe(1);
    expect(sample(text, "hwc_chatops_approval_latency_seconds_count", { outcome: "cancelled" })).toBe(1);
  });

  it("counts a read retried after a 503, and a mutation whose outcome is unknown", async () => {
    // The next cloud read answers 503: the transport sends it again.
    sim.control.failNextRequests({ status: 503, count: 1, method: "GET" });
    const answered = fake.ephemerals({ user: IDS.carol }).length;
    await command("list", IDS.carol);
    await fake.waitFor(() => fake.ephemerals({ user: IDS.carol }).length > answered || undefined);
    sim.control.setFaults({ dropAfterCommit: { count: 1, match: "/cloudservers/action" } });
    await command("stop web-02");
    await card("/ecs stop web-02", (t) => t.includes("Done"));
    await bot.operations.idle();
    const text = await scrape(metricsUrl());
    expect(sample(text, "hwc_chatops_cloud_requests_total", { status: "503" })).toBeGreaterThanOrEqual(1);
    expect(sample(text, "hwc_chatops_cloud_retries_total", { reason: "status_503" })).toBeGreaterThanOrEqual(
      1,
    );
    expect(sample(text, "hwc_chatops_cloud_outcome_unknown_total")).toBe(1);
  });

  it("counts a Slack rate limit the client waited out", async () => {
    // Retry-After: 0, so the client sends again at once (no real wait).
    fake.rateLimitNext("chat.postMessage", 0, 1);
    await command("delete web-01");
    await card("/ecs delete web-01", (t) => t.includes("Approval needed"));
    const text = await scrape(metricsUrl());
    expect(sample(text, "hwc_chatops_slack_rate_limited_total", { method: "chat.postMessage" })).toBe(1);
  });
});

describe("GET /readyz", () => {
  it("is 200 with every check ok once the store answers and Slack auth succeeded; /healthz stays liveness", async () => {
    const res = await fetch(`${bot.url}/readyz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: "ready", ready: true, checks: { slack: "ok", store: "ok" } });
    expect((await fetch(`${bot.url}/healthz`)).status).toBe(200);
  });
});
