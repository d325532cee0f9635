/**
 * What ECS allows and what each operation does to a server: the semantic knowledge behind preflight,
 * step conditions and the planned end state. Flow files choose steps; these rules are fixed in code.
 */
import type { CallName, Condition, Expectation, Operation } from "./flow-vocabulary.js";
import { EXPECTATION_OF_CALL } from "./flow-vocabulary.js";
import type { FlowParameters, FlowStep } from "./types.js";

/**
 * Statuses from which the operation can run. Reinstall and change OS: Huawei Cloud allows "an ECS that is
 * stopped or for which OS reinstallation has failed" (5.2.1, 5.2.2); the flow stops an ACTIVE one first, and
 * a failed reinstall leaves it in ERROR, which the preflight's `status_allows_operation` accepts only when
 * the server's operations show that failure (`checkOperationNeeds`): never any other ERROR.
 */
export function allowedStatuses(operation: Operation): readonly string[] {
  switch (operation) {
    case "start":
      return ["SHUTOFF"];
    case "stop":
    case "reboot":
      return ["ACTIVE"];
    case "reinstall":
    case "change-os":
      return ["ACTIVE", "SHUTOFF", "ERROR"];
    case "resize":
    case "attach":
    case "detach":
    case "migrate":
      return ["ACTIVE", "SHUTOFF"];
    case "delete":
    case "tag":
    case "untag":
    case "lock":
    case "unlock":
      return ["ACTIVE", "SHUTOFF", "ERROR"];
  }
}

/** The operation as a noun in a sentence: `a reboot needs it running (ACTIVE)`. */
export const OPERATION_NOUNS: Readonly<Record<Operation, string>> = {
  start: "a start",
  stop: "a stop",
  reboot: "a reboot",
  resize: "a resize",
  delete: "a delete",
  tag: "adding tags",
  untag: "removing tags",
  lock: "a lock",
  unlock: "an unlock",
  reinstall: "an OS reinstall",
  "change-os": "a change of OS",
  attach: "attaching a disk",
  detach: "detaching a disk",
  migrate: "a migration",
};

/** ECS statuses as an operator says them, the status itself beside: `running (ACTIVE)`, `in ERROR`. */
export function statusInWords(status: string): string {
  switch (status) {
    case "ACTIVE":
      return "running (ACTIVE)";
    case "SHUTOFF":
      return "stopped (SHUTOFF)";
    default:
      return `in ${status}`;
  }
}

/**
 * What the operation needs, in words, for a refusal of a server in another status: `a reboot needs it running
 * (ACTIVE)`, `an OS reinstall needs it stopped (SHUTOFF) or running (ACTIVE: stopped first), or in ERROR after a
 * failed reinstall or change of OS`.
 */
export function describeAllowedStatuses(operation: Operation): string {
  const noun = OPERATION_NOUNS[operation];
  if (operation === "reinstall" || operation === "change-os")
    return `${noun} needs it stopped (SHUTOFF) or running (ACTIVE: stopped first), or in ERROR after a failed reinstall or change of OS`;
  const words = allowedStatuses(operation).map(statusInWords);
  const listed = words.length > 1 ? `${words.slice(0, -1).join(", ")} or ${words.at(-1)}` : (words[0] ?? "");
  return `${noun} needs it ${listed}`;
}

/** Statuses in which the operation has nothing to do (the target is left out, with a warning). */
export function doneStatuses(operation: Operation): readonly string[] {
  switch (operation) {
    case "start":
      return ["ACTIVE"];
    case "stop":
      return ["SHUTOFF"];
    default:
      return [];
  }
}

/**
 * Statuses in which the operation does not apply but need not block the others: the target is left out with a
 * warning. A stopped server in a reboot of a group (`/ecs reboot tag:role=cache`) is not rebooted, as a stopped
 * one in a stop is not stopped; starting it is another decision.
 */
export function leftOutStatuses(operation: Operation): readonly string[] {
  return operation === "reboot" ? ["SHUTOFF"] : [];
}

/** A server's state as far as a flow is concerned. */
export interface PlannedState {
  status: string;
  flavor: string;
  /** Absent: not known (then neither lock condition holds). */
  locked?: boolean;
  /** Key → value; absent: not known (then a tag change is assumed). */
  tags?: Readonly<Record<string, string>>;
}

/**
 * What a tag / untag with these parameters does to a server with these tags: the `key=value` pairs it gains
 * and loses, and the tags it ends with. Nothing added nor removed: its tags are already so. Pure; the
 * preflight says it, and the `target_tags_change` condition leaves such a server out of the call.
 */
