/**
 * The closed vocabulary of flow files (`flows/<operation>.yml`). Nothing here is an expression: every value a
 * flow file may use is one of these words, and each word has one meaning fixed in code. A flow file can only
 * choose and order these building blocks; it cannot introduce new behaviour or evaluate anything.
 */

/** The operations that have a flow; the file is `flows/<operation>.yml`. */
export const OPERATIONS = ["start", "stop", "reboot", "resize", "delete"] as const;
export type Operation = (typeof OPERATIONS)[number];
/** Operations that cannot be undone (their Approve confirmations are styled as dangerous). */
export const DESTRUCTIVE_OPERATIONS = ["delete"] as const satisfies readonly Operation[];

/** IAM-style action of each operation (the name the policy layer authorises). */
export const ACTION_OF_OPERATION: Readonly<Record<Operation, string>> = {
  start: "ecs:cloudServers:start",
  stop: "ecs:cloudServers:stop",
  reboot: "ecs:cloudServers:reboot",
  resize: "ecs:cloudServers:resize",
  delete: "ecs:cloudServers:delete",
};

/** Step kinds of the `steps` list (what runs after approval). */
export const STEP_KINDS = ["recheck", "call", "wait"] as const;
export type StepKind = (typeof STEP_KINDS)[number];

/** Cloud calls a `call` step may make. Each maps to exactly one client method. */
export const CALLS = [
  "ecs.batch_start",
  "ecs.batch_stop",
  "ecs.batch_reboot",
  "ecs.resize",
  "ecs.delete",
] as const;
export type CallName = (typeof CALLS)[number];

/**
 * Which calls a flow of each operation may make. A flow file cannot make an approved `stop` delete anything:
 * the approval is for the operation, so the operation bounds the calls.
 */
export const CALLS_OF_OPERATION: Readonly<Record<Operation, readonly CallName[]>> = {
  start: ["ecs.batch_start"],
  stop: ["ecs.batch_stop"],
  reboot: ["ecs.batch_reboot"],
  resize: ["ecs.batch_stop", "ecs.resize", "ecs.batch_start"],
  delete: ["ecs.delete"],
};

/** The call a flow of each operation must make (a flow cannot approve one thing and do less). */
export const PRIMARY_CALL_OF_OPERATION: Readonly<Record<Operation, CallName>> = {
  start: "ecs.batch_start",
  stop: "ecs.batch_stop",
  reboot: "ecs.batch_reboot",
  resize: "ecs.resize",
  delete: "ecs.delete",
};

/**
 * Per-target conditions of a `call` step, evaluated against the approved pre-state of each target (which the
 * re-check has just confirmed). Targets for which the condition is false are left out of that call.
 */
export const CONDITIONS = ["always", "target_was_running", "target_was_stopped"] as const;
export type Condition = (typeof CONDITIONS)[number];

/** What a `wait` step waits for. */
export const WAITS = ["job"] as const;
export type WaitKind = (typeof WAITS)[number];

/** The state a `wait` step expects its servers to end in. */
export const EXPECTATIONS = ["running", "stopped", "rebooted", "resized", "deleted"] as const;
export type Expectation = (typeof EXPECTATIONS)[number];

/** The expectation that matches each call (a wait must expect what its call does). */
export const EXPECTATION_OF_CALL: Readonly<Record<CallName, Expectation>> = {
  "ecs.batch_start": "running",
  "ecs.batch_stop": "stopped",
  "ecs.batch_reboot": "rebooted",
  "ecs.resize": "resized",
  "ecs.delete": "deleted",
};

/** What happens when a step fails. */
export const ON_FAILURE = ["stop_flow"] as const;
export type OnFailure = (typeof ON_FAILURE)[number];

/** Checks of the preflight (run before anyone approves). */
export const PREFLIGHT_CHECKS = [
  /** Every target exists. */
  "targets_exist",
  /** No target has a task (another job) in progress. */
  "no_task_in_progress",
  /** Each target's status allows the operation; targets already in the end state are flagged. */
  "status_allows_operation",
  /** Resize: a new flavor is given, exists, and differs from the current one. */
  "flavor_change_valid",
  /** Resize: the API's own `dry_run` accepts the request. */
  "resize_dry_run",
  /** Delete: attached disks and EIPs, and whether each will be kept or released. */
  "attached_resources",
  /** HSS agent, protection and risk counts of each target (unknown when HSS cannot be read). */
  "hss_posture",
] as const;
export type PreflightCheck = (typeof PREFLIGHT_CHECKS)[number];

/** Checks every flow of the operation must list (a flow file cannot switch off safety checks). */
export const REQUIRED_CHECKS: Readonly<Record<Operation, readonly PreflightCheck[]>> = {
  start: ["targets_exist", "no_task_in_progress", "status_allows_operation"],
  stop: ["targets_exist", "no_task_in_progress", "status_allows_operation"],
  reboot: ["targets_exist", "no_task_in_progress", "status_allows_operation"],
  resize: ["targets_exist", "no_task_in_progress", "status_allows_operation", "flavor_change_valid"],
  delete: ["targets_exist", "no_task_in_progress", "status_allows_operation", "attached_resources"],
};

/** Checks that make sense for the operation. */
export const CHECKS_OF_OPERATION: Readonly<Record<Operation, readonly PreflightCheck[]>> = {
  start: ["targets_exist", "no_task_in_progress", "status_allows_operation", "hss_posture"],
  stop: ["targets_exist", "no_task_in_progress", "status_allows_operation", "hss_posture"],
  reboot: ["targets_exist", "no_task_in_progress", "status_allows_operation", "hss_posture"],
  resize: [
    "targets_exist",
    "no_task_in_progress",
    "status_allows_operation",
    "flavor_change_valid",
    "resize_dry_run",
    "hss_posture",
  ],
  delete: [
    "targets_exist",
    "no_task_in_progress",
    "status_allows_operation",
    "attached_resources",
    "hss_posture",
  ],
};

/** How the approval point is decided (a marker: the executor runs only approved requests). */
export const APPROVAL_DECIDERS = ["policy"] as const;
export type ApprovalDecider = (typeof APPROVAL_DECIDERS)[number];

/** What the final summary includes. */
export const REPORT_ITEMS = [
  "duration",
  "per_server_results",
  "failures_by_reason",
  "job_ids",
  "final_states",
] as const;
export type ReportItem = (typeof REPORT_ITEMS)[number];
