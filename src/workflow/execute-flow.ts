import { copyFlowTarget } from "./copy-flow-target.js";
import { driveRun } from "./drive-run.js";
import { approvedByPeople, stepOfEvent } from "./flow-events.js";
import { OPERATIONS } from "./flow-vocabulary.js";
import { conditionHolds } from "./operation-rules.js";
import { emit, type RunContext, RunOwnershipLostError, runAuditEntry } from "./run-context.js";
import { OPEN_RUNS_SET, type RunRecord, RunRecordSchema, runKey, type StepRecord } from "./run-record.js";
import type { FlowOutcome } from "./summarize-run.js";
import type { ExecuteFlowDeps, ExecuteFlowSpec, FlowDefinition } from "./types.js";

export type ExecuteFlowResult =
  | { ok: true; outcome: FlowOutcome }
  /** `run_exists`: this run ID was started before (use `resumeFlow`); `invalid_spec`: nothing was done. */
  | { ok: false; error: "run_exists" | "invalid_spec"; message: string };

/**
 * Executes an approved request: re-checks the targets against the approved pre-state, then runs the flow's
 * steps through the cloud client, keeping a durable run record (`flowrun:<runId>`) and audit records for every
 * step, intent, job ID and the outcome. Progress goes to `deps.onEvent`. Resolves when the run has finished
 * (any terminal status); throws only on store failures and programming faults, leaving a record that
 * `resumeFlow` can continue from.
 */
export async function executeFlow(spec: ExecuteFlowSpec, deps: ExecuteFlowDeps): Promise<ExecuteFlowResult> {
  const problem = specProblem(spec);
  if (problem !== undefined) return { ok: false, error: "invalid_spec", message: problem };
  const flow = deps.flows[spec.operation];
  const record = newRunRecord(spec, flow, deps.clock.now());
  const entry = deps.audit.prepare(
    runAuditEntry(record, {
      type: "execution.step",
      serverIds: spec.targets.map((t) => t.id),
      message: `run of ${spec.operation} created (flow ${flow.source})`,
      detail: { phase: "run_created", operation: spec.operation, flow: flow.source, startedBy: spec.actorId },
    }),
  );
  const sameStore = deps.audit.store === deps.store;
  if (!sameStore) await deps.audit.record(entry.entry);
  const created = await deps.store.createIfAbsent(runKey(spec.runId), record, {
    addToSets: [{ setKey: OPEN_RUNS_SET, member: spec.runId }],
    ...(sameStore && { append: [entry.append] }),
    ...(deps.fence !== undefined && { fence: deps.fence }),
  });
  if (!created) {
    // A fenced creation is also refused when the lease is not held: then there is no run to resume.
    if (deps.fence !== undefined && (await deps.store.get(runKey(spec.runId))) === undefined)
      throw new RunOwnershipLostError(spec.runId);
    return { ok: false, error: "run_exists", message: `run ${spec.runId} exists; resume it instead` };
  }
  if (sameStore) entry.publish();
  const ctx: RunContext = { record, deps };
  emit(deps, {
    type: "run_started",
    runId: spec.runId,
    requestId: spec.requestId,
    operation: spec.operation,
    at: record.startedAt,
    resumed: false,
    targets: spec.targets.map((t) => ({ id: t.id, name: t.name })),
    steps: flow.steps.map(stepOfEvent),
    ...(!approvedByPeople(spec) && { approved: false as const }),
  });
  return { ok: true, outcome: await driveRun(ctx) };
}

function specProblem(spec: ExecuteFlowSpec): string | undefined {
  if (!(OPERATIONS as readonly string[]).includes(spec.operation))
    return `unknown operation ${spec.operation}`;
  if (spec.targets.length === 0) return "no targets";
  if (new Set(spec.targets.map((t) => t.id)).size !== spec.targets.length) return "duplicate targets";
  if (spec.targets.some((t) => !t.id || !t.status || !t.flavor))
    return "every target needs an ID, a status and a flavor";
  if (!spec.runId || !spec.requestId || !spec.actorId) return "runId, requestId and actorId are required";
  const p = spec.parameters;
  if (spec.operation === "resize" && !p.flavorRef) return "a resize needs flavorRef";
  if (spec.operation === "tag" && (p.addTags ?? []).length === 0) return "a tag operation needs addTags";
  if (spec.operation === "untag" && (p.removeTags ?? []).length === 0)
    return "an untag operation needs removeTags";
  if ((spec.operation === "reinstall" || spec.operation === "change-os") && !p.keyName)
    return `a ${spec.operation} needs keyName (never a password)`;
  if (spec.operation === "change-os" && !p.imageId) return "a change-os needs imageId";
  if ((spec.operation === "attach" || spec.operation === "detach") && !p.volumeId)
    return `an ${spec.operation} needs volumeId`;
  return undefined;
}

/** The initial record: every step pending, each with the targets its condition selects. */
export function newRunRecord(spec: ExecuteFlowSpec, flow: FlowDefinition, at: number): RunRecord {
  const serverIdsOf = new Map<string, string[]>();
  const steps = flow.steps.map((s): StepRecord => {
    let serverIds: string[];
    if (s.kind === "call")
      serverIds = spec.targets.filter((t) => conditionHolds(s.when, t, spec.parameters)).map((t) => t.id);
    else if (s.kind === "wait") serverIds = serverIdsOf.get(s.after) ?? [];
    else serverIds = spec.targets.map((t) => t.id);
    serverIdsOf.set(s.id, serverIds);
    return { id: s.id, kind: s.kind, status: "pending", serverIds, mutations: [], results: [], jobs: [] };
  });
  // Only what is set: the record holds no undefined values.
  const parameters = Object.fromEntries(
    Object.entries(structuredClone(spec.parameters)).filter(([, v]) => v !== undefined),
  ) as RunRecord["parameters"];
  return RunRecordSchema.parse({
    schema: 1,
    runId: spec.runId,
    requestId: spec.requestId,
    operation: spec.operation,
    actorId: spec.actorId,
    ...(spec.requesterId !== undefined && { requesterId: spec.requesterId }),
    ...(spec.breakGlass === true && { breakGlass: true }),
    targets: spec.targets.map(copyFlowTarget),
    parameters,
    flow: {
      source: flow.source,
      steps: flow.steps,
      report: { verb: flow.report.verb, include: flow.report.include },
    },
    status: "running",
    currentStep: null,
    startedAt: at,
    updatedAt: at,
    steps,
    drift: [],
    resumes: 0,
    rev: 1,
  } satisfies RunRecord);
}