export function applyTagChange(
  tags: Readonly<Record<string, string>>,
  params: Pick<FlowParameters, "addTags" | "removeTags">,
): { added: string[]; removed: string[]; after: Record<string, string> } {
  const added: string[] = [];
  const removed: string[] = [];
  const after = { ...tags };
  for (const { key, value } of params.addTags ?? []) {
    if (tags[key] === value) continue;
    if (Object.hasOwn(tags, key)) removed.push(`${key}=${tags[key]}`);
    added.push(`${key}=${value}`);
    after[key] = value;
  }
  for (const ref of params.removeTags ?? []) {
    if (!Object.hasOwn(tags, ref.key) || (ref.value !== undefined && tags[ref.key] !== ref.value)) continue;
    removed.push(`${ref.key}=${tags[ref.key]}`);
    delete after[ref.key];
  }
  return { added, removed, after };
}

/**
 * Whether a call step with this condition applies to a target in its approved pre-state. `parameters`: the
 * request's, for the conditions on what it changes (without them, or without the target's tags, those hold:
 * the call is made).
 */
export function conditionHolds(
  condition: Condition,
  pre: Pick<PlannedState, "status" | "locked" | "tags">,
  parameters?: Pick<FlowParameters, "addTags" | "removeTags">,
): boolean {
  switch (condition) {
    case "always":
      return true;
    case "target_tags_change": {
      if (pre.tags === undefined || parameters === undefined) return true;
      const { added, removed } = applyTagChange(pre.tags, parameters);
      return added.length + removed.length > 0;
    }
    case "target_was_running":
      return pre.status === "ACTIVE";
    case "target_was_stopped":
      return pre.status === "SHUTOFF";
    case "target_was_locked":
      return pre.locked === true;
    case "target_was_unlocked":
      return pre.locked === false;
  }
}

/** The state a call leaves a server in when it succeeds. */
export function stateAfter(
  expect: Expectation,
  state: PlannedState,
  parameters: FlowParameters,
): PlannedState {
  switch (expect) {
    case "running":
      return { ...state, status: "ACTIVE" };
    case "stopped":
      return { ...state, status: "SHUTOFF" };
    case "rebooted":
      return state;
    case "resized":
      return { ...state, status: "SHUTOFF", flavor: parameters.flavorRef ?? state.flavor };
    case "deleted":
      return { ...state, status: "DELETED" };
    case "locked":
      return { ...state, locked: true };
    case "unlocked":
      return { ...state, locked: false };
    case "reinstalled":
    case "os_changed":
      // The server starts on its new system disk.
      return { ...state, status: "ACTIVE" };
    case "migrated":
      return { ...state, status: "SHUTOFF" };
    case "tagged":
    case "untagged":
    case "volume_attached":
    case "volume_detached":
      return state;
  }
}

/** The calls of a flow as (call, condition) pairs, in order. */
export type CallPlan = readonly { call: CallName; when: Condition }[];

/** The calls of each operation as the shipped flows make them; used when no flow is at hand. */
export const DEFAULT_CALL_PLANS: Readonly<Record<Operation, CallPlan>> = {
  start: [{ call: "ecs.batch_start", when: "target_was_stopped" }],
  stop: [{ call: "ecs.batch_stop", when: "target_was_running" }],
  reboot: [{ call: "ecs.batch_reboot", when: "target_was_running" }],
  resize: [
    { call: "ecs.batch_stop", when: "target_was_running" },
    { call: "ecs.resize", when: "always" },
    { call: "ecs.batch_start", when: "target_was_running" },
  ],
  delete: [{ call: "ecs.delete", when: "always" }],
  tag: [{ call: "ecs.add_tags", when: "target_tags_change" }],
  untag: [{ call: "ecs.delete_tags", when: "target_tags_change" }],
  lock: [{ call: "ecs.lock", when: "target_was_unlocked" }],
  unlock: [{ call: "ecs.unlock", when: "target_was_locked" }],
  reinstall: [
    { call: "ecs.batch_stop", when: "target_was_running" },
    { call: "ecs.reinstall", when: "always" },
  ],
  "change-os": [
    { call: "ecs.batch_stop", when: "target_was_running" },
    { call: "ecs.change_os", when: "always" },
  ],
  attach: [{ call: "ecs.attach_volume", when: "always" }],
  detach: [{ call: "ecs.detach_volume", when: "always" }],
  migrate: [
    { call: "ecs.batch_stop", when: "target_was_running" },
    { call: "ecs.migrate", when: "always" },
    { call: "ecs.batch_start", when: "target_was_running" },
  ],
};

/** The call plan of a flow's steps. */
export function callPlanOf(steps: readonly FlowStep[]): CallPlan {
  return steps.flatMap((s) => (s.kind === "call" ? [{ call: s.call, when: s.when }] : []));
}

/** The calls that apply to a target and the state it ends in if they all succeed. */
export function planTarget(
  plan: CallPlan,
  pre: PlannedState,
  parameters: FlowParameters,
): { calls: CallName[]; end: PlannedState } {
  let state = pre;
  const calls: CallName[] = [];
  for (const { call, when } of plan) {
    if (!conditionHolds(when, pre, parameters)) continue;
    calls.push(call);
    state = stateAfter(EXPECTATION_OF_CALL[call], state, parameters);
  }
  return { calls, end: state };
}
