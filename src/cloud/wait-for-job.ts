import type { JobPollGate } from "./create-job-poll-gate.js";
import type { ServerBoard } from "./create-server-board.js";
import { defaultSleep } from "./create-transport.js";
import { CloudError } from "./errors.js";
import { nextPollInterval } from "./next-poll-interval.js";
import { followAbort } from "./transport-helpers.js";
import type { EcsApi, Job, JobStatus, ServerStatus } from "./types.js";
import {
  failReasonOf,
  judgeStates,
  readServerStates,
  statesFingerprint,
  trackErrorOutcomes,
  waitForServers,
} from "./wait-for-servers.js";

/** The state a job's servers should end in, for the fallback when the job record is gone. */
export interface ExpectedOutcome {
  serverIds: readonly string[];
  /**
   * `ACTIVE` (start), `SHUTOFF` (stop), `DELETED` (delete: the server is gone or DELETED).
   * Only pass it when reaching the state proves the effect: a reboot ends ACTIVE as it began.
   */
  state: "ACTIVE" | "SHUTOFF" | "DELETED";
  /** For a resize: the flavor the servers must have. */
  flavorId?: string;
  /**
   * Servers that were in ERROR when the call was sent (a reinstall retried after a failed one): ERROR is where
   * they began, so it is a failure only once they were seen out of it in this wait (else it stays pending).
   */
  startedInError?: readonly string[];
}

/** Per-server result as reported by the job's sub-jobs. */
export interface ServerJobResult {
  serverId: string;
  status: JobStatus;
  /** `fail_reason`, else `entities.errorcode_message`, else `error_code` of the sub-job. */
  failReason?: string;
  errorCode?: string;
}

/** Per-server state as read from ECS (fallback). */
export interface ServerStateResult {
  serverId: string;
  /** ECS status, or `NOT_FOUND`. */
  status: ServerStatus | "NOT_FOUND" | "UNREADABLE";
  taskState?: string | null;
  reached: boolean;
  failReason?: string;
}

export type JobProgress =
  | {
      kind: "job";
      jobId: string;
      from: JobStatus | undefined;
      to: JobStatus;
      job: Job;
      servers: ServerJobResult[];
    }
  | { kind: "fallback"; jobId: string; reason: "job-not-found" }
  | { kind: "servers"; jobId: string; servers: ServerStateResult[] };

/** Why the servers' state decided instead of the job: its record is gone (404), or it cannot be read now. */
export type ServersVia = "job-not-found" | "job-unreadable";

export type JobWaitResult =
  | { outcome: "SUCCESS"; source: "job"; job: Job; servers: ServerJobResult[] }
  | { outcome: "FAIL"; source: "job"; job: Job; servers: ServerJobResult[]; failReason?: string }
  | { outcome: "SUCCESS"; source: "servers"; via: ServersVia; servers: ServerStateResult[] }
  | { outcome: "FAIL"; source: "servers"; via: ServersVia; servers: ServerStateResult[]; failReason?: string }
  | {
      /** Still unknown: neither success nor failure may be assumed; reconcile later. */
      outcome: "UNKNOWN";
      reason: "deadline" | "job-not-found" | "error";
      job?: Job;
      servers?: ServerJobResult[] | ServerStateResult[];
      /**
       * `error`: the failure that ended the wait. `deadline`: set when the last read of the job failed (a
       * transient failure that lasted until the deadline), so the reason is not lost.
       */
      error?: CloudError;
    };

export interface WaitForJobOptions {
  ecs: Pick<EcsApi, "getJob" | "getServer">;
  jobId: string;
  /** Enables the fallback to server states when the job record is gone (404). */
  expect?: ExpectedOutcome;
  /** Give up (with UNKNOWN) this long after the start. Default 15 minutes. */
  timeoutMs?: number;
  /** Called on every change of the job status or of a sub-job status, and on fallback progress. */
  onProgress?: (event: JobProgress) => void | Promise<void>;
  /** First poll interval; grows by `backoffFactor` up to `maxIntervalMs`. Defaults 1 s, ×1.5, 10 s. */
  initialIntervalMs?: number;
  maxIntervalMs?: number;
  backoffFactor?: number;
  now?: () => number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  signal?: AbortSignal;
  /**
   * The replica's shared poll schedule: when given, it decides when the next poll goes (its intervals and
   * budget), in place of `initialIntervalMs`/`maxIntervalMs`/`backoffFactor`.
   */
  gate?: JobPollGate;
  /**
   * With `gate`: the job's servers, watched on the replica's board with those of its other jobs. When they
   * settle, the job is polled ahead of its turn (twice more 1 s apart, then at its interval but still ahead
   * of the others, should the job record lag its servers); the job record still decides.
   */
  hints?: { board: ServerBoard; serverIds: readonly string[] };
}

