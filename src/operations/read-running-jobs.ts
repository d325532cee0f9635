import type { ApprovalRequest } from "../approvals/approval-request.js";
import type { ApprovalService } from "../approvals/approval-service.js";
import type { AuditRecord } from "../audit/audit-entry.js";
import type { Policy } from "../policy/types.js";
import type { Store } from "../store/store.js";
import { wavePlanOf } from "../waves/plan-waves.js";
import {
  parentOfWaveRun,
  type WaveRunRecord,
  WaveRunRecordSchema,
  waveFlowRunId,
  waveRunKey,
} from "../waves/wave-run-record.js";
import { approvedByPeople } from "../workflow/flow-events.js";
import { operationOfAction } from "../workflow/flow-parameters-of.js";
import { stepWords } from "../workflow/flow-status-message.js";
import { OPEN_RUNS_SET, type RunRecord, RunRecordSchema, runKey } from "../workflow/run-record.js";
import type {
  RecentJob,
  RunningJob,
  RunningWaves,
  ScheduledJob,
  ScheduledOutlook,
} from "./build-jobs-view.js";
import { freezeOf, policyChangeCause } from "./build-policy-change-view.js";
import { isPolicyAllowed, POLICY_ACTOR, verbOf } from "./describe-request.js";
import { judgeStartNow } from "./judge-start-now.js";
import { type RedecisionFacts, redecideApproved } from "./redecide-approved.js";
import { abortedShown, stopShown } from "./request-card-outcome.js";
import type { RequestDetails } from "./request-details.js";

/** Scheduled changes `/ops jobs` lists at most: the soonest; the others are counted. */
export const MAX_LISTED_SCHEDULED = 10;

/** The scheduled changes to list (the soonest first), how many there are in all, and their requests (for links). */
export interface ScheduledJobs {
  jobs: ScheduledJob[];
  total: number;
  requests: ApprovalRequest[];
}

/**
 * What each listed change is judged on (`scheduledOutlookOf`): everything in memory or in the store, no cloud
 * call. `groupsOf` absent (the groups could not be read): the policy is not decided again, only the time and
 * the window are judged.
 */
export interface ScheduledJudging {
  policy: Policy;
  now: number;
  groupsOf?: (userId: string) => string[];
  /** The name of the channel the request was asked in (its details), for rules on channels. */
  channelNameOf: (requestId: string) => Promise<string | undefined>;
}

/**
 * The approved changes waiting for their time (`--at`, `--window`): they will run unless cancelled, whoever
 * looks. Read from the index of approved requests (one read of each, the same as `/ops approvals`; a request
 * approved now and not scheduled leaves it as it starts), never a scan of finished requests nor a cloud call:
 * the names are the request's own. The `limit` soonest, by start time (then oldest asked first), each judged
 * on the calendars and the policy as they are now when `judging` is given.
 */
export async function readScheduledJobs(
  approvals: Pick<ApprovalService, "listByStatus">,
  judging?: ScheduledJudging,
  limit: number = MAX_LISTED_SCHEDULED,
): Promise<ScheduledJobs> {
  const waiting = (await approvals.listByStatus("approved"))
    .filter((r) => r.status === "approved" && r.schedule !== undefined)
    .sort(
      (a, b) =>
        (a.schedule?.runAt ?? 0) - (b.schedule?.runAt ?? 0) ||
        a.createdAt - b.createdAt ||
        (a.id < b.id ? -1 : 1),
    );
  const requests = waiting.slice(0, Math.max(0, limit));
  const jobs: ScheduledJob[] = [];
  for (const request of requests) {
    const job = scheduledJobOf(request);
    if (job === undefined) continue;
    if (judging === undefined) {
      jobs.push(job);
      continue;
    }
    const { groupsOf } = judging;
    const outlook = scheduledOutlookOf(request, judging.policy, judging.now, {
      ...(groupsOf !== undefined && {
        redecide: { groupsOf, channelName: await judging.channelNameOf(request.id) },
      }),
    });
    jobs.push(outlook === undefined ? job : { ...job, outlook });
  }
  return { jobs, total: waiting.length, requests };
}

