/**
 * A job as the engine records it and as it reads: its records, the failure the rules give a server's
 * sub-job when the job is created (locked, busy, wrong status, no system disk), and its status and
 * summary at a given time (a pure function of `now`). Apart from `create-job-engine.ts`, which schedules
 * jobs, decides injected failures and applies their effects to the servers.
 */
import { allowedStatuses, JOB_TYPES, type JobKind, type JobParams } from "./job-kinds.js";
import type { SimInstanceAction, SimServer } from "./world-types.js";

/** Job and sub-job statuses (doc, "Querying Task Execution Status"). */
export type JobStatus = "INIT" | "RUNNING" | "SUCCESS" | "FAIL";

export interface SubJobSummary {
  jobId: string;
  serverId: string;
  status: JobStatus;
  errorCode: string | null;
  failReason: string | null;
}

/** A job as the control interface shows it (UI panel, tests). */
export interface JobSummary {
  id: string;
  kind: JobKind;
  /** `job_type` on the wire, e.g. `batchStopServers`. */
  jobType: string;
  status: JobStatus;
  serverIds: string[];
  params: JobParams;
  createdAt: string;
  runningAt: string;
  endAt: string;
  subJobs: SubJobSummary[];
}

/** Why a sub-job fails, decided when its job is created. */
export interface Failure {
  code: string;
  reason: string;
  /** Injected failures run (servers show the transition) and then revert; rule failures never touch the server. */
  injected: boolean;
}

/** One server's part of a job. */
export interface SubJobRecord {
  id: string;
  serverId: string;
  serverName: string;
  failure: Failure | null;
  /** Stable status to return to after an injected failure. */
  revertTo: SimServer["status"] | null;
  /** The server's `os-instance-actions` entry for this operation (marked `Error` on failure). */
  action: SimInstanceAction | null;
}

/** A job with its timeline (ms timestamps) and its sub-jobs. */
export interface JobRecord {
  id: string;
  kind: JobKind;
  params: JobParams;
  createdAt: number;
  runningAt: number;
  verifyAt: number;
  endAt: number;
  subJobs: SubJobRecord[];
}

const STATE_CODE = "Ecs.0100";
const LOCKED_CODE = "Ecs.0605";
const NO_SYSTEM_DISK_CODE = "Ecs.0105";

/**
 * The failure the rules give `server`'s sub-job of a `kind` job: locked (`Ecs.0605`), held by another
 * job or in the wrong status (`Ecs.0100`), no system disk to start from (`Ecs.0105`); null when none.
 * Such a failure never touches the server.
 */
export const ruleFailure = (kind: JobKind, server: SimServer, params: JobParams): Failure | null => {
  if (server.locked) {
    return {
      code: LOCKED_CODE,
      reason: `ECS locked. ECS ${server.id} is locked; unlock it first.`,
      injected: false,
    };
  }
  if (server.busyJobId) {
    return {
      code: STATE_CODE,
      reason: `The ECS status does not meet requirements: another task (${server.busyJobId}) is in progress on ECS ${server.id}.`,
      injected: false,
    };
  }
  const allowed = allowedStatuses(kind, params);
  if (allowed && !allowed.includes(server.status)) {
    return {
      code: STATE_CODE,
      reason: `The ECS status does not meet requirements: ECS ${server.id} is ${server.status}; ${kind} requires ${allowed.join(" or ")}.`,
      injected: false,
    };
  }
  const needsSystemDisk =
    kind === "start" || kind === "reboot" || kind === "reinstall" || kind === "changeos";
  if (needsSystemDisk && !server.disks.some((d) => d.bootIndex === 0)) {
    return {
      code: NO_SYSTEM_DISK_CODE,
      reason: `No system disk found. Attach the system disk to ECS ${server.id} and try again.`,
      injected: false,
    };
  }
  return null;
};

/** A job's status at `now`: INIT, then RUNNING, then FAIL when any sub-job fails, else SUCCESS. */
export const statusAt = (job: JobRecord, now: number): JobStatus => {
  if (now < job.runningAt) return "INIT";
  if (now < job.endAt) return "RUNNING";
  return job.subJobs.some((s) => s.failure) ? "FAIL" : "SUCCESS";
};

/** A sub-job's status at `now`: its job's while unfinished, then its own outcome. */
export const subStatusAt = (job: JobRecord, sub: SubJobRecord, now: number): JobStatus => {
  const status = statusAt(job, now);
  if (status === "INIT" || status === "RUNNING") return status;
  return sub.failure ? "FAIL" : "SUCCESS";
};

/** A job as the control interface shows it at `now` (see {@link JobSummary}). */
export function summarize(job: JobRecord, now: number): JobSummary {
  return {
    id: job.id,
    kind: job.kind,
    jobType: JOB_TYPES[job.kind].job,
    status: statusAt(job, now),
    serverIds: job.subJobs.map((s) => s.serverId),
    params: { ...job.params },
    createdAt: iso(job.createdAt),
    runningAt: iso(job.runningAt),
    endAt: iso(job.endAt),
    subJobs: job.subJobs.map((sub) => {
      const status = subStatusAt(job, sub, now);
      return {
        jobId: sub.id,
        serverId: sub.serverId,
        status,
        errorCode: status === "FAIL" ? (sub.failure?.code ?? null) : null,
        failReason: status === "FAIL" ? (sub.failure?.reason ?? null) : null,
      };
    }),
  };
}

/** `2016-04-25T20:04:47.591Z`, the job API's time format. */
export function iso(ms: number): string {
  return new Date(ms).toISOString();
}
