import type { Server, ServerChanges } from "../../cloud/types.js";
import { randomText } from "../../random/random-text.js";
import { byNameThenId } from "./read-options.js";

/** A fleet listing for one set of filters as the cache keeps it: its servers' IDs in display order and counts. */
export interface SharedListing {
  /** Names this listing in the store, so the page clicks of every command it served share one saved copy. */
  id: string;
  /** The servers' IDs in display order, made once for every command the listing serves. */
  ids: string[];
  statusCounts: Record<string, number>;
}

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

export interface ListingCache {
  /**
   * The listing for `key`: the one made in the last `reuseMs`, the one in flight, or a new one from `list`.
   * `made` is true for the call that listed (its rows are as fresh as a read); a reuser re-reads its page.
   * A failed listing is not kept: the next command lists again. With `changes`, a listing that has expired
   * is brought up to date from the changes since it was made instead (see {@link createListingCache}).
   */
  get(key: string, list: () => Promise<readonly Server[]>, changes?: ListingChanges): Promise<ListingUse>;
}

export interface ListingCacheOptions {
  /** How long a finished listing serves other commands with the same filters. Default 5 s. */
  reuseMs?: number;
  /**
   * How long it serves once it has served {@link ListingCacheOptions.burstUses} commands: under a burst the
   * fleet is listed at most this often. Default 30 s.
   */
  burstReuseMs?: number;
  /** Commands (the one that listed included) that make a listing a burst's. Default 50. */
  burstUses?: number;
  /**
   * How long a listing kept current by its changes serves before the fleet is listed again in full: bounds
   * what the changes cannot show (a rename that is not a status change reorders the list only then).
   * Default 5 min.
   */
  relistMs?: number;
  /** Milliseconds since the epoch. */
  now?: () => number;
  /** Filter sets kept at once (each holds its IDs and counts until it is older than `reuseMs`). Default 32. */
  maxEntries?: number;
}

/** Default reuse window: long enough to absorb a burst of `/ecs list`, short enough that totals stay current. */
export const DEFAULT_LISTING_REUSE_MS = 5_000;

/**
 * Under a burst (50 commands on one listing, 10 a second for 5 s: a script, not a team), a listing serves for
 * 30 s. A listing of 10,000 servers is 24.6 MB of JSON to decode and parse, and the garbage it leaves: made
 * every 5 s at 100 mixed commands a second, it was a fifth of the bot's CPU (about 2 ms a command). A person
 * typing `/ecs list` never makes a burst, and sees totals at most 5 s old as before.
 */
export const DEFAULT_BURST_REUSE_MS = 30_000;
export const DEFAULT_BURST_USES = 50;
export const DEFAULT_RELIST_MS = 5 * 60_000;

/**
 * How far before the newest change a listing has seen its next changes are asked from, besides the time the
 * listing took: a change made while the pages were read may be in none of them, and the cloud's `updated`
 * times have whole seconds.
 */
const CHANGES_MARGIN_MS = 60_000;

/** A server as a listing kept current by its changes holds it: what its order and counts need. */
interface Kept {
  id: string;
  name: string;
  status: string;
}

/** What a listing needs to be brought up to date from its changes. */
interface Tracking {
  servers: Map<string, Kept>;
  /** The moment (ms, the cloud's clock) its next changes are asked from. */
  sinceMs: number;
  /** When the fleet was last listed in full (ms, `now`). */
  listedInFullAt: number;
}

