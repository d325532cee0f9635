import type { Intent, Target } from "../intents/index.js";
import { randomText } from "../random/random-text.js";
import type { Store } from "../store/store.js";
import type { ListSnapshot } from "./read/read-options.js";
import type { ReadIntent, RequestMeta } from "./types.js";

/** A read query behind a result's buttons: the intent with every server reference resolved to an ID. */
export interface StoredQuery {
  owner: string;
  intent: ReadIntent;
}

/**
 * A command waiting for its requester to choose: between ambiguous servers (`candidateIds`), among the
 * exact names offered for a near miss (`candidateNames`), or among the actions `/ecs show` offered
 * (`offeredActions`).
 */
export interface StoredPick {
  owner: string;
  request: Omit<RequestMeta, "triggerId">;
  intent: Intent;
  target: Target;
  candidateIds: string[];
  /**
   * Names offered for a near miss. Without them, the offered servers are `candidateIds` (a shortened ID: a
   * click runs on the ID offered, never on a name, which another server may carry by then).
   */
  candidateNames?: string[];
  /** `/ecs show`: the power actions offered on the server `target` names (an ID). */
  offeredActions?: string[];
}

export interface InteractionTokens {
  /** A fresh random token (12 URL-safe characters, 72 bits). */
  newToken(): string;
  saveQuery(token: string, query: StoredQuery): Promise<void>;
  loadQuery(token: string): Promise<StoredQuery | undefined>;
  /** Keeps a listing for the page clicks of its result, for `snapshotTtlMs` (after which pages list again). */
  saveSnapshot(token: string, snapshot: ListSnapshot): Promise<void>;
  loadSnapshot(token: string): Promise<ListSnapshot | undefined>;
  savePick(token: string, pick: StoredPick): Promise<void>;
  /** Reads a pick without using it up (to check who may answer it). */
  peekPick(token: string): Promise<StoredPick | undefined>;
  /**
   * Returns the pick and removes it, so a choice continues a command at most once; remembers for the pick's
   * lifetime that it was used, and by whom ({@link pickUsedBy}).
   */
  takePick(token: string): Promise<StoredPick | undefined>;
  /**
   * Who used the pick `token` named, while it would still have been answerable: a second click on a choice
   * is told it was made, not that it expired (which invites running the command again).
   */
  pickUsedBy(token: string): Promise<string | undefined>;
}

export interface InteractionTokenOptions {
  /** How long Previous/Next/Share keep working. Default 24 h. */
  queryTtlMs?: number;
  /** How long an ambiguity menu stays answerable. Default 1 h. */
  pickTtlMs?: number;
  /** How long page clicks of a list are served from the listing made for the command. Default 2 min. */
  snapshotTtlMs?: number;
  /** Milliseconds since the epoch (remembering which shared listings are saved). Default `Date.now`. */
  now?: () => number;
}

/**
 * A token's saved snapshot: the listing itself, or (when commands shared one listing) the ID of the
 * listing saved once under `ui:listing:<id>`.
 */
type SavedSnapshot = ListSnapshot | { listing: string };

/**
 * How long after its first save a shared listing is still handed to new tokens without saving it again.
 * Listings are shared for seconds (create-listing-cache.ts), so this only bounds the memo; the stored
 * listing outlives it by the snapshot TTL, so every token that points to it gets its full TTL.
 */
const LISTING_MEMO_MS = 60_000;

const TOKEN_RE = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * Short tokens for interactive elements, backed by the shared store: a button carries only a token
 * (and a page), the query or pending command lives in the store with a TTL. Works across replicas when
 * the store is shared; after expiry the click is told to run the command again.
 */