/**
 * What the execution gate would do with a scheduled change at its time, on the calendars and the policy as
 * they are now, judged as the gate judges at start time: when it starts, or never (`judgeStartNow`: its
 * approval before its time, its window as the calendar has it: open, later within the approved span, or never),
 * then the policy decided again as of the start (`redecideApproved`, on its servers as approved: no cloud read) when
 * `redecide` is given. Stricter then: the freeze in force that one of the rules that made it stricter looks at
 * (`freezeOf`, as the thread will say it), if one is.
 * Undefined for a request without a schedule. Pure.
 */
export function scheduledOutlookOf(
  request: ApprovalRequest,
  policy: Policy,
  now: number,
  options: { redecide?: Pick<RedecisionFacts, "groupsOf" | "channelName"> } = {},
): ScheduledOutlook | undefined {
  const start = judgeStartNow(request, policy, now);
  if (start === undefined || start.kind === "never") return start;
  const { at } = start;
  if (options.redecide === undefined) return { kind: "runs", at };
  const { tightenings } = redecideApproved(policy, request, {
    ...options.redecide,
    targets: request.targets.map((t) => ({ id: t.id, name: t.name, tags: { ...(t.tags ?? {}) } })),
    // Due already (starting): the gate decides as of now.
    at: Math.max(at, now),
  });
  if (tightenings.length === 0) return { kind: "runs", at };
  // Named as the gate's thread will name it then: the freeze in force that one of its rules looks at.
  const freeze = freezeOf({ tightenings });
  if (freeze === undefined)
    return { kind: "stricter", at, cause: policyChangeCause({ changes: [], tightenings }) };
  return {
    kind: "stricter",
    at,
    freeze: { name: freeze.calendar, ...(freeze.until !== undefined && { until: freeze.until }) },
  };
}

/** A scheduled request as `/ops jobs` lists it (none without a schedule). */
function scheduledJobOf(request: ApprovalRequest): ScheduledJob | undefined {
  const { schedule } = request;
  if (schedule === undefined) return undefined;
  return {
    requestId: request.id,
    operation: verbOf(request.action),
    targetNames: request.targets.map((t) => t.name),
    requesterId: request.requester.userId,
    approverIds: request.approvals.map((a) => a.userId).filter((u) => u !== POLICY_ACTOR),
    allowedByPolicy: isPolicyAllowed(request),
    ...(request.breakGlass !== undefined && { breakGlass: true }),
    action: request.action,
    parameters: request.parameters,
    runAt: schedule.runAt,
    ...(schedule.window !== undefined && { window: schedule.window }),
  };
}

/**
 * The operations running now, each with its request's requester: the open runs (from the open-runs index,
 * one read per open run, never a scan of finished ones) and the requests running in waves (from the index of
 * executing requests, one read of each one's wave record), as one entry per request: a wave's own run
 * (`<runId>.w<n>`) is shown as its request's, and between waves, when no run of it is open, the request is
 * still listed. A record that cannot be read is left out.
 */
export async function readRunningJobs(
  store: Pick<Store, "members" | "get">,
  approvals: Pick<ApprovalService, "get" | "listByStatus">,
): Promise<RunningJob[]> {
  const open = new Map<string, RunRecord>();
  for (const runId of await store.members(OPEN_RUNS_SET)) {
    const stored = await store.get<unknown>(runKey(runId));
    const parsed = stored ? RunRecordSchema.safeParse(stored.value) : undefined;
    if (parsed?.success) open.set(runId, parsed.data);
  }
  const running: RunningJob[] = [];
  const inWaves = new Set<string>();
  for (const request of await approvals.listByStatus("executing")) {
    const job = await wavesJobOf(store, request, open);
    if (job === undefined) continue;
    inWaves.add(job.runId);
    running.push(job);
  }
  for (const [runId, run] of open) {
    // A wave of a request listed above: its request's entry says which wave runs and what it does.
    const parent = parentOfWaveRun(runId);
    if (parent !== undefined && inWaves.has(parent)) continue;
    const request = await approvals.get(run.requestId);
    running.push({
      runId,
      requestId: run.requestId,
      operation: run.operation,
      targetNames: run.targets.map((t) => t.name),
      ...(request && { requesterId: request.requester.userId }),
      ...currentStepOf(run),
      startedAt: run.startedAt,
      resumes: run.resumes,
    });
  }
  return running.sort((a, b) => a.startedAt - b.startedAt);
}

/**
 * What the run does now, in operator words from the flow it follows (never the step's ID); its re-check said
 * as since the request was asked when nobody approved it (as its status message says it).
 */
