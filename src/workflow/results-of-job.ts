/**
 * What a job says about each server of the call that created it: the per-server results of a job wait,
 * whichever way it ended (the job, the servers' state, or unknown).
 */
import type { ExpectedOutcome, JobWaitResult, ServerJobResult } from "../cloud/wait-for-job.js";
import { cloudRefusalReason } from "../views/build-cloud-error-view.js";
import type { ProgressCounts } from "./flow-events.js";
import type { Expectation } from "./flow-vocabulary.js";
import type { MutationRecord, ServerStepResult } from "./run-record.js";
import type { FlowParameters } from "./types.js";

/**
 * The server state that proves a job's effect when the job itself cannot be read, or undefined when no
 * state proves it (then only the job decides).
 */
export function expectedOutcome(
  expect: Expectation,
  serverIds: string[],
  parameters: FlowParameters,
): ExpectedOutcome | undefined {
  switch (expect) {
    case "running":
      return { serverIds, state: "ACTIVE" };
    case "reinstalled":
      // Sent only to a stopped server (the flow stops a running one first) or one in ERROR after a failed
      // reinstall: ACTIVE again means it ran.
      return { serverIds, state: "ACTIVE" };
    case "stopped":
      return { serverIds, state: "SHUTOFF" };
    case "deleted":
      return { serverIds, state: "DELETED" };
    case "resized":
      return parameters.flavorRef === undefined
        ? undefined
        : { serverIds, state: "SHUTOFF", flavorId: parameters.flavorRef };
    case "rebooted":
    case "migrated":
      // Both end in the state they began in: reaching it proves nothing, so no fallback to server states.
      return undefined;
    case "os_changed":
    case "volume_attached":
    case "volume_detached":
    case "tagged":
    case "untagged":
    case "locked":
    case "unlocked":
      // Not a status: the job decides (tags and lock have no job; their wait reads the servers instead).
      return undefined;
  }
}

export function countsOfJobServers(total: number, servers: readonly ServerJobResult[]): ProgressCounts {
  const succeeded = servers.filter((s) => s.status === "SUCCESS").length;
  const failed = servers.filter((s) => s.status === "FAIL").length;
  const all = Math.max(total, servers.length);
  return { total: all, succeeded, failed, running: all - succeeded - failed };
}

export function resultsOfJob(
  m: MutationRecord,
  jobId: string,
  r: JobWaitResult,
): { results: ServerStepResult[]; jobStatus: string } {
  if (r.outcome === "UNKNOWN") {
    const jobServers = (r.servers ?? []) as readonly (
      | ServerJobResult
      | { serverId: string; reached: boolean; status: string }
    )[];
    const why =
      r.reason === "deadline"
        ? `job ${jobId} had not finished when the bot stopped waiting${r.job ? ` (still ${r.job.status})` : ""}${r.error ? `; the last read of it failed (${r.error.code}: ${r.error.message})` : ""}`
        : r.reason === "job-not-found"
          ? `job ${jobId} no longer exists and the servers' state cannot prove the outcome`
          : `job ${jobId} could not be read (${r.error?.code ?? "error"}: ${r.error?.message ?? ""})`;
    const unknownBecause =
      r.reason === "deadline" ? "deadline" : r.reason === "job-not-found" ? "job_gone" : "job_unreadable";
    const results = m.serverIds.map((serverId): ServerStepResult => {
      const s = jobServers.find((x) => x.serverId === serverId);
      if (s && "reached" in s && s.reached)
        return { serverId, result: "succeeded", source: "servers", jobId, status: s.status };
      if (s && !("reached" in s) && s.status === "SUCCESS")
        return { serverId, result: "succeeded", source: "job", jobId };
      if (s && !("reached" in s) && s.status === "FAIL") {
        return {
          serverId,
          result: "failed",
          source: "job",
          jobId,
          // The server busy with another task (`Ecs.0100` naming it, `Ecs.0603`): in operator words.
          reason: cloudRefusalReason(s.errorCode, s.failReason ?? "sub-job failed"),
          ...(s.errorCode !== undefined && { code: s.errorCode }),
        };
      }
      return { serverId, result: "unknown", source: "job", jobId, reason: why, unknownBecause };
    });
    return { results, jobStatus: r.job?.status ?? "UNKNOWN" };
  }
  if (r.source === "servers") {
    const results = m.serverIds.map((serverId): ServerStepResult => {
      const s = r.servers.find((x) => x.serverId === serverId);
      if (s?.reached) return { serverId, result: "succeeded", source: "servers", jobId, status: s.status };
      if (s && s.status === "ERROR") {
        return {
          serverId,
          result: "failed",
          source: "servers",
          jobId,
          status: s.status,
          reason: s.failReason ?? "the server is in ERROR",
        };
      }
      return {
        serverId,
        result: "unknown",
        source: "servers",
        jobId,
        ...(s && { status: s.status }),
        reason:
          r.via === "job-not-found"
            ? `job ${jobId} no longer exists and the server did not reach the expected state`
            : `job ${jobId} could not be read and the server did not reach the expected state`,
      };
    });
    // Settled from the servers: the job was purged, or could not be read while they showed the outcome.
    return { results, jobStatus: r.via === "job-not-found" ? "NOT_FOUND" : "UNREADABLE" };
  }
  const results = m.serverIds.map((serverId): ServerStepResult => {
    const s = r.servers.find((x) => x.serverId === serverId);
    if (s?.status === "SUCCESS" || (!s && r.outcome === "SUCCESS" && r.servers.length === 0)) {
      return { serverId, result: "succeeded", source: "job", jobId };
    }
    if (s?.status === "FAIL") {
      return {
        serverId,
        result: "failed",
        source: "job",
        jobId,
        reason: cloudRefusalReason(
          s.errorCode,
          s.failReason ?? (r.outcome === "FAIL" ? (r.failReason ?? "sub-job failed") : "sub-job failed"),
        ),
        ...(s.errorCode !== undefined && { code: s.errorCode }),
      };
    }
    if (!s && r.outcome === "FAIL") {
      return {
        serverId,
        result: "failed",
        source: "job",
        jobId,
        reason: r.failReason ?? "the job failed",
        ...(r.job.errorCode ? { code: r.job.errorCode } : {}),
      };
    }
    return {
      serverId,
      result: "unknown",
      source: "job",
      jobId,
      reason: `job ${jobId} ended ${r.outcome} without a result for this server`,
    };
  });
  return { results, jobStatus: r.job.status };
}
