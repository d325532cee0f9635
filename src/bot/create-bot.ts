import type { Worker } from "node:worker_threads";
import { App, type HTTPReceiver, LogLevel, webApi } from "@slack/bolt";
import type { CloudClient } from "../cloud/types.js";
import { type CommandRouter, createCommandRouter } from "../commands/create-command-router.js";
import { createInteractionTokens } from "../commands/create-interaction-tokens.js";
import type { Scheduler } from "../commands/create-pending-reply.js";
import type { ListingCache } from "../commands/read/create-listing-cache.js";
import type { ActionHandler, CommandHandlers, ViewHandler } from "../commands/types.js";
import type { Logger } from "../log/create-logger.js";
import { type Metrics, type MetricsExposition, noopMetrics } from "../metrics/metrics.js";
import {
  type AckThreadFrontend,
  prepareAckThreadFrontend,
} from "../slack/ack-thread/start-ack-thread-frontend.js";
import { createBoltLogger } from "../slack/create-bolt-logger.js";
import { createRateLimitGate, type RateLimitGate } from "../slack/create-rate-limit-gate.js";
import { createSlackChat } from "../slack/create-slack-chat.js";
import { createSlackFetch } from "../slack/create-slack-fetch.js";
import { createUserGroupCache, type UserGroupCache } from "../slack/create-user-group-cache.js";
import { createDirectDispatch } from "../slack/listeners/create-direct-dispatch.js";
import { type ListenerDeps, registerListeners } from "../slack/listeners/index.js";
import type { SlackConfig } from "../slack/load-slack-config.js";
import {
  describeListenAddress,
  type ProbeServer,
  type Readiness,
  startProbeServer,
} from "../slack/serve-probes.js";
import { SlackStartError, type SlackStartStage } from "../slack/slack-start-error.js";
import { type HttpFrontend, startHttpFrontend } from "../slack/start-http-frontend.js";
import { createMemoryStore } from "../store/create-memory-store.js";
import type { Store } from "../store/store.js";
import { buildBusyView } from "../views/build-busy-view.js";
import { buildStoreUnavailableView } from "../views/build-store-unavailable-view.js";
import { createDeliveryDedupe } from "./create-delivery-dedupe.js";
import { createSlackReceiver } from "./create-slack-receiver.js";
import { createStoreProbe } from "./create-store-probe.js";
import { createTaskTracker } from "./create-task-tracker.js";
import { createWorkQueue } from "./create-work-queue.js";
import { startMemoryGiveBack } from "./give-back-memory.js";
import type { SocketModeSupervisorOptions } from "./supervise-socket-mode.js";

