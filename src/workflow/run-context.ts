import { type AuditEntryInput, EXECUTOR_ACTOR } from "../audit/audit-entry.js";
import { abortUpdate, type WriteOptions, writeUpdate } from "../store/store.js";
import type { FlowEvent } from "./flow-events.js";
import { isIn, STOPPING_STEP_STATUSES } from "./flow-statuses.js";
import {
  DEFAULT_RUN_RETENTION_MS,
  type RunRecord,
  RunRecordSchema,
  runKey,
  type StepRecord,
} from "./run-record.js";
import type { ExecuteFlowDeps } from "./types.js";

/**
 * What every part of a run shares: its record and dependencies, the versioned write of the record with its
 * audit entries (`commit`), events, and the errors that stop a run.
 */

/** Dependencies of a run once started (the flow itself is in the run record). */
export type RunDeps = Omit<ExecuteFlowDeps, "flows">;

/**
 * Thrown when the run record changed under us: another executor (a replica resuming it) owns the run now.
 * The work must stop at once; the other executor carries on from the record.
 */
export class RunOwnershipLostError extends Error {
  override readonly name = "RunOwnershipLostError";
  constructor(readonly runId: string) {
    super(`run ${runId} was changed by another executor; stopping`);
  }
}

/**
 * The run stopped at a safe point because `deps.signal` aborted (the replica is stopping, or it lost the run's
 * lease). Nothing is half done: the record says exactly where the run stands and `resumeFlow` continues it.
 */
export class RunSuspendedError extends Error {
  override readonly name = "RunSuspendedError";
  constructor(readonly runId: string) {
    super(`run ${runId} suspended at a safe point`);
  }
}

/** A safe point: stops the run here if its signal aborted. */
export function checkpoint(ctx: RunContext): void {
  if (ctx.deps.signal?.aborted) throw new RunSuspendedError(ctx.record.runId);
}

export interface RunContext {
  record: RunRecord;
  deps: RunDeps;
}

/** Emits an event without letting the listener slow down or break the run. */
export function emit(deps: RunDeps, event: FlowEvent): void {
  try {
    const result = deps.onEvent?.(event);
    if (result instanceof Promise) result.catch(() => {});
  } catch {
    // A broken listener (e.g. Slack down) must not stop an execution that is changing servers.
  }
}

export const now = (ctx: RunContext) => ctx.deps.clock.now();

/**
 * Base of every audit record of a run. The bot itself acts (who approved or started the run is in the
 * request's entries and the run's `run_created` entry); the requester is named so that their history shows
 * what ran for their request.
 */
export function auditBase(record: RunRecord): Omit<AuditEntryInput, "type"> {
  return {
    actorId: EXECUTOR_ACTOR,
    requestId: record.requestId,
    executionId: record.runId,
    ...(record.requesterId !== undefined && { requesterId: record.requesterId }),
  };
}

/**
 * An audit entry of the run `record` as it is written: the run's base fields where the entry has none, and
 * `detail.breakGlass` on every entry of a request that skipped approval (the trail shows it to the last call).
 */
export function runAuditEntry(record: RunRecord, entry: Omit<AuditEntryInput, "actorId">): AuditEntryInput {
  const withBase = { ...auditBase(record), ...entry } as AuditEntryInput;
  if (record.breakGlass !== true) return withBase;
  return { ...withBase, detail: { ...(withBase.detail ?? {}), breakGlass: true } };
}

/** A run's audit entries, or what makes them from the record as the write leaves it. */
export type RunAudit =
  | readonly Omit<AuditEntryInput, "actorId">[]
  | ((next: RunRecord) => readonly Omit<AuditEntryInput, "actorId">[]);

/**
 * Writes the next version of the run record, with its audit records committed atomically when the audit log
 * shares the store (otherwise the audit records are written first: if they fail, nothing changes).
 */
export async function commit(
  ctx: RunContext,
  change: (r: RunRecord) => void,
  audit: RunAudit = [],
  options: Pick<WriteOptions, "addToSets" | "removeFromSets"> = {},
): Promise<void> {
  const { store } = ctx.deps;
  const auditLog = ctx.deps.audit;
  const previous = ctx.record;
  const next = structuredClone(previous);
  change(next);
  next.updatedAt = now(ctx);
  next.rev = previous.rev + 1;
  RunRecordSchema.parse(next);
  const entries = (typeof audit === "function" ? audit(next) : audit).map((e) => runAuditEntry(previous, e));
  const sameStore = auditLog.store === store;
  const prepared = sameStore ? entries.map((e) => auditLog.prepare(e)) : [];
  if (!sameStore) for (const e of entries) await auditLog.record(e);
  // A finished run's record expires; a running one never does (it is in the open-runs set until it finishes).
  const retention =
    next.status === "running" ? {} : { ttlMs: ctx.deps.runRetentionMs ?? DEFAULT_RUN_RETENTION_MS };
  const result = await store.update<RunRecord, "lost">(
    runKey(previous.runId),
    (current) => {
      if (current === undefined || current.value.rev !== previous.rev) return abortUpdate("lost");
      return writeUpdate(next, {
        ...options,
        ...retention,
        append: prepared.map((p) => p.append),
        ...(ctx.deps.fence !== undefined && { fence: ctx.deps.fence }),
      });
    },
    { retries: 2 },
  );
  if (!result.ok) throw new RunOwnershipLostError(previous.runId);
  ctx.record = next;
  for (const p of prepared) p.publish();
}

export function stepOf(record: RunRecord, id: string): StepRecord {
  const step = record.steps.find((s) => s.id === id);
  if (!step) throw new Error(`run ${record.runId} has no step ${id}`);
  return step;
}

export function isStopping(record: RunRecord): boolean {
  return record.steps.some((s) => s.kind !== "call" && isIn(STOPPING_STEP_STATUSES, s.status));
}
