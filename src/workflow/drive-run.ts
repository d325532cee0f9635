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
import { ECS_BATCH_LIMIT } from "../cloud/create-ecs-api.js";
import { defaultSleep } from "../cloud/create-transport.js";
import { CloudError, OutcomeUnknownError } from "../cloud/errors.js";
import type { BatchActionResult } from "../cloud/types.js";
import {
  type ExpectedOutcome,
  type JobProgress,
  type JobWaitResult,
  type ServerJobResult,
  waitForJob,
} from "../cloud/wait-for-job.js";
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
import type { CallName, Expectation } from "./flow-vocabulary.js";
import { readServers } from "./read-servers.js";
import { reconcileFromServers } from "./reconcile-from-servers.js";
import {
  type CallParams,
  DEFAULT_RUN_RETENTION_MS,
  type MutationRecord,
  OPEN_RUNS_SET,
  type RunRecord,
  RunRecordSchema,
  runKey,
  type ServerStepResult,
  type StepRecord,
} from "./run-record.js";
import { emptyCounts, type FlowOutcome, summarizeRun } from "./summarize-run.js";
import type { CallStep, ExecuteFlowDeps, FlowParameters, RecheckStep, WaitStep } from "./types.js";

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

async function startStep(
  ctx: RunContext,
  def: { id: string; kind: StepRecord["kind"]; description: string },
) {
  const rec = stepOf(ctx.record, def.id);
  const at = now(ctx);
  if (rec.status === "pending") {
    await commit(
      ctx,
      (r) => {
        const s = stepOf(r, def.id);
        s.status = "running";
        s.startedAt = at;
        r.currentStep = def.id;
      },
      [
        {
          ...auditBase(ctx.record),
          type: "execution.step",
          serverIds: rec.serverIds,
          message: `step ${def.id} started`,
          detail: { phase: "step_started", stepId: def.id, kind: def.kind },
        },
      ],
    );
  }
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

async function finishStep(
  ctx: RunContext,
  def: { id: string; kind: StepRecord["kind"] },
  status: StepStatus,
  change: (s: StepRecord) => void,
  counts: Record<ServerResult, number>,
  extraAudit: readonly Omit<AuditEntryInput, "actorId">[] = [],
): Promise<void> {
  const at = now(ctx);
  await commit(
    ctx,
    (r) => {
      const s = stepOf(r, def.id);
      change(s);
      s.status = status;
      s.finishedAt = at;
    },
    [
      ...extraAudit,
      {
        ...auditBase(ctx.record),
        type: "execution.step",
        serverIds: stepOf(ctx.record, def.id).serverIds,
        message: `step ${def.id} ${status}`,
        detail: { phase: "step_finished", stepId: def.id, status, counts },
      },
    ],
  );
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

async function runRecheck(ctx: RunContext, def: RecheckStep): Promise<void> {
  await startStep(ctx, def);
  const { targets } = ctx.record;
  const reads = await readServers(
    ctx.deps.cloud.ecs,
    targets.map((t) => t.id),
    ctx.deps.signal,
  );
  const drift = detectDrift(targets, reads);
  const counts = emptyCounts();
  if (drift.length === 0) {
    counts.succeeded = targets.length;
    await finishStep(ctx, def, "succeeded", () => {}, counts);
    return;
  }
  const drifted = new Set(drift.map((d) => d.serverId));
  counts.failed = drifted.size;
  counts.succeeded = targets.length - drifted.size;
  const lines = drift.map(describeDrift);
  await commit(
    ctx,
    (r) => {
      r.drift = drift;
    },
    [
      {
        ...auditBase(ctx.record),
        type: "execution.step",
        serverIds: [...drifted],
        message: `aborted before any call: the servers changed since approval: ${lines.join("; ")}`,
        detail: { phase: "drift", stepId: def.id, drift: lines },
      },
    ],
  );
  emit(ctx.deps, { type: "drift_detected", runId: ctx.record.runId, drift, at: now(ctx) });
  await finishStep(ctx, def, "failed", () => {}, counts);
}

// ---------------------------------------------------------------------------------------------
// call
// ---------------------------------------------------------------------------------------------

function callParams(call: CallName, p: FlowParameters): CallParams {
  switch (call) {
    case "ecs.batch_stop":
    case "ecs.batch_reboot":
      return { type: p.hard === true ? "HARD" : "SOFT" };
    case "ecs.batch_start":
      return {};
    case "ecs.resize":
      return p.flavorRef === undefined ? {} : { flavorRef: p.flavorRef };
    case "ecs.delete":
      // Always explicit: "omitted" would leave the EIP's fate to its own setting, which the preflight cannot promise.
      return { deleteVolume: p.deleteVolume === true, deletePublicIp: p.deleteEip === true };
  }
}

/** One API call per mutation: the client would split >1,000 servers itself, but then one intent would cover several calls. */
function planMutations(call: CallName, serverIds: readonly string[], params: CallParams): MutationRecord[] {
  const groups: string[][] = [];
  if (call === "ecs.resize") for (const id of serverIds) groups.push([id]);
  else
    for (let i = 0; i < serverIds.length; i += ECS_BATCH_LIMIT)
      groups.push(serverIds.slice(i, i + ECS_BATCH_LIMIT));
  return groups.map((ids, index) => ({ index, call, serverIds: ids, params, state: "planned" }));
}

type SendOutcome =
  | { kind: "accepted"; jobId: string }
  | { kind: "rejected"; code: string; message: string }
  | { kind: "outcome_unknown"; code: string; message: string };

function outcomeOfError(err: unknown): SendOutcome {
  if (err instanceof CloudError) return { kind: "rejected", code: err.code, message: err.message };
  if (err instanceof OutcomeUnknownError)
    return { kind: "outcome_unknown", code: err.reason, message: err.message };
  // Anything else happened somewhere between us and the cloud: whether the call left cannot be known.
  return {
    kind: "outcome_unknown",
    code: "INTERNAL",
    message: err instanceof Error ? err.message : String(err),
  };
}

function outcomeOfBatch(res: BatchActionResult): SendOutcome {
  const job = res.jobs[0];
  const failure = res.failures[0];
  if (res.jobs.length + res.failures.length !== 1) {
    return {
      kind: "outcome_unknown",
      code: "INTERNAL",
      message: `expected one API call, the client made ${res.jobs.length + res.failures.length}`,
    };
  }
  if (job) return { kind: "accepted", jobId: job.jobId };
  return outcomeOfError(failure!.error);
}

async function send(ctx: RunContext, m: MutationRecord): Promise<SendOutcome> {
  const { ecs } = ctx.deps.cloud;
  try {
    switch (m.call) {
      case "ecs.batch_start":
        return outcomeOfBatch(await ecs.startServers(m.serverIds));
      case "ecs.batch_stop":
        return outcomeOfBatch(await ecs.stopServers(m.serverIds, m.params.type ?? "SOFT"));
      case "ecs.batch_reboot":
        return outcomeOfBatch(await ecs.rebootServers(m.serverIds, m.params.type ?? "SOFT"));
      case "ecs.delete":
        return outcomeOfBatch(
          await ecs.deleteServers(m.serverIds, {
            deleteVolume: m.params.deleteVolume === true,
            deletePublicIp: m.params.deletePublicIp === true,
          }),
        );
      case "ecs.resize": {
        const serverId = m.serverIds[0]!;
        if (m.params.flavorRef === undefined) {
          return { kind: "rejected", code: "NO_FLAVOR", message: "no flavor given for the resize" };
        }
        const res = await ecs.resizeServer(serverId, m.params.flavorRef);
        if (res.dryRun)
          return { kind: "outcome_unknown", code: "INTERNAL", message: "resize answered as a dry run" };
        return { kind: "accepted", jobId: res.jobId };
      }
    }
  } catch (err) {
    return outcomeOfError(err);
  }
}

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
  if (rec.status === "pending") {
    const params = callParams(def.call, ctx.record.parameters);
    const mutations = planMutations(def.call, rec.serverIds, params);
    await commit(ctx, (r) => {
      stepOf(r, def.id).mutations = mutations;
    });
  }
  await startStep(ctx, def);
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
    const outcome = await send(ctx, planned);
    ctx.deps.faultPoint?.("after-send");
    const at = now(ctx);
    if (outcome.kind === "accepted") {
      await commit(
        ctx,
        update((m) => {
          m.state = "accepted";
          m.jobId = outcome.jobId;
          m.settledAt = at;
        }),
        [
          {
            ...base,
            type: "execution.job",
            jobId: outcome.jobId,
            serverIds: planned.serverIds,
            message: `${def.call} accepted: job ${outcome.jobId}`,
            detail: { stepId: def.id, call: def.call, index },
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
  await finishStep(ctx, def, status, () => {}, counts);
}

// ---------------------------------------------------------------------------------------------
// wait
// ---------------------------------------------------------------------------------------------

function expectedOutcome(
  expect: Expectation,
  serverIds: string[],
  flavorRef?: string,
): ExpectedOutcome | undefined {
  switch (expect) {
    case "running":
      return { serverIds, state: "ACTIVE" };
    case "stopped":
      return { serverIds, state: "SHUTOFF" };
    case "deleted":
      return { serverIds, state: "DELETED" };
    case "resized":
      return flavorRef === undefined ? undefined : { serverIds, state: "SHUTOFF", flavorId: flavorRef };
    case "rebooted":
      // A reboot ends ACTIVE as it began: reaching ACTIVE proves nothing, so no fallback to server states.
      return undefined;
  }
}

function countsOfJobServers(total: number, servers: readonly ServerJobResult[]): ProgressCounts {
  const succeeded = servers.filter((s) => s.status === "SUCCESS").length;
  const failed = servers.filter((s) => s.status === "FAIL").length;
  const all = Math.max(total, servers.length);
  return { total: all, succeeded, failed, running: all - succeeded - failed };
}

function resultsOfJob(
  m: MutationRecord,
  jobId: string,
  r: JobWaitResult,
): { results: ServerStepResult[]; jobStatus: string } {
  if (r.outcome === "UNKNOWN") {
    const jobServers = (r.servers ?? []) as readonly (
      | ServerJobResult
      | { serverId: string; reached: boolean; status: string }
    )[];
    const why =
      r.reason === "deadline"
        ? `job ${jobId} had not finished by the deadline${r.job ? ` (still ${r.job.status})` : ""}`
        : r.reason === "job-not-found"
          ? `job ${jobId} no longer exists and the servers' state cannot prove the outcome`
          : `job ${jobId} could not be read (${r.error?.code ?? "error"}: ${r.error?.message ?? ""})`;
    const results = m.serverIds.map((serverId): ServerStepResult => {
      const s = jobServers.find((x) => x.serverId === serverId);
      if (s && "reached" in s && s.reached)
        return { serverId, result: "succeeded", source: "servers", jobId, status: s.status };
      if (s && !("reached" in s) && s.status === "SUCCESS")
        return { serverId, result: "succeeded", source: "job", jobId };
      if (s && !("reached" in s) && s.status === "FAIL") {
        return {
          serverId,
          result: "failed",
          source: "job",
          jobId,
          reason: s.failReason ?? "sub-job failed",
          ...(s.errorCode !== undefined && { code: s.errorCode }),
        };
      }
      return { serverId, result: "unknown", source: "job", jobId, reason: why };
    });
    return { results, jobStatus: r.job?.status ?? "UNKNOWN" };
  }
  if (r.source === "servers") {
    const results = m.serverIds.map((serverId): ServerStepResult => {
      const s = r.servers.find((x) => x.serverId === serverId);
      if (s?.reached) return { serverId, result: "succeeded", source: "servers", jobId, status: s.status };
      if (s && s.status === "ERROR") {
        return {
          serverId,
          result: "failed",
          source: "servers",
          jobId,
          status: s.status,
          reason: s.failReason ?? "the server is in ERROR",
        };
      }
      return {
        serverId,
        result: "unknown",
        source: "servers",
        jobId,
        ...(s && { status: s.status }),
        reason:
          r.via === "job-not-found"
            ? `job ${jobId} no longer exists and the server did not reach the expected state`
            : `job ${jobId} could not be read and the server did not reach the expected state`,
      };
    });
    // Settled from the servers: the job was purged, or could not be read while they showed the outcome.
    return { results, jobStatus: r.via === "job-not-found" ? "NOT_FOUND" : "UNREADABLE" };
  }
  const results = m.serverIds.map((serverId): ServerStepResult => {
    const s = r.servers.find((x) => x.serverId === serverId);
    if (s?.status === "SUCCESS" || (!s && r.outcome === "SUCCESS" && r.servers.length === 0)) {
      return { serverId, result: "succeeded", source: "job", jobId };
    }
    if (s?.status === "FAIL") {
      return {
        serverId,
        result: "failed",
        source: "job",
        jobId,
        reason:
          s.failReason ?? (r.outcome === "FAIL" ? (r.failReason ?? "sub-job failed") : "sub-job failed"),
        ...(s.errorCode !== undefined && { code: s.errorCode }),
      };
    }
    if (!s && r.outcome === "FAIL") {
      return {
        serverId,
        result: "failed",
        source: "job",
        jobId,
        reason: r.failReason ?? "the job failed",
        ...(r.job.errorCode ? { code: r.job.errorCode } : {}),
      };
    }
    return {
      serverId,
      result: "unknown",
      source: "job",
      jobId,
      reason: `job ${jobId} ended ${r.outcome} without a result for this server`,
    };
  });
  return { results, jobStatus: r.job.status };
}

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
  const flavorRef = ctx.record.parameters.flavorRef;
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
        switch (m.state) {
          case "accepted": {
            const jobId = m.jobId!;
            const expect = expectedOutcome(def.expect, m.serverIds, flavorRef);
            const r = await waitForJob({
              ecs: deps.cloud.ecs,
              jobId,
              ...(expect && { expect }),
              timeoutMs: Math.max(0, deadline - now(ctx)),
              now: () => deps.clock.now(),
              sleep,
              ...deps.polling,
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
            return { results, job: { jobId, status: jobStatus } };
          }
          case "intent":
          case "outcome_unknown": {
            const results = await reconcileFromServers({
              ecs: deps.cloud.ecs,
              serverIds: m.serverIds,
              expect: def.expect,
              ...(flavorRef !== undefined && { flavorRef }),
              deadline,
              now: () => deps.clock.now(),
              sleep,
              ...deps.polling,
              ...(deps.signal && { signal: deps.signal }),
              onProgress: (counts) => progress(null, "servers", "RECONCILING", counts),
            });
            const settled = results.filter((x) => x.result !== "unknown").length;
            reconciledAudit.push({
              ...base,
              type: "execution.step",
              serverIds: m.serverIds,
              message: `${m.call} (outcome unknown) reconciled from the servers' state: ${settled} of ${m.serverIds.length} settled`,
              detail: {
                phase: "reconciled",
                stepId: def.id,
                call: m.call,
                index: m.index,
                results: results.map((x) => ({ serverId: x.serverId, result: x.result })),
              },
            });
            return { results };
          }
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
  await finishStep(
    ctx,
    def,
    status,
    (s) => {
      s.results = results;
      s.jobs = jobs;
    },
    counts,
    reconciledAudit,
  );
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
