/**
 * The engine shared by `executeFlow` and `resumeFlow`: runs the steps of a run record from wherever it
 * stands, persisting every transition (and its audit record) before acting on it.
 *
 * Invariants:
 * - A mutation is sent only after its intent is durably saved (with its audit record). If that write
 *   fails, the call is not made.
 * - A mutation found with its intent saved but no result (an interruption) is never sent again: it is
 *   marked `outcome_unknown` and settled by reading the servers.
 * - After a call, its wait always runs (it is how the call's outcome becomes known); a failed or unknown
 *   wait (or re-check) stops the flow: no further call of the flow is made. The one exception is a put-back:
 *   a step with `on_failure: start_stopped_then_stop_flow` has the servers the run stopped, whose change is
 *   known not to have happened, started again (`start-stopped-again.ts`) before the run finishes.
 * - Ownership: every write is fenced by the run's lease when `deps.fence` is given, and checked against the
 *   record's revision; a writer that lost either stops with {@link RunOwnershipLostError}. When `deps.signal`
 *   aborts, the run stops at the next safe point with {@link RunSuspendedError}: before a step or before a
 *   call's intent, never between sending a call and saving its job ID.
 *
 * The record's versioned writes and the run's errors are in `run-context.ts`, a step record's life in
 * `run-step-lifecycle.ts`, and each kind of step in its own file (`run-recheck-step.ts`,
 * `run-call-step.ts`, `run-wait-step.ts`).
 */
import { approvalOutcomeOf, isIn, type RunStatus, TERMINAL_STEP_STATUSES } from "./flow-statuses.js";
import { readServers } from "./read-servers.js";
import { runCall } from "./run-call-step.js";
import {
  auditBase,
  checkpoint,
  commit,
  emit,
  isStopping,
  now,
  type RunContext,
  stepOf,
} from "./run-context.js";
import { runRecheck } from "./run-recheck-step.js";
import { OPEN_RUNS_SET, type RunRecord } from "./run-record.js";
import { skipStep } from "./run-step-lifecycle.js";
import { runWait } from "./run-wait-step.js";
import { startStoppedAgain } from "./start-stopped-again.js";
import { type FlowOutcome, summarizeRun } from "./summarize-run.js";

/** Runs the remaining steps of the run and finishes it. */
export async function driveRun(ctx: RunContext): Promise<FlowOutcome> {
  for (const def of ctx.record.flow.steps) {
    const rec = stepOf(ctx.record, def.id);
    if (isIn(TERMINAL_STEP_STATUSES, rec.status)) continue;
    checkpoint(ctx);
    if (isStopping(ctx.record)) {
      await skipStep(ctx, def.id, def.kind, "flow_stopped");
      continue;
    }
    switch (def.kind) {
      case "recheck":
        await runRecheck(ctx, def);
        break;
      case "call":
        await runCall(ctx, def);
        break;
      case "wait":
        await runWait(ctx, def);
        break;
    }
  }
  checkpoint(ctx);
  // Before the run finishes (a run found finished was put back, or had nothing to put back, already).
  if (ctx.record.status === "running") await startStoppedAgain(ctx);
  checkpoint(ctx);
  return finishRun(ctx);
}

function runStatusOf(record: RunRecord): RunStatus {
  if (record.drift.length > 0) return "aborted";
  // A call's own status is provisional: its wait settles it (e.g. a lost answer reconciled from the servers).
  // Unknown outranks failed: a run whose effects are not all known must be looked at, whatever else failed.
  const statuses = record.steps.filter((s) => s.kind !== "call").map((s) => s.status);
  if (statuses.includes("outcome_unknown")) return "outcome_unknown";
  if (statuses.includes("failed")) return "failed";
  return "succeeded";
}

async function finishRun(ctx: RunContext): Promise<FlowOutcome> {
  const { record } = ctx;
  if (record.status !== "running") return summarizeRun(record);
  const reads = await readServers(
    ctx.deps.cloud.ecs,
    record.targets.map((t) => t.id),
    ctx.deps.signal,
  );
  const finalStates = record.targets.map((t) => {
    const read = reads.get(t.id);
    if (read?.kind === "found")
      return { serverId: t.id, status: read.server.status, flavor: read.server.flavor.id };
    return { serverId: t.id, status: read?.kind === "not_found" ? "NOT_FOUND" : "UNREADABLE" };
  });
  const status = runStatusOf(record) as Exclude<RunStatus, "running">;
  const at = now(ctx);
  await commit(
    ctx,
    (r) => {
      r.status = status;
      r.finishedAt = at;
      r.currentStep = null;
      r.finalStates = finalStates;
    },
    [
      {
        ...auditBase(record),
        type: "execution.step",
        serverIds: record.targets.map((t) => t.id),
        outcome: approvalOutcomeOf(status),
        message: `run ${status}`,
        // The state each server was left in, read after the last step: the trail ends with the outcome.
        detail: {
          phase: "run_finished",
          status,
          finalStates: finalStates.map((f) => ({
            serverId: f.serverId,
            status: String(f.status),
            ...(f.flavor !== undefined && { flavor: f.flavor }),
          })),
        },
      },
    ],
    { removeFromSets: [{ setKey: OPEN_RUNS_SET, member: record.runId }] },
  );
  const outcome = summarizeRun(ctx.record);
  emit(ctx.deps, { type: "run_finished", runId: record.runId, outcome, at });
  return outcome;
}
