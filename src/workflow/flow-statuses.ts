/**
 * Statuses of runs, steps, mutations and per-server results: closed sets with named subsets, so code
 * branches on a status by membership in a subset ("terminal", "settled") rather than on ad-hoc lists.
 */

/** Status of a run. `aborted`: stopped before any mutation because the world no longer matched the approval. */
export const RUN_STATUSES = ["running", "succeeded", "failed", "outcome_unknown", "aborted"] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];
export const TERMINAL_RUN_STATUSES = [
  "succeeded",
  "failed",
  "outcome_unknown",
  "aborted",
] as const satisfies readonly RunStatus[];
export type TerminalRunStatus = (typeof TERMINAL_RUN_STATUSES)[number];

export const STEP_STATUSES = [
  "pending",
  "running",
  "succeeded",
  "failed",
  "outcome_unknown",
  "skipped",
] as const;
export type StepStatus = (typeof STEP_STATUSES)[number];
export const TERMINAL_STEP_STATUSES = [
  "succeeded",
  "failed",
  "outcome_unknown",
  "skipped",
] as const satisfies readonly StepStatus[];
/** Step outcomes that stop the flow (`on_failure: stop_flow`). */
export const STOPPING_STEP_STATUSES = ["failed", "outcome_unknown"] as const satisfies readonly StepStatus[];

/**
 * Life of one mutation (one API call):
 * `planned` (not sent) → `intent` (written durably, then sent) → `accepted` (job ID recorded) |
 * `rejected` (the cloud refused: nothing happened) | `outcome_unknown` (may or may not have happened).
 * A mutation found in `intent` after a crash may have been sent: it becomes `outcome_unknown`, never resent.
 */
export const MUTATION_STATES = ["planned", "intent", "accepted", "rejected", "outcome_unknown"] as const;
export type MutationState = (typeof MUTATION_STATES)[number];
/** States in which the call may have reached the cloud. */
export const POSSIBLY_SENT_MUTATION_STATES = [
  "intent",
  "accepted",
  "outcome_unknown",
] as const satisfies readonly MutationState[];

/**
 * Result of a step (or the run) for one server. `skipped`: no step applied to it (e.g. already stopped);
 * `incomplete`: some of its steps ran, then the flow stopped (e.g. resized but not started again);
 * `not_started`: the flow stopped before anything was done to it.
 */
export const SERVER_RESULTS = [
  "succeeded",
  "failed",
  "unknown",
  "skipped",
  "incomplete",
  "not_started",
] as const;
export type ServerResult = (typeof SERVER_RESULTS)[number];

/** Job statuses of ECS (`INIT`/`RUNNING` are in progress; others may appear and are shown verbatim). */
export const TERMINAL_JOB_STATUSES = ["SUCCESS", "FAIL"] as const;

/** Whether `status` is one of `set` (typed membership test for the subsets above). */
export function isIn<S extends string>(set: readonly S[], status: string): status is S {
  return (set as readonly string[]).includes(status);
}

/** The approval record's execution outcome for a finished run (`aborted` did nothing: a failure to execute). */
export function approvalOutcomeOf(status: TerminalRunStatus): "succeeded" | "failed" | "outcome_unknown" {
  return status === "aborted" ? "failed" : status;
}
