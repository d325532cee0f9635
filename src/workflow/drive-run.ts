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
 *   wait (or re-check) stops the flow: no further call is made.
 * - Ownership: every write is fenced by the run's lease when `deps.fence` is given, and checked against the
 *   record's revision; a writer that lost either stops with {@link RunOwnershipLostError}. When `deps.signal`
 *   aborts, the run stops at the next safe point with {@link RunSuspendedError}: before a step or before a
 *   call's intent, never between sending a call and saving its job ID.
 */
import type { AuditEntryInput } from "../audit/audit-entry.js";
import { defaultSleep } from "../cloud/create-transport.js";
import { type JobProgress, waitForJob } from "../cloud/wait-for-job.js";
import { abortUpdate, type WriteOptions, writeUpdate } from "../store/store.js";
import { describeDrift, detectDrift } from "./detect-drift.js";
import type { FlowEvent, ProgressCounts } from "./flow-events.js";
import {
  approvalOutcomeOf,
  isIn,
  type RunStatus,
  type ServerResult,
  STOPPING_STEP_STATUSES,
  type StepStatus,
  TERMINAL_STEP_STATUSES,
} from "./flow-statuses.js";
import { readServers } from "./read-servers.js";
import { reconcileFromServers } from "./reconcile-from-servers.js";
import { countsOfJobServers, expectedOutcome, resultsOfJob } from "./results-of-job.js";
import {
  DEFAULT_RUN_RETENTION_MS,
  type MutationRecord,
  OPEN_RUNS_SET,
  type RunRecord,
  RunRecordSchema,
  runKey,
  type ServerStepResult,
  type StepRecord,
} from "./run-record.js";
import { callParamsOf, planMutations, sendMutation } from "./send-mutation.js";
import { emptyCounts, type FlowOutcome, summarizeRun } from "./summarize-run.js";
import type { CallStep, ExecuteFlowDeps, RecheckStep, WaitStep } from "./types.js";

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
function checkpoint(ctx: RunContext): void {
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

const now = (ctx: RunContext) => ctx.deps.clock.now();

/** Base of every audit record of a run. */
function auditBase(record: RunRecord): Omit<AuditEntryInput, "type"> {
  return {
    actorId: record.actorId,
    requestId: record.requestId,
    executionId: record.runId,
  };
}

/**
 * Writes the next version of the run record, with its audit records committed atomically when the audit log
 * shares the store (otherwise the audit records are written first: if they fail, nothing changes).
 */
export async function commit(
  ctx: RunContext,
  change: (r: RunRecord) => void,
  audit: readonly Omit<AuditEntryInput, "actorId">[] = [],
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
  const entries = audit.map((e) => ({ actorId: previous.actorId, ...e }) as AuditEntryInput);
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

function stepOf(record: RunRecord, id: string): StepRecord {
  const step = record.steps.find((s) => s.id === id);
  if (!step) throw new Error(`run ${record.runId} has no step ${id}`);
  return step;
}

function isStopping(record: RunRecord): boolean {
  return record.steps.some((s) => s.kind !== "call" && isIn(STOPPING_STEP_STATUSES, s.status));
}

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
  return finishRun(ctx);
}

async function skipStep(
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
function stepStarted(
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
async function startStep(
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

function announceStart(
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

async function finishStep(
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
    [
      ...(end.audit ?? []),
      {
        ...auditBase(ctx.record),
        type: "execution.step",
        serverIds: stepOf(ctx.record, def.id).serverIds,
        message: `step ${def.id} ${status}`,
        detail: { phase: "step_finished", stepId: def.id, status, counts },
      },
    ],
  );
  end.beforeAnnounce?.();
  const rec = stepOf(ctx.record, def.id);
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
    at,
  });
}

// ---------------------------------------------------------------------------------------------
// recheck
// ---------------------------------------------------------------------------------------------

/**
 * A re-check only reads, so its start and its end are one write: a re-check interrupted before that write is
 * found pending and simply reads again. The audit keeps both entries, the start with its own time.
 */
async function runRecheck(ctx: RunContext, def: RecheckStep): Promise<void> {
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
  const driftAudit: Omit<AuditEntryInput, "actorId">[] =
    drift.length === 0
      ? []
      : [
          {
            ...auditBase(ctx.record),
            type: "execution.step",
            serverIds: [...drifted],
            message: `aborted before any call: the servers changed since approval: ${lines.join("; ")}`,
            detail: { phase: "drift", stepId: def.id, drift: lines },
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

// ---------------------------------------------------------------------------------------------
// call
// ---------------------------------------------------------------------------------------------

/** Tells `deps.onBeforeMutation` what is about to be sent; its failures never stop the run. */
async function beforeMutation(ctx: RunContext, def: CallStep, m: MutationRecord): Promise<void> {
  const hook = ctx.deps.onBeforeMutation;
  if (hook === undefined) return;
  const wait = ctx.record.flow.steps.find((s) => s.kind === "wait" && s.after === def.id);
  try {
    await hook({
      call: m.call,
      serverIds: [...m.serverIds],
      ...(wait?.kind === "wait" && { waitTimeoutMs: wait.timeoutMs }),
    });
  } catch {
    // Bookkeeping for others (e.g. notifications): the servers must change whether or not it worked.
  }
}

async function runCall(ctx: RunContext, def: CallStep): Promise<void> {
  const rec = stepOf(ctx.record, def.id);
  if (rec.serverIds.length === 0) {
    await skipStep(ctx, def.id, def.kind, "no_targets");
    return;
  }
  // The plan is written with the step's start: nothing is sent before the intent of each call is saved.
  let plan: ((r: RunRecord) => void) | undefined;
  if (rec.status === "pending") {
    const params = callParamsOf(def.call, ctx.record.parameters);
    const mutations = planMutations(def.call, rec.serverIds, params);
    plan = (r) => {
      stepOf(r, def.id).mutations = mutations;
    };
  }
  await startStep(ctx, def, plan);
  const base = auditBase(ctx.record);
  for (const planned of stepOf(ctx.record, def.id).mutations) {
    const index = planned.index;
    const update = (change: (m: MutationRecord) => void) => (r: RunRecord) => {
      change(stepOf(r, def.id).mutations[index]!);
    };
    if (planned.state === "intent") {
      // Interrupted between saving the intent and saving the result: it may have been sent. Never resend.
      await commit(
        ctx,
        update((m) => {
          m.state = "outcome_unknown";
          m.interrupted = true;
          m.settledAt = now(ctx);
          m.error = {
            code: "INTERRUPTED",
            message: "interrupted after the intent was saved; the call may have been sent",
          };
        }),
        [
          {
            ...base,
            type: "execution.step",
            serverIds: planned.serverIds,
            message: `${def.call}: interrupted after the intent was saved; not resent, to be reconciled from the servers`,
            detail: { phase: "interrupted", stepId: def.id, call: def.call, index },
          },
        ],
      );
      continue;
    }
    if (planned.state !== "planned") continue;
    checkpoint(ctx);
    await beforeMutation(ctx, def, planned);
    await commit(
      ctx,
      update((m) => {
        m.state = "intent";
        m.intentAt = now(ctx);
      }),
      [
        {
          ...base,
          type: "execution.step",
          serverIds: planned.serverIds,
          message: `${def.call} about to be sent for ${planned.serverIds.length} server(s)`,
          detail: { phase: "intent", stepId: def.id, call: def.call, index, params: planned.params },
        },
      ],
    );
    ctx.deps.faultPoint?.("after-intent");
    const outcome = await sendMutation(ctx.deps.cloud.ecs, planned);
    ctx.deps.faultPoint?.("after-send");
    const at = now(ctx);
    if (outcome.kind === "accepted") {
      const jobId = outcome.jobId;
      await commit(
        ctx,
        update((m) => {
          m.state = "accepted";
          if (jobId !== undefined) m.jobId = jobId;
          m.settledAt = at;
        }),
        [
          jobId !== undefined
            ? {
                ...base,
                type: "execution.job",
                jobId,
                serverIds: planned.serverIds,
                message: `${def.call} accepted: job ${jobId}`,
                detail: { stepId: def.id, call: def.call, index },
              }
            : {
                // Answered without a job (tags, lock): its wait confirms it from the servers.
                ...base,
                type: "execution.step",
                serverIds: planned.serverIds,
                message: `${def.call} accepted (no job: confirmed from the servers)`,
                detail: { phase: "call_accepted", stepId: def.id, call: def.call, index },
              },
        ],
      );
    } else {
      await commit(
        ctx,
        update((m) => {
          m.state = outcome.kind;
          m.settledAt = at;
          m.error = { code: outcome.code, message: outcome.message };
        }),
        [
          {
            ...base,
            type: "execution.step",
            serverIds: planned.serverIds,
            message:
              outcome.kind === "rejected"
                ? `${def.call} rejected: ${outcome.code} ${outcome.message}`
                : `${def.call} outcome unknown (${outcome.code}); not resent, to be reconciled from the servers`,
            detail: {
              phase: outcome.kind === "rejected" ? "call_rejected" : "call_outcome_unknown",
              stepId: def.id,
              call: def.call,
              index,
              code: outcome.code,
            },
          },
        ],
      );
    }
  }
  const mutations = stepOf(ctx.record, def.id).mutations;
  const counts = emptyCounts();
  for (const m of mutations) {
    const n = m.serverIds.length;
    if (m.state === "accepted") counts.succeeded += n;
    else if (m.state === "rejected") counts.failed += n;
    else counts.unknown += n;
  }
  const status: StepStatus =
    counts.failed > 0 ? "failed" : counts.unknown > 0 ? "outcome_unknown" : "succeeded";
  await finishStep(ctx, def, status, counts);
}

// ---------------------------------------------------------------------------------------------
// wait
// ---------------------------------------------------------------------------------------------

async function runWait(ctx: RunContext, def: WaitStep): Promise<void> {
  const callRec = stepOf(ctx.record, def.after);
  if (callRec.status === "skipped") {
    await skipStep(ctx, def.id, def.kind, callRec.skipReason ?? "no_targets");
    return;
  }
  // A wait found running was interrupted: the interruption does not eat into its time, it gets the full timeout again.
  const resumed = stepOf(ctx.record, def.id).status === "running";
  await startStep(ctx, def);
  const { deps } = ctx;
  const rec = stepOf(ctx.record, def.id);
  const deadline = (resumed ? now(ctx) : (rec.startedAt ?? now(ctx))) + def.timeoutMs;
  const sleep = deps.sleep ?? defaultSleep;
  const parameters = ctx.record.parameters;
  const runId = ctx.record.runId;
  const progress = (
    jobId: string | null,
    source: "job" | "servers",
    status: string,
    counts: ProgressCounts,
  ) =>
    emit(deps, { type: "job_progress", runId, stepId: def.id, jobId, source, status, counts, at: now(ctx) });
  const base = auditBase(ctx.record);
  const reconciledAudit: Omit<AuditEntryInput, "actorId">[] = [];

  const perMutation = await Promise.all(
    callRec.mutations.map(
      async (m): Promise<{ results: ServerStepResult[]; job?: { jobId: string; status: string } }> => {
        /** Reads the servers until they show the call's effect: a call without a job, or of unknown outcome. */
        const fromServers = async (why: "confirmed" | "reconciled") => {
          const results = await reconcileFromServers({
            ecs: deps.cloud.ecs,
            serverIds: m.serverIds,
            expect: def.expect,
            parameters,
            deadline,
            now: () => deps.clock.now(),
            sleep,
            ...deps.polling,
            ...(deps.signal && { signal: deps.signal }),
            onProgress: (counts) =>
              progress(null, "servers", why === "confirmed" ? "CONFIRMING" : "RECONCILING", counts),
          });
          const settled = results.filter((x) => x.result !== "unknown").length;
          reconciledAudit.push({
            ...base,
            type: "execution.step",
            serverIds: m.serverIds,
            message:
              why === "confirmed"
                ? `${m.call} (no job) confirmed from the servers' state: ${settled} of ${m.serverIds.length} settled`
                : `${m.call} (outcome unknown) reconciled from the servers' state: ${settled} of ${m.serverIds.length} settled`,
            detail: {
              phase: why,
              stepId: def.id,
              call: m.call,
              index: m.index,
              results: results.map((x) => ({ serverId: x.serverId, result: x.result })),
            },
          });
          return { results };
        };
        switch (m.state) {
          case "accepted": {
            if (m.jobId === undefined) return fromServers("confirmed");
            const jobId = m.jobId;
            const expect = expectedOutcome(def.expect, m.serverIds, parameters);
            const waitStarted = deps.clock.now();
            const r = await waitForJob({
              ecs: deps.cloud.ecs,
              jobId,
              ...(expect && { expect }),
              timeoutMs: Math.max(0, deadline - now(ctx)),
              now: () => deps.clock.now(),
              sleep,
              ...deps.polling,
              ...(deps.pollGate && { gate: deps.pollGate }),
              ...(deps.signal && { signal: deps.signal }),
              onProgress: (p: JobProgress) => {
                if (p.kind === "job")
                  progress(jobId, "job", p.to, countsOfJobServers(m.serverIds.length, p.servers));
                else if (p.kind === "servers") {
                  const succeeded = p.servers.filter((s) => s.reached).length;
                  const failed = p.servers.filter((s) => !s.reached && s.status === "ERROR").length;
                  progress(jobId, "servers", "RECONCILING", {
                    total: p.servers.length,
                    succeeded,
                    failed,
                    running: p.servers.length - succeeded - failed,
                  });
                }
              },
            });
            const { results, jobStatus } = resultsOfJob(m, jobId, r);
            deps.metrics?.jobFinished(jobStatus, deps.clock.now() - waitStarted);
            return { results, job: { jobId, status: jobStatus } };
          }
          case "intent":
          case "outcome_unknown":
            return fromServers("reconciled");
          case "rejected":
            return {
              results: m.serverIds.map((serverId) => ({
                serverId,
                result: "failed",
                source: "call",
                reason: m.error?.message ?? "the call was rejected",
                ...(m.error && { code: m.error.code }),
              })),
            };
          case "planned":
            return {
              results: m.serverIds.map((serverId) => ({
                serverId,
                result: "not_started",
                source: "call",
                reason: "the call was not sent",
              })),
            };
        }
      },
    ),
  );
  const byServer = new Map(perMutation.flatMap((p) => p.results).map((r) => [r.serverId, r]));
  const results = callRec.serverIds.flatMap((id) => {
    const r = byServer.get(id);
    return r ? [r] : [];
  });
  const jobs = perMutation.flatMap((p) => (p.job ? [p.job] : []));
  const counts = emptyCounts();
  for (const r of results) counts[r.result]++;
  const status: StepStatus =
    counts.failed > 0 || counts.not_started > 0
      ? "failed"
      : counts.unknown > 0
        ? "outcome_unknown"
        : "succeeded";
  await finishStep(ctx, def, status, counts, {
    change: (s) => {
      s.results = results;
      s.jobs = jobs;
    },
    audit: reconciledAudit,
  });
}

// ---------------------------------------------------------------------------------------------
// finish
// ---------------------------------------------------------------------------------------------

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
        detail: { phase: "run_finished", status },
      },
    ],
    { removeFromSets: [{ setKey: OPEN_RUNS_SET, member: record.runId }] },
  );
  const outcome = summarizeRun(ctx.record);
  emit(ctx.deps, { type: "run_finished", runId: record.runId, outcome, at });
  return outcome;
}
