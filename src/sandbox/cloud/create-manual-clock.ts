import type { ManualClock } from "./sim-clock.js";

interface PendingTimer {
  at: number;
  seq: number;
  fn: () => void;
}

/**
 * A deterministic clock for tests and benchmarks. Starts at `startMs` (default: the wall clock at
 * creation, so signatures made with `Date.now()` stay inside the gateway's 15-minute window).
 */
export function createManualClock(startMs: number = Date.now()): ManualClock {
  let now = startMs;
  let seq = 0;
  const timers = new Set<PendingTimer>();
  return {
    now: () => now,
    setTimeout(fn, ms) {
      const timer: PendingTimer = { at: now + Math.max(0, ms), seq: seq++, fn };
      timers.add(timer);
      return timer;
    },
    clearTimeout(handle) {
      timers.delete(handle as PendingTimer);
    },
    advance(ms) {
      if (!(ms >= 0)) throw new RangeError(`advance(ms) needs a non-negative number, got ${ms}`);
      const target = now + ms;
      // Fire in time order; timers scheduled by a firing timer are honoured if they fall due too.
      for (;;) {
        let next: PendingTimer | undefined;
        for (const t of timers) {
          if (t.at <= target && (!next || t.at < next.at || (t.at === next.at && t.seq < next.seq))) next = t;
        }
        if (!next) break;
        timers.delete(next);
        now = Math.max(now, next.at);
        next.fn();
      }
      now = target;
    },
  };
}
