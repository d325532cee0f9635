/**
 * `/readyz`, `/healthz` and `/metrics` of `createBot` over loopback against the fake Slack: HTTP mode on `PORT`,
 * Socket Mode on `METRICS_PORT` (its only HTTP port), up before Slack auth so the orchestrator sees "alive, not
 * ready" meanwhile; a store that stops answering makes the bot not ready.
 */
import { Writable } from "node:stream";
import { afterEach, describe, expect, it } from "vitest";
import { type Bot, createBot } from "../../src/bot/create-bot.js";
import { createCloudClient } from "../../src/cloud/create-cloud-client.js";
import type { CloudClient } from "../../src/cloud/types.js";
import { createLogger } from "../../src/log/create-logger.js";
import { createPrometheusMetrics } from "../../src/metrics/create-prometheus-metrics.js";
import { createManualClock } from "../../src/sandbox/cloud/create-manual-clock.js";
import {
  type CloudSimulator,
  simulatorCloudConfig,
  startCloudSimulator,
} from "../../src/sandbox/cloud/index.js";
import type { ManualClock } from "../../src/sandbox/cloud/sim-clock.js";
import { type FakeSlack, startFakeSlack } from "../../src/sandbox/slack/index.js";
import { startProbeServer } from "../../src/slack/serve-probes.js";
import { createMemoryStore } from "../../src/store/create-memory-store.js";
import { sample, scrape } from "../metrics/scrape-metrics.js";

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function world(clock?: ManualClock) {
  const fake: FakeSlack = await startFakeSlack();
  const sim: CloudSimulator = await startCloudSimulator(clock !== undefined ? { clock } : {});
  const cloud: CloudClient = createCloudClient({
    ...simulatorCloudConfig(sim),
    connectTimeoutMs: 2_000,
    requestTimeoutMs: 10_000,
  });
  cleanups.push(
    () => fake.close(),
    () => sim.close(),
    () => cloud.close(),
  );
  const logger = createLogger({
    level: "warn",
    destination: new Writable({ write: (_c, _e, callback) => callback() }),
  });
  return { fake, sim, cloud, logger };
}

async function readyz(base: string) {
  const res = await fetch(`${base}/readyz`);
  return {
    status: res.status,
    body: (await res.json()) as { ready: boolean; checks: Record<string, string> },
  };
}

