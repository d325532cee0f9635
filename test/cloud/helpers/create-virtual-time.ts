/**
 * A simulated clock for unit tests of timed code (the job poll schedule, the server board): sleeping
 * advances it, each sleeper waking in time order once everyone awake has gone back to sleep; an aborted
 * sleep rejects with the signal's reason and is forgotten.
 */
export function createVirtualTime() {
  let now = 0;
  const sleepers: { at: number; wake: () => void }[] = [];
  return {
    now: () => now,
    sleep: (ms: number, signal?: AbortSignal) =>
      new Promise<void>((wake, reject) => {
        const onAbort = () => {
          sleepers.splice(sleepers.indexOf(sleeper), 1);
          reject(signal?.reason);
        };
        const sleeper = {
          at: now + ms,
          wake: () => {
            signal?.removeEventListener("abort", onAbort);
            wake();
          },
        };
        signal?.addEventListener("abort", onAbort, { once: true });
        sleepers.push(sleeper);
      }),
    /** Wakes sleepers in time order until none is left or the next would wake after `until`, where it stops. */
    async run(until: number) {
      for (;;) {
        for (let i = 0; i < 3; i++) await new Promise((r) => setImmediate(r));
        sleepers.sort((a, b) => a.at - b.at);
        const next = sleepers[0];
        if (!next || next.at > until) {
          now = Math.max(now, until);
          return;
        }
        sleepers.shift();
        now = Math.max(now, next.at);
        next.wake();
      }
    },
    /** Sleepers not yet woken. */
    sleeping: () => sleepers.length,
  };
}
