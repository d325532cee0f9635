import { stableState } from "./build-machine.js";
import type { Prng } from "./create-prng.js";
import type { WorldStore } from "./create-world-store.js";
import { attachVolume, rebuildSystemDisk } from "./job-effects.js";
import {
  ACTION_NAMES,
  enterTransition,
  INJECTED_DEFAULTS,
  JOB_TYPES,
  type JobKind,
  type JobParams,
  SINGLE_SERVER_KINDS,
  statusAfterFailure,
  uuidOf,
  VERIFYING_KINDS,
} from "./job-kinds.js";
import {
  type Failure,
  iso,
  type JobRecord,
  type JobSummary,
  ruleFailure,
  type SubJobRecord,
  statusAt,
  subStatusAt,
  summarize,
} from "./job-records.js";
import type { SimInstanceAction, SimServer } from "./world-types.js";

export type { JobKind, JobParams } from "./job-kinds.js";
export type { JobStatus, JobSummary, SubJobSummary } from "./job-records.js";
export { iso } from "./job-records.js";

export interface JobTiming {
  /** Time spent in INIT before the job starts RUNNING. */
  initMs: number;
  /** Time spent RUNNING before SUCCESS/FAIL. */
  runningMs: number;
}

/** Makes upcoming jobs fail (all their sub-jobs, or only those of the given servers). */
export interface FailJobOptions {
  /** Fail only these servers' sub-jobs, in the next job(s) that include any of them. */
  serverIds?: string[];
  /** Number of jobs this rule applies to; default 1. */
  count?: number;
  /** Keep applying until `clearJobFailures()`. */
  persistent?: boolean;
  /** Error code on the failed sub-jobs; default depends on the action (e.g. `Ecs.0226` for start). */
  errorCode?: string;
  /** `fail_reason` on the failed sub-jobs. */
  reason?: string;
}

interface JobEvent {
  at: number;
  seq: number;
  phase: "running" | "verify" | "end";
  job: JobRecord;
}

export interface JobEngine {
  /** Creates a job for existing servers; outcomes are decided now, effects happen as time passes. */
  create(kind: JobKind, servers: readonly SimServer[], params: JobParams, now: number): JobSummary;
  /** Jobs not yet finished at `now` (the "system is busy" that makes an accepted task answer 202). */
  unfinished(now: number): number;
  /** Applies every state change due at or before `now`, in time order. Call before any read. */
  settle(now: number): void;
  /** The wire body of `GET /v1/{project_id}/jobs/{job_id}`; undefined when unknown or purged. */
  render(id: string, now: number): Record<string, unknown> | undefined;
  summary(id: string, now: number): JobSummary | undefined;
  list(now: number): JobSummary[];
  failNext(options?: FailJobOptions): void;
  clearFailures(): void;
  timing(): JobTiming;
  setTiming(patch: Partial<JobTiming>): JobTiming;
  /** How long a finished job stays queryable. */
  retentionMs: number;
  clear(): void;
}

/**
 * Asynchronous ECS jobs whose progress is a pure function of time: INIT for `initMs`, RUNNING for
 * `runningMs`, then SUCCESS or FAIL. Server state changes are applied lazily by `settle(now)` in
 * event order, so a manual clock gives fully deterministic runs and no timers are needed.
 */
