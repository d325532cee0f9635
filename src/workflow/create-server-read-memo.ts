import type { ServerRead } from "./read-servers.js";

/** How long reads made just before a run stay good for its first re-check. */
export const PRIMED_READ_MAX_AGE_MS = 5_000;

/**
 * Reads of a run's targets made immediately before the run started (the pre-execution re-decision's, which
 * are always fresh), handed to the run so that its first re-check — milliseconds later, before any call —
 * does not read the same servers again. One use only, and only while young: any later read of the run (after
 * a call, on a resumed run, past `PRIMED_READ_MAX_AGE_MS`) goes to the cloud.
 */
export interface ServerReadMemo {
  /**
   * The reads for exactly these IDs when every one is remembered and younger than the limit at `now`; the
   * memo is then spent. Undefined otherwise (the caller reads the cloud).
   */
  take(ids: readonly string[], now: number): ReadonlyMap<string, ServerRead> | undefined;
}

/** A memo of reads made at `readAt` (clock milliseconds). */
export function createServerReadMemo(
  reads: ReadonlyMap<string, ServerRead>,
  readAt: number,
  maxAgeMs = PRIMED_READ_MAX_AGE_MS,
): ServerReadMemo {
  let spent = false;
  return {
    take(ids, now) {
      if (spent || now - readAt > maxAgeMs || now < readAt) return undefined;
      if (!ids.every((id) => reads.has(id))) return undefined;
      spent = true;
      return new Map(ids.map((id) => [id, reads.get(id)!]));
    },
  };
}
