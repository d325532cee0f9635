/** Serializes async critical sections per key within one process. */
export interface KeyedMutex {
  /**
   * Runs `fn` while holding every key in `keys`. Keys are taken in sorted order, so overlapping
   * multi-key sections cannot deadlock. Sections on disjoint keys run concurrently.
   */
  runExclusive<R>(keys: readonly string[], fn: () => Promise<R>): Promise<R>;
}

export function createKeyedMutex(): KeyedMutex {
  // Tail of the queue per key: the promise that resolves when the last queued holder releases.
  const tails = new Map<string, Promise<void>>();

  async function acquire(key: string): Promise<() => void> {
    const previous = tails.get(key) ?? Promise.resolve();
    let release!: () => void;
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    const tail = previous.then(() => released);
    tails.set(key, tail);
    await previous;
    return () => {
      release();
      // Nobody queued behind us: drop the entry so the map does not grow with every key ever locked.
      if (tails.get(key) === tail) tails.delete(key);
    };
  }

  return {
    async runExclusive(keys, fn) {
      const ordered = [...new Set(keys)].sort();
      const releases: Array<() => void> = [];
      try {
        for (const key of ordered) releases.push(await acquire(key));
        return await fn();
      } finally {
        for (const release of releases.reverse()) release();
      }
    },
  };
}
