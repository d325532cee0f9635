import type { AuditEntryInput } from "../audit/audit-entry.js";
import type { ServerResult, StepStatus } from "./flow-statuses.js";
import { auditBase, commit, emit, now, type RunContext, stepOf } from "./run-context.js";
import type { RunRecord, StepRecord } from "./run-record.js";
import { emptyCounts } from "./summarize-run.js";

/** A step's record through its life: skipped, started (and announced), finished. */

export async function skipStep(
  ctx: RunContext,
  id: string,
  kind: StepRecord["kind"],
  reason: "no_targets" | "flow_stopped",
): Promise<void> {
  const at = now(ctx);
  await commit(
    ctx,
    (r) => {
      const s = stepOf(r, id);
      s.status = "skipped";
      s.skipReason = reason;
      s.finishedAt = at;
    },
    [
      {
        ...auditBase(ctx.record),
        type: "execution.step",
        message: `step ${id} skipped (${reason === "no_targets" ? "no target applies" : "the flow stopped"})`,
        detail: { phase: "step_skipped", stepId: id, reason },
      },
    ],
  );
  emit(ctx.deps, {
    type: "step_finished",
    runId: ctx.record.runId,
    stepId: id,
    kind,
    status: "skipped",
    skipReason: reason,
    counts: emptyCounts(),
    jobIds: [],
    at,
  });
}

/** The record change and audit entry of a pending step that starts at `at`. */
export function stepStarted(
  ctx: RunContext,
  def: { id: string; kind: StepRecord["kind"] },
  at: number,
): { change: (r: RunRecord) => void; audit: Omit<AuditEntryInput, "actorId"> } {
  return {
    change: (r) => {
      const s = stepOf(r, def.id);
      s.status = "running";
      s.startedAt = at;
      r.currentStep = def.id;
    },
    audit: {
      ...auditBase(ctx.record),
      type: "execution.step",
      serverIds: stepOf(ctx.record, def.id).serverIds,
      message: `step ${def.id} started`,
      detail: { phase: "step_started", stepId: def.id, kind: def.kind },
      at,
    },
  };
}

/**
 * Starts the step: a pending step is recorded as running (with `also`, a change that belongs to the same
 * write, e.g. a call's planned mutations), then its start is announced.
 */
export async function startStep(
  ctx: RunContext,
  def: { id: string; kind: StepRecord["kind"]; description: string },
  also?: (r: RunRecord) => void,
) {
  const rec = stepOf(ctx.record, def.id);
  const at = now(ctx);
  if (rec.status === "pending") {
    const started = stepStarted(ctx, def, at);
    await commit(
      ctx,
      (r) => {
        also?.(r);
        started.change(r);
      },
      [started.audit],
    );
  }
  announceStart(ctx, def, at);
}

export function announceStart(
  ctx: RunContext,
  def: { id: string; kind: StepRecord["kind"]; description: string },
  at: number,
): void {
  const rec = stepOf(ctx.record, def.id);
  emit(ctx.deps, {
    type: "step_started",
    runId: ctx.record.runId,
    stepId: def.id,
    kind: def.kind,
    description: def.description,
    serverIds: rec.serverIds,
    at,
  });
}

/** What else belongs to a step's end. */
interface StepEnd {
  /** Changes written with the end (the step, and the run for what is not the step's). */
  change?: (step: StepRecord, run: RunRecord) => void;
  /** Audit entries written before the step's own `step_finished` entry. */
  audit?: readonly Omit<AuditEntryInput, "actorId">[];
  /** Called once the write is done, before the step's end is announced. */
  beforeAnnounce?: () => void;
}

export async function finishStep(
  ctx: RunContext,
  def: { id: string; kind: StepRecord["kind"] },
  status: StepStatus,
  counts: Record<ServerResult, number>,
  end: StepEnd = {},
): Promise<void> {
  const at = now(ctx);
  await commit(
    ctx,
    (r) => {
      const s = stepOf(r, def.id);
      end.change?.(s, r);
      s.status = status;
      s.finishedAt = at;
    },
    (next) => {
      const problems = problemsOf(stepOf(next, def.id));
      return [
        ...(end.audit ?? []),
        {
          ...auditBase(ctx.record),
          type: "execution.step",
          serverIds: stepOf(ctx.record, def.id).serverIds,
          message: `step ${def.id} ${status}`,
          detail: {
            phase: "step_finished",
            stepId: def.id,
            status,
            counts,
            ...(problems.length > 0 && { problems }),
          },
        },
      ];
    },
  );
  end.beforeAnnounce?.();
  const rec = stepOf(ctx.record, def.id);
  // What the cloud answered to the calls whose outcome is unknown, shown on the call's line while the run waits.
  const answers = [
    ...new Set(
      rec.mutations.flatMap((m) => (m.state === "outcome_unknown" && m.error ? [m.error.message] : [])),
    ),
  ];
  emit(ctx.deps, {
    type: "step_finished",
    runId: ctx.record.runId,
    stepId: def.id,
    kind: def.kind,
    status,
    counts,
    jobIds:
      rec.kind === "call"
        ? rec.mutations.flatMap((m) => (m.jobId ? [m.jobId] : []))
        : rec.jobs.map((j) => j.jobId),
    ...(answers.length > 0 && { answers }),
    at,
  });
}

/**
 * The servers a step failed on or could not tell about, with what the cloud answered and the status they were
 * seen in: the audit of a partial failure names each server, not only the counts.
 */
function problemsOf(step: StepRecord) {
  return step.results
    .filter((r) => r.result === "failed" || r.result === "unknown")
    .map((r) => ({
      serverId: r.serverId,
      result: r.result,
      ...(r.code !== undefined && { code: r.code }),
      ...(r.reason !== undefined && { reason: r.reason }),
      ...(r.status !== undefined && { status: r.status }),
      ...(r.jobId !== undefined && { jobId: r.jobId }),
    }));
}
