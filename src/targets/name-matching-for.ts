import { type Intent, type IntentAction, intentAction, MUTATING_ACTIONS } from "../intents/index.js";
import type { NameMatching } from "./types.js";

/**
 * How the targets of `intent` are resolved: exactly for every command whose action changes servers (a
 * `resize --dry-run` included: it asks for approval of the same thing), by unique prefix for reads. The one
 * place this is decided, so a command and `/ops policy explain` of it resolve alike.
 */
export function nameMatchingFor(intent: Intent): NameMatching {
  return (MUTATING_ACTIONS as readonly IntentAction[]).includes(intentAction(intent)) ? "exact" : "prefix";
}
