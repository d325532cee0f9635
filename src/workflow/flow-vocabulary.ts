/**
 * The closed vocabulary of flow files (`flows/<operation>.yml`). Nothing here is an expression: every value a
 * flow file may use is one of these words, and each word has one meaning fixed in code. A flow file can only
 * choose and order these building blocks; it cannot introduce new behaviour or evaluate anything.
 */

/** The operations that have a flow; the file is `flows/<operation>.yml`. */
export const OPERATIONS = [
  "start",
  "stop",
  "reboot",
  "resize",
  "delete",
  "tag",
  "untag",
  "lock",
  "unlock",
  "reinstall",
  "change-os",
  "attach",
  "detach",
  "migrate",
] as const;
export type Operation = (typeof OPERATIONS)[number];
/** Operations that cannot be undone (their Approve confirmations are styled as dangerous). */
export const DESTRUCTIVE_OPERATIONS = [
  "delete",
  "reinstall",
  "change-os",
] as const satisfies readonly Operation[];

/** IAM-style action of each operation (the name the policy layer authorises); one operation per action. */
export const ACTION_OF_OPERATION: Readonly<Record<Operation, string>> = {
  start: "ecs:cloudServers:start",
  stop: "ecs:cloudServers:stop",
  reboot: "ecs:cloudServers:reboot",
  resize: "ecs:cloudServers:resize",
  delete: "ecs:cloudServers:delete",
  tag: "ecs:servers:addTags",
  untag: "ecs:servers:deleteTags",
  lock: "ecs:servers:lock",
  unlock: "ecs:servers:unlock",
  reinstall: "ecs:cloudServers:rebuild",
  "change-os": "ecs:cloudServers:changeOS",
  attach: "ecs:cloudServers:attach",
  detach: "ecs:cloudServers:detachVolume",
  migrate: "ecs:cloudServers:migrate",
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
  "ecs.add_tags",
  "ecs.delete_tags",
  "ecs.lock",
  "ecs.unlock",
  "ecs.reinstall",
  "ecs.change_os",
  "ecs.attach_volume",
  "ecs.detach_volume",
  "ecs.migrate",
] as const;
export type CallName = (typeof CALLS)[number];

/** Calls that act on several servers at once (up to the API's batch size); the others take one server each. */
export const BATCH_CALLS: readonly CallName[] = [
  "ecs.batch_start",
  "ecs.batch_stop",
  "ecs.batch_reboot",
  "ecs.delete",
];

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
  tag: ["ecs.add_tags"],
  untag: ["ecs.delete_tags"],
  lock: ["ecs.lock"],
  unlock: ["ecs.unlock"],
  reinstall: ["ecs.batch_stop", "ecs.reinstall"],
  "change-os": ["ecs.batch_stop", "ecs.change_os"],
  attach: ["ecs.attach_volume"],
  detach: ["ecs.detach_volume"],
  migrate: ["ecs.batch_stop", "ecs.migrate", "ecs.batch_start"],
};

/** The call a flow of each operation must make (a flow cannot approve one thing and do less). */
export const PRIMARY_CALL_OF_OPERATION: Readonly<Record<Operation, CallName>> = {
  start: "ecs.batch_start",
  stop: "ecs.batch_stop",
  reboot: "ecs.batch_reboot",
  resize: "ecs.resize",
  delete: "ecs.delete",
  tag: "ecs.add_tags",
  untag: "ecs.delete_tags",
  lock: "ecs.lock",
  unlock: "ecs.unlock",
  reinstall: "ecs.reinstall",
  "change-os": "ecs.change_os",
  attach: "ecs.attach_volume",
  detach: "ecs.detach_volume",
  migrate: "ecs.migrate",
};

/**
 * Per-target conditions of a `call` step, evaluated against the approved pre-state of each target (which the
 * re-check has just confirmed). Targets for which the condition is false are left out of that call.
 */
export const CONDITIONS = [
  "always",
  "target_was_running",
  "target_was_stopped",
  "target_was_locked",
  "target_was_unlocked",
  /** Tag / untag: the request's tags change something on the target (not already so). */
  "target_tags_change",
] as const;
export type Condition = (typeof CONDITIONS)[number];

/**
 * What a `wait` step waits for: the call's `job`, or, for a call the API answers without a job (tags, lock),
 * the servers' `state` showing the change (read until they do, or the timeout).
 */
export const WAITS = ["job", "state"] as const;
export type WaitKind = (typeof WAITS)[number];

/** The state a `wait` step expects its servers to end in. */
export const EXPECTATIONS = [
  "running",
  "stopped",
  "rebooted",
  "resized",
  "deleted",
  "tagged",
  "untagged",
  "locked",
  "unlocked",
  "reinstalled",
  "os_changed",
  "volume_attached",
  "volume_detached",
  "migrated",
] as const;
export type Expectation = (typeof EXPECTATIONS)[number];

/** The expectation that matches each call (a wait must expect what its call does). */
export const EXPECTATION_OF_CALL: Readonly<Record<CallName, Expectation>> = {
  "ecs.batch_start": "running",
  "ecs.batch_stop": "stopped",
  "ecs.batch_reboot": "rebooted",
  "ecs.resize": "resized",
  "ecs.delete": "deleted",
  "ecs.add_tags": "tagged",
  "ecs.delete_tags": "untagged",
  "ecs.lock": "locked",
  "ecs.unlock": "unlocked",
  "ecs.reinstall": "reinstalled",
  "ecs.change_os": "os_changed",
  "ecs.attach_volume": "volume_attached",
  "ecs.detach_volume": "volume_detached",
  "ecs.migrate": "migrated",
};

