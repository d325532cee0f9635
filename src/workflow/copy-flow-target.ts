import type { FlowTarget } from "./types.js";

/**
 * A target as a run binds it: exactly the fields of {@link FlowTarget} that are set, copied (tags and
 * selectors too), so nothing of an approval's record or a run's spec is shared with, or leaks into, the other.
 */
export function copyFlowTarget(t: FlowTarget): FlowTarget {
  return {
    id: t.id,
    name: t.name,
    status: t.status,
    flavor: t.flavor,
    ...(t.tags !== undefined && { tags: { ...t.tags } }),
    ...(t.selectedBy !== undefined && { selectedBy: [...t.selectedBy] }),
    ...(t.locked !== undefined && { locked: t.locked }),
  };
}
