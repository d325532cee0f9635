import { randomBytes } from "node:crypto";
import type { Server } from "../../cloud/types.js";

/** A fleet listing for one set of filters: its servers in display order and their per-status counts. */
export interface SharedListing {
  /** Names this listing in the store, so the page clicks of every command it served share one saved copy. */
  id: string;
  servers: readonly Server[];
  /** The servers' IDs in the same order, made once for every command the listing serves. */
  ids: string[];
  statusCounts: Record<string, number>;
}

export interface ListingCache {
  /**
   * The listing for `key`: the one made in the last `reuseMs`, the one in flight, or a new one from `list`.
   * `made` is true for the call that listed (its rows are as fresh as a read); a reuser re-reads its page.
   * A failed listing is not kept: the next command lists again.
   */
  get(
    key: string,
    list: () => Promise<readonly Server[]>,
  ): Promise<{ listing: SharedListing; made: boolean }>;
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
  /** Filter sets kept at once (each holds its servers until it is older than `reuseMs`). Default 32. */
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
      const entry: Entry = {
        uses: 1,
        promise: list().then((listed) => {
          const servers = [...listed];
          const statusCounts: Record<string, number> = {};
          for (const s of servers) statusCounts[s.status] = (statusCounts[s.status] ?? 0) + 1;
          entry.listedAt = now();
          const ids = servers.map((s) => s.id);
          return { id: randomBytes(9).toString("base64url"), servers, ids, statusCounts };
        }),
      };
      entries.set(key, entry);
      entry.promise.catch(() => {
        if (entries.get(key) === entry) entries.delete(key);
      });
      return { listing: await entry.promise, made: true };
    },
  };
}
