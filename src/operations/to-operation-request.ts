import type { MutationIntent } from "../commands/types.js";
import type { PolicyFlags } from "../policy/types.js";
import { ACTION_OF_OPERATION, OPERATIONS, type Operation } from "../workflow/flow-vocabulary.js";
import type { FlowParameters } from "../workflow/types.js";

/** A state-changing command as policy, preflight, approval and executor see it. */
export interface OperationRequest {
  operation: Operation;
  /** IAM-style action, e.g. `ecs:cloudServers:stop`. */
  action: string;
  /** What the approval binds and the executor gets (JSON, no undefined values). */
  parameters: FlowParameters;
  /** What the policy's `flags` conditions look at. */
  flags: PolicyFlags;
  /** `resize --dry-run`: validate only, never execute. */
  dryRun: boolean;
}

/** Maps a parsed mutation to its operation, parameters and policy flags. Pure. */
export function toOperationRequest(intent: MutationIntent): OperationRequest {
  switch (intent.type) {
    case "ecs.start":
      return request("start", {}, {});
    case "ecs.stop":
      return request("stop", { hard: intent.hard }, { hard: intent.hard });
    case "ecs.reboot":
      return request("reboot", { hard: intent.hard }, { hard: intent.hard });
    case "ecs.resize":
      return {
        ...request("resize", { flavorRef: intent.flavor }, { dryRun: intent.dryRun }),
        dryRun: intent.dryRun,
      };
    case "ecs.delete":
      return request(
        "delete",
        { deleteVolume: intent.deleteVolume, deleteEip: intent.deleteEip },
        { deleteVolume: intent.deleteVolume, deleteEip: intent.deleteEip },
      );
  }
}

function request(operation: Operation, parameters: FlowParameters, flags: PolicyFlags): OperationRequest {
  return { operation, action: ACTION_OF_OPERATION[operation], parameters, flags, dryRun: false };
}

/** The operation an approved action runs, or undefined for an action without a flow. */
export function operationOfAction(action: string): Operation | undefined {
  return OPERATIONS.find((op) => ACTION_OF_OPERATION[op] === action);
}

/**
 * The policy flags of an approved request, from its bound parameters: what the policy's `flags` conditions
 * look at when the decision is made again before execution (the same flags as when it was requested).
 */
export function policyFlagsOf(action: string, parameters: Readonly<Record<string, unknown>>): PolicyFlags {
  const p = flowParametersOf(parameters);
  switch (operationOfAction(action)) {
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

/** Approval parameters (JSON) back to flow parameters: only the known keys, with their types checked. */
export function flowParametersOf(parameters: Readonly<Record<string, unknown>>): FlowParameters {
  const out: FlowParameters = {};
  if (typeof parameters.hard === "boolean") out.hard = parameters.hard;
  if (typeof parameters.flavorRef === "string") out.flavorRef = parameters.flavorRef;
  if (typeof parameters.deleteVolume === "boolean") out.deleteVolume = parameters.deleteVolume;
  if (typeof parameters.deleteEip === "boolean") out.deleteEip = parameters.deleteEip;
  return out;
}
