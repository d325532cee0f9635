/**
 * What ECS allows and what each operation does to a server: the semantic knowledge behind preflight,
 * step conditions and the planned end state. Flow files choose steps; these rules are fixed in code.
 */
import type { CallName, Condition, Expectation, Operation } from "./flow-vocabulary.js";
import { EXPECTATION_OF_CALL } from "./flow-vocabulary.js";
import type { FlowParameters, FlowStep } from "./types.js";

/** Statuses from which the operation can run. */
export function allowedStatuses(operation: Operation): readonly string[] {
  switch (operation) {
    case "start":
      return ["SHUTOFF"];
    case "stop":
    case "reboot":
      return ["ACTIVE"];
    case "resize":
      return ["ACTIVE", "SHUTOFF"];
    case "delete":
      return ["ACTIVE", "SHUTOFF", "ERROR"];
  }
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

/** Whether a call step with this condition applies to a target in `status` (its approved pre-state). */
export function conditionHolds(condition: Condition, status: string): boolean {
  switch (condition) {
    case "always":
      return true;
    case "target_was_running":
      return status === "ACTIVE";
    case "target_was_stopped":
      return status === "SHUTOFF";
  }
}

/** A server's state as far as a flow is concerned. */
export interface PlannedState {
  status: string;
  flavor: string;
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
      return { status: "SHUTOFF", flavor: parameters.flavorRef ?? state.flavor };
    case "deleted":
      return { ...state, status: "DELETED" };
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
    if (!conditionHolds(when, pre.status)) continue;
    calls.push(call);
    state = stateAfter(EXPECTATION_OF_CALL[call], state, parameters);
  }
  return { calls, end: state };
}