export interface CreateBotOptions {
  /** Secrets besides Slack's (the cloud's SK or IAM password): masked in the command text the bot logs. */
  secretValues?: readonly string[];
  slack: SlackConfig;
  /** The Huawei Cloud client; owned by the caller (the bot does not close it). */
  cloud: CloudClient;
  logger: Logger;
  /** Extension points: mutation and `/ops` handlers, read policy, live policy in help. */
  handlers?: CommandHandlers;
  /**
   * Shared state for button/menu tokens and the dedupe of redelivered requests; default an in-process memory
   * store (one replica).
   */
  store?: Store;
  /** HTTP mode: the interface to listen on; default all interfaces. */
  host?: string;
  /** Wall clock (ms) for the request-timestamp check; default `Date.now` (always, with {@link ackThread}). */
  now?: () => number;
  /**
   * HTTP mode: judge and ack Slack's requests in a thread of their own (`ACK_THREAD`), so that an ack never
   * waits behind the work of earlier requests; default false (one thread).
   */
  ackThread?: boolean;
  /**
   * The ack thread's worker, started early by the entry point (`startAckThreadWorker`) so that its loading
   * overlaps the bot's. The bot owns it: used with {@link ackThread}, ended at once otherwise.
   */
  ackThreadWorker?: Worker;
  /**
   * The fetch Bolt's Web client and `respond()` use; default {@link createSlackFetch}'s (kept-alive
   * `node:http(s)` connections, closed by `stop()`).
   */
  slackFetch?: typeof fetch;
  /**
   * The full collection run to give memory back after a burst of requests; default `globalThis.gc` (present
   * when Node runs with `--expose-gc`, as `npm start` does), `false`: never.
   */
  gc?: (() => void) | false;
  /** How long `stop()` waits for in-flight work by default; default 10 s. */
  shutdownGraceMs?: number;
  /**
   * How long a delivery's dedupe key is kept (default 1 h, longer than Slack's retries) and how long the
   * query behind a result's buttons is (default 1 day: Previous/Next/Share work that long).
   */
  retention?: { deliveryDedupeMs?: number; savedQueriesMs?: number };
  /**
   * The bound on work after the ack (`WORK_CONCURRENCY`, `WORK_QUEUE_SIZE`): how many requests run at once
   * and how many wait; beyond that a request is answered "busy". Defaults 16 and 200.
   */
  work?: { concurrency?: number; queueSize?: number };
  /**
   * Keeps the user groups for policy decisions, dropped when Slack announces a change (`subteam_*` events);
   * give the one the process's other chats share. Default: one over `store`, at most a minute old.
   */
  userGroups?: UserGroupCache;
  /**
   * Waits out Slack's rate limits for the calls they hold back only; give the one the process's other chats
   * share. Default: one of the bot's own, on real timers.
   */
  rateLimits?: RateLimitGate;
  /**
   * `/ecs list` and `/hss hosts` listings shared by commands with the same filters (default: reused for 5 s,
   * real clock).
   */
  listings?: ListingCache;
  /** Placeholders of slow requests: shown after `delayMs` (default 300 ms), timers from `scheduler`. */
  placeholder?: { delayMs?: number; scheduler?: Scheduler };
  /** Commands by verb and outcome, Slack API calls and rate-limit waits; default none recorded. */
  metrics?: Metrics;
  /** `/metrics` (HTTP mode: on `PORT`; Socket Mode: on `metricsPort`); absent: not served. */
  scrape?: MetricsExposition;
  /**
   * Socket Mode: how a lost connection is retried (at once, then after 1 s doubling up to 30 s, jittered; every
   * 5 min while Slack refuses the app token) and the clock and timers it does so with (default real ones).
   */
  socketReconnect?: Omit<SocketModeSupervisorOptions, "logger" | "metrics">;
}

export interface Bot {
  readonly app: App;
  /** The command router (the middle); also where extensions register. */
  readonly router: CommandRouter;
  /**
   * The bot's Slack user ID, from the `auth.test` that `start()` runs (for hints that name the bot as the
   * workspace calls it); undefined until then.
   */
  readonly botUserId: string | undefined;
  /** HTTP mode, once started: `http://host:port` (Slack posts to `${url}/slack/events`). */
  readonly url: string | undefined;
  /**
   * Where `/healthz`, `/readyz` and `/metrics` are served: HTTP mode, the `url`; Socket Mode, the `metricsPort`
   * server (listening before Slack auth, so `/readyz` says 503 meanwhile); undefined when none.
   */
  readonly probeUrl: string | undefined;
  /**
   * 200 from `/readyz`: the store takes a write, Slack auth (auth.test at start) succeeded and, in Socket Mode,
   * the connection to Slack is open.
   */
  readiness(): Promise<Readiness>;
  /** Handles clicks whose action ID is `prefix` or starts with `prefix.`. */
  registerAction(prefix: string, handler: ActionHandler): void;
  /** Handles modal submissions whose callback ID is exactly `callbackId`. */
  registerView(callbackId: string, handler: ViewHandler): void;
  /**
   * Checks the bot token (auth.test), then listens (HTTP) or connects (Socket Mode). Throws a
   * `SlackStartError` naming the step that failed, with the underlying error as its cause.
   */
  start(): Promise<void>;
  /**
   * Stops taking requests (HTTP: closes the server, `/healthz` answers 503 meanwhile; Socket Mode:
   * disconnects), then waits up to `graceMs` for work already acked. Idempotent.
   */
  stop(graceMs?: number): Promise<void>;
  /** Resolves when the work acked so far (commands, clicks, events after their ack) has finished. */
  idle(): Promise<void>;
}

