import { driveRun } from "./drive-run.js";
import { stepOfEvent } from "./flow-events.js";
import { isIn, TERMINAL_RUN_STATUSES } from "./flow-statuses.js";
import { commit, emit, type RunContext, type RunDeps } from "./run-context.js";
import { type RunRecord, RunRecordSchema, runKey } from "./run-record.js";
import { type FlowOutcome, summarizeRun } from "./summarize-run.js";

export type ResumeFlowResult =
  /** `resumed: false`: the run had already finished; `outcome` is its summary, nothing was done. */
  | { ok: true; resumed: boolean; outcome: FlowOutcome }
  | { ok: false; error: "not_found" | "invalid_record"; message: string };

/**
 * Continues an interrupted run from its durable record (after a crash, or on another replica). Steps that
 * finished are not repeated; a mutation whose intent was saved without a result may have been sent, so it is
 * never sent again: its outcome is settled by reading the job (if its ID was saved) or the servers. Calls
 * still `planned` (never attempted) are sent. The flow followed is the one saved in the record.
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
  if (isIn(TERMINAL_RUN_STATUSES, record.status))
    return { ok: true, resumed: false, outcome: summarizeRun(record) };
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
  emit(deps, {
    type: "run_started",
    runId: record.runId,
    requestId: record.requestId,
    operation: record.operation,
    at: deps.clock.now(),
    resumed: true,
    targets: record.targets.map((t) => ({ id: t.id, name: t.name })),
    steps: record.flow.steps.map(stepOfEvent),
  });
  return { ok: true, resumed: true, outcome: await driveRun(ctx) };
}