/** Polls 1 s apart after the servers settled: the one they prompt and two more. */
const HINTED_POLLS = 3;

const TERMINAL_SUCCESS = "SUCCESS";
const TERMINAL_FAIL = "FAIL";

/** Sub-jobs as per-server results (sub-jobs without a server, e.g. NIC jobs, keep their job ID). */
export function serverResultsOf(job: Job): ServerJobResult[] {
  const results: ServerJobResult[] = job.subJobs.map((s) => {
    const r: ServerJobResult = { serverId: s.serverId ?? s.nicId ?? s.jobId ?? "", status: s.status };
    const reason = s.failReason ?? s.errorcodeMessage ?? s.errorCode ?? undefined;
    if (reason) r.failReason = reason;
    if (s.errorCode) r.errorCode = s.errorCode;
    return r;
  });
  if (results.length === 0 && job.serverId) {
    const r: ServerJobResult = { serverId: job.serverId, status: job.status };
    if (job.failReason) r.failReason = job.failReason;
    if (job.errorCode) r.errorCode = job.errorCode;
    results.push(r);
  }
  return results;
}

function fingerprint(job: Job): string {
  return [job.status, ...job.subJobs.map((s) => `${s.serverId ?? s.jobId}:${s.status}`)].join("|");
}

function jobFailReason(job: Job, servers: ServerJobResult[]): string | undefined {
  const perServer = servers
    .filter((s) => s.failReason)
    .map((s) => `${s.serverId}: ${s.failReason}`)
    .join("; ");
  return job.failReason || job.errorCode || perServer || undefined;
}

/**
 * Follows `GET /v1/{project_id}/jobs/{job_id}` until SUCCESS or FAIL, polling quickly at first and
 * backing off to a cap. Reports each transition. At the deadline the result is UNKNOWN, never a
 * guess. With `expect`, the servers' state decides whenever the job cannot: when the job record is gone
 * (`CloudError.isNotFound`: records are purged after a day; never a gateway 404 such as `APIG.0101`, a wrong
 * endpoint) the wait follows the servers alone; while the job cannot be read
 * (5xx, throttling, network) the servers are read on every poll, and the wait ends as soon as they show the
 * expected state (or every one of them failed). A job that can be read is the authority: its SUCCESS is
 * waited for even when the servers already look done.
 */
export async function waitForJob(options: WaitForJobOptions): Promise<JobWaitResult> {
  const { gate, hints, signal } = options;
  if (gate === undefined) return pollJob(options, undefined);
  /** Polls left 1 s apart since the servers settled; then the job stays ahead of the others. */
  let hintedPolls = 0;
  let settled = false;
  let wake: (() => void) | undefined;
  const unfollow = hints?.board.follow(hints.serverIds, () => {
    settled = true;
    hintedPolls = HINTED_POLLS;
    wake?.();
  });
  const ahead = (): "hinted" | "settled" => {
    if (hintedPolls === 0) return "settled";
    hintedPolls--;
    return "hinted";
  };
  /** The next turn of the shared schedule: ahead of the others once the servers settled. */
  const turn = async (job: { startedAt: number; lastPollAt: number }): Promise<void> => {
    if (settled) {
      await gate.wait({ ...job, ahead: ahead() }, signal);
      return;
    }
    if (unfollow === undefined) {
      await gate.wait(job, signal);
      return;
    }
    // The regular turn, given up for one ahead should the servers settle first.
    const regular = new AbortController();
    const unfollowSignal = followAbort(signal, regular);
    try {
      const due = gate.wait(job, regular.signal).then(() => "turn" as const);
      const hint = new Promise<"hint">((resolve) => {
        wake = () => resolve("hint");
      });
      if ((await Promise.race([due, hint])) === "turn") return;
      due.catch(() => {});
      regular.abort();
      await gate.wait({ ...job, ahead: ahead() }, signal);
    } finally {
      wake = undefined;
      unfollowSignal();
    }
  };
  try {
    return await pollJob(options, turn);
  } finally {
    unfollow?.();
  }
}

