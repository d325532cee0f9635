import type { DriftItem } from "./detect-drift.js";
import {
  isIn,
  type RunStatus,
  SERVER_RESULTS,
  type ServerResult,
  STOPPING_STEP_STATUSES,
  type StepStatus,
} from "./flow-statuses.js";
import type { Operation, ReportItem } from "./flow-vocabulary.js";
import type { RunRecord, StepRecord } from "./run-record.js";

/** One server in the final summary. */
export interface ServerOutcome {
  id: string;
  name: string;
  result: ServerResult;
  /** Step where it failed or became unknown. */
  stepId?: string;
  reason?: string;
  code?: string;
  /** State read at the end of the run, if it could be read (`NOT_FOUND` once deleted). */
  finalStatus?: string;
  finalFlavor?: string;
}

/** Servers that failed (or stayed unknown) for the same reason. */
export interface ReasonGroup {
  /** The cloud's error code, when there is one. */
  code?: string;
  /** The first server's reason (codes group reasons that differ only by server ID). */
  reason: string;
  servers: { id: string; name: string }[];
}

/** The outcome of a run: everything the final summary shows. */
export interface FlowOutcome {
  runId: string;
  requestId: string;
  operation: Operation;
  status: RunStatus;
  /** Past-tense verb of the operation (`stopped`), from the flow's report section. */
  verb: string;
  include: ReportItem[];
  startedAt: number;
  finishedAt?: number;
  durationMs?: number;
  /** The step where the flow stopped, if it did not run to the end. */
  stoppedAt?: { stepId: string; description: string; status: StepStatus };
  servers: ServerOutcome[];
  counts: Record<ServerResult, number>;
  failuresByReason: ReasonGroup[];
  unknownByReason: ReasonGroup[];
  jobs: { stepId: string; jobId: string; status?: string }[];
  drift: DriftItem[];
  resumes: number;
}

export function emptyCounts(): Record<ServerResult, number> {
  return Object.fromEntries(SERVER_RESULTS.map((r) => [r, 0])) as Record<ServerResult, number>;
}

/** The summary of a run record (pure; works for finished and unfinished runs). */
export function summarizeRun(record: RunRecord): FlowOutcome {
  const stepDefs = new Map(record.flow.steps.map((s) => [s.id, s]));
  const stepRecords = new Map(record.steps.map((s) => [s.id, s]));
  const waitOf = new Map<string, StepRecord>();
  for (const def of record.flow.steps) {
    if (def.kind === "wait") {
      const rec = stepRecords.get(def.id);
      if (rec) waitOf.set(def.after, rec);
    }
  }
  const finals = new Map((record.finalStates ?? []).map((f) => [f.serverId, f]));

  const servers = record.targets.map((t): ServerOutcome => {
    const out: ServerOutcome = { id: t.id, name: t.name, result: "not_started" };
    const final = finals.get(t.id);
    if (final) {
      out.finalStatus = final.status;
      if (final.flavor !== undefined) out.finalFlavor = final.flavor;
    }
    if (record.status === "aborted") return out;
    const calls = record.steps.filter((s) => s.kind === "call" && s.serverIds.includes(t.id));
    if (calls.length === 0) {
      // No call of the flow applies to it: it was already in the end state (e.g. stop of a stopped server).
      out.result = record.steps.some((s) => s.kind === "call") ? "skipped" : "not_started";
      if (out.result === "skipped") out.reason = nothingToDo(record.operation, t);
      return out;
    }
    let done = 0;
    for (const call of calls) {
      const r = waitOf.get(call.id)?.results.find((x) => x.serverId === t.id);
      if (!r) break;
      if (r.result === "failed" || r.result === "unknown") {
        out.result = r.result;
        out.stepId = call.id;
        if (r.reason !== undefined) out.reason = r.reason;
        if (r.code !== undefined) out.code = r.code;
        return out;
      }
      if (r.result === "succeeded") done++;
    }
    out.result = done === calls.length ? "succeeded" : done > 0 ? "incomplete" : "not_started";
    return out;
  });

  const counts = emptyCounts();
  for (const s of servers) counts[s.result]++;

  const stopped = record.steps.find((s) => isIn(STOPPING_STEP_STATUSES, s.status));
  const jobs = record.steps.flatMap((s) =>
    s.mutations.flatMap((m) => {
      if (m.jobId === undefined) return [];
      const status = waitOf.get(s.id)?.jobs.find((j) => j.jobId === m.jobId)?.status;
      return [{ stepId: s.id, jobId: m.jobId, ...(status !== undefined && { status }) }];
    }),
  );

  const outcome: FlowOutcome = {
    runId: record.runId,
    requestId: record.requestId,
    operation: record.operation,
    status: record.status,
    verb: record.flow.report.verb,
    include: record.flow.report.include,
    startedAt: record.startedAt,
    servers,
    counts,
    failuresByReason: groupByReason(servers.filter((s) => s.result === "failed")),
    unknownByReason: groupByReason(servers.filter((s) => s.result === "unknown")),
    jobs,
    drift: record.drift,
    resumes: record.resumes,
  };
  if (record.finishedAt !== undefined) {
    outcome.finishedAt = record.finishedAt;
    outcome.durationMs = record.finishedAt - record.startedAt;
  }
  if (stopped) {
    outcome.stoppedAt = {
      stepId: stopped.id,
      description: stepDefs.get(stopped.id)?.description ?? "",
      status: stopped.status,
    };
  }
  return outcome;
}

/** Why a server needed nothing, in the operation's terms (the card's preflight said the same). */
function nothingToDo(operation: Operation, t: RunRecord["targets"][number]): string {
  switch (operation) {
    case "lock":
      if (t.locked === true) return "nothing to do (it was already locked)";
      break;
    case "unlock":
      if (t.locked === false) return "nothing to do (it was already unlocked)";
      break;
    case "tag":
    case "untag":
      return "nothing to do (its tags were already so)";
  }
  return `nothing to do (it was ${t.status})`;
}

function groupByReason(servers: readonly ServerOutcome[]): ReasonGroup[] {
  const groups = new Map<string, ReasonGroup>();
  for (const s of servers) {
    const key = s.code ?? s.reason ?? "";
    let group = groups.get(key);
    if (!group) {
      group = { reason: s.reason ?? "no reason given", servers: [] };
      if (s.code !== undefined) group.code = s.code;
      groups.set(key, group);
    }
    group.servers.push({ id: s.id, name: s.name });
  }
  return [...groups.values()].sort((a, b) => b.servers.length - a.servers.length);
}