interface Entry {
  promise: Promise<SharedListing>;
  /** When the listing finished; undefined while it is in flight. */
  listedAt?: number;
  /** Commands it served, the one that listed included. */
  uses: number;
  /** Set once the listing finished, when it was asked for with its changes and can be kept current by them. */
  tracking?: Tracking;
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

/** A new listing of `servers` in their order (the display order): their IDs and their counts by status. */
function newListing(servers: readonly Kept[]): SharedListing {
  const statusCounts: Record<string, number> = {};
  for (const s of servers) statusCounts[s.status] = (statusCounts[s.status] ?? 0) + 1;
  return { id: randomText(9, "base64url"), ids: servers.map((s) => s.id), statusCounts };
}

/**
 * One listing per filter set at a time. A whole-fleet `/ecs list` is ten 1,000-server pages and most of a
 * command's CPU; under a burst (100 commands a second) every `/ecs list` with the same filters in the
 * reuse window shares one listing, and concurrent ones wait for the same requests instead of each listing
 * the fleet. The rows a reuser shows are re-read by ID, so only totals and per-status counts can be up to
 * `reuseMs` old, and under a burst up to `burstReuseMs`; so can the set of servers (one made or deleted since
 * shows from the next listing on).
 *
 * Only the IDs and counts are kept: the servers themselves (10,000 records, some 20 MB of heap) go to the
 * command that listed and are garbage once its page is shown. Kept for the window, every full garbage
 * collection would mark them again.
 *
 * Given its `changes`, an expired listing is brought up to date instead of made again (two requests, not
 * ten pages): the servers changed since it was made replace what it held of them, and it serves on only if it
 * then holds exactly as many servers as the cloud counts; otherwise (a deletion the changes did not report),
 * after `relistMs`, or when a change cannot be read, the fleet is listed again in full. For that it keeps the
 * name and status of each server (about 1.5 MB for 10,000) until it is relisted or dropped.
 */
export function createListingCache(options: ListingCacheOptions = {}): ListingCache {
  const reuseMs = options.reuseMs ?? DEFAULT_LISTING_REUSE_MS;
  const burstReuseMs = Math.max(reuseMs, options.burstReuseMs ?? DEFAULT_BURST_REUSE_MS);
  const burstUses = options.burstUses ?? DEFAULT_BURST_USES;
  const relistMs = options.relistMs ?? DEFAULT_RELIST_MS;
  const now = options.now ?? Date.now;
  const maxEntries = options.maxEntries ?? 32;
  const entries = new Map<string, Entry>();

  /** Whether a listing still serves: in flight, or younger than its window (longer once it served a burst). */
  const serves = (entry: Entry, t: number) =>
    entry.listedAt === undefined || t - entry.listedAt < (entry.uses >= burstUses ? burstReuseMs : reuseMs);
  /** Whether an expired listing can still be brought up to date by its changes. */
  const current = (entry: Entry, t: number) =>
    entry.tracking !== undefined && t - entry.tracking.listedInFullAt < relistMs;

  function prune(): void {
    const t = now();
    for (const [key, entry] of entries) {
      if (!serves(entry, t) && !current(entry, t)) entries.delete(key);
    }
    // Still too many (many distinct filters at once): the oldest go first; in-flight ones keep their callers.
    for (const [key] of entries) {
      if (entries.size < maxEntries) break;
      entries.delete(key);
    }
  }

  /** Keeps `entry` for `key` while it serves; a failed one is dropped so that the next command lists again. */
  function keep(key: string, entry: Entry): void {
    entries.set(key, entry);
    entry.promise.catch(() => {
      if (entries.get(key) === entry) entries.delete(key);
    });
  }

  /**
   * Lists in full: the servers, their listing, when it finished and, when `tracked`, what keeping it current
   * needs (none when a server has no time of its last change: nothing to ask the changes from).
   */
  async function listFully(list: () => Promise<readonly Server[]>, tracked: boolean) {
    const startedAt = now();
    const servers = await list();
    const listedAt = now();
    const newest = tracked ? newestUpdate(servers) : undefined;
    const tracking: Tracking | undefined =
      newest === undefined || !Number.isFinite(newest)
        ? undefined
        : {
            servers: new Map(servers.map((s) => [s.id, { id: s.id, name: s.name, status: s.status }])),
            sinceMs: newest - (listedAt - startedAt) - CHANGES_MARGIN_MS,
            listedInFullAt: listedAt,
          };
    return { servers, listing: newListing(servers), listedAt, tracking };
  }

  /** Gives `entry` what a full listing found, and its listing. */
  function settle(entry: Entry, full: Awaited<ReturnType<typeof listFully>>): SharedListing {
    entry.listedAt = full.listedAt;
    entry.tracking = full.tracking;
    return full.listing;
  }

  /** Lists in full for `key`: the servers go to the caller, the entry keeps their IDs and counts. */
  function listInFull(key: string, list: () => Promise<readonly Server[]>, tracked: boolean) {
    const listed = listFully(list, tracked);
    const entry: Entry = { uses: 1, promise: listed.then((full) => settle(entry, full)) };
    keep(key, entry);
    return listed;
  }

  /**
   * Brings an expired listing up to date from its changes, or lists in full instead when they do not account
   * for every server the cloud counts or cannot be read. Its servers are updated in place: the entry they
   * belonged to has expired, and this one replaces it.
   */
  function update(
    key: string,
    old: Entry,
    tracking: Tracking,
    list: () => Promise<readonly Server[]>,
    changes: ListingChanges,
  ): Promise<SharedListing> {
    const entry: Entry = { uses: 1, promise: bringUpToDate() };
    async function bringUpToDate(): Promise<SharedListing> {
      const startedAt = now();
      let found: ServerChanges | undefined;
      try {
        found = await changes(new Date(tracking.sinceMs).toISOString());
      } catch {
        // Not worth failing the command for: the full listing below reports its own fault if it has one.
      }
      const newest = found === undefined ? undefined : newestUpdate(found.changed, tracking.sinceMs);
      if (found !== undefined && newest !== undefined) {
        let changed = false;
        for (const s of found.changed) {
          if (s.status === "DELETED") {
            changed = tracking.servers.delete(s.id) || changed;
            continue;
          }
          const before = tracking.servers.get(s.id);
          if (before?.name === s.name && before.status === s.status) continue;
          tracking.servers.set(s.id, { id: s.id, name: s.name, status: s.status });
          changed = true;
        }
        if (tracking.servers.size === found.count) {
          const t = now();
          entry.listedAt = t;
          entry.tracking = {
            servers: tracking.servers,
            sinceMs: Math.max(tracking.sinceMs, newest - (t - startedAt) - CHANGES_MARGIN_MS),
            listedInFullAt: tracking.listedInFullAt,
          };
          // Unchanged: the same listing (and its saved copy) serves the page clicks of both.
          if (!changed) return old.promise;
          return newListing([...tracking.servers.values()].sort(byNameThenId));
        }
      }
      return settle(entry, await listFully(list, true));
    }
    keep(key, entry);
    return entry.promise;
  }

  return {
    async get(key, list, changes) {
      const found = entries.get(key);
      const t = now();
      if (found !== undefined && serves(found, t)) {
        found.uses += 1;
        return { listing: await found.promise, made: false };
      }
      if (found !== undefined && changes !== undefined && found.tracking !== undefined && current(found, t)) {
        return { listing: await update(key, found, found.tracking, list, changes), made: false };
      }
      prune();
      const { listing, servers } = await listInFull(key, list, changes !== undefined);
      return { made: true, listing, servers };
    },
  };
}
