import type { DriftItem } from "./detect-drift.js";
import { approvedByPeople } from "./flow-events.js";
import {
  isIn,
  type RunStatus,
  SERVER_RESULTS,
  type ServerResult,
  STOPPING_STEP_STATUSES,
  type StepStatus,
} from "./flow-statuses.js";
import {
  type CallName,
  type Expectation,
  type Operation,
  PRIMARY_CALL_OF_OPERATION,
  type ReportItem,
  type StepKind,
} from "./flow-vocabulary.js";
import type { LeftStoppedWhy, RunRecord, StepRecord } from "./run-record.js";

/** What a step does (its kind, call or expectation), for operator words: never its ID or the flow's text. */
export interface StepWhat {
  kind: StepKind;
  call?: CallName;
  expect?: Expectation;
}

/**
 * What the cloud answered to a call whose outcome stayed unknown, e.g. "the cloud answered 503 APIG.0202:
 * Backend unavailable (request 5f2c…)", or why there was no answer: what to give Huawei support.
 */
export interface CallAnswer {
  call: CallName;
  text: string;
}

/** One server in the final summary. */
export interface ServerOutcome {
  id: string;
  name: string;
  result: ServerResult;
  /** Step where it failed or became unknown. */
  stepId?: string;
  reason?: string;
  code?: string;
  /** Its outcome is unknown: what the cloud answered to the call (which was not sent again). */
  answer?: CallAnswer;
  /** State read at the end of the run, if it could be read (`NOT_FOUND` once deleted). */
  finalStatus?: string;
  finalFlavor?: string;
}

/**
 * A server the run stopped and left stopped. `why`, when the run was to start again the servers whose change did
 * not happen: why this one was not (see `LEFT_STOPPED_WHY`), or its start again failed (`start_failed`) or has
 * an unknown outcome (`start_unknown`), with `change`, the call that failed, and what the re-read showed.
 * Absent: the flow stopped before its start as any flow does.
 */
export interface LeftStoppedServer {
  id: string;
  name: string;
  why?: LeftStoppedWhy | "start_failed" | "start_unknown";
  change?: CallName;
  status?: string;
  flavor?: string;
  /** A failed start: what the cloud said. */
  reason?: string;
}

/** A server started again after its change did not happen. */
export interface StartedAgain {
  id: string;
  name: string;
  change: CallName;
  /** `refused`: the cloud refused the call; `failed`: its job failed. */
  how: "refused" | "failed";
  code?: string;
}

/** Servers that failed (or stayed unknown) for the same reason. */
export interface ReasonGroup {
  /** The cloud's error code, when there is one. */
  code?: string;
  /** The first server's reason (codes group reasons that differ only by server ID). */
  reason: string;
  /** Outcome unknown: what the cloud answered to their call (servers of one call share it). */
  answer?: CallAnswer;
  servers: { id: string; name: string }[];
}

/**
 * A run in waves stopped on purpose before its later waves: by a person's Abort (`by`: their Slack user ID,
 * absent when unknown; after `afterWave` of `of` waves had run), or by the check before wave `beforeWave`
 * (1-based), which said `why` (plain text). Not a failure: what ran is judged by its own results.
 */