export function createJobEngine(
  store: WorldStore,
  prng: Prng,
  initial: JobTiming,
  retentionMs: number,
): JobEngine {
  const jobs = new Map<string, JobRecord>();
  let events: JobEvent[] = [];
  let seq = 0;
  let timing: JobTiming = { ...initial };
  let rules: (FailJobOptions & { remaining: number })[] = [];

  const newId = (): string => `ff808082${prng.hex(24)}`;

  const schedule = (event: Omit<JobEvent, "seq">): void => {
    const e: JobEvent = { ...event, seq: seq++ };
    // Binary insertion keeps the queue ordered by (at, seq).
    let lo = 0;
    let hi = events.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const m = events[mid]!;
      if (m.at < e.at || (m.at === e.at && m.seq < e.seq)) lo = mid + 1;
      else hi = mid;
    }
    events.splice(lo, 0, e);
  };

  const takeInjected = (kind: JobKind, serverIds: readonly string[]): Map<string, Failure> => {
    const out = new Map<string, Failure>();
    const rule = rules.find((r) => !r.serverIds || r.serverIds.some((id) => serverIds.includes(id)));
    if (!rule) return out;
    const def = INJECTED_DEFAULTS[kind];
    const failure: Failure = {
      code: rule.errorCode ?? def.code,
      reason: rule.reason ?? def.reason,
      injected: true,
    };
    for (const id of serverIds) if (!rule.serverIds || rule.serverIds.includes(id)) out.set(id, failure);
    if (!rule.persistent) {
      rule.remaining -= 1;
      if (rule.remaining <= 0) rules = rules.filter((r) => r !== rule);
    }
    return out;
  };

  const purgeExpired = (now: number): void => {
    for (const [id, job] of jobs) if (now > job.endAt + engine.retentionMs) jobs.delete(id);
  };

  const apply = (event: JobEvent): void => {
    const { job, phase, at } = event;
    for (const sub of job.subJobs) {
      if (phase === "end" && sub.failure && sub.action) sub.action.message = "Error";
      if (phase === "end" && sub.failure && job.params.volumeId && job.kind === "attach") {
        const volume = store.freeVolume(job.params.volumeId);
        if (volume?.reservedBy === job.id) volume.reservedBy = null;
      }
      if (sub.failure && !sub.failure.injected) continue;
      const server = store.server(sub.serverId);
      if (!server || server.busyJobId !== job.id) continue;
      server.updated = at;
      if (phase === "running") enterTransition(server, job.kind, job.params);
      else if (phase === "verify") {
        if (!sub.failure && job.params.flavorId) server.flavorId = job.params.flavorId;
        if (!sub.failure && job.kind === "migrate") {
          server.hostId = prng.hex(56);
          server.hypervisorHostname = prng.hex(32);
          server.dedicatedHostId = job.params.dedicatedHostId ?? null;
        }
        Object.assign(server, stableState("VERIFY_RESIZE"), { taskState: null });
      } else finish(server, job, sub, at);
    }
  };

  const finish = (server: SimServer, job: JobRecord, sub: SubJobRecord, at: number): void => {
    server.busyJobId = null;
    server.taskState = null;
    if (sub.failure) {
      Object.assign(server, stableState(statusAfterFailure(job.kind, sub.revertTo)));
      return;
    }
    switch (job.kind) {
      case "start":
      case "reboot":
        Object.assign(server, stableState("ACTIVE"));
        server.launchedAt = at;
        return;
      case "stop":
      case "resize":
      case "migrate":
        // The v1 resize/migrate APIs confirm themselves; a resized or migrated (stopped) ECS stays stopped.
        Object.assign(server, stableState("SHUTOFF"));
        return;
      case "delete":
        store.removeServer(server.id, { keepDataDisks: job.params.deleteVolume !== true });
        return;
      case "reinstall":
      case "changeos":
        rebuildSystemDisk(store, prng, server, job.params);
        // The ECS starts on its new system disk once the OS is in place.
        Object.assign(server, stableState("ACTIVE"));
        server.launchedAt = at;
        return;
      case "attach":
        attachVolume(store, server, job.params);
        Object.assign(server, stableState(sub.revertTo ?? server.status));
        return;
      case "detach":
        if (job.params.volumeId) store.detachDisk(server, job.params.volumeId);
        Object.assign(server, stableState(sub.revertTo ?? server.status));
        return;
    }
  };

  const engine: JobEngine = {
    retentionMs,
    create(kind, servers, params, now) {
      const ids = servers.map((s) => s.id);
      const injected = takeInjected(kind, ids);
      const id = newId();
      const runningAt = now + timing.initMs;
      const endAt = runningAt + timing.runningMs;
      const job: JobRecord = {
        id,
        kind,
        params: { ...params },
        createdAt: now,
        runningAt,
        verifyAt: runningAt + Math.floor(timing.runningMs * 0.7),
        endAt,
        subJobs: servers.map((server) => {
          const failure = ruleFailure(kind, server, params) ?? injected.get(server.id) ?? null;
          const runs = !failure || failure.injected;
          if (runs) server.busyJobId = id;
          const subId = newId();
          const action: SimInstanceAction = {
            action: ACTION_NAMES[kind],
            requestId: `req-${uuidOf(subId)}`,
            startTime: now,
            message: null,
          };
          server.actions.push(action);
          return {
            id: subId,
            serverId: server.id,
            serverName: server.name,
            failure,
            revertTo: runs ? server.status : null,
            action,
          };
        }),
      };
      jobs.set(id, job);
      if (kind === "attach" && params.volumeId) {
        const volume = store.freeVolume(params.volumeId);
        if (volume && job.subJobs.some((s) => !s.failure || s.failure.injected)) volume.reservedBy = id;
      }
      schedule({ at: runningAt, phase: "running", job });
      if (VERIFYING_KINDS.has(kind)) schedule({ at: job.verifyAt, phase: "verify", job });
      schedule({ at: endAt, phase: "end", job });
      return summarize(job, now);
    },
    unfinished(now) {
      let n = 0;
      for (const job of jobs.values()) if (job.endAt > now) n++;
      return n;
    },
    settle(now) {
      let i = 0;
      while (i < events.length && events[i]!.at <= now) {
        apply(events[i]!);
        i++;
      }
      if (i > 0) events = events.slice(i);
      purgeExpired(now);
    },
    render(id, now) {
      engine.settle(now);
      const job = jobs.get(id);
      if (!job) return undefined;
      const status = statusAt(job, now);
      const done = status === "SUCCESS" || status === "FAIL";
      const firstFailure = done ? job.subJobs.find((s) => s.failure)?.failure : undefined;
      const types = JOB_TYPES[job.kind];
      const entities: Record<string, unknown> = {};
      if (SINGLE_SERVER_KINDS.has(job.kind) && job.subJobs[0]) entities.server_id = job.subJobs[0].serverId;
      entities.sub_jobs_total = job.subJobs.length;
      entities.sub_jobs = job.subJobs.map((sub) => {
        const subStatus = subStatusAt(job, sub, now);
        const failed = subStatus === "FAIL" ? sub.failure : null;
        return {
          status: subStatus,
          entities: failed
            ? { server_id: sub.serverId, errorcode_message: failed.reason }
            : { server_id: sub.serverId },
          job_id: sub.id,
          job_type: types.sub,
          begin_time: status === "INIT" ? "" : iso(job.runningAt),
          end_time: done ? iso(job.endAt) : "",
          error_code: failed ? failed.code : null,
          fail_reason: failed ? failed.reason : null,
        };
      });
      return {
        status,
        entities,
        job_id: job.id,
        job_type: types.job,
        begin_time: iso(job.createdAt),
        end_time: done ? iso(job.endAt) : "",
        error_code: firstFailure ? firstFailure.code : null,
        fail_reason: firstFailure ? firstFailure.reason : null,
      };
    },
    summary(id, now) {
      engine.settle(now);
      const job = jobs.get(id);
      return job ? summarize(job, now) : undefined;
    },
    list(now) {
      engine.settle(now);
      return [...jobs.values()].map((job) => summarize(job, now));
    },
    failNext(options = {}) {
      const { serverIds, count, errorCode, reason } = options;
      if (
        serverIds !== undefined &&
        (!Array.isArray(serverIds) || serverIds.some((id) => typeof id !== "string"))
      ) {
        throw new TypeError("serverIds must be an array of server IDs");
      }
      if (count !== undefined && (typeof count !== "number" || !(count >= 1)))
        throw new TypeError("count must be >= 1");
      if (errorCode !== undefined && typeof errorCode !== "string")
        throw new TypeError("errorCode must be a string");
      if (reason !== undefined && typeof reason !== "string") throw new TypeError("reason must be a string");
      rules.push({ ...options, remaining: Math.max(1, Math.floor(options.count ?? 1)) });
    },
    clearFailures() {
      rules = [];
    },
    timing: () => ({ ...timing }),
    setTiming(patch) {
      timing = {
        initMs: nonNegative(patch.initMs, timing.initMs),
        runningMs: nonNegative(patch.runningMs, timing.runningMs),
      };
      return { ...timing };
    },
    clear() {
      jobs.clear();
      events = [];
      rules = [];
    },
  };

  return engine;
}

function nonNegative(value: number | undefined, fallback: number): number {
  return value !== undefined && Number.isFinite(value) && value >= 0 ? value : fallback;
}
