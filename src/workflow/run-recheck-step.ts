import type { AuditEntryInput } from "../audit/audit-entry.js";
import { abortReasonOf, describeDrift, detectDrift } from "./detect-drift.js";
import { approvedByPeople } from "./flow-events.js";
import { readServers } from "./read-servers.js";
import { auditBase, emit, now, type RunContext, stepOf } from "./run-context.js";
import { announceStart, finishStep, stepStarted } from "./run-step-lifecycle.js";
import { emptyCounts } from "./summarize-run.js";
import type { RecheckStep } from "./types.js";

/** The `recheck` step: the servers read again and compared with what was approved (drift stops the run). */

/**
 * A re-check only reads, so its start and its end are one write: a re-check interrupted before that write is
 * found pending and simply reads again. The audit keeps both entries, the start with its own time.
 */
export async function runRecheck(ctx: RunContext, def: RecheckStep): Promise<void> {
  const startedAt = now(ctx);
  const started =
    stepOf(ctx.record, def.id).status === "pending" ? stepStarted(ctx, def, startedAt) : undefined;
  announceStart(ctx, def, startedAt);
  const { targets } = ctx.record;
  const ids = targets.map((t) => t.id);
  // Reads made just before the run may serve only a re-check that precedes every call of the run.
  const beforeAnyCall = ctx.record.steps.every((s) => s.kind !== "call" || s.mutations.length === 0);
  const reads =
    (beforeAnyCall ? ctx.deps.primedReads?.take(ids, now(ctx)) : undefined) ??
    (await readServers(ctx.deps.cloud.ecs, ids, ctx.deps.signal));
  const drift = detectDrift(targets, reads);
  const counts = emptyCounts();
  const drifted = new Set(drift.map((d) => d.serverId));
  counts.failed = drifted.size;
  counts.succeeded = targets.length - drifted.size;
  const lines = drift.map(describeDrift);
  // A server that could not be read stops the run as a change does, but it is not one: the audit says which.
  const reason = abortReasonOf(drift);
  const driftAudit: Omit<AuditEntryInput, "actorId">[] =
    reason === undefined
      ? []
      : [
          {
            ...auditBase(ctx.record),
            type: "execution.step",
            serverIds: [...drifted],
            message:
              reason === "unreadable"
                ? `aborted before any call: the servers could not be read, nothing was sent: ${lines.join("; ")}`
                : // Nobody approved a request the policy allowed: it changed since it was asked.
                  `aborted before any call: the servers changed since ${approvedByPeople(ctx.record) ? "approval" : "it was asked"}: ${lines.join("; ")}`,
            detail: { phase: "drift", stepId: def.id, reason, drift: lines },
          },
        ];
  await finishStep(ctx, def, drift.length === 0 ? "succeeded" : "failed", counts, {
    change: (_step, r) => {
      started?.change(r);
      if (drift.length > 0) r.drift = drift;
    },
    audit: [...(started !== undefined ? [started.audit] : []), ...driftAudit],
    // Announced between the drift's record and the step's end, as a reader of the events expects.
    beforeAnnounce: () => {
      if (drift.length > 0)
        emit(ctx.deps, { type: "drift_detected", runId: ctx.record.runId, drift, at: now(ctx) });
    },
  });
}
