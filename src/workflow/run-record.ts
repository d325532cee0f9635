/**
 * The durable record of one run, stored under `flowrun:<runId>`. It is written before and after every
 * mutation (intent before the call, job ID right after), so a run interrupted at any point can be resumed
 * by `resumeFlow` without ever sending a mutation twice. Validated on every read.
 */
import * as z from "zod";
import { MUTATION_STATES, RUN_STATUSES, SERVER_RESULTS, STEP_STATUSES } from "./flow-statuses.js";
import {
  CALLS,
  CONDITIONS,
  EXPECTATIONS,
  ON_FAILURE,
  OPERATIONS,
  REPORT_ITEMS,
  WAITS,
} from "./flow-vocabulary.js";

/** Store key of a run. */
export const runKey = (runId: string) => `flowrun:${runId}`;
/** Set of the runs not yet finished (for crash recovery: resume each). */
export const OPEN_RUNS_SET = "flowruns:open";
/** Default of `ExecuteFlowDeps.runRetentionMs`: finished run records are kept 90 days after their last write. */
export const DEFAULT_RUN_RETENTION_MS = 90 * 24 * 60 * 60_000;

const ts = z.number().int().nonnegative();

const flowStepSchema = z.discriminatedUnion("kind", [
  z.strictObject({
    id: z.string(),
    kind: z.literal("recheck"),
    description: z.string(),
    onFailure: z.enum(ON_FAILURE),
  }),
  z.strictObject({
    id: z.string(),
    kind: z.literal("call"),
    description: z.string(),
    onFailure: z.enum(ON_FAILURE),
    call: z.enum(CALLS),
    when: z.enum(CONDITIONS),
  }),
  z.strictObject({
    id: z.string(),
    kind: z.literal("wait"),
    description: z.string(),
    onFailure: z.enum(ON_FAILURE),
    wait: z.enum(WAITS),
    after: z.string(),
    expect: z.enum(EXPECTATIONS),
    timeoutMs: z.number().int().positive(),
  }),
]);

const TagPairSchema = z.strictObject({ key: z.string().min(1), value: z.string() });
const TagRefSchema = z.strictObject({ key: z.string().min(1), value: z.string().optional() });

export const CallParamsSchema = z.strictObject({
  type: z.enum(["SOFT", "HARD"]).optional(),
  flavorRef: z.string().optional(),
  deleteVolume: z.boolean().optional(),
  deletePublicIp: z.boolean().optional(),
  /** add_tags. */
  tags: z.array(TagPairSchema).optional(),
  /** delete_tags. */
  tagRefs: z.array(TagRefSchema).optional(),
  /** reinstall / change_os: the key pair (never a password). */
  keyName: z.string().optional(),
  imageId: z.string().optional(),
  volumeId: z.string().optional(),
  device: z.string().optional(),
  dedicatedHostId: z.string().optional(),
});
export type CallParams = z.infer<typeof CallParamsSchema>;

export const MutationRecordSchema = z.strictObject({
  /** Position within the step. */
  index: z.number().int().nonnegative(),
  call: z.enum(CALLS),
  /** One API call's servers (≤ 1,000; one for a resize). */
  serverIds: z.array(z.string()).min(1),
  /** What is (was) sent besides the server IDs. */
  params: CallParamsSchema,
  state: z.enum(MUTATION_STATES),
  /** When the intent was saved (just before the call). */
  intentAt: ts.optional(),
  /** Saved right after the cloud accepted the call. */
  jobId: z.string().optional(),
  settledAt: ts.optional(),
  error: z.strictObject({ code: z.string(), message: z.string() }).optional(),
  /** Found in `intent` by a resume: it may have been sent before the interruption. */
  interrupted: z.literal(true).optional(),
});
export type MutationRecord = z.infer<typeof MutationRecordSchema>;

export const ServerStepResultSchema = z.strictObject({
  serverId: z.string(),
  result: z.enum(SERVER_RESULTS),
  /** ECS status seen at the end of the step, if known. */
  status: z.string().optional(),
  reason: z.string().optional(),
  code: z.string().optional(),
  jobId: z.string().optional(),
  /** How the result was established. */
  source: z.enum(["job", "servers", "call"]).optional(),
  /**
   * Why an `unknown` result from a job is unknown: the job had not finished by the wait's deadline (it may
   * still finish: the job follow-ups look at it later), was gone, or could not be read.
   */
  unknownBecause: z.enum(["deadline", "job_gone", "job_unreadable"]).optional(),
});
export type ServerStepResult = z.infer<typeof ServerStepResultSchema>;

export const StepRecordSchema = z.strictObject({
  id: z.string(),
  kind: z.enum(["recheck", "call", "wait"]),
  status: z.enum(STEP_STATUSES),
  startedAt: ts.optional(),
  finishedAt: ts.optional(),
  /** The servers this step applies to (its `when` condition over the approved pre-state). */
  serverIds: z.array(z.string()),
  mutations: z.array(MutationRecordSchema),
  results: z.array(ServerStepResultSchema),
  jobs: z.array(z.strictObject({ jobId: z.string(), status: z.string() })),
  skipReason: z.enum(["no_targets", "flow_stopped"]).optional(),
});
export type StepRecord = z.infer<typeof StepRecordSchema>;

/**
 * Why a server the run stopped was not started again after its change failed: its change may have happened
 * (`change_unknown`: the call or its job gave no answer), or the re-read before the start showed it otherwise
 * than the run left it (not SHUTOFF, another flavor, on the change's host, a task in progress), or gone or
 * unreadable. Each is a reason to let a person look before anything starts it.
 */
