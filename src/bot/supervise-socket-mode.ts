import type { Scheduler } from "../commands/create-pending-reply.js";
import type { Logger } from "../log/create-logger.js";
import type { Metrics } from "../metrics/metrics.js";
import {
  describeSocketModeFailure,
  SocketModeConnectError,
  type SocketModeFailure,
} from "../slack/describe-socket-mode-failure.js";
import type { Clock } from "../store/store.js";

/**
 * What the supervisor needs of `@slack/socket-mode`'s `SocketModeClient`, made with `autoReconnectEnabled:
 * false`: every closed connection then ends in a `disconnected` event, and `start()` rejects instead of
 * retrying on its own.
 */
export interface SocketModeConnectable {
  /** Opens a connection (`apps.connections.open`, then the WebSocket); resolves on Slack's `hello`. */
  start(): Promise<unknown>;
  /** Closes the connection for good; resolves once closed. */
  disconnect(): Promise<void>;
  /** `authenticated`: `apps.connections.open` answered and the WebSocket is being opened. */
  on(event: "disconnected" | "error" | "authenticated", listener: (arg?: unknown) => void): unknown;
}

export interface SocketModeSupervisorOptions {
  logger: Logger;
  metrics: Metrics;
  /** Reads how long an outage has lasted; default the wall clock. */
  clock?: Clock;
  /** The backoff's timers; default real ones, unref'd. */
  scheduler?: Scheduler;
  /** The delay after the first failed reconnect, doubled after each (jittered to 50-100 %); default 1 s. */
  baseDelayMs?: number;
  /** The longest delay between reconnects; default 30 s. */
  maxDelayMs?: number;
  /** The delay between reconnects while Slack refuses the app-level token; default 5 min. */
  rejectedTokenDelayMs?: number;
  /** In [0, 1): the jitter; default `Math.random`. */
  random?: () => number;
  /**
   * How long an attempt waits for Slack's `hello` once `apps.connections.open` has answered; then the
   * connection is closed and the attempt counts as failed. Default 30 s.
   */
  helloTimeoutMs?: number;
}

export interface SocketModeSupervisor {
  /**
   * The first connection: one attempt, its failure thrown to the caller (start-up fails, naming the step, as
   * before). From then on a lost connection is reconnected until it connects again or {@link stop} is called.
   */
  start(): Promise<void>;
  /** True while a connection is open (Slack said `hello` and it has not closed since). */
  connected(): boolean;
  /**
   * `/readyz`'s check: `ok` while connected; otherwise why not ("Socket Mode disconnected for 42 s: …").
   */
  check(): "ok" | string;
  /** No more reconnects; closes the connection (without waiting for Slack's side of the close). */
  stop(): void;
}