/**
 * The composition of the bot: one Bolt app over Socket Mode (when the config has an app token) or HTTP
 * (our own `node:http` server in front of Bolt's `HTTPReceiver`), the thin listeners, the command router
 * and the ChatPort. No process access: the caller wires signals and exits.
 */
export function createBot(options: CreateBotOptions): Bot {
  const { slack, logger } = options;
  const log = logger.child({ component: "bot" });
  const graceDefault = options.shutdownGraceMs ?? 10_000;
  const ownFetch = options.slackFetch === undefined ? createSlackFetch() : undefined;
  const clientOptions = {
    ...(slack.apiUrl !== undefined ? { slackApiUrl: slack.apiUrl } : {}),
    fetch: options.slackFetch ?? ownFetch?.fetch,
    // A chat reply that waits half an hour helps nobody: a few quick retries, then fail and explain.
    retryConfig: { retries: 2, factor: 2, minTimeout: 200, maxTimeout: 2_000 },
    timeout: 10_000,
  };

  const metrics = options.metrics ?? noopMetrics;
  // The Socket Mode client keeps `clientOptions` as they are: its Web client opens connections only, and
  // waiting out a 429 there holds back nothing else.
  const { receiver, socket } = createSlackReceiver(slack, logger, log, clientOptions, {
    ...options.socketReconnect,
    metrics,
  });
  const app = new App({
    token: slack.botToken,
    receiver,
    logger: createBoltLogger(logger),
    logLevel: LogLevel.WARN,
    // A 429 is thrown, not waited out by pausing the client's whole queue: one chatty status message must
    // not hold back every card, DM and Home tab. `rateLimits` waits out what was limited, and only that.
    clientOptions: { ...clientOptions, rejectRateLimitedCalls: true },
    // Bolt would otherwise call auth.test in the constructor, unawaited; start() runs it instead.
    deferInitialization: true,
    // No listener keeps conversation state (`context.conversation`), and Bolt's in-memory default made and
    // threw away an Error ("Conversation not found") for every request it dispatched.
    convoStore: false,
  });
  app.error(async (error) => {
    log.error({ err: error }, "unhandled error in a Slack listener");
  });
  // Bolt keeps auth.test's answer to itself: its user ID is read as it passes, rather than asked again at start.
  let botUserId: string | undefined;
  const rateLimits = options.rateLimits ?? createRateLimitGate();
  const authTest = app.client.auth.test;
  app.client.auth.test = async (args) => {
    // Bolt's own call at start: a 429 there is waited out too, rather than failing the start.
    const answer = await rateLimits.run({ method: "auth.test" }, () => authTest(args));
    if (answer.ok === true && answer.user_id !== undefined) botUserId = answer.user_id;
    return answer;
  };

  const store = options.store ?? createMemoryStore();
  const userGroups = options.userGroups ?? createUserGroupCache({ store, logger: log });
  const chat = createSlackChat(app.client, { metrics, groups: userGroups, rateLimits });
  // Every 429 Slack answers, as the Web client sees it (before `rateLimits` waits it out).
  app.client.on(webApi.WebClientEvent.RATE_LIMITED, (retrySec: number, request?: { url?: string }) => {
    const method = request?.url?.split("/").at(-1) ?? "unknown";
    metrics.slackRateLimited(method, retrySec * 1_000);
  });
  const router = createCommandRouter({
    secretValues: [
      slack.botToken,
      ...(slack.transport.kind === "http" ? [slack.transport.signingSecret] : [slack.transport.appToken]),
      ...(options.secretValues ?? []),
    ],
    cloud: options.cloud,
    chat,
    store,
    logger,
    metrics,
    botUserId: () => botUserId,
    ...(options.handlers !== undefined ? { handlers: options.handlers } : {}),
    ...(options.placeholder !== undefined && { placeholder: options.placeholder }),
    ...(options.listings !== undefined && { listings: options.listings }),
    tokens: createInteractionTokens(store, {
      ...(options.retention?.savedQueriesMs !== undefined && {
        queryTtlMs: options.retention.savedQueriesMs,
      }),
    }),
  });
  const tasks = createTaskTracker();
  const queue = createWorkQueue({
    ...(options.work?.concurrency !== undefined && { concurrency: options.work.concurrency }),
    ...(options.work?.queueSize !== undefined && { size: options.work.queueSize }),
    onError: (error) => log.error({ err: error }, "unhandled error in work after an ack"),
  });
  // The heap a burst of requests grew is given back once the burst is over (with `--expose-gc`, as npm start runs).
  let giveBack: { stop(): void } | undefined;
  // Redeliveries (HTTP retries, Socket Mode re-sends, one request reaching two replicas) are handled once.
  const dedupe = createDeliveryDedupe({
    store,
    logger: log,
    metrics,
    ...(options.retention?.deliveryDedupeMs !== undefined && { ttlMs: options.retention.deliveryDedupeMs }),
    ...(options.now !== undefined && { now: options.now }),
  });
  const listenerDeps: ListenerDeps = {
    router,
    chat,
    logger,
    enqueue(work) {
      const admission = queue.submit(work);
      if (!admission.accepted) return false;
      void tasks.track(admission.done);
      return true;
    },
    busy: buildBusyView(),
    claimDelivery: (key) => dedupe.claim(key),
    storeUnavailable: buildStoreUnavailableView(),
    ...(options.handlers?.home !== undefined && { home: options.handlers.home }),
    forgetUserGroups: () => userGroups.forget(),
  };
  registerListeners(app, listenerDeps);

  let frontend: HttpFrontend | undefined;
  let probeServer: ProbeServer | undefined;
  let state: "new" | "starting" | "running" | "stopped" = "new";
  let stopping: Promise<void> | undefined;
  // auth.test's answer at start, remembered: a bot whose token Slack refused is never ready.
  let slackAuthenticated = false;

  const probeStore = createStoreProbe(store, log, options.now ?? Date.now);

  async function readiness(): Promise<Readiness> {
    const checks = {
      // Socket Mode: no commands reach a bot whose connection is down, however well its token works.
      slack: slackAuthenticated ? (socket?.check() ?? "ok") : "auth.test has not succeeded",
      store: await probeStore(),
    };
    return { ready: Object.values(checks).every((c) => c === "ok"), checks };
  }
  const probes = {
    ready: readiness,
    ...(options.scrape !== undefined && { metrics: options.scrape }),
  };
  const frontOptions = (transport: { signingSecret: string; port: number }) => ({
    boltListener: (receiver as HTTPReceiver).requestListener,
    signingSecret: transport.signingSecret,
    logger: log,
    port: transport.port,
    ...(options.host !== undefined ? { host: options.host } : {}),
    health: () => ({
      transport: "http",
      ackThread: options.ackThread === true,
      inFlight: tasks.pending(),
      running: queue.running(),
      queued: queue.waiting(),
    }),
    probes,
  });
  // Loaded now, listening after Slack auth: its start-up overlaps the bot's.
  const ackThread: AckThreadFrontend | undefined =
    options.ackThread === true && slack.transport.kind === "http"
      ? prepareAckThreadFrontend({
          ...frontOptions(slack.transport),
          // The commands and clicks it acked go to their listeners directly; the rest through Bolt.
          direct: createDirectDispatch(listenerDeps, clientOptions.fetch ?? globalThis.fetch),
          ...(options.ackThreadWorker !== undefined && { worker: options.ackThreadWorker }),
        })
      : undefined;
  if (ackThread === undefined) void options.ackThreadWorker?.terminate();

  return {
    app,
    router,
    get botUserId() {
      return botUserId;
    },
    get url() {
      return frontend?.url;
    },
    get probeUrl() {
      return frontend?.url ?? probeServer?.url;
    },
    readiness,
    registerAction: (prefix, handler) => router.registerAction(prefix, handler),
    registerView: (callbackId, handler) => router.registerView(callbackId, handler),

    async start() {
      if (state !== "new") throw new Error(`the bot cannot start: it is ${state}`);
      state = "starting";
      let stage: SlackStartStage = "auth";
      try {
        if (slack.transport.kind === "socket" && slack.transport.metricsPort !== undefined) {
          // Up before Slack auth: the orchestrator sees "alive, not ready" while the bot starts.
          stage = "listen";
          probeServer = await startProbeServer({
            port: slack.transport.metricsPort,
            ...(options.host !== undefined ? { host: options.host } : {}),
            logger: log,
            probes: {
              ...probes,
              stopping: () => state === "stopped",
              health: () => ({
                transport: "socket",
                inFlight: tasks.pending(),
                // Said, not judged: liveness is the process's; a Slack outage is /readyz's to report.
                connected: socket?.connected() === true,
              }),
            },
          });
          log.info(
            { listen: probeServer.listen },
            `serving /metrics, /readyz and /healthz on ${probeServer.listen}`,
          );
          stage = "auth";
        }
        // auth.test: a bad token fails here, not as an unhandled rejection inside Bolt.
        await app.init();
        slackAuthenticated = true;
        log.info({ transport: slack.transport.kind }, "Slack token verified");
        if (slack.transport.kind === "http") {
          stage = "listen";
          frontend =
            ackThread !== undefined
              ? await ackThread.listen()
              : await startHttpFrontend({
                  ...frontOptions(slack.transport),
                  ...(options.now !== undefined ? { now: options.now } : {}),
                });
          // Where it listens as an operator reads it: the URL is where this host reaches it (loopback for a
          // server on every interface), which read as if Slack could not.
          const host = options.host ?? "::";
          const listen = describeListenAddress({
            address: host,
            family: host.includes(":") ? "IPv6" : "IPv4",
            port: Number(new URL(frontend.url).port),
          });
          log.info({ url: frontend.url, listen }, `listening for Slack requests on ${listen}`);
        } else {
          stage = "connect";
          // Not app.start(): Bolt's receiver would only call the client's start(), which the supervisor does
          // while it keeps the connection up.
          await socket?.start();
          log.info("connected to Slack over Socket Mode");
        }
      } catch (error) {
        // Nothing is listening: the caller may retry start() or exit.
        state = "new";
        await probeServer?.close();
        probeServer = undefined;
        throw new SlackStartError(stage, error);
      }
      state = "running";
      router.warmUp();
      giveBack ??= startMemoryGiveBack({
        work: queue,
        metrics,
        gc: options.gc === false ? undefined : (options.gc ?? (globalThis as { gc?: () => void }).gc),
        logger: log,
      });
    },

    async idle() {
      await tasks.drain(Number.POSITIVE_INFINITY);
    },

    stop(graceMs = graceDefault) {
      stopping ??= (async () => {
        state = "stopped";
        giveBack?.stop();
        if (frontend !== undefined) await frontend.close(graceMs);
        else await ackThread?.close(0);
        socket?.stop();
        const drained = await tasks.drain(graceMs);
        if (!drained) log.warn({ pending: tasks.pending() }, "stopped with work still in flight");
        // Last: while draining, /healthz and /readyz say "stopping" to the orchestrator.
        await probeServer?.close();
        ownFetch?.close();
        log.info("stopped");
      })();
      return stopping;
    },
  };
}
