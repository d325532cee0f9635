import { Writable } from "node:stream";
import { type Bot, createBot } from "../../src/bot/create-bot.js";
import { createCloudClient } from "../../src/cloud/create-cloud-client.js";
import type { RetryOptions } from "../../src/cloud/create-transport.js";
import type { CloudConfig } from "../../src/cloud/load-cloud-config.js";
import type { CloudClient } from "../../src/cloud/types.js";
import type { CommandHandlers } from "../../src/commands/types.js";
import { createLogger } from "../../src/log/create-logger.js";
import {
  type CloudSimulator,
  type CloudSimulatorOptions,
  simulatorCloudConfig,
  startCloudSimulator,
} from "../../src/sandbox/cloud/index.js";
import type { ManualClock } from "../../src/sandbox/cloud/sim-clock.js";
import { type FakeSlack, type FakeSlackOptions, startFakeSlack } from "../../src/sandbox/slack/index.js";
import type { SlackConfig } from "../../src/slack/load-slack-config.js";

export interface BotHarnessOptions {
  transport?: "http" | "socket";
  sim?: CloudSimulatorOptions;
  slack?: FakeSlackOptions;
  handlers?: CommandHandlers;
  /**
   * One manual clock for the simulated cloud (its latency), the fake Slack (its receive times) and the bot's
   * placeholder timers, so "the first answer within a second" is measured without real waits. Absent: real
   * time, and placeholders only after a minute (tests reading the final answer never race one).
   */
  clock?: ManualClock;
  /** The bound on work after the ack (default the bot's). */
  work?: { concurrency?: number; queueSize?: number };
  /** HTTP mode: judge and ack in the ack thread (it uses the wall clock, so not with `clock`). */
  ackThread?: boolean;
  /** The cloud client's request timeout (default 10 s) and retry policy (default 2 attempts, short backoff). */
  cloud?: { requestTimeoutMs?: number; retry?: Partial<RetryOptions> };
  /** The address the bot listens on (default `127.0.0.1`). */
  host?: string;
}

/** Log lines the bot wrote (parsed pino JSON). */
export type LogLine = Record<string, unknown> & { level: number; msg?: string };

/**
 * The whole bot in-process over loopback: fake Slack (Web API, response URLs, Socket Mode), the simulated
 * Huawei Cloud, a real cloud client and `createBot`. Nothing of ours is mocked.
 */
export async function startBotHarness(options: BotHarnessOptions = {}) {
  const clock = options.clock;
  const fake: FakeSlack = await startFakeSlack({
    ...options.slack,
    ...(clock !== undefined && { now: () => clock.now() }),
  });
  const sim: CloudSimulator = await startCloudSimulator({
    ...options.sim,
    ...(clock !== undefined && { clock }),
  });
  const cloudConfig: CloudConfig = {
    ...simulatorCloudConfig(sim),
    connectTimeoutMs: 2_000,
    requestTimeoutMs: options.cloud?.requestTimeoutMs ?? 10_000,
  };
  const cloud: CloudClient = createCloudClient(cloudConfig, {
    retry: options.cloud?.retry ?? { maxAttempts: 2, baseDelayMs: 10, maxDelayMs: 50 },
  });
  const logs: LogLine[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      for (const line of chunk.toString("utf8").split("\n")) {
        if (line.trim() !== "") logs.push(JSON.parse(line) as LogLine);
      }
      callback();
    },
  });
  const logger = createLogger({ level: "debug", destination });
  const transport = options.transport ?? "http";
  const slack: SlackConfig = {
    botToken: fake.botToken,
    apiUrl: fake.apiUrl,
    transport:
      transport === "http"
        ? { kind: "http", signingSecret: fake.signingSecret, port: 0 }
        : { kind: "socket", appToken: fake.appToken },
  };
  const bot: Bot = createBot({
    slack,
    cloud,
    logger,
    host: options.host ?? "127.0.0.1",
    shutdownGraceMs: 2_000,
    placeholder: clock !== undefined ? { scheduler: clock } : { delayMs: 60_000 },
    ...(options.work !== undefined && { work: options.work }),
    ...(options.ackThread !== undefined && { ackThread: options.ackThread }),
    ...(options.handlers ? { handlers: options.handlers } : {}),
  });
  await bot.start();
  if (transport === "socket") await fake.waitForSocketConnections(1);
  return {
    fake,
    sim,
    cloud,
    bot,
    logs,
    /** `POST` target for signed requests (HTTP mode). */
    eventsUrl: bot.url === undefined ? "" : `${bot.url}/slack/events`,
    async close() {
      await bot.stop();
      await cloud.close();
      await sim.close();
      await fake.close();
    },
  };
}

export type BotHarness = Awaited<ReturnType<typeof startBotHarness>>;