export function createInteractionTokens(
  store: Store,
  options: InteractionTokenOptions = {},
): InteractionTokens {
  const queryTtlMs = options.queryTtlMs ?? 24 * 60 * 60 * 1000;
  const pickTtlMs = options.pickTtlMs ?? 60 * 60 * 1000;
  const snapshotTtlMs = options.snapshotTtlMs ?? 2 * 60 * 1000;
  const now = options.now ?? Date.now;
  /**
   * Shared listings this process has saved or read, with when: saved once, and a page click on this replica
   * does not parse 10,000 IDs from the store again.
   */
  const savedListings = new Map<string, { at: number; listing: ListSnapshot }>();
  const remembered = (id: string): ListSnapshot | undefined => {
    const t = now();
    for (const [saved, entry] of savedListings)
      if (t - entry.at >= LISTING_MEMO_MS) savedListings.delete(saved);
    return savedListings.get(id)?.listing;
  };
  const valid = (token: string) => TOKEN_RE.test(token);
  return {
    newToken: () => randomText(9, "base64url"),
    async saveQuery(token, query) {
      // Disposable: a query lost to a power cut only makes its buttons say "run the command again".
      await store.createIfAbsent(`ui:query:${token}`, query, { ttlMs: queryTtlMs, durability: "relaxed" });
    },
    async loadQuery(token) {
      if (!valid(token)) return undefined;
      return (await store.get<StoredQuery>(`ui:query:${token}`))?.value;
    },
    async saveSnapshot(token, snapshot) {
      // Disposable like the query: a lost snapshot only makes the next page list again.
      const relaxed = { ttlMs: snapshotTtlMs, durability: "relaxed" } as const;
      const id = snapshot.id;
      if (id === undefined) {
        await store.createIfAbsent(`ui:snapshot:${token}`, snapshot, relaxed);
        return;
      }
      // 10,000 IDs are ~400 KB: written once per shared listing, not once per command that showed it.
      if (remembered(id) === undefined) {
        const listing = { ids: snapshot.ids, statusCounts: snapshot.statusCounts };
        await store.createIfAbsent(`ui:listing:${id}`, listing, {
          ttlMs: snapshotTtlMs + LISTING_MEMO_MS,
          durability: "relaxed",
        });
        savedListings.set(id, { at: now(), listing });
      }
      await store.createIfAbsent(`ui:snapshot:${token}`, { listing: id }, relaxed);
    },
    async loadSnapshot(token) {
      if (!valid(token)) return undefined;
      const saved = (await store.get<SavedSnapshot>(`ui:snapshot:${token}`))?.value;
      if (saved === undefined || !("listing" in saved)) return saved;
      const listing =
        remembered(saved.listing) ?? (await store.get<ListSnapshot>(`ui:listing:${saved.listing}`))?.value;
      if (listing === undefined) return undefined;
      if (!savedListings.has(saved.listing)) savedListings.set(saved.listing, { at: now(), listing });
      return { ...listing, id: saved.listing };
    },
    async savePick(token, pick) {
      // Disposable: a pick runs its command through the policy again, and a lost one is "run it again".
      await store.createIfAbsent(`ui:pick:${token}`, pick, { ttlMs: pickTtlMs, durability: "relaxed" });
    },
    async peekPick(token) {
      if (!valid(token)) return undefined;
      return (await store.get<StoredPick>(`ui:pick:${token}`))?.value;
    },
    async takePick(token) {
      if (!valid(token)) return undefined;
      const key = `ui:pick:${token}`;
      const found = await store.get<StoredPick>(key);
      if (found === undefined) return undefined;
      // Only the caller whose delete wins continues: two quick picks cannot both run the command.
      if (!(await store.delete(key))) return undefined;
      // Disposable, like the pick: a lost note only makes a second click read "expired".
      await store
        .createIfAbsent(
          `ui:pick-used:${token}`,
          { owner: found.value.owner },
          { ttlMs: pickTtlMs, durability: "relaxed" },
        )
        .catch(() => undefined);
      return found.value;
    },
    async pickUsedBy(token) {
      if (!valid(token)) return undefined;
      return (await store.get<{ owner: string }>(`ui:pick-used:${token}`))?.value.owner;
    },
  };
}
