import type { MutationIntent } from "../commands/types.js";
import type { PolicyFlags, TagChange } from "../policy/types.js";
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
  /** Tag commands: the change, which the policy's `tag_change` conditions look at. */
  tagChange?: TagChange;
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
    case "ecs.tag.add": {
      const addTags = intent.tags.map((t) => ({ key: t.key, value: t.value }));
      return { ...request("tag", { addTags }, {}), tagChange: { add: addTags, remove: [] } };
    }
    case "ecs.tag.remove": {
      const removeTags = intent.tags.map((t) =>
        t.value === undefined ? { key: t.key } : { key: t.key, value: t.value },
      );
      return { ...request("untag", { removeTags }, {}), tagChange: { add: [], remove: removeTags } };
    }
    case "ecs.lock":
      return request("lock", {}, {});
    case "ecs.unlock":
      return request("unlock", {}, {});
    case "ecs.reinstall":
      // Without --keypair the preflight reads the server's own key pair and the approval binds it.
      return request("reinstall", intent.keyPair === undefined ? {} : { keyName: intent.keyPair }, {});
    case "ecs.change-os":
      return request(
        "change-os",
        { imageId: intent.imageId, ...(intent.keyPair !== undefined && { keyName: intent.keyPair }) },
        {},
      );
    case "ecs.attach":
      return request(
        "attach",
        { volumeId: intent.volumeId, ...(intent.device !== undefined && { device: intent.device }) },
        {},
      );
    case "ecs.detach":
      return request("detach", { volumeId: intent.volumeId }, {});
    case "ecs.migrate":
      return request(
        "migrate",
        intent.dedicatedHostId === undefined ? {} : { dedicatedHostId: intent.dedicatedHostId },
        {},
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

/**
 * The tag change of an approved tag request, from its bound parameters: what the policy's `tag_change`
 * conditions look at when the decision is made again before execution. Undefined for other requests.
 */
export function tagChangeOf(
  action: string,
  parameters: Readonly<Record<string, unknown>>,
): TagChange | undefined {
  const p = flowParametersOf(parameters);
  switch (operationOfAction(action)) {
    case "tag":
      return { add: p.addTags ?? [], remove: [] };
    case "untag":
      return { add: [], remove: p.removeTags ?? [] };
    default:
      return undefined;
  }
}

const isString = (v: unknown): v is string => typeof v === "string";
const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null;

/** Approval parameters (JSON) back to flow parameters: only the known keys, with their types checked. */
export function flowParametersOf(parameters: Readonly<Record<string, unknown>>): FlowParameters {
  const out: FlowParameters = {};
  if (typeof parameters.hard === "boolean") out.hard = parameters.hard;
  if (isString(parameters.flavorRef)) out.flavorRef = parameters.flavorRef;
  if (typeof parameters.deleteVolume === "boolean") out.deleteVolume = parameters.deleteVolume;
  if (typeof parameters.deleteEip === "boolean") out.deleteEip = parameters.deleteEip;
  const pairs = Array.isArray(parameters.addTags) ? parameters.addTags.filter(isRecord) : undefined;
  if (pairs?.every((t) => isString(t.key) && isString(t.value)))
    out.addTags = pairs.map((t) => ({ key: t.key as string, value: t.value as string }));
  const refs = Array.isArray(parameters.removeTags) ? parameters.removeTags.filter(isRecord) : undefined;
  if (refs?.every((t) => isString(t.key) && (t.value === undefined || isString(t.value))))
    out.removeTags = refs.map((t) =>
      isString(t.value) ? { key: t.key as string, value: t.value } : { key: t.key as string },
    );
  for (const key of ["keyName", "imageId", "volumeId", "device", "dedicatedHostId"] as const) {
    const value = parameters[key];
    if (isString(value)) out[key] = value;
  }
  return out;
}
