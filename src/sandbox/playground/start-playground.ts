import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { createBot as createRealBot } from "../../bot/create-bot.js";
import { createCloudClient } from "../../cloud/create-cloud-client.js";
import type { CloudConfig } from "../../cloud/load-cloud-config.js";
import { createLogger, type Logger } from "../../log/create-logger.js";
import type { SlackConfig } from "../../slack/load-slack-config.js";
import { type CloudSimulator, simulatorCloudConfig, startCloudSimulator } from "../cloud/index.js";
import { type FakeSlack, startFakeSlack } from "../slack/index.js";
import { buildCommandHints } from "./build-command-hints.js";
import { buildPlaygroundWorld } from "./build-playground-world.js";
import { createBotGateway } from "./create-bot-gateway.js";
import { createEventStream } from "./create-event-stream.js";
import { createInteractionDriver } from "./create-interaction-driver.js";
import { createPlaygroundHandler } from "./create-playground-handler.js";
import { formatPlaygroundBanner } from "./format-playground-banner.js";
import { toPageEvent } from "./to-page-event.js";

/**
 * What the playground hands the bot: the same configuration `src/main.ts` would load from the environment,
 * pointing at the fake Slack and the simulated cloud.
 */
export interface PlaygroundBotOptions {
  /** HTTP mode on an ephemeral port, the fake Slack's Web API URL, its signing secret and bot token. */
  slack: SlackConfig;
  /** AK/SK of the simulated cloud, its endpoints and project. */
  cloud: CloudConfig;
  logger: Logger;
  /** Interface for the bot's HTTP server: the playground's host. */
  host: string;
}

/** The part of a started bot the playground uses (`Bot` from `src/bot/create-bot.ts` fits). */
export interface PlaygroundBot {
  start(): Promise<unknown>;
  stop(): Promise<unknown>;
  /** Where the bot's HTTP receiver listens once started: its base URL or its `/slack/events` URL. */
  readonly url?: string | undefined;
}

/**
 * Composes the bot from configuration, exactly as for real Slack and Huawei Cloud. `src/main.ts` should pass
 * the same composition it uses in production (cloud client, stores, policy, mutation/approval handlers), so the
 * playground runs the whole bot unchanged.
 */
export type PlaygroundBotFactory = (options: PlaygroundBotOptions) => PlaygroundBot | Promise<PlaygroundBot>;

/**
 * The default composition: a cloud client for the simulator and `createBot` with its defaults (no extra
 * handlers). The cloud client is closed when the bot stops.
 */
export const createDefaultPlaygroundBot: PlaygroundBotFactory = ({ slack, cloud, logger, host }) => {
  const client = createCloudClient(cloud);
  const bot = createRealBot({ slack, cloud: client, logger, host });
  return {
    start: () => bot.start(),
    async stop() {
      await bot.stop();
      await client.close();
    },
    get url() {
      return bot.url;
    },
  };
};

export interface PlaygroundOptions {
  /** Port of the page; default 3000, 0 picks a free one. The bot, the fake Slack and the cloud use their own ephemeral ports. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Regular servers of the simulated fleet; default 50. */
  servers?: number;
  /** World seed of the simulated cloud; same seed, same fleet. Default 1. */
  seed?: number;
  /** Adds servers with hostile names (Slack markup, HTML, spaces, duplicates). Default true. */
  edgeCases?: boolean;
  /** Job phase durations of the simulated cloud (default INIT 500 ms, RUNNING 2000 ms). */
  jobTiming?: { initMs?: number; runningMs?: number };
  /** Logger handed to the bot and used for the playground's own errors; default pino at `info`. */
  logger?: Logger;
  /** Where that logger writes its JSON lines, for the banner (e.g. `data/playground.log`). */
  logFile?: string;
  /** Composes the bot (see {@link PlaygroundBotFactory}); default {@link createDefaultPlaygroundBot}. */
  createBot?: PlaygroundBotFactory;
  /** Where the banner goes; default `console.log`. Pass `() => {}` to keep tests quiet. */
  print?: (text: string) => void;
}

export interface Playground {
  /** The page, e.g. `http://127.0.0.1:3000`. */
  url: string;
  /** The bot's `/slack/events` URL. */
  botEventsUrl: string;
  /** The fake Slack and the simulated cloud, for tests and tools. */
  slack: FakeSlack;
  cloud: CloudSimulator;
  close(): Promise<void>;
}

const WILDCARD_HOSTS = new Set(["0.0.0.0", "::", "[::]"]);