export const LEFT_STOPPED_WHY = [
  "change_unknown",
  "not_shutoff",
  "flavor_changed",
  "host_changed",
  "busy",
  "gone",
  "unreadable",
] as const;
export type LeftStoppedWhy = (typeof LEFT_STOPPED_WHY)[number];

/**
 * The start again (`on_failure: start_stopped_then_stop_flow`) of the servers the run stopped for a change that
 * did not happen: decided once (the servers re-read, the decision saved with the planned start before anything is
 * sent), then sent and followed like a call step and its wait, with the same intent rule (never sent twice).
 */
export const RestartRecordSchema = z.strictObject({
  /** The step whose failure asked for it (the change call's wait). */
  afterStep: z.string(),
  /** The change that did not happen (for operator words). */
  call: z.enum(CALLS),
  status: z.enum(["running", "finished"]),
  startedAt: ts,
  finishedAt: ts.optional(),
  /** Servers to start again (the run stopped them, their change is known not to have happened). */
  serverIds: z.array(z.string()),
  /** Servers the run stopped whose change failed, kept stopped, and why. */
  leftStopped: z.array(
    z.strictObject({
      serverId: z.string(),
      why: z.enum(LEFT_STOPPED_WHY),
      /** What the re-read showed, when it is the reason. */
      status: z.string().optional(),
      flavor: z.string().optional(),
    }),
  ),
  mutations: z.array(MutationRecordSchema),
  results: z.array(ServerStepResultSchema),
  jobs: z.array(z.strictObject({ jobId: z.string(), status: z.string() })),
});
export type RestartRecord = z.infer<typeof RestartRecordSchema>;

const driftSchema = z.discriminatedUnion("kind", [
  z.strictObject({ serverId: z.string(), name: z.string(), kind: z.literal("gone") }),
  z.strictObject({
    serverId: z.string(),
    name: z.string(),
    kind: z.literal("status"),
    expected: z.string(),
    actual: z.string(),
  }),
  z.strictObject({
    serverId: z.string(),
    name: z.string(),
    kind: z.literal("flavor"),
    expected: z.string(),
    actual: z.string(),
  }),
  z.strictObject({ serverId: z.string(), name: z.string(), kind: z.literal("busy"), taskState: z.string() }),
  z.strictObject({
    serverId: z.string(),
    name: z.string(),
    kind: z.literal("renamed"),
    actual: z.string(),
  }),
  z.strictObject({
    serverId: z.string(),
    name: z.string(),
    kind: z.literal("tags"),
    added: z.array(z.string()),
    removed: z.array(z.string()),
  }),
  z.strictObject({
    serverId: z.string(),
    name: z.string(),
    kind: z.literal("unselected"),
    selector: z.string(),
  }),
  z.strictObject({
    serverId: z.string(),
    name: z.string(),
    kind: z.literal("lock"),
    expected: z.boolean(),
    actual: z.boolean(),
  }),
  z.strictObject({
    serverId: z.string(),
    name: z.string(),
    kind: z.literal("unreadable"),
    message: z.string(),
  }),
]);

export const RunRecordSchema = z.strictObject({
  schema: z.literal(1),
  runId: z.string().min(1),
  requestId: z.string().min(1),
  operation: z.enum(OPERATIONS),
  actorId: z.string().min(1),
  /** The requester of the approval request (absent in runs recorded before it was kept). */
  requesterId: z.string().min(1).optional(),
  /** The request skipped approval by break-glass. */
  breakGlass: z.literal(true).optional(),
  targets: z.array(
    z.strictObject({
      id: z.string().min(1),
      name: z.string(),
      status: z.string().min(1),
      flavor: z.string().min(1),
      tags: z.record(z.string(), z.string()).optional(),
      selectedBy: z.array(z.string()).optional(),
      locked: z.boolean().optional(),
    }),
  ),
  parameters: z.strictObject({
    hard: z.boolean().optional(),
    flavorRef: z.string().optional(),
    deleteVolume: z.boolean().optional(),
    deleteEip: z.boolean().optional(),
    addTags: z.array(TagPairSchema).optional(),
    removeTags: z.array(TagRefSchema).optional(),
    keyName: z.string().optional(),
    imageId: z.string().optional(),
    volumeId: z.string().optional(),
    device: z.string().optional(),
    dedicatedHostId: z.string().optional(),
  }),
  /** The flow as it was when the run started: a resume follows this, not a since-edited file. */
  flow: z.strictObject({
    source: z.string(),
    steps: z.array(flowStepSchema),
    report: z.strictObject({ verb: z.string(), include: z.array(z.enum(REPORT_ITEMS)) }),
  }),
  status: z.enum(RUN_STATUSES),
  /** The step being executed (null before the first and after the last). */
  currentStep: z.string().nullable(),
  startedAt: ts,
  updatedAt: ts,
  finishedAt: ts.optional(),
  steps: z.array(StepRecordSchema),
  drift: z.array(driftSchema),
  /** Each target's state read at the end (best effort). */
  finalStates: z
    .array(
      z.strictObject({
        serverId: z.string(),
        status: z.string(),
        flavor: z.string().optional(),
      }),
    )
    .optional(),
  /** The servers started again after a change that did not happen (see {@link RestartRecordSchema}). */
  restart: RestartRecordSchema.optional(),
  /** Times the run was resumed after an interruption. */
  resumes: z.number().int().nonnegative(),
  /** Incremented by every write; a writer that finds another revision than its own stops (someone else runs it). */
  rev: z.number().int().positive(),
});
export type RunRecord = z.infer<typeof RunRecordSchema>;
