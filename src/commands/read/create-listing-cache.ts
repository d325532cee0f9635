import type { Server } from "../../cloud/types.js";
import { randomText } from "../../random/random-text.js";

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

export interface ListingCache {
  /**
   * The listing for `key`: the one made in the last `reuseMs`, the one in flight, or a new one from `list`.
   * `made` is true for the call that listed (its rows are as fresh as a read); a reuser re-reads its page.
   * A failed listing is not kept: the next command lists again.
   */
  get(key: string, list: () => Promise<readonly Server[]>): Promise<ListingUse>;
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

interface Entry {
  promise: Promise<SharedListing>;
  /** When the listing finished; undefined while it is in flight. */
  listedAt?: number;
  /** Commands it served, the one that listed included. */
  uses: number;
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
 */
export function createListingCache(options: ListingCacheOptions = {}): ListingCache {
  const reuseMs = options.reuseMs ?? DEFAULT_LISTING_REUSE_MS;
  const burstReuseMs = Math.max(reuseMs, options.burstReuseMs ?? DEFAULT_BURST_REUSE_MS);
  const burstUses = options.burstUses ?? DEFAULT_BURST_USES;
  const now = options.now ?? Date.now;
  const maxEntries = options.maxEntries ?? 32;
  const entries = new Map<string, Entry>();

  /** Whether a listing still serves: in flight, or younger than its window (longer once it served a burst). */
  const serves = (entry: Entry, t: number) =>
    entry.listedAt === undefined || t - entry.listedAt < (entry.uses >= burstUses ? burstReuseMs : reuseMs);

  function prune(): void {
    const t = now();
    for (const [key, entry] of entries) {
      if (!serves(entry, t)) entries.delete(key);
    }
    // Still too many (many distinct filters at once): the oldest go first; in-flight ones keep their callers.
    for (const [key] of entries) {
      if (entries.size < maxEntries) break;
      entries.delete(key);
    }
  }

  return {
    async get(key, list) {
      const found = entries.get(key);
      if (found !== undefined && serves(found, now())) {
        found.uses += 1;
        return { listing: await found.promise, made: false };
      }
      prune();
      const listed = list().then((servers) => {
        const statusCounts: Record<string, number> = {};
        for (const s of servers) statusCounts[s.status] = (statusCounts[s.status] ?? 0) + 1;
        const ids = servers.map((s) => s.id);
        return { listing: { id: randomText(9, "base64url"), ids, statusCounts }, servers };
      });
      const entry: Entry = {
        uses: 1,
        promise: listed.then(({ listing }) => {
          entry.listedAt = now();
          return listing;
        }),
      };
      entries.set(key, entry);
      entry.promise.catch(() => {
        if (entries.get(key) === entry) entries.delete(key);
      });
      const { listing, servers } = await listed;
      return { made: true, listing, servers };
    },
  };
}
