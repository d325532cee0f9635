import type { JobPollGate } from "./create-job-poll-gate.js";
import type { ServerBoard } from "./create-server-board.js";
import { defaultSleep } from "./create-transport.js";
import { CloudError } from "./errors.js";
import { followAbort } from "./transport-helpers.js";
import type { EcsApi, Job, JobStatus, Server, ServerStatus } from "./types.js";

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

/**
 * The interval after `interval` in a backoff growing by `factor` up to `cap`, in whole milliseconds: a clock
 * advanced by the sleeps stays an integer (1 s ×1.5 would reach 5,062.5).
 */
export function nextPollInterval(interval: number, factor: number, cap: number): number {
  return Math.min(cap, Math.round(interval * factor));
}

/** Polls 1 s apart after the servers settled: the one they prompt and two more. */
const HINTED_POLLS = 3;

const TERMINAL_SUCCESS = "SUCCESS";
const TERMINAL_FAIL = "FAIL";
const SERVER_READ_CONCURRENCY = 8;

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

function reachedState(server: Server, expect: ExpectedOutcome): boolean {
  if (server.taskState) return false;
  if (expect.state === "DELETED") return server.status === "DELETED" || server.status === "SOFT_DELETED";
  if (server.status !== expect.state) return false;
  return expect.flavorId === undefined || server.flavor.id === expect.flavorId;
}

/**
 * The rule for servers that began in ERROR (a reinstall retried after a failed one), over the reads of one
 * wait: their ERROR is where they began, so it is the call's outcome only once they were seen out of it. Any
 * other server's ERROR (with no task) is its outcome at once. One home for the job wait and the reconciliation
 * from the servers.
 */
export interface ErrorOutcomes {
  /** Notes a read of a server (`taskState` set: busy, so out of a settled ERROR). */
  see(serverId: string, status: string, taskState: string | null | undefined): void;
  /** Whether a server read in ERROR with no task is, now, the call's outcome. */
  isOutcome(serverId: string): boolean;
}

export function trackErrorOutcomes(startedInError: readonly string[] = []): ErrorOutcomes {
  const began = new Set(startedInError);
  const seenOut = new Set<string>();
  return {
    see(serverId, status, taskState) {
      if (status !== "ERROR" || taskState) seenOut.add(serverId);
    },
    isOutcome: (serverId) => !began.has(serverId) || seenOut.has(serverId),
  };
}

/** Where a set of server states stands against the expectation (`errors`: this wait's, see above). */
function judgeStates(
  states: readonly ServerStateResult[],
  errors: ErrorOutcomes,
): "reached" | "failed" | "pending" {
  if (states.every((s) => s.reached)) return "reached";
  for (const s of states) errors.see(s.serverId, s.status, s.taskState);
  const failed = (s: ServerStateResult) =>
    s.status === "ERROR" && !s.taskState && errors.isOutcome(s.serverId);
  return states.every((s) => s.reached || failed(s)) ? "failed" : "pending";
}

function failReasonOf(states: readonly ServerStateResult[]): string {
  return states
    .filter((s) => s.failReason)
    .map((s) => `${s.serverId}: ${s.failReason}`)
    .join("; ");
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

function statesFingerprint(states: readonly ServerStateResult[]): string {
  return states.map((s) => `${s.serverId}:${s.status}:${s.taskState ?? ""}`).join("|");
}

async function readServerStates(
  ecs: Pick<EcsApi, "getServer">,
  expect: ExpectedOutcome,
  signal: AbortSignal | undefined,
): Promise<ServerStateResult[] | CloudError> {
  const ids = [...expect.serverIds];
  const out: ServerStateResult[] = new Array(ids.length);
  let next = 0;
  let fatal: CloudError | undefined;
  const worker = async () => {
    while (next < ids.length && !fatal) {
      const index = next++;
      const serverId = ids[index]!;
      try {
        const server = await ecs.getServer(serverId, signal);
        const r: ServerStateResult = {
          serverId,
          status: server.status,
          reached: reachedState(server, expect),
        };
        if (server.taskState !== undefined) r.taskState = server.taskState;
        if (server.status === "ERROR") r.failReason = server.fault?.message ?? "server is in ERROR";
        out[index] = r;
      } catch (err) {
        if (!(err instanceof CloudError)) throw err;
        // Only the service's "does not exist" counts as deleted: a gateway 404 (`APIG.0101`) is a wrong
        // endpoint, and taking it for "gone" would call a delete done while the server is still there.
        if (err.isNotFound)
          out[index] = { serverId, status: "NOT_FOUND", reached: expect.state === "DELETED" };
        else if (err.retryable) out[index] = { serverId, status: "UNREADABLE", reached: false };
        else fatal = err;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(SERVER_READ_CONCURRENCY, ids.length) }, worker));
  return fatal ?? out;
}

async function waitForServers(
  expect: ExpectedOutcome,
  options: WaitForJobOptions & { now: () => number; sleep: NonNullable<WaitForJobOptions["sleep"]> },
  deadline: number,
  startInterval: number,
  errors: ErrorOutcomes,
): Promise<JobWaitResult> {
  const { jobId, signal, now, sleep } = options;
  const cap = options.maxIntervalMs ?? 10_000;
  const factor = options.backoffFactor ?? 1.5;
  let interval = startInterval;
  let lastPrint: string | undefined;
  let last: ServerStateResult[] | undefined;
  for (;;) {
    const states = await readServerStates(options.ecs, expect, signal);
    if (states instanceof CloudError) {
      const result: JobWaitResult = { outcome: "UNKNOWN", reason: "error", error: states };
      if (last) result.servers = last;
      return result;
    }
    last = states;
    const print = statesFingerprint(states);
    if (print !== lastPrint) {
      await options.onProgress?.({ kind: "servers", jobId, servers: states });
      lastPrint = print;
    }
    const verdict = judgeStates(states, errors);
    if (verdict === "reached")
      return { outcome: "SUCCESS", source: "servers", via: "job-not-found", servers: states };
    if (verdict === "failed") {
      const failReason = failReasonOf(states);
      return { outcome: "FAIL", source: "servers", via: "job-not-found", servers: states, failReason };
    }
    if (now() >= deadline) return { outcome: "UNKNOWN", reason: "deadline", servers: states };
    await sleep(Math.max(0, Math.min(interval, deadline - now())), signal);
    interval = nextPollInterval(interval, factor, cap);
  }
}
