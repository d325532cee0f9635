import type { Intent } from "../intents/index.js";
import { targetsOf } from "../targets/replace-target.js";
import type { PendingWork } from "../views/build-pending-view.js";
import { isMutationIntent } from "./understand-command.js";

/** What the placeholder of a command says it is doing, from what was typed. */
export function pendingWorkOf(intent: Intent): PendingWork {
  const targets = targetsOf(intent);
  const [only] = targets;
  if (isMutationIntent(intent) && targets.length > 0) return { kind: "check", targets };
  if (targets.length === 1 && only !== undefined) return { kind: "lookup", target: only };
  if (targets.length > 1) return { kind: "check", targets };
  if (intent.type === "ecs.list" || intent.type === "hss.hosts") return { kind: "list" };
  return { kind: "working" };
}
