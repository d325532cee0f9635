/** Work that continues after a request was acked, tracked so shutdown can let it finish. */
export interface TaskTracker {
  track<T>(work: Promise<T>): Promise<T>;
  /** Number of unfinished tasks. */
  pending(): number;
  /**
   * Resolves when every tracked task has settled, or after `timeoutMs` (true = all done);
   * an infinite `timeoutMs` waits for them all.
   */
  drain(timeoutMs: number): Promise<boolean>;
}

export function createTaskTracker(): TaskTracker {
  const tasks = new Set<Promise<unknown>>();
  return {
    track(work) {
      const settled = work.then(
        () => undefined,
        () => undefined,
      );
      tasks.add(settled);
      void settled.then(() => tasks.delete(settled));
      return work;
    },
    pending: () => tasks.size,
    async drain(timeoutMs) {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<false>((resolve) => {
        // setTimeout would turn Infinity into 1 ms.
        if (!Number.isFinite(timeoutMs)) return;
        timer = setTimeout(() => resolve(false), timeoutMs);
        timer.unref();
      });
      const all = (async () => {
        while (tasks.size > 0) await Promise.all([...tasks]);
        return true as const;
      })();
      try {
        return await Promise.race([all, timeout]);
      } finally {
        clearTimeout(timer);
      }
    },
  };
}
