import { parseServerTags } from "../cloud/parse-server-tags.js";
import type { ServerRead } from "./read-servers.js";
import type { FlowTarget } from "./types.js";

/** One difference between the approved pre-state and the server as it is now. */
export type DriftItem =
  | { serverId: string; name: string; kind: "gone" }
  | { serverId: string; name: string; kind: "status"; expected: string; actual: string }
  | { serverId: string; name: string; kind: "flavor"; expected: string; actual: string }
  | { serverId: string; name: string; kind: "busy"; taskState: string }
  /** The server has another name now (`name` is the approved one). */
  | { serverId: string; name: string; kind: "renamed"; actual: string }
  /** Tags (`key=value`) added or changed (`added`), removed or changed (`removed`) since approval. */
  | { serverId: string; name: string; kind: "tags"; added: string[]; removed: string[] }
  /** A tag selector of the command (`key=value`) that chose this server no longer matches it. */
  | { serverId: string; name: string; kind: "unselected"; selector: string }
  /** The server was locked or unlocked since approval. */
  | { serverId: string; name: string; kind: "lock"; expected: boolean; actual: boolean }
  /**
   * Not a change: the server could not be read again (`message`: the cloud's code and message, and its request
   * ID when known). It stops the run all the same (nothing is sent to a server that cannot be verified), but it
   * is its own reason, never worded as "the servers changed" ({@link isUnreadable}, {@link abortReasonOf}).
   */
  | { serverId: string; name: string; kind: "unreadable"; message: string };

/** Why a re-check stopped a run: the servers changed since approval, or some could not be read to tell. */
export type AbortReason = "changed" | "unreadable";

/** Whether the item is a server that could not be read (not a change of the server). */
export function isUnreadable(item: DriftItem): item is Extract<DriftItem, { kind: "unreadable" }> {
  return item.kind === "unreadable";
}

/**
 * Why the re-check's findings stop the run, or undefined when there are none. A change outranks a failed read:
 * an approval for a world that no longer exists must be asked again whatever the cloud answers now.
 */
export function abortReasonOf(items: readonly DriftItem[]): AbortReason | undefined {
  if (items.length === 0) return undefined;
  return items.every(isUnreadable) ? "unreadable" : "changed";
}

/**
 * Compares every target's approved pre-state with what was just read. Any difference is drift: the approval
 * was for a world that no longer exists. That covers the facts the policy decided on (name, tags, the tag
 * that selected it) as well as status, flavor and lock. A target that could not be read is reported too, as
 * `unreadable` (it cannot be verified, so nothing may be sent to it), which is not a change: the views say
 * the cloud could not be read, never that the servers changed.
 *
 * For a tag change too, every tag is compared, the ones it changes included: the re-check runs before the
 * call, when the change must not have happened yet. A tag it adds already there, or one it removes already
 * gone, means someone else changed the server since the approval (whose policy decision rested on those
 * tags), so the run stops. The change itself is confirmed after the call, on the changed tags only (see
 * `reconcile-from-servers.ts`): the other tags may change meanwhile without making the call's result wrong.
 */
export function detectDrift(
  targets: readonly FlowTarget[],
  reads: ReadonlyMap<string, ServerRead>,
): DriftItem[] {
  const drift: DriftItem[] = [];
  for (const t of targets) {
    const read = reads.get(t.id);
    const who = { serverId: t.id, name: t.name };
    if (read === undefined) {
      drift.push({ ...who, kind: "unreadable", message: "no answer" });
      continue;
    }
    if (read.kind === "not_found") {
      drift.push({ ...who, kind: "gone" });
      continue;
    }
    if (read.kind === "unreadable") {
      drift.push({ ...who, kind: "unreadable", message: cloudAnswerOf(read) });
      continue;
    }
    const s = read.server;
    if (s.status !== t.status) drift.push({ ...who, kind: "status", expected: t.status, actual: s.status });
    if (s.flavor.id !== t.flavor)
      drift.push({ ...who, kind: "flavor", expected: t.flavor, actual: s.flavor.id });
    if (s.taskState) drift.push({ ...who, kind: "busy", taskState: s.taskState });
    if (s.name !== t.name) drift.push({ ...who, kind: "renamed", actual: s.name });
    if (t.locked !== undefined && (s.locked === true) !== t.locked)
      drift.push({ ...who, kind: "lock", expected: t.locked, actual: s.locked === true });
    if (t.tags !== undefined) {
      const now = parseServerTags(s.tags);
      const unselected = (t.selectedBy ?? [])
        .map((selector) => {
          const at = selector.indexOf("=");
          return { selector, key: selector.slice(0, at), value: selector.slice(at + 1) };
        })
        .filter(({ key, value }) => now[key] !== value);
      // A selecting tag that is gone is said once, as such ("the tag that selected it"), not again as removed.
      const saidApart = new Set(unselected.map(({ key, value }) => tagText(key, value)));
      const pairs = (tags: Record<string, string>) => Object.entries(tags).map(([k, v]) => tagText(k, v));
      const before = new Set(pairs(t.tags));
      const after = new Set(pairs(now));
      const added = [...after].filter((p) => !before.has(p)).sort();
      const removed = [...before].filter((p) => !after.has(p) && !saidApart.has(p)).sort();
      if (added.length > 0 || removed.length > 0) drift.push({ ...who, kind: "tags", added, removed });
      for (const { selector } of unselected) drift.push({ ...who, kind: "unselected", selector });
    }
  }
  return drift;
}

/** What the cloud answered to a read that failed: its code and message, with the request ID for Huawei support. */
function cloudAnswerOf(read: Extract<ServerRead, { kind: "unreadable" }>): string {
  return `${read.code}: ${read.message}${read.requestId !== undefined ? `, request ${read.requestId}` : ""}`;
}

function tagText(key: string, value: string): string {
  return value === "" ? key : `${key}=${value}`;
}

/** One line per difference, e.g. "web-03: status ACTIVE → SHUTOFF". Plain text (callers escape it). */
export function describeDrift(item: DriftItem): string {
  switch (item.kind) {
    case "gone":
      return `${item.name}: no longer exists`;
    case "status":
      return `${item.name}: status ${item.expected} → ${item.actual}`;
    case "flavor":
      return `${item.name}: flavor ${item.expected} → ${item.actual}`;
    case "busy":
      return `${item.name}: a task is in progress (${item.taskState})`;
    case "unreadable":
      return `${item.name}: could not be read (${item.message})`;
    case "renamed":
      return `${item.name}: renamed to ${item.actual}`;
    case "tags": {
      const parts = [
        ...(item.added.length > 0 ? [`now tagged ${item.added.join(", ")}`] : []),
        ...(item.removed.length > 0 ? [`no longer tagged ${item.removed.join(", ")}`] : []),
      ];
      return `${item.name}: ${parts.join("; ")}`;
    }
    case "unselected":
      return `${item.name}: no longer tagged ${item.selector}, the tag that selected it`;
    case "lock":
      return `${item.name}: ${item.actual ? "locked" : "unlocked"} since approval`;
  }
}
