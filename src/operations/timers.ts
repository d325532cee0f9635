/** Timer functions, injected so tests can drive time (defaults: the global timers, unref'd). */
export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  setInterval(fn: () => void, ms: number): unknown;
  clearInterval(handle: unknown): void;
}

export const systemTimers: Timers = {
  setTimeout(fn, ms) {
    const t = setTimeout(fn, ms);
    t.unref();
    return t;
  },
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
  setInterval(fn, ms) {
    const t = setInterval(fn, ms);
    t.unref();
    return t;
  },
  clearInterval: (handle) => clearInterval(handle as NodeJS.Timeout),
};

/** A pass run on an interval, one at a time: a call while one is in progress joins it. */
export interface RepeatingPass<T> {
  /** Runs the pass now, then on every interval. Idempotent. */
  start(): void;
  /** Stops the interval and waits for a pass in progress. */
  stop(): Promise<void>;
  /** One pass now, or the one in progress. */
  run(): Promise<T>;
}

/**
 * Repeats `pass` every `intervalMs` on `timers`, never two at once in this process. `pass` must not throw
 * (a failure is its own to log and to turn into a result).
 */
export function repeatPass<T>(
  pass: () => Promise<T>,
  options: { intervalMs: number; timers: Pick<Timers, "setInterval" | "clearInterval"> },
): RepeatingPass<T> {
  let handle: unknown;
  let current: Promise<T> | undefined;
  function run(): Promise<T> {
    current ??= pass().finally(() => {
      current = undefined;
    });
    return current;
  }
  return {
    start() {
      if (handle !== undefined) return;
      handle = options.timers.setInterval(() => void run(), options.intervalMs);
      void run();
    },
    async stop() {
      if (handle !== undefined) options.timers.clearInterval(handle);
      handle = undefined;
      await current;
    },
    run,
  };
}
