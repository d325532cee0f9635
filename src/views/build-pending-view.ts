import { formatTarget, type Target } from "../intents/index.js";
import { code, type Message, md } from "../render/message-model.js";
import { buildNoticeView } from "./build-notice-view.js";

/**
 * What a request is doing while the cloud answers: one server looked up, several servers checked before a
 * change, a list fetched, or anything else.
 */
export type PendingWork =
  | { kind: "lookup"; target: Target }
  | { kind: "check"; targets: readonly Target[] }
  | { kind: "list" }
  | { kind: "working" };

/**
 * The placeholder shown when a request takes longer than a moment ("⏳ Looking up web-04…"); the result
 * replaces it. Names what was typed (escaped by the renderer), never IDs the user did not type.
 */
export function buildPendingView(work: PendingWork): Message {
  return buildNoticeView(":hourglass_flowing_sand:", pendingText(work));
}

function pendingText(work: PendingWork) {
  switch (work.kind) {
    case "lookup":
      return md`Looking up ${code(formatTarget(work.target))}…`;
    case "check": {
      const [only] = work.targets;
      if (work.targets.length === 1 && only !== undefined && only.kind !== "tag") {
        return md`Checking ${code(formatTarget(only))}…`;
      }
      if (work.targets.length === 1 && only !== undefined) {
        return md`Checking the servers tagged ${code(formatTarget(only).replace(/^tag:/, ""))}…`;
      }
      return md`Checking ${String(work.targets.length)} servers…`;
    }
    case "list":
      return md`Fetching the list…`;
    case "working":
      return md`Working on it…`;
  }
}
