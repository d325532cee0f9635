/**
 * Default of `WORK_CONCURRENCY`: requests worked on at once after their ack. The work after an ack mostly waits
 * for the cloud and Slack: at 100 ms of cloud latency a show takes about 220 ms and a stop 450–700 ms (measured
 * against the simulated cloud), so at 100 commands a second some 30–60 are in flight. The default until 8 Dec
 * 2026, 16, let through about 50 a second at that latency and turned a third of a 100-a-second load away as
 * busy; 128 leaves room for slower clouds and for commands waiting on a fleet listing.
 */
export const DEFAULT_WORK_CONCURRENCY = 128;
/** Default of `WORK_QUEUE_SIZE`: acked requests waiting for a slot before new ones are turned away. */
export const DEFAULT_WORK_QUEUE_SIZE = 200;

/** `started`/`queued`: `done` settles when the work has run (it never rejects); `full`: nothing will run. */
export type WorkAdmission =
  | { accepted: true; state: "started" | "queued"; done: Promise<void> }
  | { accepted: false; state: "full" };

/**
 * A bound on the work that follows an ack: at most `concurrency` items run at once and at most `size` wait
 * (first come, first served). Beyond that a request is refused at once, so under overload one user is told
 * to try again instead of every request (and every ack on the same event loop) slowing down.
 */
export interface WorkQueue {
  submit(work: () => Promise<void>): WorkAdmission;
  /** Items running now. */
  running(): number;
  /** Items waiting for a slot. */
  waiting(): number;
  /** Items finished (or failed) since the queue was made. */
  completed(): number;
}

export interface WorkQueueOptions {
  concurrency?: number;
  size?: number;
  /** Told when a work item throws (it should not: handlers turn failures into messages). */
  onError?: (error: unknown) => void;
}

export function createWorkQueue(options: WorkQueueOptions = {}): WorkQueue {
  const concurrency = options.concurrency ?? DEFAULT_WORK_CONCURRENCY;
  const size = options.size ?? DEFAULT_WORK_QUEUE_SIZE;
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new RangeError(`work concurrency must be a positive integer, got ${concurrency}`);
  }
  if (!Number.isInteger(size) || size < 0) {
    throw new RangeError(`work queue size must be a non-negative integer, got ${size}`);
  }
  const queue: Array<() => void> = [];
  let active = 0;
  let completed = 0;

  const next = () => {
    active -= 1;
    completed += 1;
    const start = queue.shift();
    if (start !== undefined) start();
  };

  const run = (work: () => Promise<void>): Promise<void> => {
    active += 1;
    let promise: Promise<void>;
    try {
      promise = work();
    } catch (error) {
      promise = Promise.reject(error);
    }
    return promise.then(
      () => next(),
      (error: unknown) => {
        options.onError?.(error);
        next();
      },
    );
  };

  return {
    submit(work) {
      if (active < concurrency) return { accepted: true, state: "started", done: run(work) };
      if (queue.length >= size) return { accepted: false, state: "full" };
      const done = new Promise<void>((resolve) => {
        queue.push(() => {
          void run(work).then(resolve);
        });
      });
      return { accepted: true, state: "queued", done };
    },
    running: () => active,
    waiting: () => queue.length,
    completed: () => completed,
  };
}
