import type { Server, ServerChanges } from "./types.js";

/**
 * How far before the newest change a kept set of servers has seen its next changes are asked from, besides
 * the time the listing took: a change made while the pages were read may be in none of them, and the cloud's
 * `updated` times have whole seconds.
 */
const CHANGES_MARGIN_MS = 60_000;

/**
 * Servers kept current by the cloud's changes instead of listed again (`EcsApi.listServerChanges`): what is
 * kept of each (`K`, by server ID), the moment of the cloud's clock the next changes are asked from, and when
 * the servers were last listed in full. Shared by `/ecs list`'s listings and the watchers' fleet index.
 */
export interface ServerTracking<K> {
  servers: Map<string, K>;
  /** The moment (ms, the cloud's clock) the next changes are asked from. */
  sinceMs: number;
  /** When the servers were last listed in full (ms, the keeper's clock). */
  listedInFullAt: number;
}

/** The newest `updated` of `servers` (ms), or undefined when one has none the clock can read. */
function newestUpdate(servers: readonly { updated?: string }[], from = Number.NEGATIVE_INFINITY) {
  let newest = from;
  for (const s of servers) {
    const t = s.updated === undefined ? Number.NaN : Date.parse(s.updated);
    if (Number.isNaN(t)) return undefined;
    if (t > newest) newest = t;
  }
  return newest;
}

/**
 * What keeping a full listing current needs: `keep` of each server, and the moment its changes are asked from
 * (`startedAt` and `listedAt` on the keeper's clock, around the listing). Undefined when a server has no time of
 * its last change: there is nothing to ask the changes from, so the next listing is a full one again.
 */
export function trackServers<K>(
  servers: readonly Server[],
  keep: (s: Server) => K,
  startedAt: number,
  listedAt: number,
): ServerTracking<K> | undefined {
  const newest = newestUpdate(servers);
  if (newest === undefined || !Number.isFinite(newest)) return undefined;
  return {
    servers: new Map(servers.map((s) => [s.id, keep(s)])),
    sinceMs: newest - (listedAt - startedAt) - CHANGES_MARGIN_MS,
    listedInFullAt: listedAt,
  };
}

/**
 * Applies `found` (the changes since `tracking.sinceMs`, asked for at `startedAt` and answered at `now`, the
 * keeper's clock) to `tracking`, in place: a deleted server leaves, a changed one is kept anew unless `same` says
 * what is kept of it did not change. Answers the tracking to keep and whether anything kept changed, or undefined
 * when the changes do not account for every server the cloud counts (a server that left without being among
 * them) or carry a time the clock cannot read: then only a full listing tells the servers, and `tracking`, half
 * updated, must be dropped.
 */
export function applyServerChanges<K>(
  tracking: ServerTracking<K>,
  found: ServerChanges,
  startedAt: number,
  now: number,
  keep: (s: Server) => K,
  same: (kept: K, s: Server) => boolean,
): { tracking: ServerTracking<K>; changed: boolean } | undefined {
  const newest = newestUpdate(found.changed, tracking.sinceMs);
  if (newest === undefined) return undefined;
  let changed = false;
  for (const s of found.changed) {
    if (s.status === "DELETED") {
      changed = tracking.servers.delete(s.id) || changed;
      continue;
    }
    const before = tracking.servers.get(s.id);
    if (before !== undefined && same(before, s)) continue;
    tracking.servers.set(s.id, keep(s));
    changed = true;
  }
  if (tracking.servers.size !== found.count) return undefined;
  return {
    tracking: {
      servers: tracking.servers,
      sinceMs: Math.max(tracking.sinceMs, newest - (now - startedAt) - CHANGES_MARGIN_MS),
      listedInFullAt: tracking.listedInFullAt,
    },
    changed,
  };
}
