/**
 * Socket Mode when Slack drops the connection and then refuses new ones for a while (`apps.connections.open`
 * answering 503, or refusing the app token): the bot keeps trying with backoff until it is connected again,
 * says it is not ready meanwhile (`/readyz` 503 with why and for how long, the gauge 0) while `/healthz` stays
 * 200, and logs the outage once. The backoff runs on a manual clock: no real waits.
 */
import { Writable } from "node:stream";
import { afterEach, describe, expect, it } from "vitest";
import { explainStartupFailure } from "../../src/app/explain-startup-failure.js";
import { type Bot, createBot } from "../../src/bot/create-bot.js";
import { createCloudClient } from "../../src/cloud/create-cloud-client.js";
import { createLogger } from "../../src/log/create-logger.js";
import { createPrometheusMetrics } from "../../src/metrics/create-prometheus-metrics.js";
import { createManualClock } from "../../src/sandbox/cloud/create-manual-clock.js";
import { simulatorCloudConfig, startCloudSimulator } from "../../src/sandbox/cloud/index.js";
import type { ManualClock } from "../../src/sandbox/cloud/sim-clock.js";
import { type FakeSlack, startFakeSlack } from "../../src/sandbox/slack/index.js";
import { SlackStartError } from "../../src/slack/slack-start-error.js";
import { eventually } from "../helpers/eventually.js";
import type { LogLine } from "../helpers/start-bot-harness.js";
import { sample, scrape } from "../metrics/scrape-metrics.js";

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A Socket Mode bot with METRICS_PORT, its reconnect backoff on a manual clock (first delay 5-10 s). */
async function socketBot(options: { beforeStart?: (fake: FakeSlack, clock: ManualClock) => void } = {}) {
  const clock = createManualClock();
  const fake = await startFakeSlack();
  options.beforeStart?.(fake, clock);
  const sim = await startCloudSimulator({ servers: 1 });
  const cloud = createCloudClient({ ...simulatorCloudConfig(sim), connectTimeoutMs: 2_000 });
  cleanups.push(
    () => fake.close(),
    () => sim.close(),
    () => cloud.close(),
  );
  const logs: LogLine[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      for (const line of chunk.toString("utf8").split("\n"))
        if (line.trim() !== "") logs.push(JSON.parse(line) as LogLine);
      callback();
    },
  });
  const metrics = createPrometheusMetrics();
  const bot: Bot = createBot({
    slack: {
      botToken: fake.botToken,
      apiUrl: fake.apiUrl,
      transport: { kind: "socket", appToken: fake.appToken, metricsPort: 0 },
    },
    cloud,
    logger: createLogger({ level: "debug", destination }),
    host: "127.0.0.1",
    metrics,
    scrape: metrics,
    // The lowest jitter: the first retry 5 s after the first failure, then 10 s.
    socketReconnect: { clock, scheduler: clock, baseDelayMs: 10_000, random: () => 0 },
  });
  await bot.start();
  cleanups.push(() => bot.stop(500));
  await fake.waitForSocketConnections(1);
  const probeUrl = bot.probeUrl ?? "";
  const readyz = async () => {
    const res = await fetch(`${probeUrl}/readyz`);
    return { status: res.status, body: (await res.json()) as { checks: Record<string, string> } };
  };
  const gauge = async () => sample(await scrape(`${probeUrl}/metrics`), "hwc_chatops_slack_socket_connected");
  const reconnects = async (outcome: string) =>
    sample(await scrape(`${probeUrl}/metrics`), "hwc_chatops_slack_socket_reconnects_total", { outcome });
  const opens = () => fake.calls("apps.connections.open").length;
  const logged = (msg: string) => logs.filter((l) => l.msg?.startsWith(msg));
  return { clock, fake, bot, logs, probeUrl, readyz, gauge, reconnects, opens, logged };
}

