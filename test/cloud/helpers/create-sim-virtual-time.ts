/**
 * Time for many waits at once on the simulator's manual clock (jobs, the poll schedule, the board), so that
 * minutes of jobs take seconds. `run` wakes the earliest sleepers once nothing else can happen: no cloud
 * request in flight (those made through `request`) and the event loop idle, everyone asleep again.
 */
export function createSimVirtualTime(sim: { control: { now(): number; advance(ms: number): void } }) {
  const sleepers: { at: number; wake: () => void }[] = [];
  let inFlight = 0;
  const sleep = (ms: number, signal?: AbortSignal) =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) {
        reject(signal.reason);
        return;
      }
      const sleeper = {
        at: sim.control.now() + Math.max(0, ms),
        wake: () => {
          signal?.removeEventListener("abort", onAbort);
          resolve();
        },
      };
      const onAbort = () => {
        sleepers.splice(sleepers.indexOf(sleeper), 1);
        reject(signal?.reason);
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      sleepers.push(sleeper);
    });
  const idle = async () => {
    do {
      while (inFlight > 0) await new Promise((r) => setTimeout(r, 0));
      for (let i = 0; i < 3; i++) await new Promise((r) => setImmediate(r));
    } while (inFlight > 0);
  };
  return {
    now: () => sim.control.now(),
    sleep,
    /** `call` counted as in flight until it settles. */
    async request<T>(call: () => Promise<T>): Promise<T> {
      inFlight++;
      try {
        return await call();
      } finally {
        inFlight--;
      }
    },
    /** Wakes sleepers in time order until none is left, or the next would wake after `until`. */
    async run(until = Number.POSITIVE_INFINITY): Promise<void> {
      for (;;) {
        await idle();
        if (sleepers.length === 0) return;
        sleepers.sort((a, b) => a.at - b.at);
        const at = sleepers[0]!.at;
        if (at > until) return;
        const due = sleepers.filter((s) => s.at <= at);
        sleepers.splice(0, due.length);
        const ahead = at - sim.control.now();
        if (ahead > 0) sim.control.advance(ahead);
        for (const s of due) s.wake();
      }
    },
  };
}

export type SimVirtualTime = ReturnType<typeof createSimVirtualTime>;