const realScheduler: Scheduler = {
  setTimeout: (fn, ms) => setTimeout(fn, ms).unref(),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/**
 * Keeps a Socket Mode connection up. The client's own reconnect gives up for good on an HTTP or network error
 * of `apps.connections.open` (a few 503s while Slack recycles connections, which it does routinely) and leaves
 * the rejection of its restart unhandled: the bot then served nothing, silently, while saying it was ready.
 * Here the client never reconnects by itself; a lost connection is reconnected at once, then after each
 * failure with capped exponential backoff and jitter (replicas do not reconnect in step), forever: a Slack
 * outage is waited out. A refused app-level token is retried too, slowly: it is logged as an error naming
 * SLACK_APP_TOKEN and the bot stays up and not ready (`/readyz` 503, the gauge 0): exiting would not fix the
 * token, the orchestrator would restart it in a loop, and the runs in progress (the bot token still posts
 * their progress) would be cut short.
 *
 * Logged once per outage, as `createOutageLog` does for the store: the lost connection (info), the first
 * failure with each distinct reason (warn; a refused token: error), the rest at debug, and the reconnect
 * with how long the outage lasted (info).
 */
export function superviseSocketMode(
  client: SocketModeConnectable,
  options: SocketModeSupervisorOptions,
): SocketModeSupervisor {
  const { logger: log, metrics } = options;
  const clock = options.clock ?? { now: () => Date.now() };
  const scheduler = options.scheduler ?? realScheduler;
  const baseDelayMs = options.baseDelayMs ?? 1_000;
  const maxDelayMs = options.maxDelayMs ?? 30_000;
  const rejectedTokenDelayMs = options.rejectedTokenDelayMs ?? 300_000;
  const random = options.random ?? Math.random;
  const helloTimeoutMs = options.helloTimeoutMs ?? 30_000;

  let phase: "new" | "starting" | "connected" | "disconnected" | "stopped" = "new";
  /** The outage in progress: since when, why (the last reason), what was logged of it. */
  let outage: { since: number; reason: string; failures: number; logged: Set<string> } | undefined;
  let attempting = false;
  let timer: unknown;
  let lastSocketError: unknown;
  /**
   * The attempt's wait for `hello`. Without it, an edge that accepts the WebSocket and answers its pings but
   * never says `hello` held `start()` open forever: no failure, no retry, the bot not ready and never told why.
   */
  let helloTimer: unknown;
  let helloTimedOut = false;
  const stopHelloTimer = () => {
    if (helloTimer !== undefined) scheduler.clearTimeout(helloTimer);
    helloTimer = undefined;
  };
  const helloTimeoutFailure = (): SocketModeFailure => ({
    reason: `Slack opened the WebSocket but did not say hello within ${Math.round(helloTimeoutMs / 1000)} s`,
    tokenRejected: false,
  });
  /** `client.start()`, its wait for `hello` bounded; a timed-out attempt rejects as the client does (closed). */
  const startBounded = async (): Promise<void> => {
    helloTimedOut = false;
    try {
      await client.start();
    } finally {
      stopHelloTimer();
    }
  };

  const setConnected = (up: boolean) => metrics.slackSocketConnected(up);
  // A function, not a comparison in place: stop() may change the phase while an attempt awaits.
  const isStopped = () => phase === "stopped";

  client.on("error", (error) => {
    lastSocketError = error;
  });
  client.on("authenticated", () => {
    // Only an attempt in progress waits for hello (the first connection or a reconnect).
    if (phase !== "starting" && !attempting) return;
    stopHelloTimer();
    helloTimer = scheduler.setTimeout(() => {
      helloTimer = undefined;
      helloTimedOut = true;
      // Closing the half-open connection ends the attempt: `start()` rejects as for any close before hello.
      void client.disconnect();
    }, helloTimeoutMs);
  });
  client.on("disconnected", () => {
    // Closes during start-up or a reconnect reject that attempt; after stop() they are ours.
    if (phase !== "connected" || attempting) return;
    phase = "disconnected";
    setConnected(false);
    const reason =
      lastSocketError instanceof Error
        ? `the connection closed after a WebSocket error (${lastSocketError.message})`
        : "the connection closed";
    outage = { since: clock.now(), reason, failures: 0, logged: new Set() };
    log.info({ reason }, "the Socket Mode connection closed: reconnecting");
    void reconnect();
  });

  function delayAfter(failure: SocketModeFailure, failures: number): number {
    const ceiling = failure.tokenRejected
      ? rejectedTokenDelayMs
      : Math.min(maxDelayMs, baseDelayMs * 2 ** Math.min(failures - 1, 30));
    // Equal jitter: at least half the delay, so the backoff still grows.
    return Math.round(ceiling / 2 + (random() * ceiling) / 2);
  }

  function logFailure(failure: SocketModeFailure, retryInMs: number): void {
    if (outage === undefined) return;
    const fields = { reason: failure.reason, failures: outage.failures, retryInMs };
    if (outage.logged.has(failure.reason)) {
      log.debug(fields, "could not reconnect to Slack over Socket Mode");
      return;
    }
    outage.logged.add(failure.reason);
    if (failure.tokenRejected)
      log.error(
        fields,
        "SLACK_APP_TOKEN: Slack refused the app-level token while reconnecting: no commands reach the bot and it is not ready; set a valid xapp- token and restart it (retrying slowly meanwhile, in case Slack accepts it again)",
      );
    else
      log.warn(
        fields,
        "could not reconnect to Slack over Socket Mode: retrying with backoff until it connects; the bot gets no commands meanwhile and is not ready",
      );
  }

  async function reconnect(): Promise<void> {
    timer = undefined;
    if (phase !== "disconnected" || attempting) return;
    attempting = true;
    lastSocketError = undefined;
    let failure: SocketModeFailure | undefined;
    try {
      await startBounded();
    } catch (error) {
      failure = helloTimedOut ? helloTimeoutFailure() : describeSocketModeFailure(error, lastSocketError);
    } finally {
      attempting = false;
    }
    if (isStopped()) {
      // stop() came while connecting: the connection this attempt may have opened is closed too.
      if (failure === undefined) void client.disconnect();
      return;
    }
    if (outage === undefined) return;
    if (failure === undefined) {
      metrics.slackSocketReconnect("succeeded");
      lastSocketError = undefined;
      phase = "connected";
      setConnected(true);
      log.info(
        { lastedMs: clock.now() - outage.since, failedAttempts: outage.failures },
        "reconnected to Slack over Socket Mode",
      );
      outage = undefined;
      return;
    }
    metrics.slackSocketReconnect("failed");
    outage.failures += 1;
    outage.reason = failure.reason;
    const retryInMs = delayAfter(failure, outage.failures);
    logFailure(failure, retryInMs);
    timer = scheduler.setTimeout(() => void reconnect(), retryInMs);
  }

  return {
    async start() {
      if (phase !== "new") throw new Error(`Socket Mode cannot start: it is ${phase}`);
      phase = "starting";
      setConnected(false);
      try {
        await startBounded();
      } catch (error) {
        phase = "new";
        if (helloTimedOut) throw new SocketModeConnectError(helloTimeoutFailure().reason);
        // The client rejects with nothing when the WebSocket closed before Slack's hello.
        if (error === undefined)
          throw new SocketModeConnectError(describeSocketModeFailure(error, lastSocketError).reason);
        throw error;
      }
      lastSocketError = undefined;
      if (isStopped()) {
        // stop() came while connecting: the connection just opened is closed too.
        void client.disconnect();
        return;
      }
      phase = "connected";
      setConnected(true);
    },
    connected: () => phase === "connected",
    check() {
      if (phase === "connected") return "ok";
      if (outage === undefined) return "Socket Mode has not connected yet";
      const seconds = Math.max(0, Math.round((clock.now() - outage.since) / 1000));
      return `Socket Mode disconnected for ${seconds} s: ${outage.reason}`;
    },
    stop() {
      if (phase === "stopped") return;
      const wasUp = phase !== "new";
      phase = "stopped";
      if (timer !== undefined) scheduler.clearTimeout(timer);
      timer = undefined;
      setConnected(false);
      stopHelloTimer();
      if (wasUp) void client.disconnect();
    },
  };
}
