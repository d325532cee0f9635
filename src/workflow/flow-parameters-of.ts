import { ACTION_OF_OPERATION, OPERATIONS, type Operation } from "./flow-vocabulary.js";
import type { FlowParameters } from "./types.js";

/** The operation an approved action runs, or undefined for an action without a flow. */
export function operationOfAction(action: string): Operation | undefined {
  return OPERATIONS.find((op) => ACTION_OF_OPERATION[op] === action);
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
