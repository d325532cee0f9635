import type { EcsApi, Server } from "../cloud/types.js";
import { createFleetNameIndex, type FleetNameIndex } from "./create-fleet-name-index.js";
import type { TargetLookup } from "./types.js";

/** Page size for the lookups' listings: the ECS maximum, so a big answer costs few requests. */
const PAGE_SIZE = 1000;
/** Servers read for a shortened ID: past this many, the answer says "more than". */
const ID_START_READ = 100;

export interface CloudTargetLookupOptions {
  /**
   * The fleet's names (and IDs) for "did you mean" suggestions (read without waiting). Absent: the name
   * query's names, and no server offered for a shortened ID.
   */
  names?: FleetNameIndex;
}

/**
 * Target lookups over the ECS API, each using the narrowest filter the API offers: the native listing's
 * `server_id` filter for IDs, the `name` filter (a fuzzy match: a superset of exact
 * and prefix matches) for names, the exact `ip_eq` filter for IPv4 addresses, the `tags` filter for tag selectors. Only IPv6 addresses (no API filter) and
 * large batches list the fleet; suggestions come from `options.names`, refreshed in the background.
 *
 * The ECS `name` filter is a pattern match on the service side; names reaching here come from the intent
 * grammar, whose only pattern character is `.` (which matches itself, so the answer stays a superset).
 */
export function createCloudTargetLookup(
  ecs: EcsApi,
  options: CloudTargetLookupOptions = {},
): TargetLookup<Server> {
  return {
    async byId(id) {
      // The ID filter of the native listing: one request, and the record carries the flavor's sizes (which
      // the preflight then needs not read again). A comma or slash cannot be part of a server ID.
      if (id.includes(",") || id.includes("/")) return undefined;
      return (await ecs.listServersByIds([id])).find((s) => s.id === id);
    },
    byName: (name) => ecs.listServers({ name, pageSize: PAGE_SIZE }),
    byIp: (ip, version) =>
      version === 4
        ? ecs.listServers({ ipEq: ip, pageSize: PAGE_SIZE })
        : ecs.listServers({ pageSize: PAGE_SIZE }),
    byTag: (key, value) => ecs.listServers({ tags: `${key}=${value}`, pageSize: PAGE_SIZE }),
    all: () => ecs.listServers({ pageSize: PAGE_SIZE }),
    ...(options.names !== undefined && {
      knownNames: options.names.names,
      // More than are shown, so that the answer can say how many it leaves out.
      knownIdsStartingWith: (prefix: string) => options.names?.idsStartingWith(prefix, ID_START_READ),
    }),
  };
}

/**
 * The lookups with "did you mean" names from a fleet index listed in the background from the bot's start
 * (`warmUp`, so the first miss already has them), never by the command that missed. `onError`: a listing
 * of the names failed (the previous names keep serving).
 */
export function createSuggestingTargetLookup(
  ecs: EcsApi,
  onError: (error: unknown) => void,
): { lookup: TargetLookup<Server>; warmUp: () => void } {
  const names = createFleetNameIndex({ list: () => ecs.listServers(), onError });
  return {
    lookup: createCloudTargetLookup(ecs, { names }),
    warmUp: () => {
      names.refresh().catch(onError);
    },
  };
}