async function pollJob(
  options: WaitForJobOptions,
  turn: ((job: { startedAt: number; lastPollAt: number }) => Promise<void>) | undefined,
): Promise<JobWaitResult> {
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? defaultSleep;
  const initial = options.initialIntervalMs ?? 1000;
  const cap = options.maxIntervalMs ?? 10_000;
  const factor = options.backoffFactor ?? 1.5;
  const deadline = now() + (options.timeoutMs ?? 15 * 60_000);
  const { ecs, jobId, signal } = options;
  let interval = initial;
  const startedAt = now();
  let lastPollAt = startedAt;

  const pause = async () => {
    if (turn) await turn({ startedAt, lastPollAt });
    else await sleep(Math.max(0, Math.min(interval, deadline - now())), signal);
    interval = nextPollInterval(interval, factor, cap);
  };

  let lastJob: Job | undefined;
  let lastPrint: string | undefined;
  let lastStates: ServerStateResult[] | undefined;
  let lastStatesPrint: string | undefined;
  const errors = trackErrorOutcomes(options.expect?.startedInError);
  /** The failure of the latest job read, cleared by the next read that succeeds. */
  let lastError: CloudError | undefined;
  // On the shared schedule the first poll waits its interval too: no job finishes the moment it is accepted.
  if (turn) await turn({ startedAt, lastPollAt });
  for (;;) {
    let job: Job | undefined;
    lastPollAt = now();
    try {
      job = await ecs.getJob(jobId, signal);
      lastError = undefined;
    } catch (err) {
      if (!(err instanceof CloudError)) throw err;
      // The job's record is gone (the service said so; a gateway 404 is not "gone": it ends below, an error).
      if (err.isNotFound) {
        if (!options.expect) return { outcome: "UNKNOWN", reason: "job-not-found", job: lastJob, error: err };
        await options.onProgress?.({ kind: "fallback", jobId, reason: "job-not-found" });
        return waitForServers(options.expect, { ...options, now, sleep }, deadline, interval, errors);
      }
      // A transient failure (throttled, 5xx, network: `retryable`) is not an answer: keep polling, with the
      // same backoff, until the deadline. Reading a job changes nothing, so asking again is always safe.
      if (!err.retryable) {
        const result: JobWaitResult = { outcome: "UNKNOWN", reason: "error", error: err };
        if (lastJob) result.job = lastJob;
        return result;
      }
      lastError = err;
      // Meanwhile the servers may already show the outcome: a visible transition settles it now.
      if (options.expect) {
        const states = await readServerStates(ecs, options.expect, signal);
        if (!(states instanceof CloudError)) {
          lastStates = states;
          const print = statesFingerprint(states);
          if (print !== lastStatesPrint) {
            await options.onProgress?.({ kind: "servers", jobId, servers: states });
            lastStatesPrint = print;
          }
          const verdict = judgeStates(states, errors);
          if (verdict === "reached")
            return { outcome: "SUCCESS", source: "servers", via: "job-unreadable", servers: states };
          if (verdict === "failed") {
            const failReason = failReasonOf(states);
            return { outcome: "FAIL", source: "servers", via: "job-unreadable", servers: states, failReason };
          }
        }
      }
    }
    if (job) {
      const print = fingerprint(job);
      const servers = serverResultsOf(job);
      if (print !== lastPrint) {
        await options.onProgress?.({
          kind: "job",
          jobId,
          from: lastJob?.status,
          to: job.status,
          job,
          servers,
        });
        lastPrint = print;
      }
      lastJob = job;
      if (job.status === TERMINAL_SUCCESS) return { outcome: "SUCCESS", source: "job", job, servers };
      if (job.status === TERMINAL_FAIL) {
        const failReason = jobFailReason(job, servers);
        return failReason
          ? { outcome: "FAIL", source: "job", job, servers, failReason }
          : { outcome: "FAIL", source: "job", job, servers };
      }
    }
    if (now() >= deadline) {
      const result: JobWaitResult = { outcome: "UNKNOWN", reason: "deadline" };
      if (lastError) result.error = lastError;
      if (lastJob) {
        result.job = lastJob;
        result.servers = serverResultsOf(lastJob);
      } else if (lastStates) result.servers = lastStates;
      return result;
    }
    await pause();
  }
}
