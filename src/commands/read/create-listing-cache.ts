import { applyServerChanges, type ServerTracking, trackServers } from "../../cloud/track-server-changes.js";
import type { Server, ServerChanges } from "../../cloud/types.js";
import {
  createSharedListings,
  type ListingSummary,
  newSharedListing,
  type SharedListing,
  type SharedListingsOptions,
  type SharedUse,
} from "./create-shared-listings.js";
import { byNameThenId } from "./read-options.js";

export type { ListingSummary, SharedListing, SharedUse };

/**
 * What `get` answers: the command that listed also gets the servers (its page is as fresh as a read); the
 * others get the kept listing and read their page by ID.
 */
export type ListingUse =
  | { made: true; listing: SharedListing; servers: readonly Server[] }
  | { made: false; listing: SharedListing };

/**
 * Keeps a listing current without listing again: the servers changed since a moment of the cloud's clock
 * (ISO 8601) and the count of every server the listing would hold now. Only for a listing whose every
 * change is either among them or seen in the count (the whole fleet's, or one status's: a server that leaves
 * it leaves the listing holding one too many), in name-then-ID order (the order a listing brought up to date
 * is put in).
 */
export type ListingChanges = (since: string) => Promise<ServerChanges>;

/**
 * The listings of `/ecs list` and `/hss hosts`, shared by commands with the same filters and by the page
 * clicks of their answers (see {@link createSharedListings} for the sharing, {@link createListingCache} for
 * what `/ecs list` adds).
 */
export interface ListingCache {
  /**
   * `/ecs list`: the listing for `key`: the one made in the last `reuseMs`, the one in flight, or a new one
   * from `list`. `made` is true for the call that listed (its rows are as fresh as a read); a reuser re-reads
   * its page. A failed listing is not kept: the next command lists again. With `changes`, a listing that has
   * expired is brought up to date from the changes since it was made instead (see {@link createListingCache}).
   */
  get(key: string, list: () => Promise<readonly Server[]>, changes?: ListingChanges): Promise<ListingUse>;
  /**
   * Any other listing (`/hss hosts`), shared the same way and in the same windows, never kept current by
   * changes. `key` names the command and its filters; `list` gives the items in display order, `summarize`
   * the listing kept of them (their IDs in that order, and the counts).
   */
  share<T>(
    key: string,
    list: () => Promise<readonly T[]>,
    summarize: (items: readonly T[]) => ListingSummary,
  ): Promise<SharedUse<T>>;
}

export interface ListingCacheOptions extends Omit<SharedListingsOptions<Tracking>, "lingers"> {
  /**
   * How long a listing kept current by its changes serves before the fleet is listed again in full: bounds
   * what the changes cannot show (a rename that is not a status change reorders the list only then).
   * Default 5 min.
   */
  relistMs?: number;
}

export const DEFAULT_RELIST_MS = 5 * 60_000;

/** A server as a listing kept current by its changes holds it: what its order and counts need. */
interface Kept {
  id: string;
  name: string;
  status: string;
}

/** What a listing needs to be brought up to date from its changes. */
type Tracking = ServerTracking<Kept>;

const keepServer = (s: Server): Kept => ({ id: s.id, name: s.name, status: s.status });
const sameServer = (kept: Kept, s: Server) => kept.name === s.name && kept.status === s.status;

/** What a listing keeps of `servers` in their order (the display order): their IDs and their counts by status. */
function summaryOf(servers: readonly Kept[]): ListingSummary {
  const statusCounts: Record<string, number> = {};
  for (const s of servers) statusCounts[s.status] = (statusCounts[s.status] ?? 0) + 1;
  return { ids: servers.map((s) => s.id), statusCounts };
}

/** Keys of `/ecs list` apart from those `share` is given (which name their command). */
const ECS_KEY = "ecs.list ";

/**
 * One listing per filter set at a time (see {@link createSharedListings}). A whole-fleet `/ecs list` is ten
 * 1,000-server pages and most of a command's CPU; under a burst (100 commands a second) every `/ecs list` with
 * the same filters in the reuse window shares one listing, and concurrent ones wait for the same requests
 * instead of each listing the fleet. The rows a reuser shows are re-read by ID, so only totals and per-status
 * counts can be up to `reuseMs` old, and under a burst up to `burstReuseMs`; so can the set of servers (one
 * made or deleted since shows from the next listing on). `/hss hosts` shares its listings the same way
 * (`share`), in the same windows and within the same `maxEntries`.
 *
 * Only the IDs and counts are kept: the servers themselves (10,000 records, some 20 MB of heap) go to the
 * command that listed and are garbage once its page is shown. Kept for the window, every full garbage
 * collection would mark them again.
 *
 * Given its `changes`, an expired `/ecs list` listing is brought up to date instead of made again (two
 * requests, not ten pages): the servers changed since it was made replace what it held of them, and it serves
 * on only if it then holds exactly as many servers as the cloud counts; otherwise (a deletion the changes did
 * not report), after `relistMs`, or when a change cannot be read, the fleet is listed again in full. For that
 * it keeps the name and status of each server (about 1.5 MB for 10,000) until it is relisted or dropped.
 */
export function createListingCache(options: ListingCacheOptions = {}): ListingCache {
  const relistMs = options.relistMs ?? DEFAULT_RELIST_MS;
  const now = options.now ?? Date.now;
  const shared = createSharedListings<Tracking>({
    ...options,
    now,
    // An expired listing stays while its changes can still bring it up to date.
    lingers: (tracking, t) => t - tracking.listedInFullAt < relistMs,
  });

  /**
   * Lists in full: the servers, what their listing keeps and, when `tracked`, what keeping it current needs
   * (none when a server has no time of its last change: nothing to ask the changes from).
   */
  async function listFully(list: () => Promise<readonly Server[]>, tracked: boolean) {
    const startedAt = now();
    const servers = await list();
    const kept = tracked ? trackServers(servers, keepServer, startedAt, now()) : undefined;
    return { items: servers, summary: summaryOf(servers), ...(kept !== undefined && { kept }) };
  }

  /**
   * Brings an expired listing up to date from its changes, or answers undefined (a full listing instead) when
   * they do not account for every server the cloud counts or cannot be read. Its servers are updated in place:
   * the entry they belonged to has expired, and this one replaces it.
   */
  function renewFrom(changes: ListingChanges) {
    return async (tracking: Tracking, previous: Promise<SharedListing>) => {
      const startedAt = now();
      let found: ServerChanges | undefined;
      try {
        found = await changes(new Date(tracking.sinceMs).toISOString());
      } catch {
        // Not worth failing the command for: the full listing instead reports its own fault if it has one.
      }
      const applied =
        found === undefined
          ? undefined
          : applyServerChanges(tracking, found, startedAt, now(), keepServer, sameServer);
      if (applied === undefined) return undefined;
      const { tracking: kept, changed } = applied;
      // Unchanged: the same listing (and its saved copy) serves the page clicks of both.
      const listing = changed
        ? newSharedListing(summaryOf([...tracking.servers.values()].sort(byNameThenId)))
        : await previous;
      return { listing, kept };
    };
  }

  return {
    async get(key, list, changes) {
      const use = await shared.get(
        ECS_KEY + key,
        () => listFully(list, changes !== undefined),
        changes === undefined ? undefined : renewFrom(changes),
      );
      return use.made ? { made: true, listing: use.listing, servers: use.items } : use;
    },
    share(key, list, summarize) {
      return shared.get(key, async () => {
        const items = await list();
        return { items, summary: summarize(items) };
      });
    },
  };
}