/**
 * The local playground: the simulated Huawei Cloud, the fake Slack Web API, the unchanged bot in HTTP mode
 * wired to both, and a Slack-like page. The page's actions reach the bot as signed Slack requests through its
 * real receiver; the bot's Web API calls land in the fake, whose changes stream back to the page.
 */
export async function startPlayground(options: PlaygroundOptions = {}): Promise<Playground> {
  const host = options.host ?? "127.0.0.1";
  const logger = options.logger ?? createLogger();
  const print = options.print ?? ((text: string) => console.log(text));
  const cleanups: Array<() => Promise<unknown>> = [];
  const closeAll = async () => {
    for (const cleanup of cleanups.reverse()) {
      try {
        await cleanup();
      } catch (error) {
        logger.warn({ err: error }, "playground: shutdown step failed");
      }
    }
    cleanups.length = 0;
  };

  try {
    // The page's port first: if it is taken, fail before starting anything else.
    let handler: ((req: IncomingMessage, res: ServerResponse) => void) | undefined;
    const server = createServer((req, res) => {
      if (handler) handler(req, res);
      else res.writeHead(503, { "content-type": "text/plain; charset=utf-8" }).end("starting…");
    });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(options.port ?? 3000, host, () => {
        server.off("error", reject);
        resolve();
      });
    });
    cleanups.push(
      () =>
        new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        }),
    );
    const cloud = await startCloudSimulator({
      servers: options.servers ?? 50,
      seed: options.seed ?? 1,
      edgeCases: options.edgeCases ?? true,
      // The seeded scan tasks lead up to the playground's clock, so the dates a visitor sees are recent.
      recentScanTasks: true,
      ...(options.jobTiming ? { jobTiming: options.jobTiming } : {}),
      onInternalError: (error) => logger.error({ err: error }, "playground: cloud simulator failed"),
    });
    cleanups.push(() => cloud.close());
    const slack = await startFakeSlack({
      // The default people plus a third approver, so a delete of a prod server (3 approvals) can be approved.
      world: buildPlaygroundWorld(),
      onError: (error) => logger.error({ err: error }, "playground: fake Slack failed"),
    });
    cleanups.push(() => slack.close());

    const createBot = options.createBot ?? createDefaultPlaygroundBot;
    const bot = await createBot({
      slack: {
        botToken: slack.botToken,
        transport: { kind: "http", signingSecret: slack.signingSecret, port: 0 },
        apiUrl: slack.apiUrl,
      },
      cloud: simulatorCloudConfig(cloud),
      logger,
      host: WILDCARD_HOSTS.has(host) ? "127.0.0.1" : host,
    });
    await bot.start();
    cleanups.push(() => bot.stop());
    const botEventsUrl = eventsUrlOf(bot.url);

    const driver = createInteractionDriver(
      slack,
      createBotGateway({ eventsUrl: botEventsUrl, signingSecret: slack.signingSecret }),
    );
    const stream = createEventStream();
    cleanups.push(async () => stream.close());
    const unsubscribeSlack = slack.subscribe((change) => {
      const event = toPageEvent(change);
      if (event) stream.broadcast(event);
    });
    const unsubscribeDriver = driver.subscribe((event) => stream.broadcast(event));
    cleanups.push(async () => {
      unsubscribeSlack();
      unsubscribeDriver();
    });

    handler = createPlaygroundHandler({
      slack,
      cloud,
      driver,
      stream,
      hints: buildCommandHints(),
      publicDir: fileURLToPath(new URL("./public/", import.meta.url)),
      ...(WILDCARD_HOSTS.has(host)
        ? {}
        : { allowedHosts: new Set([host, "127.0.0.1", "localhost", "[::1]", `[${host}]`]) }),
      onError: (error) => logger.error({ err: error }, "playground: request failed"),
    });
    const { port } = server.address() as AddressInfo;
    const url = `http://${host.includes(":") ? `[${host}]` : host}:${port}`;

    print(
      formatPlaygroundBanner({
        url,
        botEventsUrl,
        slackApiUrl: slack.apiUrl,
        cloudUrl: cloud.url,
        ...(options.logFile !== undefined && { logFile: options.logFile }),
      }),
    );
    return { url, botEventsUrl, slack, cloud, close: closeAll };
  } catch (error) {
    await closeAll();
    throw error;
  }
}

/** The bot's receiver URL: Bolt's HTTP receiver serves `POST /slack/events`. */
function eventsUrlOf(url: string | undefined): string {
  if (url === undefined || url === "") {
    throw new Error("playground: the bot did not report its URL after start(); cannot send it requests");
  }
  const trimmed = url.replace(/\/+$/, "");
  return trimmed.endsWith("/slack/events") ? trimmed : `${trimmed}/slack/events`;
}
