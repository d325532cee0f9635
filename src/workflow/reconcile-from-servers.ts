import { nextPollInterval } from "../cloud/next-poll-interval.js";
import { parseServerTags } from "../cloud/parse-server-tags.js";
import type { EcsApi, Server } from "../cloud/types.js";
import { trackErrorOutcomes } from "../cloud/wait-for-servers.js";
import type { ProgressCounts } from "./flow-events.js";
import type { Expectation } from "./flow-vocabulary.js";
import { formatElapsed } from "./format-flow-text.js";
import { readServers, type ServerRead } from "./read-servers.js";
import type { ServerStepResult } from "./run-record.js";
import type { FlowParameters } from "./types.js";

export interface ReconcileOptions {
  ecs: Pick<EcsApi, "getServer" | "listServersByIds">;
  serverIds: readonly string[];
  expect: Expectation;
  /** The run's parameters: the flavor of a resize, the tags of a tag change, the image, the disk. */
  parameters: FlowParameters;
  /**
   * Servers that were in ERROR when the call was sent (a reinstall retried after a failed one): ERROR is where
   * they began, so it is a failure only once they were seen out of it (else they stay unknown at the deadline).
   */
  startedInError?: readonly string[];
  /** Absolute time (by `now`) after which servers not yet in the expected state are reported unknown. */
  deadline: number;
  now: () => number;
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  initialIntervalMs?: number;
  maxIntervalMs?: number;
  backoffFactor?: number;
  onProgress?: (counts: ProgressCounts) => void;
  signal?: AbortSignal;
}

/** Where a server stands against the expectation. */
type Verdict = { settled: true; result: ServerStepResult } | { settled: false; status?: string };

/**
 * Settles the outcome of a mutation whose job is unknown (the call's answer was lost, or the run was
 * interrupted between saving the intent and saving the job ID), and confirms the calls the API answers
 * without a job (tags, lock), by reading the servers, never by sending the call again. A server that reaches
 * the expected state counts as done (the pre-state was re-checked to differ from it); one in ERROR or gone
 * counts as failed (one that began in ERROR, only once seen out of it); one that shows no change by the deadline stays unknown (the call may never have arrived,
 * or is still queued). A reboot or a migration ends in the state it began in, so its effect cannot be seen
 * in the state: it stays unknown.
 */
export async function reconcileFromServers(options: ReconcileOptions): Promise<ServerStepResult[]> {
  const { ecs, serverIds, expect, signal } = options;
  if (expect === "rebooted" || expect === "migrated") {
    return serverIds.map((serverId) => ({
      serverId,
      result: "unknown",
      source: "servers",
      reason: `a ${expect === "rebooted" ? "reboot" : "migration"} ends in the state it began in: without its job it cannot be confirmed`,
    }));
  }
  // How long it waited, said with an unknown outcome: "the deadline" alone tells the reader nothing.
  const startedAt = options.now();
  const settled = new Map<string, ServerStepResult>();
  const lastStatus = new Map<string, string>();
  const errors = trackErrorOutcomes(options.startedInError);
  let interval = options.initialIntervalMs ?? 1000;
  const cap = options.maxIntervalMs ?? 10_000;
  const factor = options.backoffFactor ?? 1.5;
  let lastPrint = "";
  for (;;) {
    const pending = serverIds.filter((id) => !settled.has(id));
    const reads = await readServers(ecs, pending, signal);
    for (const id of pending) {
      const read = reads.get(id);
      if (read?.kind === "found") errors.see(id, read.server.status, read.server.taskState);
      const verdict = judge(id, read, expect, options.parameters, errors.isOutcome(id));
      if (verdict.settled) settled.set(id, verdict.result);
      else if (verdict.status !== undefined) lastStatus.set(id, verdict.status);
    }
    const counts: ProgressCounts = {
      total: serverIds.length,
      succeeded: [...settled.values()].filter((r) => r.result === "succeeded").length,
      failed: [...settled.values()].filter((r) => r.result === "failed").length,
      running: serverIds.length - settled.size,
    };
    const print = `${counts.succeeded}/${counts.failed}/${counts.running}`;
    if (print !== lastPrint) {
      options.onProgress?.(counts);
      lastPrint = print;
    }
    if (settled.size === serverIds.length || options.now() >= options.deadline) break;
    await options.sleep(Math.max(0, Math.min(interval, options.deadline - options.now())), signal);
    interval = nextPollInterval(interval, factor, cap);
  }
  return serverIds.map((serverId) => {
    const done = settled.get(serverId);
    if (done) return done;
    const status = lastStatus.get(serverId);
    return {
      serverId,
      result: "unknown",
      source: "servers",
      ...(status !== undefined && { status }),
      reason: notReachedReason(expect, status, options.deadline - startedAt),
    };
  });
}

