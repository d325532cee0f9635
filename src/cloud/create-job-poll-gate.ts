import type { Metrics } from "../metrics/metrics.js";
import { defaultSleep } from "./create-transport.js";

/** Default of `maxPollsPerSecond` (`JOB_POLLS_PER_SECOND`): 40 jobs at one poll every 2 s. */
export const DEFAULT_JOB_POLLS_PER_SECOND = 20;

/** A followed job as the schedule sees it. */
export interface PolledJob {
  startedAt: number;
  lastPollAt: number;
  /**
   * Polled before every job merely due, so that its end is seen at once even when the budget is short:
   * `hinted`, its servers were just seen settling (see `createServerBoard`), 1 s after its last poll at the
   * earliest; `settled`, they settled a while ago and its record has not followed yet, at its interval.
   */
  ahead?: "hinted" | "settled";
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
  /** How many jobs the budget polls at their early interval: more wait their turn (40 by default). */
  readonly jobsAtPace: number;
}

export interface JobPollGateOptions {
  /** Between two polls of a job younger than `lateAfterMs`. Default 2 s (30 polls a minute). */
  earlyIntervalMs?: number;
  /** Between two polls of an older job. Default 4 s: seen within 5 s of its end, a slot's wait and the request included. */
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

interface Waiting {
  due: number;
  ahead: boolean;
  release: () => void;
}

export function createJobPollGate(options: JobPollGateOptions = {}): JobPollGate {
  const early = options.earlyIntervalMs ?? 2_000;
  const late = options.lateIntervalMs ?? 4_000;
  const lateAfter = options.lateAfterMs ?? 60_000;
  const perSecond = Math.max(1, Math.floor(options.maxPollsPerSecond ?? DEFAULT_JOB_POLLS_PER_SECOND));
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? defaultSleep;
  /**
   * Polls go one at a time on a grid of `1000 / maxPollsPerSecond` ms, so that a job ahead never waits
   * behind a second already spent at its start; the count per second of the clock is the hard limit.
   */
  const spacing = 1000 / perSecond;
  let lastSlot = Number.NEGATIVE_INFINITY;
  let second = Number.NaN;
  let used = 0;
  /** Every job waiting, due or not: one timer serves them all, and a job ahead due at a slot takes it. */
  const waiting: Waiting[] = [];
  /** When the earliest pending wake-up is (later ones may be pending too: each only drains). */
  let wakeUpAt = Number.POSITIVE_INFINITY;

  /** The due job to go first: one ahead, then the longest overdue; and when the next one falls due. */
  function best(at: number): { index: number; nextDue: number } {
    let index = -1;
    let nextDue = Number.POSITIVE_INFINITY;
    for (let i = 0; i < waiting.length; i++) {
      const a = waiting[i]!;
      if (a.due > at) {
        nextDue = Math.min(nextDue, a.due);
        continue;
      }
      const b = index < 0 ? undefined : waiting[index]!;
      if (b === undefined || (a.ahead !== b.ahead ? a.ahead : a.due < b.due)) index = i;
    }
    return { index, nextDue };
  }

  /**
   * Lets the best due job go when a slot is free, and wakes up when the next may go. A wake-up counts as that
   * time having come even when the clock says otherwise (a clock that stands still in a test, or was set
   * back): the queue moves at its timers' pace rather than spinning.
   */
  function drain(wokenFor = Number.NEGATIVE_INFINITY): void {
    const at = Math.max(now(), wokenFor);
    const current = Math.floor(at / 1000);
    if (current !== second) {
      second = current;
      used = 0;
    }
    if (waiting.length === 0) return;
    const slot = Math.max(lastSlot + 1, Math.floor(at / spacing));
    if (slot * spacing <= at && used < perSecond) {
      const { index } = best(at);
      if (index >= 0) {
        lastSlot = slot;
        used++;
        const job = waiting.splice(index, 1)[0]!;
        options.metrics?.jobPollWaited(Math.max(0, at - job.due));
        job.release();
      }
    }
    if (waiting.length === 0) return;
    const { index, nextDue } = best(at);
    let wakeAt = (lastSlot + 1) * spacing;
    if (used >= perSecond) wakeAt = Math.max(wakeAt, (current + 1) * 1000);
    if (index < 0) wakeAt = Math.max(wakeAt, nextDue);
    if (wakeAt >= wakeUpAt) return;
    wakeUpAt = wakeAt;
    const tick = () => {
      if (wakeUpAt === wakeAt) wakeUpAt = Number.POSITIVE_INFINITY;
      drain(wakeAt);
    };
    // Not cancellable: it only drains the queue, which may have emptied meanwhile.
    sleep(Math.max(1, Math.ceil(wakeAt - at))).then(tick, tick);
  }

  return {
    jobsAtPace: Math.floor((perSecond * early) / 1000),
    async wait(job, signal) {
      signal?.throwIfAborted();
      const age = job.lastPollAt - job.startedAt;
      const interval =
        job.ahead === "hinted" ? Math.min(HINTED_INTERVAL_MS, early) : age < lateAfter ? early : late;
      const due = Math.max(job.lastPollAt + interval, now());
      await new Promise<void>((resolve, reject) => {
        const entry: Waiting = { due, ahead: job.ahead !== undefined, release: () => finish(resolve) };
        const onAbort = () => {
          const at = waiting.indexOf(entry);
          if (at >= 0) waiting.splice(at, 1);
          reject(signal?.reason);
        };
        const finish = (done: () => void) => {
          signal?.removeEventListener("abort", onAbort);
          done();
        };
        signal?.addEventListener("abort", onAbort, { once: true });
        waiting.push(entry);
        drain();
      });
    },
  };
}
