import type { ServerRead } from "./read-servers.js";
import type { FlowTarget } from "./types.js";

/** One difference between the approved pre-state and the server as it is now. */
export type DriftItem =
  | { serverId: string; name: string; kind: "gone" }
  | { serverId: string; name: string; kind: "status"; expected: string; actual: string }
  | { serverId: string; name: string; kind: "flavor"; expected: string; actual: string }
  | { serverId: string; name: string; kind: "busy"; taskState: string }
  | { serverId: string; name: string; kind: "unreadable"; message: string };

/**
 * Compares every target's approved pre-state with what was just read. Any difference is drift: the approval
 * was for a world that no longer exists. A target that could not be read counts too (it cannot be verified).
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
      drift.push({ ...who, kind: "unreadable", message: "not read" });
      continue;
    }
    if (read.kind === "not_found") {
      drift.push({ ...who, kind: "gone" });
      continue;
    }
    if (read.kind === "unreadable") {
      drift.push({ ...who, kind: "unreadable", message: `${read.code}: ${read.message}` });
      continue;
    }
    const s = read.server;
    if (s.status !== t.status) drift.push({ ...who, kind: "status", expected: t.status, actual: s.status });
    if (s.flavor.id !== t.flavor)
      drift.push({ ...who, kind: "flavor", expected: t.flavor, actual: s.flavor.id });
    if (s.taskState) drift.push({ ...who, kind: "busy", taskState: s.taskState });
  }
  return drift;
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
      return `${item.name}: could not be re-read (${item.message})`;
  }
}
