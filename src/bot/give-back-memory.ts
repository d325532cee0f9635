import { getHeapStatistics } from "node:v8";
import type { Logger } from "../log/create-logger.js";
import type { Metrics } from "../metrics/metrics.js";
import { systemTimers, type Timers } from "../operations/timers.js";

/** What the give-back reads of the work after the acks (the bot's work queue). */
export interface WorkLoad {
  running(): number;
  waiting(): number;
  /** Items finished since the start (it only grows). */
  completed(): number;
}

export interface MemoryGiveBackOptions {
  work: WorkLoad;
  /** A full collection; `globalThis.gc` when Node runs with `--expose-gc`. Absent: nothing is ever done. */
  gc: (() => void) | undefined;
  /** The heap's committed and used bytes; default V8's heap statistics. */
  heap?: () => { committed: number; used: number };
  logger: Logger;
  /** Where each give-back is counted; default nowhere. */
  metrics?: Pick<Metrics, "memoryGivenBack">;
  timers?: Pick<Timers, "setInterval" | "clearInterval">;
  /** Monotonic milliseconds; default `performance.now`. */
  now?: () => number;
  /** How often the work is looked at; a give-back needs one look with nothing finished since. Default 1 s. */
  checkMs?: number;
  /**
   * The least time between two give-backs. Default 3 s: at most a collection of some tens of milliseconds
   * every 3 s, and only after 200 requests and a quiet second each time (at most about 0.3 ms a request, and
   * only under a load that stops and starts). Not longer: a quiet second in the middle of a burst (a pause of
   * the senders) gives back once, and with 10 s the burst's end then waited up to 10 s for its own.
   */
  minIntervalMs?: number;
  /** Requests worked on since the last give-back before another is worth it. Default 200. */
  minRequests?: number;
  /**
   * The committed heap worth giving back. Default 112 MiB: `npm start`'s flags let the old generation fill to
   * 128 MiB before its first full collection, and a heap given back commits about 90 MiB (the live data, a
   * margin and the young generation). Not "committed less used": used counts the garbage not collected yet,
   * which is what there is to give back.
   */
  minCommittedBytes?: number;
}

/**
 * Gives the heap a burst of requests grew back to the system once the burst is over. V8 keeps the heap it grew
 * to (its old generation filled with garbage up to what `--initial-old-space-size` and `--heap-growing-percent`
 * allow, then twice what was live during the burst) and shrinks it only when it sees the process idle, which a
 * bot with watchers and timers rarely is: after 1,000 requests in 20 s it stayed at 130-180 MB of heap with
 * 35 MB live, most of the RSS. So when the work queue has been empty for a check, after enough requests since
 * the last time and with a heap grown past what steady load commits, one full collection is run; V8 then releases the pages it
 * emptied. Under steady load the queue never stays empty for a check, so nothing is done: the collection (tens of
 * milliseconds on the bot's thread, never the ack thread's) is paid once per burst, when nothing waits for it.
 * Without `--expose-gc` (`npm start` gives it) this does nothing.
 */
export function startMemoryGiveBack(options: MemoryGiveBackOptions): { stop(): void } {
  const { work, gc, logger } = options;
  if (gc === undefined) return { stop: () => {} };
  const timers = options.timers ?? systemTimers;
  const now = options.now ?? (() => performance.now());
  const heap =
    options.heap ??
    (() => {
      const h = getHeapStatistics();
      return { committed: h.total_heap_size, used: h.used_heap_size };
    });
  const minIntervalMs = options.minIntervalMs ?? 3_000;
  const minRequests = options.minRequests ?? 200;
  const minCommittedBytes = options.minCommittedBytes ?? 112 * 1024 * 1024;

  let seen = work.completed();
  let atLastGiveBack = seen;
  let lastGiveBackAt = Number.NEGATIVE_INFINITY;
  const check = () => {
    const done = work.completed();
    const quiet = done === seen && work.running() === 0 && work.waiting() === 0;
    seen = done;
    if (!quiet || done - atLastGiveBack < minRequests || now() - lastGiveBackAt < minIntervalMs) return;
    const before = heap();
    if (before.committed < minCommittedBytes) return;
    atLastGiveBack = done;
    lastGiveBackAt = now();
    const started = now();
    gc();
    const after = heap();
    options.metrics?.memoryGivenBack(before.committed, after.committed, now() - started);
    logger.debug(
      {
        heapCommittedMb: [mb(before.committed), mb(after.committed)],
        heapUsedMb: [mb(before.used), mb(after.used)],
        tookMs: Math.round(now() - started),
      },
      "gave memory back after a burst of requests",
    );
  };
  const handle = timers.setInterval(check, options.checkMs ?? 1_000);
  return { stop: () => timers.clearInterval(handle) };
}

const mb = (bytes: number) => Math.round(bytes / 1024 / 1024);