describe("Socket Mode reconnect", () => {
  it("after a drop and 5 refused connection opens: not ready while disconnected, then reconnected and ready", async () => {
    const w = await socketBot();
    expect(w.logged("serving /metrics, /readyz and /healthz on 127.0.0.1:")).toHaveLength(1);
    expect((await w.readyz()).status).toBe(200);
    expect(await w.gauge()).toBe(1);
    expect(w.opens()).toBe(1);

    w.fake.faultNext("apps.connections.open", { kind: "http", status: 503 }, 5);
    w.fake.dropSocket();
    // At once: one attempt (the open and the Web client's 2 quick retries, all 503), then the backoff.
    await eventually(() => w.logged("could not reconnect").length > 0, 10_000, "the failed reconnect");
    expect(w.opens()).toBe(4);
    expect(w.fake.socketConnections().some((c) => c.open)).toBe(false);
    w.clock.advance(4_000);
    const down = await w.readyz();
    expect(down.status).toBe(503);
    expect(down.body.checks.slack).toBe(
      "Socket Mode disconnected for 4 s: apps.connections.open answered HTTP 503",
    );
    // Liveness is the process's: an orchestrator must not restart the bot for Slack's outage.
    const health = await fetch(`${w.probeUrl}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: "ok", transport: "socket", connected: false });
    expect(await w.gauge()).toBe(0);
    expect(await w.reconnects("failed")).toBe(1);

    // The retry, 5 s after the failure: two more 503s (retried by the Web client), then Slack answers.
    w.clock.advance(1_000);
    await w.fake.waitForSocketConnections(1);
    await eventually(async () => (await w.readyz()).status === 200, 10_000, "ready again");
    expect(w.opens()).toBe(7);
    expect(await w.gauge()).toBe(1);
    expect(await w.reconnects("succeeded")).toBe(1);
    expect(await w.reconnects("failed")).toBe(1);

    // Logged once for the outage: the drop, the reason (not every attempt), the reconnect with its length.
    expect(w.logged("the Socket Mode connection closed")).toHaveLength(1);
    const failures = w.logged("could not reconnect to Slack over Socket Mode: retrying");
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatchObject({ level: 40, reason: "apps.connections.open answered HTTP 503" });
    expect(w.logged("reconnected to Slack over Socket Mode")).toEqual([
      expect.objectContaining({ level: 30, lastedMs: 5_000, failedAttempts: 1 }),
    ]);

    // And it works: a command over the new connection is acked and answered.
    await w.fake.deliverSocket("slash_commands", w.fake.buildSlashCommand({ text: "help" }));
    await w.fake.waitFor(() => w.fake.ephemerals().length > 0 || undefined);
  });

  it("Slack's routine disconnect message: reconnected at once, no backoff, nothing worse than info logged", async () => {
    const w = await socketBot();
    const [first] = w.fake.socketConnections();
    w.fake.disconnectSocket(undefined, "refresh_requested");
    await eventually(
      () => w.fake.socketConnections().some((c) => c.open && c.id !== first?.id),
      10_000,
      "the new connection",
    );
    await eventually(async () => (await w.readyz()).status === 200, 10_000, "ready");
    expect(w.opens()).toBe(2);
    expect(await w.reconnects("succeeded")).toBe(1);
    expect(w.logs.filter((l) => l.level >= 40)).toEqual([]);
  });

  it("a refused app token while reconnecting: an error naming SLACK_APP_TOKEN, not ready, retried slowly", async () => {
    const w = await socketBot();
    w.fake.failNext("apps.connections.open", "invalid_auth", 3);
    w.fake.dropSocket();
    await eventually(() => w.logged("SLACK_APP_TOKEN").length > 0, 10_000, "the refused token");
    expect(w.logged("SLACK_APP_TOKEN")[0]).toMatchObject({
      level: 50,
      reason: "Slack refused the app-level token SLACK_APP_TOKEN (invalid_auth)",
    });
    // A refusal is Slack's answer, not retried by the Web client: one open per attempt.
    expect(w.opens()).toBe(2);
    w.clock.advance(60_000);
    const down = await w.readyz();
    expect(down.status).toBe(503);
    expect(down.body.checks.slack).toBe(
      "Socket Mode disconnected for 60 s: Slack refused the app-level token SLACK_APP_TOKEN (invalid_auth)",
    );
    expect((await fetch(`${w.probeUrl}/healthz`)).status).toBe(200);
    // Slowly: nothing before 2.5 min (5 min, jittered to 50-100 %); then again, refused again, logged once.
    w.clock.advance(89_000);
    expect(w.opens()).toBe(2);
    w.clock.advance(1_000);
    await eventually(() => w.opens() === 3, 10_000, "the second attempt");
    await eventually(async () => (await w.reconnects("failed")) === 2, 10_000, "its failure");
    expect(w.logged("SLACK_APP_TOKEN")).toHaveLength(1);
    // Slack takes the token again (a workspace re-enabled): connected without a restart.
    w.clock.advance(150_000);
    await eventually(() => w.opens() === 4, 10_000, "the third attempt");
    w.clock.advance(150_000);
    await eventually(async () => (await w.readyz()).status === 200, 10_000, "ready again");
    expect(w.fake.socketConnections().filter((c) => c.open)).toHaveLength(1);
  });

  it("a connection Slack opens but never greets: closed after 30 s, retried with backoff, then connected", async () => {
    const w = await socketBot();
    const [first] = w.fake.socketConnections();
    w.fake.withholdSocketHello(1);
    w.fake.dropSocket();
    // The reconnect at once: Slack hands out a URL and accepts the WebSocket, then says nothing.
    await eventually(
      () => w.fake.socketConnections().some((c) => c.open && c.id !== first?.id),
      10_000,
      "the silent socket",
    );
    expect(w.opens()).toBe(2);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect((await w.readyz()).status).toBe(503);
    expect(await w.reconnects("failed")).toBe(0);
    // Without the bound this attempt waited forever: no failure, no retry, never ready and never told why.
    w.clock.advance(30_000);
    await eventually(async () => (await w.reconnects("failed")) === 1, 10_000, "the attempt's failure");
    await eventually(
      () => !w.fake.socketConnections().some((c) => c.open),
      10_000,
      "the silent socket closed",
    );
    expect(w.logged("could not reconnect to Slack over Socket Mode: retrying")).toEqual([
      expect.objectContaining({
        level: 40,
        reason: "Slack opened the WebSocket but did not say hello within 30 s",
      }),
    ]);
    expect((await w.readyz()).body.checks.slack).toBe(
      "Socket Mode disconnected for 30 s: Slack opened the WebSocket but did not say hello within 30 s",
    );
    // The backoff's first delay (5 s at the lowest jitter), then a connection Slack greets.
    w.clock.advance(5_000);
    await eventually(async () => (await w.readyz()).status === 200, 10_000, "ready again");
    expect(w.opens()).toBe(3);
    expect(await w.reconnects("succeeded")).toBe(1);
    expect(w.fake.socketConnections().filter((c) => c.open)).toHaveLength(1);
  });

  it("a first connection Slack never greets: start-up fails after 30 s, saying so, instead of hanging", async () => {
    let failure: unknown;
    await socketBot({
      beforeStart: (fake, clock) => {
        fake.withholdSocketHello(1);
        // The start waits on the manual clock: advanced once the silent socket is open.
        void fake
          .waitForSocketConnections(1)
          .then(() => clock.advance(30_000))
          .catch((error: unknown) => {
            failure = error;
          });
      },
    }).catch((error: unknown) => {
      failure = error;
    });
    expect(failure).toBeInstanceOf(SlackStartError);
    const error = failure as SlackStartError;
    expect(error.stage).toBe("connect");
    expect(explainStartupFailure(error, { slackApiUrl: "" })).toBe(
      "Slack's Socket Mode connection did not open (Slack opened the WebSocket but did not say hello within 30 s); check that this host can open WebSockets to Slack (wss-primary.slack.com, through proxies and firewalls), then start the bot again",
    );
  });

  it("stopping while disconnected ends the retries: no open after the stop", async () => {
    const w = await socketBot();
    w.fake.faultNext("apps.connections.open", { kind: "http", status: 503 }, 20);
    w.fake.dropSocket();
    await eventually(() => w.logged("could not reconnect").length > 0, 10_000, "the failed reconnect");
    const before = w.opens();
    await w.bot.stop(0);
    w.clock.advance(10 * 60_000);
    await new Promise((resolve) => setImmediate(resolve));
    expect(w.opens()).toBe(before);
    expect(w.fake.socketConnections().some((c) => c.open)).toBe(false);
  });
});
