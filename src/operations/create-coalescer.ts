import type { Clock } from "../store/store.js";
import { systemTimers, type Timers } from "./timers.js";

export interface CoalescerOptions<T> {
  /** Delivers one value (e.g. `chat.update`). Failures go to `onError`; the next value is still delivered. */
  send: (value: T) => Promise<void>;
  clock: Clock;
  /** Minimum time between the starts of two deliveries. Default 1000 ms. */
  intervalMs?: number;
  /**
   * How long a value pushed while nothing waits waits anyway, for the values that follow it at once (a step
   * that ends as the next begins): a burst of changes is one delivery, its last value. Default 0.
   */
  settleMs?: number;
  timers?: Pick<Timers, "setTimeout" | "clearTimeout">;
  onError?: (error: unknown) => void;
}

/**
 * Rate-limits updates of one thing (a Slack message): at most one delivery per interval, one at a time, in
 * order; values pushed in between replace each other (the last one wins); the value given to `close` is
 * always delivered, after everything before it.
 */
export interface Coalescer<T> {
  /**
   * The latest value: delivered after the settle time (none with `settle: false`, for news that must not
   * wait) if the last delivery started at least an interval ago, else later.
   */
  push(value: T, options?: { settle?: boolean }): void;
  /**
   * Delivers `value` (or the pending one) as the last value, still respecting the interval, and resolves when
   * nothing is left to deliver. Later pushes are ignored.
   */
  close(value?: T): Promise<void>;
  /** Deliveries started so far. */
  readonly sent: number;
}

export function createCoalescer<T>(options: CoalescerOptions<T>): Coalescer<T> {
  const { send, clock } = options;
  const intervalMs = options.intervalMs ?? 1000;
  const settleMs = options.settleMs ?? 0;
  const timers = options.timers ?? systemTimers;
  const onError = options.onError ?? (() => {});

  let pending: { value: T } | undefined;
  let lastStart: number | undefined;
  let inFlight = false;
  let timer: unknown;
  let closed = false;
  let sent = 0;
  const idleWaiters: (() => void)[] = [];

  function settleIfIdle(): void {
    if (!closed || pending !== undefined || inFlight || timer !== undefined) return;
    for (const resolve of idleWaiters.splice(0)) resolve();
  }

  function deliver(): void {
    if (pending === undefined) {
      settleIfIdle();
      return;
    }
    const { value } = pending;
    pending = undefined;
    inFlight = true;
    lastStart = clock.now();
    sent++;
    let result: Promise<void>;
    try {
      result = send(value);
    } catch (error) {
      result = Promise.reject(error);
    }
    void result
      .catch((error: unknown) => onError(error))
      .finally(() => {
        inFlight = false;
        schedule();
      });
  }

  /** Delivers the pending value when the interval allows, and not before `atLeastMs` from now. */
  function schedule(atLeastMs = 0): void {
    if (inFlight || timer !== undefined) return;
    if (pending === undefined) {
      settleIfIdle();
      return;
    }
    const wait = Math.max(atLeastMs, lastStart === undefined ? 0 : lastStart + intervalMs - clock.now());
    if (wait <= 0) {
      deliver();
      return;
    }
    // The timer firing is the permission to send: with a manual clock that does not move, re-checking the
    // clock here would wait forever.
    timer = timers.setTimeout(
      () => {
        timer = undefined;
        deliver();
      },
      Math.min(wait, Math.max(intervalMs, atLeastMs)),
    );
  }

  return {
    push(value, pushOptions = {}) {
      if (closed) return;
      pending = { value };
      schedule(pushOptions.settle === false ? 0 : settleMs);
    },
    close(value) {
      if (!closed && value !== undefined) pending = { value };
      closed = true;
      const idle = new Promise<void>((resolve) => idleWaiters.push(resolve));
      schedule();
      settleIfIdle();
      return idle;
    },
    get sent() {
      return sent;
    },
  };
}