describe("GET /readyz", () => {
  it("HTTP mode: 200 while the store answers, 503 naming the store once it does not; /healthz stays 200", async () => {
    const { fake, cloud, logger } = await world();
    const store = createMemoryStore();
    const bot: Bot = createBot({
      slack: {
        botToken: fake.botToken,
        apiUrl: fake.apiUrl,
        transport: { kind: "http", signingSecret: fake.signingSecret, port: 0 },
      },
      cloud,
      logger,
      store,
      host: "127.0.0.1",
    });
    await bot.start();
    cleanups.push(() => bot.stop(500));
    expect(bot.probeUrl).toBe(bot.url);
    expect(await readyz(bot.url ?? "")).toEqual({
      status: 200,
      body: { status: "ready", ready: true, checks: { slack: "ok", store: "ok" } },
    });
    await store.close();
    const down = await readyz(bot.url ?? "");
    expect(down.status).toBe(503);
    expect(down.body.ready).toBe(false);
    expect(down.body.checks).toEqual({ slack: "ok", store: "store is closed" });
    expect((await fetch(`${bot.url}/healthz`)).status).toBe(200);
    // No metrics registry given: nothing to scrape.
    expect((await fetch(`${bot.url}/metrics`)).status).toBe(404);
  });

  it("Socket Mode on METRICS_PORT: 503 until auth.test succeeded, then 200; /metrics counts a command", async () => {
    const { fake, cloud, logger } = await world();
    const metrics = createPrometheusMetrics();
    // auth.test answers late, so the probes can be asked while the bot is still starting.
    fake.faultNext("auth.test", { kind: "delay", ms: 1_500 });
    const bot: Bot = createBot({
      slack: {
        botToken: fake.botToken,
        apiUrl: fake.apiUrl,
        transport: { kind: "socket", appToken: fake.appToken, metricsPort: 0 },
      },
      cloud,
      logger,
      host: "127.0.0.1",
      metrics,
      scrape: metrics,
    });
    const started = bot.start();
    cleanups.push(() => bot.stop(500));
    // The probe server listens before auth.test is sent: poll for it (nothing in the fake changes meanwhile).
    let probeUrl = bot.probeUrl;
    while (probeUrl === undefined) {
      await new Promise((resolve) => setTimeout(resolve, 5));
      probeUrl = bot.probeUrl;
    }
    expect(bot.url).toBeUndefined();
    const starting = await readyz(probeUrl);
    expect(starting.status).toBe(503);
    expect(starting.body.checks.slack).toBe("auth.test has not succeeded");
    expect((await fetch(`${probeUrl}/healthz`)).status).toBe(200);
    await started;
    await fake.waitForSocketConnections(1);
    expect((await readyz(probeUrl)).status).toBe(200);

    await fake.deliverSocket("slash_commands", fake.buildSlashCommand({ text: "help" }));
    await fake.waitFor(() => fake.ephemerals().length > 0 || undefined);
    const text = await scrape(`${probeUrl}/metrics`);
    expect(sample(text, "hwc_chatops_commands_total", { verb: "help", outcome: "handled" })).toBe(1);
    // Only the probes live here: Slack's endpoint does not.
    expect((await fetch(`${probeUrl}/slack/events`, { method: "POST" })).status).toBe(404);
  });

  it("Socket Mode: a bot whose token Slack refuses does not start, and leaves no port open", async () => {
    const { fake, cloud, logger } = await world();
    fake.failNext("auth.test", "invalid_auth");
    const bot: Bot = createBot({
      slack: {
        botToken: fake.botToken,
        apiUrl: fake.apiUrl,
        transport: { kind: "socket", appToken: fake.appToken, metricsPort: 0 },
      },
      cloud,
      logger,
      host: "127.0.0.1",
    });
    let probeUrl: string | undefined;
    fake.subscribe(() => {
      probeUrl ??= bot.probeUrl;
    });
    await expect(bot.start()).rejects.toMatchObject({ name: "SlackStartError", stage: "auth" });
    expect(bot.probeUrl).toBeUndefined();
    if (probeUrl !== undefined) await expect(fetch(`${probeUrl}/readyz`)).rejects.toThrow();
  });

  it("Socket Mode: while a stopping bot drains its work, METRICS_PORT answers 503 stopping, then closes", async () => {
    // The cloud answers on a manual clock: the command's read stays in flight until the clock moves.
    const clock = createManualClock();
    const { fake, sim, cloud, logger } = await world(clock);
    sim.control.setFaults({ latencyMs: 5_000 });
    const bot: Bot = createBot({
      slack: {
        botToken: fake.botToken,
        apiUrl: fake.apiUrl,
        transport: { kind: "socket", appToken: fake.appToken, metricsPort: 0 },
      },
      cloud,
      logger,
      host: "127.0.0.1",
    });
    await bot.start();
    cleanups.push(() => bot.stop(500));
    await fake.waitForSocketConnections(1);
    const probeUrl = bot.probeUrl ?? "";
    const name = sim.control.servers()[0]?.name ?? "";
    await fake.deliverSocket(
      "slash_commands",
      fake.buildSlashCommand({ command: "/ecs", text: `show ${name}` }),
    );
    // Polled, not timed: the command's task is in flight once /healthz counts it.
    while (((await (await fetch(`${probeUrl}/healthz`)).json()) as { inFlight: number }).inFlight === 0)
      await new Promise((resolve) => setTimeout(resolve, 5));
    const stopped = bot.stop(60_000);
    // The command is still in flight: the orchestrator sees "stopping", not "ready".
    const draining = await readyz(probeUrl);
    expect(draining.status).toBe(503);
    expect(draining.body).toMatchObject({ ready: false, checks: { bot: "stopping" } });
    const health = await fetch(`${probeUrl}/healthz`);
    expect(health.status).toBe(503);
    expect(await health.json()).toMatchObject({ status: "stopping", transport: "socket", inFlight: 1 });
    // The work finishes as the clock passes the cloud's delay; then the bot stops and the port closes.
    let done = false;
    void stopped.then(() => {
      done = true;
    });
    // Each of its cloud requests (the token, then the read) waits its delay on the clock.
    for (let step = 0; step < 20 && !done; step++) {
      clock.advance(5_000);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await stopped;
    expect(fake.ephemerals().at(-1)?.text).toContain(name);
    await expect(fetch(`${probeUrl}/readyz`)).rejects.toThrow();
  });
});

describe("the probe server", () => {
  it("says what it listens on: all interfaces when no host is given (not the loopback URL it is reached by)", async () => {
    const { logger } = await world();
    const wildcard = await startProbeServer({ port: 0, logger, probes: { stopping: () => false } });
    cleanups.push(() => wildcard.close());
    const port = new URL(wildcard.url).port;
    expect(wildcard.listen).toBe(`all interfaces, port ${port}`);
    const loopback = await startProbeServer({
      port: 0,
      host: "127.0.0.1",
      logger,
      probes: { stopping: () => false },
    });
    cleanups.push(() => loopback.close());
    expect(loopback.listen).toBe(`127.0.0.1:${new URL(loopback.url).port}`);
  });
});