/** How each call's outcome is followed: the job it returns, or the servers' state when it returns none. */
export const WAIT_OF_CALL: Readonly<Record<CallName, WaitKind>> = {
  "ecs.batch_start": "job",
  "ecs.batch_stop": "job",
  "ecs.batch_reboot": "job",
  "ecs.resize": "job",
  "ecs.delete": "job",
  "ecs.add_tags": "state",
  "ecs.delete_tags": "state",
  "ecs.lock": "state",
  "ecs.unlock": "state",
  "ecs.reinstall": "job",
  "ecs.change_os": "job",
  "ecs.attach_volume": "job",
  "ecs.detach_volume": "job",
  "ecs.migrate": "job",
};

/**
 * What happens when a step fails. `stop_flow`: no further call is made. `start_stopped_then_stop_flow` (the
 * change call of a flow that stops running servers to change them, and its wait): the servers the flow's own
 * stop stopped whose change is known not to have happened (refused, or its job failed and a re-read shows them
 * SHUTOFF and unchanged) are started again, then the flow stops; a server whose change is in doubt stays
 * stopped. A put-back of what the flow did, never a new change: only a call the operation allows.
 */
export const ON_FAILURE = ["stop_flow", "start_stopped_then_stop_flow"] as const;
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
  /**
   * The lock of each target: a locked server blocks every change but an unlock (the cloud would refuse it);
   * lock and unlock leave out the servers already in the state they ask for.
   */
  "lock_state",
  /** Resize: the vCPU and RAM quotas hold the new flavors (refused with the figures when they do not). */
  "quota_allows",
  /** Tag: no target would end with more than 10 tags (the ECS limit). */
  "tag_limit",
  /**
   * Reinstall / change OS: a key pair is named, or the server has one (never a password), and the project has
   * it (one read per distinct key pair).
   */
  "key_pair_available",
  /** Change OS: the image exists in the region and is ACTIVE (one read). */
  "image_available",
  /**
   * Migrate: what the server's details show allows the move (5.2.3: public pool → DeH, DeH → DeH, DeH →
   * public pool): a server in the public pool needs a dedicated host, and not the one it is on.
   */
  "migration_target_valid",
  /** Attach: the disk is not attached here already, and the API's own dry run accepts the attach. */
  "volume_attachable",
  /** Detach: the disk is attached to the server and is not its system disk. */
  "volume_detachable",
] as const;
export type PreflightCheck = (typeof PREFLIGHT_CHECKS)[number];

const BASE_CHECKS = [
  "targets_exist",
  "no_task_in_progress",
  "status_allows_operation",
  "lock_state",
] as const;

/** Checks every flow of the operation must list (a flow file cannot switch off safety checks). */
export const REQUIRED_CHECKS: Readonly<Record<Operation, readonly PreflightCheck[]>> = {
  start: [...BASE_CHECKS],
  stop: [...BASE_CHECKS],
  reboot: [...BASE_CHECKS],
  resize: [...BASE_CHECKS, "flavor_change_valid", "quota_allows"],
  delete: [...BASE_CHECKS, "attached_resources"],
  tag: [...BASE_CHECKS, "tag_limit"],
  untag: [...BASE_CHECKS],
  lock: [...BASE_CHECKS],
  unlock: [...BASE_CHECKS],
  reinstall: [...BASE_CHECKS, "key_pair_available", "attached_resources"],
  "change-os": [...BASE_CHECKS, "key_pair_available", "image_available", "attached_resources"],
  attach: [...BASE_CHECKS, "volume_attachable"],
  detach: [...BASE_CHECKS, "volume_detachable"],
  migrate: [...BASE_CHECKS, "migration_target_valid"],
};

/** Checks that make sense for the operation. */
export const CHECKS_OF_OPERATION: Readonly<Record<Operation, readonly PreflightCheck[]>> = {
  start: [...BASE_CHECKS, "hss_posture"],
  stop: [...BASE_CHECKS, "hss_posture"],
  reboot: [...BASE_CHECKS, "hss_posture"],
  resize: [...BASE_CHECKS, "flavor_change_valid", "resize_dry_run", "quota_allows", "hss_posture"],
  delete: [...BASE_CHECKS, "attached_resources", "hss_posture"],
  tag: [...BASE_CHECKS, "tag_limit"],
  untag: [...BASE_CHECKS],
  lock: [...BASE_CHECKS],
  unlock: [...BASE_CHECKS],
  reinstall: [...BASE_CHECKS, "key_pair_available", "attached_resources", "hss_posture"],
  "change-os": [...BASE_CHECKS, "key_pair_available", "image_available", "attached_resources", "hss_posture"],
  attach: [...BASE_CHECKS, "volume_attachable"],
  detach: [...BASE_CHECKS, "volume_detachable", "hss_posture"],
  migrate: [...BASE_CHECKS, "migration_target_valid", "hss_posture"],
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
