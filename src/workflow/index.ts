/** Public surface of the workflow: flow files, preflight, executor, run records and their views. */
export { type DriftItem, describeDrift, detectDrift } from "./detect-drift.js";
export { type ExecuteFlowResult, executeFlow, newRunRecord } from "./execute-flow.js";
export { FAULT_POINTS, type FaultPoint } from "./fault-points.js";
export type { FlowEvent, FlowEventType, ProgressCounts } from "./flow-events.js";
export { flowStatusMessage } from "./flow-status-message.js";
export * from "./flow-statuses.js";
export { describeCounts, flowSummaryMessage } from "./flow-summary-message.js";
export * from "./flow-vocabulary.js";
export {
  type FlowLoadResult,
  type FlowsLoadResult,
  loadFlowFile,
  loadFlows,
  parseFlow,
} from "./load-flows.js";
export { preflightMessageParts } from "./preflight-message-parts.js";
export {
  type AttachedEip,
  type AttachedVolume,
  type FlavorInfo,
  type HssPosture,
  PREFLIGHT_PROBLEM_CODES,
  type Preflight,
  type PreflightProblem,
  type PreflightProblemCode,
  type PreflightTarget,
} from "./preflight-types.js";
export {
  type FlowViewJob,
  type FlowViewState,
  type FlowViewStep,
  reduceFlowEvent,
} from "./reduce-flow-event.js";
export { type ResumeFlowResult, resumeFlow } from "./resume-flow.js";
export { type RunDeps, RunOwnershipLostError, RunSuspendedError } from "./run-context.js";
export { type PreflightOptions, runPreflight } from "./run-preflight.js";
export {
  type CallParams,
  type MutationRecord,
  OPEN_RUNS_SET,
  type RunRecord,
  RunRecordSchema,
  runKey,
  type ServerStepResult,
  type StepRecord,
} from "./run-record.js";
export { type FlowOutcome, type ReasonGroup, type ServerOutcome, summarizeRun } from "./summarize-run.js";
export type * from "./types.js";
