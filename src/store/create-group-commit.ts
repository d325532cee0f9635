/** Waits for writes to reach the disk, one sync for every write committed while the previous one ran. */
export interface GroupCommit {
  /**
   * Resolves once everything committed before the call is on disk: by a sync that starts after the call.
   * Rejects with the sync's error when that sync fails (the write may or may not be on disk).
   */
  flush(): Promise<void>;
  /** Resolves when no sync is running or waiting (failed ones included). */
  idle(): Promise<void>;
}

interface Waiter {
  seq: number;
  resolve(): void;
  reject(error: unknown): void;
}

/**
 * Group commit: SQLite commits without syncing (`synchronous = NORMAL`, WAL), and a caller that needs its
 * write on disk waits for the next `sync` of the write-ahead log, run off the event loop. All callers that
 * flush while one sync runs share the next one; callers within one turn of the event loop share the first.
 * So a burst of writes costs one or two fsyncs instead of one each, and no fsync blocks the event loop.
 */
export function createGroupCommit(
  sync: () => Promise<void>,
  defer: (run: () => void) => void = setImmediate,
): GroupCommit {
  let requested = 0;
  let running: Promise<void> | undefined;
  let waiters: Waiter[] = [];

  function start(): void {
    running = new Promise<void>((done) => {
      // After the current turn: the writes committed in it all ride on this sync.
      defer(() => {
        // Every flush so far followed its commit, so a sync that starts now covers all of them.
        const upTo = requested;
        // Through a promise, so a sync that throws instead of rejecting fails its writes, not the process.
        new Promise<void>((resolve) => resolve(sync())).then(
          () => settle(upTo, undefined, done),
          (error: unknown) => settle(upTo, error ?? new Error("sync failed"), done),
        );
      });
    });
  }

  function settle(upTo: number, error: unknown, done: () => void): void {
    const covered = waiters.filter((w) => w.seq <= upTo);
    waiters = waiters.filter((w) => w.seq > upTo);
    for (const w of covered) {
      if (error === undefined) w.resolve();
      else w.reject(error);
    }
    running = undefined;
    done();
    if (waiters.length > 0) start();
  }

  return {
    flush() {
      requested += 1;
      const seq = requested;
      const flushed = new Promise<void>((resolve, reject) => waiters.push({ seq, resolve, reject }));
      if (running === undefined) start();
      return flushed;
    },
    async idle() {
      while (running !== undefined) await running;
    },
  };
}