export type RunStop =
  | { kind: "abort"; by?: string; afterWave: number; of: number }
  | { kind: "check"; beforeWave: number; of: number; why: string };

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
  /**
   * The step that stopped the flow (a re-check or a wait that failed or stayed unknown; a call's own status is
   * provisional, its wait settles it), with the steps that were therefore not run. Never on a run that
   * succeeded. In the terms of what the steps do: the views word them (never the flow file's text).
   */
  stoppedAt?: { stepId: string; status: StepStatus; step: StepWhat; notRun: StepWhat[] };
  servers: ServerOutcome[];
  counts: Record<ServerResult, number>;
  failuresByReason: ReasonGroup[];
  unknownByReason: ReasonGroup[];
  jobs: { stepId: string; jobId: string; status?: string }[];
  drift: DriftItem[];
  resumes: number;
  /**
   * Servers this run stopped on its way to something else (the stop before a resize, a reinstall, a
   * migration…) that were SHUTOFF when it ended: the run leaves them so, and the summary says so with how to
   * start them (the one start it makes of its own is the put-back of {@link startedAgain}, and a server it could
   * not put back says why here). Absent when there are none, and for a stop, whose purpose it is.
   */
  leftStopped?: LeftStoppedServer[];
  /**
   * Servers this run stopped for a change that did not happen (`on_failure: start_stopped_then_stop_flow`) and
   * started again: the change that did not, whether the cloud refused it or its job failed, and its code.
   */
  startedAgain?: StartedAgain[];
  /** A run in waves stopped on purpose (an Abort, the check before a wave): who or why, and where. */
  stop?: RunStop;
  /** `false`: nobody approved the request (see {@link approvedByPeople}): its words say "since it was asked". */
  approved?: false;
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
  // What the cloud answered to each call whose outcome is unknown, by call step and server.
  const answers = new Map<string, CallAnswer>();
  for (const s of record.steps)
    for (const m of s.mutations)
      if (m.state === "outcome_unknown" && m.error !== undefined) {
        const answer = { call: m.call, text: m.error.message };
        for (const id of m.serverIds) answers.set(`${s.id}\u0000${id}`, answer);
      }

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
        const answer = r.result === "unknown" ? answers.get(`${call.id}\u0000${t.id}`) : undefined;
        if (answer !== undefined) out.answer = answer;
        return out;
      }
      if (r.result === "succeeded") done++;
    }
    out.result = done === calls.length ? "succeeded" : done > 0 ? "incomplete" : "not_started";
    return out;
  });

  const counts = emptyCounts();
  for (const s of servers) counts[s.result]++;

  // A call's own status is provisional (an answer lost, then settled from the servers by its wait): only a
  // re-check or a wait stops the flow, and a run that succeeded was not stopped anywhere.
  const stopped =
    record.status === "succeeded"
      ? undefined
      : record.steps.find((s) => s.kind !== "call" && isIn(STOPPING_STEP_STATUSES, s.status));
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
    ...(!approvedByPeople(record) && { approved: false as const }),
  };
  const restart = record.restart;
  const changeResults = new Map(
    restart === undefined ? [] : stepRecords.get(restart.afterStep)?.results.map((r) => [r.serverId, r]),
  );
  const restartResults = new Map((restart?.results ?? []).map((r) => [r.serverId, r]));
  const restartLeft = new Map((restart?.leftStopped ?? []).map((l) => [l.serverId, l]));
  const leftStopped = stoppedByTheRun(record, waitOf)
    .filter((t) => finals.get(t.id)?.status === "SHUTOFF")
    .map((t): LeftStoppedServer => {
      if (restart === undefined) return t;
      const left = restartLeft.get(t.id);
      if (left !== undefined) {
        const { serverId: _id, ...why } = left;
        return { ...t, change: restart.call, ...why };
      }
      const started = restartResults.get(t.id);
      if (started === undefined || started.result === "succeeded") return t;
      return {
        ...t,
        change: restart.call,
        why: started.result === "unknown" ? "start_unknown" : "start_failed",
        ...(started.reason !== undefined && { reason: started.reason }),
      };
    });
  if (leftStopped.length > 0) outcome.leftStopped = leftStopped;
  if (restart !== undefined) {
    const startedAgain = record.targets.flatMap((t): StartedAgain[] => {
      if (restartResults.get(t.id)?.result !== "succeeded") return [];
      const change = changeResults.get(t.id);
      return [
        {
          id: t.id,
          name: t.name,
          change: restart.call,
          how: change?.source === "call" ? "refused" : "failed",
          ...(change?.code !== undefined && { code: change.code }),
        },
      ];
    });
    if (startedAgain.length > 0) outcome.startedAgain = startedAgain;
  }
  if (record.finishedAt !== undefined) {
    outcome.finishedAt = record.finishedAt;
    outcome.durationMs = record.finishedAt - record.startedAt;
  }
  if (stopped) {
    const what = (id: string): StepWhat => {
      const def = stepDefs.get(id);
      if (def?.kind === "call") return { kind: "call", call: def.call };
      if (def?.kind === "wait") return { kind: "wait", expect: def.expect };
      return { kind: def?.kind ?? "recheck" };
    };
    outcome.stoppedAt = {
      stepId: stopped.id,
      status: stopped.status,
      step: what(stopped.id),
      notRun: record.steps.filter((s) => s.skipReason === "flow_stopped").map((s) => what(s.id)),
    };
  }
  return outcome;
}

/**
 * The targets the run's own stop step stopped (its wait saw them stopped), when stopping is not the
 * operation's purpose.
 */
function stoppedByTheRun(
  record: RunRecord,
  waitOf: ReadonlyMap<string, StepRecord>,
): { id: string; name: string }[] {
  if (PRIMARY_CALL_OF_OPERATION[record.operation] === "ecs.batch_stop") return [];
  const stopSteps = record.flow.steps.filter((s) => s.kind === "call" && s.call === "ecs.batch_stop");
  const stopped = new Set(
    stopSteps.flatMap((s) =>
      (waitOf.get(s.id)?.results ?? []).filter((r) => r.result === "succeeded").map((r) => r.serverId),
    ),
  );
  return record.targets.filter((t) => stopped.has(t.id)).map((t) => ({ id: t.id, name: t.name }));
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

/**
 * Servers grouped by error code (else reason) and, for an unknown outcome, by the cloud's answer to their call;
 * the largest group first. Shared by the runs in waves, whose outcome combines their waves'.
 */
export function groupByReason(servers: readonly ServerOutcome[]): ReasonGroup[] {
  const groups = new Map<string, ReasonGroup>();
  for (const s of servers) {
    // Servers of different calls are told apart by the cloud's answer to each (its request ID above all).
    const key = `${s.code ?? s.reason ?? ""}\u0000${s.answer?.text ?? ""}`;
    let group = groups.get(key);
    if (!group) {
      group = { reason: s.reason ?? "no reason given", servers: [] };
      if (s.code !== undefined) group.code = s.code;
      if (s.answer !== undefined) group.answer = s.answer;
      groups.set(key, group);
    }
    group.servers.push({ id: s.id, name: s.name });
  }
  return [...groups.values()].sort((a, b) => b.servers.length - a.servers.length);
}
