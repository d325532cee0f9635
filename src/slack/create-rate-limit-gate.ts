import { ChatDeliveryError } from "../app/ports.js";
import { retryAfterMsOf } from "../app/retry-after-ms-of.js";

/** What a Web API call is, as far as Slack's rate limits go: its method and, for posts, its channel. */
export interface RateLimitedCall {
  method: string;
  /** The conversation posted to: `chat.postMessage` and `chat.postEphemeral` are limited per channel. */
  channel?: string;
}

/**
 * Holds back the Web API calls Slack rate-limited, and only those: a 429 holds its key (the method; for
 * `chat.postMessage`/`chat.postEphemeral` the method and channel) until its `Retry-After` has passed. Calls
 * made meanwhile to that key wait for it before their first attempt (they would only be refused too); the
 * limited call is tried again after the wait, a bounded number of times. Other keys never wait. A
 * `Retry-After` beyond the bound, and a call that cannot wait (`views.open`: its trigger lives 3 s), fail at
 * once with `ratelimited`. Share one between the chats of a process: they share Slack's limits.
 */
export interface RateLimitGate {
  /**
   * Runs `attempt` (one Web API call; it throws a `ChatDeliveryError`, or the Web client's own
   * `WebAPIRateLimitedError`) under the limits of `call`'s key, again after each 429 it may wait for.
   * Rejects with what the last attempt threw, or, when the key is held longer than may be waited for, with
   * a `ratelimited` `ChatDeliveryError` carrying the time left as `retryAfterMs`, without attempting.
   */
  run<T>(call: RateLimitedCall, attempt: () => Promise<T>): Promise<T>;
}

export interface RateLimitGateOptions {
  /** Clock (ms), to tell when a hold not waited for has passed; default `Date.now`. */
  now?: () => number;
  /** Waits out a hold; default a real timer that does not keep the process alive. */
  sleep?: (ms: number) => Promise<void>;
  /** Attempts after the first, each after the `Retry-After` of the 429 before it; default 2. */
  retries?: number;
  /** A `Retry-After` beyond this is not waited for; default 5 minutes. */
  maxWaitMs?: number;
  /** Methods never waited for (failed at once while held); default `views.open`. */
  noWait?: ReadonlySet<string>;
}

/** As the notifier's channel sender: a wait longer than this helps no one reading a chat. */
const DEFAULT_MAX_WAIT_MS = 5 * 60_000;
/** A trigger ID lives 3 s: a modal opened after a wait would be refused anyway. */
const DEFAULT_NO_WAIT: ReadonlySet<string> = new Set(["views.open"]);
/** Slack's posting limit is per conversation; the other methods' tiers are per method. */
const PER_CHANNEL: ReadonlySet<string> = new Set(["chat.postMessage", "chat.postEphemeral"]);

/** One `Retry-After` on one key; `passed` settles when it has been waited out (absent: not waited for). */
interface Hold {
  until: number;
  passed?: Promise<void>;
}

/** A real wait that never keeps the process alive at shutdown. */
const unrefSleep = (ms: number): Promise<void> =>
  new Promise((resolve) => {
    setTimeout(resolve, ms).unref();
  });

export function createRateLimitGate(options: RateLimitGateOptions = {}): RateLimitGate {
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? unrefSleep;
  const retries = options.retries ?? 2;
  const maxWaitMs = options.maxWaitMs ?? DEFAULT_MAX_WAIT_MS;
  const noWait = options.noWait ?? DEFAULT_NO_WAIT;
  const holds = new Map<string, Hold>();

  const keyOf = (call: RateLimitedCall) =>
    PER_CHANNEL.has(call.method) && call.channel !== undefined
      ? `${call.method} ${call.channel}`
      : call.method;

  /** Holds `key` for `waitMs`; one wait per 429, however many callers wait for it. */
  function hold(key: string, waitMs: number, waited: boolean): Hold {
    const held: Hold = { until: now() + waitMs };
    // A later 429 on the key replaces an earlier hold: its Retry-After is Slack's latest word.
    if (waited)
      held.passed = sleep(waitMs).then(() => {
        if (holds.get(key) === held) holds.delete(key);
      });
    holds.set(key, held);
    return held;
  }

  /**
   * Waits until `key` is free; rejects when it is held longer than `method` may wait. The end of a wait is
   * the permission to call (an injected clock need not move), and a hold made meanwhile is waited for too.
   */
  async function free(key: string, method: string): Promise<void> {
    for (let held = holds.get(key); held !== undefined; held = holds.get(key)) {
      const left = held.until - now();
      if (held.passed === undefined) {
        if (left <= 0) {
          holds.delete(key);
          return;
        }
        throw refused(method, left);
      }
      if (noWait.has(method)) {
        if (left <= 0) return;
        throw refused(method, left);
      }
      await held.passed;
    }
  }

  return {
    async run(call, attempt) {
      const key = keyOf(call);
      for (let attempts = 0; ; attempts++) {
        await free(key, call.method);
        try {
          return await attempt();
        } catch (error) {
          const retryAfterMs = retryAfterMsOf(error);
          if (retryAfterMs === undefined) throw error;
          const waits = !noWait.has(call.method) && retryAfterMs <= maxWaitMs;
          hold(key, retryAfterMs, retryAfterMs <= maxWaitMs);
          if (!waits || attempts >= retries) throw error;
        }
      }
    },
  };
}

function refused(method: string, leftMs: number): ChatDeliveryError {
  return new ChatDeliveryError("ratelimited", `${method} failed: ratelimited`, Math.ceil(leftMs), method);
}