/**
 * `still ACTIVE after 15m of waiting, not yet SHUTOFF; the call may not have arrived`: the server's last state
 * first, then how long the bot waited (a wait resumed past its deadline: "when the bot stopped waiting").
 */
function notReachedReason(expect: Expectation, status: string | undefined, waitedMs: number): string {
  const when =
    waitedMs >= 1000 ? `after ${formatElapsed(waitedMs)} of waiting` : "when the bot stopped waiting";
  const state =
    status !== undefined
      ? `still ${status} ${when}, not yet ${describeExpectation(expect)}`
      : `not yet ${describeExpectation(expect)} ${when}`;
  return `${state}; the call may not have arrived`;
}

function judge(
  id: string,
  read: ServerRead | undefined,
  expect: Expectation,
  parameters: FlowParameters,
  errorFails: boolean,
): Verdict {
  if (read === undefined || read.kind === "unreadable") return { settled: false };
  if (read.kind === "not_found") {
    return expect === "deleted"
      ? {
          settled: true,
          result: { serverId: id, result: "succeeded", status: "NOT_FOUND", source: "servers" },
        }
      : {
          settled: true,
          result: {
            serverId: id,
            result: "failed",
            status: "NOT_FOUND",
            source: "servers",
            reason: "the server no longer exists",
          },
        };
  }
  const s = read.server;
  if (reached(s, expect, parameters)) {
    return {
      settled: true,
      result: { serverId: id, result: "succeeded", status: s.status, source: "servers" },
    };
  }
  if (s.status === "ERROR" && !s.taskState && errorFails) {
    return {
      settled: true,
      result: {
        serverId: id,
        result: "failed",
        status: s.status,
        source: "servers",
        reason: s.fault?.message ?? "the server is in ERROR",
      },
    };
  }
  return { settled: false, status: s.status };
}

/**
 * Whether a server shows what the call does. A tag change is judged on the tags it changes only: the others
 * may change meanwhile without making its result wrong.
 */
function reached(s: Server, expect: Expectation, p: FlowParameters): boolean {
  if (s.taskState) return false;
  switch (expect) {
    case "running":
    case "reinstalled":
      return s.status === "ACTIVE";
    case "os_changed":
      return s.status === "ACTIVE" && p.imageId !== undefined && s.imageId === p.imageId;
    case "stopped":
      return s.status === "SHUTOFF";
    case "resized":
      return (
        p.flavorRef !== undefined &&
        s.flavor.id === p.flavorRef &&
        (s.status === "SHUTOFF" || s.status === "ACTIVE")
      );
    case "deleted":
      return s.status === "DELETED" || s.status === "SOFT_DELETED";
    case "tagged": {
      const tags = parseServerTags(s.tags);
      return (p.addTags ?? []).every((t) => tags[t.key] === t.value);
    }
    case "untagged": {
      const tags = parseServerTags(s.tags);
      return (p.removeTags ?? []).every(
        (t) => !Object.hasOwn(tags, t.key) || (t.value !== undefined && tags[t.key] !== t.value),
      );
    }
    case "locked":
      return s.locked === true;
    case "unlocked":
      return s.locked !== true;
    case "volume_attached":
      return p.volumeId !== undefined && s.volumeIds.includes(p.volumeId);
    case "volume_detached":
      return p.volumeId !== undefined && !s.volumeIds.includes(p.volumeId);
    case "rebooted":
    case "migrated":
      return false;
  }
}

export function describeExpectation(expect: Expectation): string {
  switch (expect) {
    case "running":
      return "ACTIVE";
    case "stopped":
      return "SHUTOFF";
    case "resized":
      return "resized";
    case "deleted":
      return "deleted";
    case "rebooted":
      return "rebooted";
    case "tagged":
      return "tagged";
    case "untagged":
      return "untagged";
    case "locked":
      return "locked";
    case "unlocked":
      return "unlocked";
    case "reinstalled":
      return "reinstalled (ACTIVE)";
    case "os_changed":
      return "on the new image (ACTIVE)";
    case "volume_attached":
      return "showing the disk attached";
    case "volume_detached":
      return "showing the disk detached";
    case "migrated":
      return "migrated";
  }
}
