import { randomText } from "../../random/random-text.js";

/** A listing for one set of filters as commands share it: its items' IDs in display order and its counts. */
export interface SharedListing {
  /** Names this listing in the store, so the page clicks of every command it served share one saved copy. */
  id: string;
  /** The items' IDs in display order, made once for every command the listing serves. */
  ids: string[];
  /** The counts its header shows (ECS: servers by status; HSS: `countHosts` by name). */
  statusCounts: Record<string, number>;
}

/** What a listing keeps of what it listed (everything of a {@link SharedListing} but its name). */
export type ListingSummary = Omit<SharedListing, "id">;

/**
 * What a command gets: the one that listed also gets the items (its page is as fresh as a read); the others
 * get the kept listing, and read their page again by ID.
 */
export type SharedUse<T> =
  | { made: true; listing: SharedListing; items: readonly T[] }
  | { made: false; listing: SharedListing };

/** A full listing as `get` is given it: the items, their summary, and what the cache's user keeps with it. */
export interface Listed<T, K> {
  items: readonly T[];
  summary: ListingSummary;
  /** Kept with the entry until it is listed again or dropped (see {@link SharedListingsOptions.lingers}). */
  kept?: K;
}

/**
 * Brings an expired listing up to date from what was kept with it (`previous` is its listing, to serve on
 * when nothing changed), or answers undefined for a full listing instead.
 */
export type RenewListing<K> = (
  kept: K,
  previous: Promise<SharedListing>,
) => Promise<{ listing: SharedListing; kept: K } | undefined>;

export interface SharedListingsOptions<K> {
  /** How long a finished listing serves other commands with the same filters. Default 5 s. */
  reuseMs?: number;
  /**
   * How long it serves once it has served {@link SharedListingsOptions.burstUses} commands: under a burst
   * the same filters are listed at most this often. Default 30 s.
   */
  burstReuseMs?: number;
  /** Commands (the one that listed included) that make a listing a burst's. Default 50. */
  burstUses?: number;
  /** Milliseconds since the epoch. */
  now?: () => number;
  /** Filter sets kept at once (each holds its IDs and counts until it is older than `reuseMs`). Default 32. */
  maxEntries?: number;
  /** Whether an expired listing can still be renewed from what it kept (it is then not pruned). */
  lingers?: (kept: K, now: number) => boolean;
}

export interface SharedListings<K> {
  /**
   * The listing for `key`: the one made in the last `reuseMs` (`burstReuseMs` once it served a burst), the
   * one in flight, or a new one from `list`. `made` is true for the call that listed. A failed listing is not
   * kept: the next command lists again. Given `renew`, an expired listing that {@link
   * SharedListingsOptions.lingers} is brought up to date by it instead (the caller gets `made: false`).
   */
  get<T>(key: string, list: () => Promise<Listed<T, K>>, renew?: RenewListing<K>): Promise<SharedUse<T>>;
}

/** Default reuse window: long enough to absorb a burst of commands, short enough that totals stay current. */
export const DEFAULT_LISTING_REUSE_MS = 5_000;

/**
 * Under a burst (50 commands on one listing, 10 a second for 5 s: a script, not a team), a listing serves for
 * 30 s. A listing of 10,000 servers is 24.6 MB of JSON to decode and parse, and the garbage it leaves: made
 * every 5 s at 100 mixed commands a second, it was a fifth of the bot's CPU (about 2 ms a command). A person
 * typing a command never makes a burst, and sees totals at most 5 s old.
 */
export const DEFAULT_BURST_REUSE_MS = 30_000;
export const DEFAULT_BURST_USES = 50;

interface Entry<K> {
  promise: Promise<SharedListing>;
  /** When the listing finished; undefined while it is in flight. */
  listedAt?: number;
  /** Commands it served, the one that listed included. */
  uses: number;
  kept?: K;
}

/** A listing of `summary` under a new name. */
export function newSharedListing(summary: ListingSummary): SharedListing {
  return { id: randomText(9, "base64url"), ids: summary.ids, statusCounts: summary.statusCounts };
}

/**
 * One listing per key (a command and its filters) at a time: concurrent commands with the same filters wait
 * for the same requests, and a finished listing serves the next ones for `reuseMs` (`burstReuseMs` under a
 * burst). What a command that did not list shows is its caller's to keep fresh: `/ecs list` and `/hss hosts`
 * read that command's page again by ID, so only totals, counts and the set of items can be up to the window
 * old. Only the IDs and counts are kept (and the caller's `kept`): the items themselves go to the command that
 * listed and are garbage once its page is shown.
 */
export function createSharedListings<K = never>(options: SharedListingsOptions<K> = {}): SharedListings<K> {
  const reuseMs = options.reuseMs ?? DEFAULT_LISTING_REUSE_MS;
  const burstReuseMs = Math.max(reuseMs, options.burstReuseMs ?? DEFAULT_BURST_REUSE_MS);
  const burstUses = options.burstUses ?? DEFAULT_BURST_USES;
  const now = options.now ?? Date.now;
  const maxEntries = options.maxEntries ?? 32;
  const lingers = options.lingers;
  const entries = new Map<string, Entry<K>>();

  /** Whether a listing still serves: in flight, or younger than its window (longer once it served a burst). */
  const serves = (entry: Entry<K>, t: number) =>
    entry.listedAt === undefined || t - entry.listedAt < (entry.uses >= burstUses ? burstReuseMs : reuseMs);
  const renewable = (entry: Entry<K>, t: number) =>
    entry.kept !== undefined && lingers?.(entry.kept, t) === true;

  function prune(): void {
    const t = now();
    for (const [key, entry] of entries) {
      if (!serves(entry, t) && !renewable(entry, t)) entries.delete(key);
    }
    // Still too many (many distinct filters at once): the oldest go first; in-flight ones keep their callers.
    for (const [key] of entries) {
      if (entries.size < maxEntries) break;
      entries.delete(key);
    }
  }

  /** Keeps `entry` for `key` while it serves; a failed one is dropped so that the next command lists again. */
  function keep(key: string, entry: Entry<K>): void {
    entries.set(key, entry);
    entry.promise.catch(() => {
      if (entries.get(key) === entry) entries.delete(key);
    });
  }

  /** Gives `entry` what it lists to, when it finished. */
  function settle(entry: Entry<K>, listing: SharedListing, kept: K | undefined): SharedListing {
    entry.listedAt = now();
    if (kept === undefined) delete entry.kept;
    else entry.kept = kept;
    return listing;
  }

  return {
    async get<T>(key: string, list: () => Promise<Listed<T, K>>, renew?: RenewListing<K>) {
      const found = entries.get(key);
      const t = now();
      if (found !== undefined && serves(found, t)) {
        found.uses += 1;
        return { listing: await found.promise, made: false };
      }
      const kept = found?.kept;
      if (found !== undefined && renew !== undefined && kept !== undefined && renewable(found, t)) {
        // Replaces the expired entry (whose kept state `renew` may update in place).
        const entry: Entry<K> = {
          uses: 1,
          promise: renew(kept, found.promise).then(async (renewed) => {
            if (renewed !== undefined) return settle(entry, renewed.listing, renewed.kept);
            const full = await list();
            return settle(entry, newSharedListing(full.summary), full.kept);
          }),
        };
        keep(key, entry);
        return { listing: await entry.promise, made: false };
      }
      prune();
      const listed = list();
      const entry: Entry<K> = {
        uses: 1,
        promise: listed.then((full) => settle(entry, newSharedListing(full.summary), full.kept)),
      };
      keep(key, entry);
      const { items } = await listed;
      return { made: true, listing: await entry.promise, items };
    },
  };
}
