/**
 * The simulator's notion of time. Everything time-dependent in the simulated cloud (job progress,
 * token expiry, job purge, injected latency) reads this clock, so tests can run on a manual clock
 * and move time forward deterministically instead of sleeping.
 */
export interface SimClock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
  /** Runs `fn` once `ms` of this clock's time has passed; returns a handle for `clearTimeout`. */
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** A clock that only moves when told to; its timers fire during `advance`. */
export interface ManualClock extends SimClock {
  /** Moves time forward by `ms` (>= 0), firing due timers in time order. */
  advance(ms: number): void;
}

/** The wall clock with real timers. */
export const systemClock: SimClock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/** True when the clock can be advanced by hand. */
export function isManualClock(clock: SimClock): clock is ManualClock {
  return typeof (clock as Partial<ManualClock>).advance === "function";
}
