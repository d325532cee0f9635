import { INTENT_ACTIONS } from "../intents/intent-action.js";

/**
 * Every action the bot can perform, in Huawei IAM style (`service:resource:verb`). Policy rules name these,
 * with `*` wildcards. The intent grammar owns the list, so a new command cannot be forgotten here.
 */
export const KNOWN_ACTIONS = INTENT_ACTIONS;

export type KnownAction = (typeof KNOWN_ACTIONS)[number];

const KNOWN = new Set<string>(KNOWN_ACTIONS);

/** Whether `action` is one the bot knows; the policy denies anything else, whatever its wildcards say. */
export function isKnownAction(action: string): action is KnownAction {
  return KNOWN.has(action);
}
