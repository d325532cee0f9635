import { flowParametersOf, operationOfAction } from "../workflow/flow-parameters-of.js";
import type { Operation } from "../workflow/flow-vocabulary.js";
import type { FlowParameters } from "../workflow/types.js";
import type { PolicyFlags, TagChange } from "./types.js";

/**
 * What the policy's `flags` and `tag_change` conditions look at, from an approved request's bound parameters:
 * the same facts as when it was requested. The one place that knows which action takes which flag (the
 * start-up check of rules that can never match reads it too).
 */

/**
 * The policy flags of an approved request, from its bound parameters: what the policy's `flags` conditions
 * look at when the decision is made again before execution (the same flags as when it was requested).
 */
export function policyFlagsOf(action: string, parameters: Readonly<Record<string, unknown>>): PolicyFlags {
  return flagsOfParameters(operationOfAction(action), flowParametersOf(parameters));
}

/** The policy flags of an operation with these parameters (at request time, and read back before execution). */
export function flagsOfParameters(operation: Operation | undefined, p: FlowParameters): PolicyFlags {
  switch (operation) {
    case "stop":
    case "reboot":
      return { hard: p.hard === true };
    case "resize":
      return { dryRun: false };
    case "delete":
      return { deleteVolume: p.deleteVolume === true, deleteEip: p.deleteEip === true };
    default:
      return {};
  }
}

/**
 * The tag change of an approved tag request, from its bound parameters: what the policy's `tag_change`
 * conditions look at when the decision is made again before execution. Undefined for other requests.
 */
export function tagChangeOf(
  action: string,
  parameters: Readonly<Record<string, unknown>>,
): TagChange | undefined {
  return tagChangeOfParameters(operationOfAction(action), flowParametersOf(parameters));
}

/** The tag change of an operation with these parameters; undefined unless it is a tag or untag. */
export function tagChangeOfParameters(
  operation: Operation | undefined,
  p: FlowParameters,
): TagChange | undefined {
  switch (operation) {
    case "tag":
      return { add: p.addTags ?? [], remove: [] };
    case "untag":
      return { add: [], remove: p.removeTags ?? [] };
    default:
      return undefined;
  }
}