function currentStepOf(run: RunRecord): { currentStep?: string } {
  if (run.currentStep === null) return {};
  const step = run.flow.steps.find((s) => s.id === run.currentStep) ?? { kind: "wait" as const };
  return { currentStep: stepWords(step, approvedByPeople(run)).toLowerCase() };
}

/**
 * The entry of an executing request that runs in waves, while its wave record says it runs (or before the
 * record exists, just claimed): the whole request's operation and servers, the wave it is at, the servers of
 * the waves finished, and during a wave what its run does now. Undefined for a request not in waves.
 */
async function wavesJobOf(
  store: Pick<Store, "get">,
  request: ApprovalRequest,
  open: ReadonlyMap<string, RunRecord>,
): Promise<RunningJob | undefined> {
  const runId = request.execution?.executionId;
  const plan = wavePlanOf(request.parameters);
  const operation = operationOfAction(request.action);
  if (runId === undefined || plan === undefined || operation === undefined) return undefined;
  const stored = await store.get<unknown>(waveRunKey(runId));
  const parsed = stored === undefined ? undefined : WaveRunRecordSchema.safeParse(stored.value);
  if (parsed?.success === false) return undefined;
  const record = parsed?.data;
  if (record !== undefined && record.status !== "running") return undefined;
  const index =
    record === undefined ? 0 : record.waves.findIndex((w) => w.status !== "done" && w.status !== "failed");
  const waveRun = open.get(waveFlowRunId(runId, Math.max(0, index)));
  return {
    runId,
    requestId: request.id,
    operation,
    targetNames: request.targets.map((t) => t.name),
    requesterId: request.requester.userId,
    ...(waveRun !== undefined && currentStepOf(waveRun)),
    startedAt: record?.startedAt ?? request.execution?.startedAt ?? request.createdAt,
    resumes: record?.resumes ?? 0,
    waves:
      record === undefined
        ? { number: 1, of: plan.waves.length, done: 0, state: "wave" }
        : wavesOf(record, index),
  };
}

/** Where a running wave record is: the wave running (or next), the servers of finished waves, the pause. */
function wavesOf(record: WaveRunRecord, index: number): RunningWaves {
  const at = index < 0 ? record.waves.length - 1 : index;
  const wave = record.waves[at];
  const done = record.waves
    .filter((w) => w.status === "done" || w.status === "failed")
    .reduce((n, w) => n + w.serverIds.length, 0);
  const base = { number: at + 1, of: record.waves.length, done };
  if (record.control === "aborting") return { ...base, state: "aborting" };
  if (wave?.status !== "pending") return { ...base, state: wave?.status === "gate" ? "gate" : "wave" };
  if (record.control === "paused")
    return {
      ...base,
      state: "paused",
      ...(record.controlBy !== undefined && { pausedBy: record.controlBy }),
    };
  return {
    ...base,
    state: "pause",
    ...(record.nextWaveAt !== undefined && { nextWaveAt: record.nextWaveAt }),
  };
}

/**
 * A finished run as `/ops jobs` lists it (`entry`: its `execution.finished` audit record), its outcome read
 * as its card reads it: a run in waves stopped on purpose with nothing failed is `stopped` (`stopShown`), a run
 * that sent nothing (its servers changed, or another change held them) is `aborted` (`abortedShown`), never
 * failed. A request gone since is listed from the audit alone.
 */
export function recentJobOf(
  entry: AuditRecord & { requestId: string },
  request: ApprovalRequest | undefined,
  details: RequestDetails | undefined,
): RecentJob {
  const recorded = entry.outcome ?? "unknown";
  // The card's readings need the request's status; a request gone since has the one its run was recorded with.
  const status = request ?? { status: entry.outcome ?? "outcome_unknown" };
  const outcome =
    stopShown(status, details) !== undefined
      ? "stopped"
      : abortedShown(status, details)
        ? "aborted"
        : recorded;
  return {
    requestId: entry.requestId,
    operation: verbOf(entry.action ?? request?.action ?? "?"),
    targetNames: request?.targets.map((t) => t.name) ?? entry.serverIds,
    ...(request && { requesterId: request.requester.userId }),
    outcome,
    finishedAt: entry.at,
    ...(details?.result && { summary: details.result.summary }),
    ...(details?.result?.durationMs !== undefined && { durationMs: details.result.durationMs }),
  };
}
