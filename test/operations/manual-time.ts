import type { Timers } from "../../src/operations/timers.js";

/** A manual clock with timers that fire only when the test advances time (in due order). */
export function createManualTime(start = 0) {
  let now = start;
  let nextId = 1;
  const pending = new Map<number, { at: number; fn: () => void; every?: number }>();
  const timers: Timers = {
    setTimeout(fn, ms) {
      const id = nextId++;
      pending.set(id, { at: now + ms, fn });
      return id;
    },
    clearTimeout: (id) => {
      pending.delete(id as number);
    },
    setInterval(fn, ms) {
      const id = nextId++;
      pending.set(id, { at: now + ms, fn, every: ms });
      return id;
    },
    clearInterval: (id) => {
      pending.delete(id as number);
    },
  };
  return {
    clock: { now: () => now },
    timers,
    pendingTimers: () => pending.size,
    /** Moves time forward, firing due timers in order (and letting promises settle after each). */
    async advance(ms: number) {
      const until = now + ms;
      for (;;) {
        await flush();
        const due = [...pending.entries()]
          .filter(([, t]) => t.at <= until)
          .sort((a, b) => a[1].at - b[1].at)[0];
        if (!due) break;
        const [id, t] = due;
        now = t.at;
        if (t.every !== undefined) t.at += t.every;
        else pending.delete(id);
        t.fn();
      }
      now = until;
      await flush();
    },
  };
}

/** Lets pending promise callbacks run. */
export async function flush(): Promise<void> {
  for (let i = 0; i < 20; i++) await Promise.resolve();
}
