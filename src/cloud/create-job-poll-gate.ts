import type { Metrics } from "../metrics/metrics.js";
import { defaultSleep } from "./create-transport.js";

/** Default of `maxPollsPerSecond` (`JOB_POLLS_PER_SECOND`): 40 jobs at one poll every 2 s. */
export const DEFAULT_JOB_POLLS_PER_SECOND = 20;

/**
 * When each followed cloud job may be polled, shared by every job a replica follows: a job is polled again
 * `earlyIntervalMs` after its last poll while it is younger than `lateAfterMs` (a finished job is seen within
 * that), `lateIntervalMs` after; and no more than `maxPollsPerSecond` polls leave the replica in any second,
 * whatever the number of jobs (500 concurrent jobs wait their turn instead of exceeding the cloud's rate
 * limits). One poll serves one job: the ECS job API reads one job per request.
 */
export interface JobPollGate {
  /** Resolves when the job may be polled (its interval elapsed and a slot of the budget is reserved). */
  wait(job: { startedAt: number; lastPollAt: number }, signal?: AbortSignal): Promise<void>;
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

export function createJobPollGate(options: JobPollGateOptions = {}): JobPollGate {
  const early = options.earlyIntervalMs ?? 2_000;
  const late = options.lateIntervalMs ?? 5_000;
  const lateAfter = options.lateAfterMs ?? 60_000;
  const perSecond = Math.max(1, Math.floor(options.maxPollsPerSecond ?? DEFAULT_JOB_POLLS_PER_SECOND));
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? defaultSleep;
  /** Reserved polls per second of the clock (key: whole seconds). */
  const reserved = new Map<number, number>();

  function reserve(due: number): number {
    const current = Math.floor(now() / 1000);
    for (const second of reserved.keys()) if (second < current) reserved.delete(second);
    let second = Math.floor(due / 1000);
    while ((reserved.get(second) ?? 0) >= perSecond) second++;
    reserved.set(second, (reserved.get(second) ?? 0) + 1);
    return Math.max(due, second * 1000);
  }

  return {
    async wait(job, signal) {
      const age = job.lastPollAt - job.startedAt;
      const due = Math.max(job.lastPollAt + (age < lateAfter ? early : late), now());
      const at = reserve(due);
      options.metrics?.jobPollWaited(at - due);
      const delay = at - now();
      if (delay > 0) await sleep(delay, signal);
    },
  };
}
