import { driveRun } from "./drive-run.js";
import {
  approvedByPeople,
  type FlowEvent,
  RESTART_STEP_ID,
  type RunStartedStep,
  stepOfEvent,
} from "./flow-events.js";
import { isIn, type ServerResult, TERMINAL_RUN_STATUSES, TERMINAL_STEP_STATUSES } from "./flow-statuses.js";
import { putBackEndOf } from "./put-back-end-of.js";
import { commit, emit, type RunContext, type RunDeps } from "./run-context.js";
import { type RunRecord, RunRecordSchema, runKey, type StepRecord } from "./run-record.js";
import { emptyCounts, type FlowOutcome, summarizeRun } from "./summarize-run.js";

export type ResumeFlowResult =
  /** `resumed: false`: the run had already finished; `outcome` is its summary, nothing was done. */
  | { ok: true; resumed: boolean; outcome: FlowOutcome }
  | { ok: false; error: "not_found" | "invalid_record"; message: string };

/**
 * Continues an interrupted run from its durable record (after a crash, or on another replica). Steps that
 * finished are not repeated; a mutation whose intent was saved without a result may have been sent, so it is
 * never sent again: its outcome is settled by reading the job (if its ID was saved) or the servers. Calls
 * still `planned` (never attempted) are sent. The flow followed is the one saved in the record.
 *
 * Its `run_started` event says where the run stands (when it started, each step's status and counts, the
 * drift), so a status message shown again by whoever resumes it looks as it would have without the
 * interruption. A run that had finished sends nothing to the cloud; its start and end are announced again from
 * the record, so a status message left behind by the interruption shows how it ended.
 */
export async function resumeFlow(runId: string, deps: RunDeps): Promise<ResumeFlowResult> {
  const stored = await deps.store.get<unknown>(runKey(runId));
  if (stored === undefined) return { ok: false, error: "not_found", message: `no run ${runId}` };
  const parsed = RunRecordSchema.safeParse(stored.value);
  if (!parsed.success) {
    return {
      ok: false,
      error: "invalid_record",
      message: `run ${runId} has an invalid record: ${parsed.error.message}`,
    };
  }
  const record: RunRecord = parsed.data;
  if (isIn(TERMINAL_RUN_STATUSES, record.status)) {
    const outcome = summarizeRun(record);
    emit(deps, runStartedOf(record, record.resumes > 0, deps.clock.now()));
    emit(deps, {
      type: "run_finished",
      runId: record.runId,
      outcome,
      at: record.finishedAt ?? deps.clock.now(),
    });
    return { ok: true, resumed: false, outcome };
  }
  const ctx: RunContext = { record, deps };
  await commit(
    ctx,
    (r) => {
      r.resumes += 1;
    },
    [
      {
        type: "execution.step",
        requestId: record.requestId,
        executionId: record.runId,
        message: `run resumed at step ${record.currentStep ?? "(none started)"}`,
        detail: { phase: "resumed", stepId: record.currentStep },
      },
    ],
  );
  emit(deps, runStartedOf(ctx.record, true, deps.clock.now()));
  return { ok: true, resumed: true, outcome: await driveRun(ctx) };
}

/**
 * The `run_started` event of a recorded run: its start, and each step where the record has it. A start again
 * the record has (see {@link putBackStepOf}) is a step of its own after the step that stopped the flow, as the
 * status message places it when it sees it live; while it runs it is the step the run is at.
 */
export function runStartedOf(
  record: RunRecord,
  resumed: boolean,
  at: number,
): Extract<FlowEvent, { type: "run_started" }> {
  const recorded = new Map(record.steps.map((s) => [s.id, s]));
  const steps = record.flow.steps.map((def) => {
    const rec = recorded.get(def.id);
    return rec === undefined ? stepOfEvent(def) : recordedStep(stepOfEvent(def), rec, record);
  });
  const putBack = putBackStepOf(record);
  if (putBack !== undefined) {
    const after = steps.findIndex((s) => s.id === record.restart?.afterStep);
    steps.splice(after < 0 ? steps.length : after + 1, 0, putBack);
  }
  const currentStepId =
    putBack?.status === "running"
      ? RESTART_STEP_ID
      : // The step it is at: a step that has finished is not shown as the one going on.
        record.currentStep !== null && recorded.get(record.currentStep)?.status === "running"
        ? record.currentStep
        : undefined;
  return {
    type: "run_started",
    runId: record.runId,
    requestId: record.requestId,
    operation: record.operation,
    at,
    resumed,
    startedAt: record.startedAt,
    targets: record.targets.map((t) => ({ id: t.id, name: t.name })),
    steps,
    ...(currentStepId !== undefined && { currentStepId }),
    ...(record.drift.length > 0 && { drift: record.drift }),
    ...(!approvedByPeople(record) && { approved: false as const }),
  };
}

/** The step as its record has it: its status, its servers once started, its counts once finished. */
function recordedStep(step: RunStartedStep, rec: StepRecord, record: RunRecord): RunStartedStep {
  if (rec.status === "pending") return { ...step, status: "pending" };
  const out: RunStartedStep = { ...step, status: rec.status, serverCount: rec.serverIds.length };
  const jobIds = rec.mutations.flatMap((m) => (m.jobId === undefined ? [] : [m.jobId]));
  if (jobIds.length > 0) out.jobIds = jobIds;
  if (rec.skipReason !== undefined) out.skipReason = rec.skipReason;
  if (isIn(TERMINAL_STEP_STATUSES, rec.status)) out.counts = countsOf(rec, record);
  return out;
}

/**
 * The start again of the servers the run stopped for a change that did not happen, as its record has it: running
 * (decided, its start sent or about to be) or finished, with its servers, the start's jobs and, once finished,
 * each server's result. None when it starts no server: live, such a start again shows no line either (the
 * servers left stopped are the summary's).
 */
function putBackStepOf(record: RunRecord): RunStartedStep | undefined {
  const restart = record.restart;
  if (restart === undefined || restart.serverIds.length === 0) return undefined;
  // Never shown: the status message has its own words for it (the change comes from the step that stopped the flow).
  const step: RunStartedStep = {
    id: RESTART_STEP_ID,
    kind: "wait",
    description: "",
    status: "running",
    serverCount: restart.serverIds.length,
  };
  const jobIds = restart.mutations.flatMap((m) => (m.jobId === undefined ? [] : [m.jobId]));
  if (jobIds.length > 0) step.jobIds = jobIds;
  if (restart.status === "running") return step;
  // As its end was announced live: from each server's result, whatever state the run's end found it in.
  const { status, counts } = putBackEndOf(restart.results);
  step.status = status;
  step.counts = counts;
  return step;
}

/** A finished step's counts, as the step announced them when it finished. */
function countsOf(rec: StepRecord, record: RunRecord): Record<ServerResult, number> {
  const counts = emptyCounts();
  if (rec.status === "skipped") return counts;
  switch (rec.kind) {
    case "recheck": {
      const drifted = new Set(record.drift.map((d) => d.serverId)).size;
      counts.failed = drifted;
      counts.succeeded = record.targets.length - drifted;
      break;
    }
    case "call":
      for (const m of rec.mutations) {
        const n = m.serverIds.length;
        if (m.state === "accepted") counts.succeeded += n;
        else if (m.state === "rejected") counts.failed += n;
        else counts.unknown += n;
      }
      break;
    case "wait":
      for (const r of rec.results) counts[r.result]++;
      break;
  }
  return counts;
}
