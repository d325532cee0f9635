import { parseServerTags } from "../cloud/parse-server-tags.js";
import { applyServerChanges, type ServerTracking, trackServers } from "../cloud/track-server-changes.js";
import type { EcsApi, Server } from "../cloud/types.js";

/** A server as the watchers and digests read it: what their scopes, states and messages need. */
export interface FleetServer {
  id: string;
  name: string;
  status: string;
  /** Its tags, parsed (HSS host IDs are server IDs, so HSS hosts get their tags here). */
  tags: Record<string, string>;
  /** The flavor's name, else its ID. */
  flavor: string;
  /** What the cloud says of its fault, when it has one. */
  fault?: string;
}

/** The fleet for the watchers and digests, kept current between their runs (see {@link createFleetIndex}). */
export interface FleetIndex {
  /** Every server the cloud lists, as of now; a listing's fault (`CloudError`) is thrown. */
  servers(): Promise<readonly FleetServer[]>;
}

export interface FleetIndexOptions {
  /** The keeper's clock (ms); default `Date.now`. */
  now?: () => number;
  /**
   * How long the fleet is kept current by its changes before it is listed in full again: bounds what the
   * changes cannot show (a change the cloud does not stamp with a new `updated` time). Default 10 min.
   */
  relistMs?: number;
}

export const DEFAULT_FLEET_RELIST_MS = 10 * 60_000;

function fleetServer(s: Server): FleetServer {
  const fault = s.fault?.message ?? s.fault?.details;
  return {
    id: s.id,
    name: s.name,
    status: s.status,
    tags: parseServerTags(s.tags),
    flavor: s.flavor.name ?? s.flavor.id,
    ...(fault !== undefined && { fault }),
  };
}

/**
 * The whole fleet for the watchers and digests, listed in full once and then kept current by the cloud's
 * changes (`listServerChanges`: the servers changed since the last look and the count of all), as `/ecs list`'s
 * listings are. On a 10,000-server fleet every ECS watcher run, and every HSS watcher and digest that needs the
 * servers' names and tags, read two requests instead of ten 1,000-server pages, and the 25 MB of JSON and some
 * 60 MB of garbage a full listing leaves each time (the bot's RSS peaks under the watchers) are not made. What is
 * kept is small (names, statuses, parsed tags, flavors: a few MB for 10,000 servers).
 *
 * The fleet is listed in full again when the changes do not account for every server the cloud counts (a
 * deletion they did not report), when they cannot be read, after `relistMs`, and when `ecs` cannot tell changes
 * at all. Concurrent callers share one look.
 */
export function createFleetIndex(
  ecs: Pick<EcsApi, "listServers"> & Partial<Pick<EcsApi, "listServerChanges">>,
  options: FleetIndexOptions = {},
): FleetIndex {
  const now = options.now ?? Date.now;
  const relistMs = options.relistMs ?? DEFAULT_FLEET_RELIST_MS;
  let tracking: ServerTracking<FleetServer> | undefined;
  let looking: Promise<readonly FleetServer[]> | undefined;

  async function listInFull(): Promise<readonly FleetServer[]> {
    tracking = undefined;
    const startedAt = now();
    const servers = await ecs.listServers();
    tracking = trackServers(servers, fleetServer, startedAt, now());
    return tracking === undefined ? servers.map(fleetServer) : [...tracking.servers.values()];
  }

  async function look(): Promise<readonly FleetServer[]> {
    const kept = tracking;
    if (kept === undefined || ecs.listServerChanges === undefined || now() - kept.listedInFullAt >= relistMs)
      return listInFull();
    const startedAt = now();
    const found = await ecs.listServerChanges(new Date(kept.sinceMs).toISOString()).catch(() => undefined);
    const applied =
      found === undefined
        ? undefined
        : applyServerChanges(kept, found, startedAt, now(), fleetServer, () => false);
    // Every changed server is kept anew: whether what is kept of it changed matters to no caller here.
    if (applied === undefined) return listInFull();
    tracking = applied.tracking;
    return [...applied.tracking.servers.values()];
  }

  return {
    servers() {
      looking ??= look().finally(() => {
        looking = undefined;
      });
      return looking;
    },
  };
}
