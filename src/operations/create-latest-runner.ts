/**
 * Runs `work(key)` for a key at most once at a time; a request that arrives while it runs makes it run once
 * more afterwards (requests in between collapse into that one run). For refreshing a card from the store:
 * every run reads the freshest state, so the last run always shows the latest state, in order.
 */
export interface LatestRunner {
  /** Resolves when a run that started after this call has finished. Never rejects. */
  run(key: string): Promise<void>;
  /** Resolves when no run is going on. */
  idle(): Promise<void>;
}

export function createLatestRunner(
  work: (key: string) => Promise<void>,
  onError: (error: unknown, key: string) => void,
): LatestRunner {
  const running = new Map<string, { again: boolean; done: Promise<void> }>();
  return {
    run(key) {
      const current = running.get(key);
      if (current) {
        current.again = true;
        return current.done;
      }
      const entry = { again: false, done: Promise.resolve() };
      entry.done = (async () => {
        // Let the caller's synchronous code (and the `running.set` below) finish before the first run.
        await Promise.resolve();
        try {
          do {
            entry.again = false;
            try {
              await work(key);
            } catch (error) {
              onError(error, key);
            }
          } while (entry.again);
        } finally {
          running.delete(key);
        }
      })();
      running.set(key, entry);
      return entry.done;
    },
    async idle() {
      while (running.size > 0) await Promise.all([...running.values()].map((e) => e.done));
    },
  };
}
