import type { Metrics } from "../metrics/metrics.js";
import { defaultSleep } from "./create-transport.js";

/** Default of `maxPollsPerSecond` (`JOB_POLLS_PER_SECOND`): 40 jobs at one poll every 2 s. */
export const DEFAULT_JOB_POLLS_PER_SECOND = 20;

/** A followed job as the schedule sees it. */
export interface PolledJob {
  startedAt: number;
  lastPollAt: number;
  /**
   * Its servers were seen settling (see `createServerBoard`): it is polled before every job merely due, 1 s
   * after its last poll at the earliest, so that its end is seen at once even when the budget is short.
   */
  hinted?: boolean;
}

/**
 * When each followed cloud job may be polled, shared by every job a replica follows: a job is polled again
 * `earlyIntervalMs` after its last poll while it is younger than `lateAfterMs` (a finished job is seen within
 * that), `lateIntervalMs` after; and no more than `maxPollsPerSecond` polls leave the replica in any second,
 * whatever the number of jobs (500 concurrent jobs wait their turn instead of exceeding the cloud's rate
 * limits). One poll serves one job: the ECS job API reads one job per request. Jobs due together go one by
 * one, evenly over the second: hinted jobs first, then the longest overdue.
 */
export interface JobPollGate {
  /**
   * Resolves when the job may be polled (its interval elapsed and a slot of the budget is taken). Aborted
   * by `signal`, it rejects with the signal's reason and takes no slot.
   */
  wait(job: PolledJob, signal?: AbortSignal): Promise<void>;
}

export interface JobPollGateOptions {
  /** Between two polls of a job younger than `lateAfterMs`. Default 2 s (30 polls a minute). */
  earlyIntervalMs?: number;
  /** Between two polls of an older job. Default 5 s. */
  lateIntervalMs?: number;
  /** Default one minute. */
  lateAfterMs?: number;
  /** Polls of every job together, per second of the clock. Default {@link DEFAULT_JOB_POLLS_PER_SECOND}. */
  maxPollsPerSecond?: number;
  /** Told how long each poll waited past its due time for the budget; default none recorded. */
  metrics?: Pick<Metrics, "jobPollWaited">;
  now?: () => number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/** Between a poll and a hinted one: the servers said the job ended, so it is worth a read sooner. */
const HINTED_INTERVAL_MS = 1_000;

interface Ready {
  due: number;
  hinted: boolean;
  release: () => void;
}

export function createJobPollGate(options: JobPollGateOptions = {}): JobPollGate {
  const early = options.earlyIntervalMs ?? 2_000;
  const late = options.lateIntervalMs ?? 5_000;
  const lateAfter = options.lateAfterMs ?? 60_000;
  const perSecond = Math.max(1, Math.floor(options.maxPollsPerSecond ?? DEFAULT_JOB_POLLS_PER_SECOND));
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? defaultSleep;
  /**
   * Polls go one at a time on a grid of `1000 / maxPollsPerSecond` ms, so that a hinted job never waits
   * behind a second already spent at its start; the count per second of the clock is the hard limit.
   */
  const spacing = 1000 / perSecond;
  let lastSlot = Number.NEGATIVE_INFINITY;
  let second = Number.NaN;
  let used = 0;
  /** Due jobs waiting for a slot. */
  const ready: Ready[] = [];
  /** A wake-up at the next slot is pending (one for the whole queue, not one per job). */
  let ticking = false;

  /** The ready job to go first: hinted, then the longest overdue. */
  function takeBest(): Ready {
    let best = 0;
    for (let i = 1; i < ready.length; i++) {
      const a = ready[i]!;
      const b = ready[best]!;
      if (a.hinted !== b.hinted ? a.hinted : a.due < b.due) best = i;
    }
    return ready.splice(best, 1)[0]!;
  }

  /** Lets the best ready job go when a slot is free, and wakes up at the next slot while others wait. */
  function drain(): void {
    const at = now();
    const current = Math.floor(at / 1000);
    if (current !== second) {
      second = current;
      used = 0;
    }
    if (ready.length === 0) return;
    const slot = Math.max(lastSlot + 1, Math.floor(at / spacing));
    if (slot * spacing <= at && used < perSecond) {
      lastSlot = slot;
      used++;
      const job = takeBest();
      options.metrics?.jobPollWaited(Math.max(0, at - job.due));
      job.release();
    }
    if (ready.length > 0 && !ticking) {
      ticking = true;
      const nextSlotAt = (lastSlot + 1) * spacing;
      const wakeAt = used >= perSecond ? Math.max((current + 1) * 1000, nextSlotAt) : nextSlotAt;
      const tick = () => {
        ticking = false;
        drain();
      };
      // Not cancellable: it only drains the queue, which may have emptied meanwhile.
      sleep(Math.max(1, Math.ceil(wakeAt - at))).then(tick, tick);
    }
  }

  return {
    async wait(job, signal) {
      const age = job.lastPollAt - job.startedAt;
      const interval = job.hinted ? Math.min(HINTED_INTERVAL_MS, early) : age < lateAfter ? early : late;
      const due = Math.max(job.lastPollAt + interval, now());
      const delay = due - now();
      if (delay > 0) await sleep(delay, signal);
      signal?.throwIfAborted();
      await new Promise<void>((resolve, reject) => {
        const entry: Ready = { due, hinted: job.hinted === true, release: () => finish(resolve) };
        const onAbort = () => {
          const at = ready.indexOf(entry);
          if (at >= 0) ready.splice(at, 1);
          reject(signal?.reason);
        };
        const finish = (done: () => void) => {
          signal?.removeEventListener("abort", onAbort);
          done();
        };
        signal?.addEventListener("abort", onAbort, { once: true });
        ready.push(entry);
        drain();
      });
    },
  };
}
