/**
 * The shared-state contract of the bot: a handful of atomic primitives that every backend (memory, SQLite,
 * Redis) implements identically. `test/store/store-contract.ts` is the executable
 * version of this contract; a backend is done when it passes that suite.
 *
 * Rules common to every method:
 * - Keys, set keys, stream and lease names are scoped by the store's namespace (given at creation), so two
 *   stores with different namespaces over one database never see each other's data.
 * - Values and log records are JSON: they are copied in and out (a caller mutating a returned object
 *   never changes what is stored) and must survive `JSON.stringify` (no `undefined` in arrays, no Dates,
 *   no functions, no cycles). A value that is not JSON-serializable makes the call throw before anything
 *   is written. Log records are stored as canonical JSON (`toCanonicalJson`: plain objects, finite numbers).
 * - Logs are hash chains: every entry carries its sequence number, the SHA-256 of the entry before it and
 *   its own hash (`hashLogEntry`), computed by the backend in the same atomic step that reads the stream's
 *   head, writes the entry and advances the head, whether the entry comes from `append` or rides on a key
 *   write. So concurrent writers (replicas) never fork a chain: there is one head per stream and namespace.
 * - Time comes from the injected {@link Clock}, never from the backend's own clock: every expiry decision
 *   (TTL keys, dedupe claims, leases) compares against `clock.now()`. A backend may additionally use native
 *   expiry (Redis PX, a SQLite sweep) as garbage collection, with a margin, but never as the authority.
 *   This keeps expiry testable with a manual clock on every backend.
 * - Expected outcomes (lost race, key absent, lease held) are return values; only I/O failures and
 *   programming faults throw. When a call throws, the caller must assume nothing about whether it took
 *   effect (a network backend may have committed before the connection dropped) and must fail closed.
 */

export { GENESIS_HASH } from "./hash-log-entry.js";

/** Milliseconds since the epoch; injected so expiry is testable. */
export interface Clock {
  now(): number;
}

/** The wall clock. Only composition roots should use it; everything else takes a `Clock`. */
export const systemClock: Clock = { now: () => Date.now() };

/** A stored value with the version it was written at. */
export interface Versioned<T> {
  value: T;
  /**
   * Store-wide revision of the last write to this key. Every write gives the key a version strictly greater
   * than any version it ever had, including across delete/expiry and re-creation, so a stale
   * `compareAndSwap` can never succeed against a re-created key (no ABA). Versions are positive integers;
   * {@link ABSENT} (0) stands for "no such key".
   */
  version: number;
}

/** The `expectedVersion` meaning "the key must not exist (or must have expired)". */
export const ABSENT = 0;

/** A log record appended atomically together with a key write (see {@link WriteOptions.append}). */
export interface LogAppend {
  stream: string;
  record: unknown;
}

/** A set membership change applied atomically together with a key write. */
export interface SetMember {
  setKey: string;
  member: string;
}

/**
 * Options of a key write. Everything besides `ttlMs` and `fence` is a rider: it is applied in the same atomic step as
 * the write and only if the write happens (the CAS/create wins). If any rider fails, nothing is written.
 * This is how a state transition and its audit record commit together.
 */
export interface WriteOptions {
  /** The key disappears `ttlMs` after this write (by the injected clock). Absent: no expiry. */
  ttlMs?: number;
  /** Records appended to logs, in order, iff the write commits. */
  append?: readonly LogAppend[];
  /** Set members added iff the write commits. */
  addToSets?: readonly SetMember[];
  /** Set members removed iff the write commits. */
  removeFromSets?: readonly SetMember[];
  /**
   * Fencing: the write commits only if the lease `fence.lease` is held, unexpired by the injected clock, by
   * `fence.owner` with `fence.token`; otherwise nothing is written and the call reports a lost race (false,
   * or a retry of `update`). Checked in the same atomic step as the write, so a writer that lost its lease
   * (expired while it was paused, taken over by another replica) can never write after the new holder.
   */
  fence?: WriteFence;
  /** See {@link Durability}; default `full`. */
  durability?: Durability;
}

/**
 * `full` (default): once the call returns, the write survives a crash of the process and a power loss.
 * `relaxed`: it survives a crash of the process but may be lost with the last moments before a power loss
 * (SQLite: answered without waiting for the group commit's fsync, which the next `full` write waits for). Only for disposable keys whose
 * loss costs a user one retry (a delivery's dedupe claim, the query behind result buttons), never for
 * approvals, runs, leases or the audit log. Backends without such a distinction ignore it.
 */
export type Durability = "full" | "relaxed";

/** The lease a fenced write depends on (see {@link WriteOptions.fence}). */
export interface WriteFence {
  lease: string;
  owner: string;
  token: number;
}

/** An entry of an append-only log: a link of the stream's hash chain. */
export interface LogEntry<R = unknown> {
  /** Position in the stream: 1, 2, 3…, strictly increasing, never reused (not even after a prune). */
  seq: number;
  record: R;
  /** `hash` of the entry `seq - 1` ({@link GENESIS_HASH} for the first entry of a stream). */
  prevHash: string;
  /** SHA-256 of `{"prevHash":…,"record":<canonical JSON>,"seq":…}` (see `hashLogEntry`). */
  hash: string;
}

/** A position in a hash chain. `seq` 0 with {@link GENESIS_HASH}: before the first entry. */
export interface LogLink {
  seq: number;
  hash: string;
}

/**
 * Where a stream's chain stands. Kept apart from the entries and advanced in the same atomic step as every
 * append, so entries deleted from the end (or the middle) are detectable: the head still names them.
 */
export interface LogState {
  /** The last entry appended. */
  head: LogLink;
  /** The last entry removed by {@link Store.pruneLog}: the first remaining entry links to it. */
  prunedThrough: LogLink;
}

export interface PruneLogResult {
  /** Entries removed by this call (0 when `throughSeq` was already pruned). */
  removed: number;
  /** Sequence number of the record appended to say so. */
  seq: number;
}

export interface ReadLogOptions<R = unknown> {
  /** At most this many entries (after filtering). Default 100. */
  limit?: number;
  /** Newest first. Default false (oldest first). */
  fromEnd?: boolean;
  /** Oldest first only: start after this sequence number (paging through a long log). Default 0. */
  afterSeq?: number;
  /**
   * Newest first only (`fromEnd`): start before this sequence number, so a reader pages back through a long
   * log without reading the newer entries again. A non-negative integer; default: from the head.
   */
  beforeSeq?: number;
  /** Keeps only records for which this returns true. Applied while scanning, before `limit`. */
  filter?: (record: R) => boolean;
}

/**
 * A held lease. `token` is a fencing token: strictly greater than every token issued before for the name. It is
 * drawn from the store-wide revision counter, so a released or long-expired lease leaves nothing behind (its
 * record is removed) and tokens still only grow.
 */
export interface Lease {
  token: number;
  expiresAt: number;
}

export interface LeaseInfo extends Lease {
  owner: string;
}

/** `fn` of {@link Store.update} returns this to leave the key as it is. */
export const NO_CHANGE: unique symbol = Symbol("store.no_change");
export type NoChange = typeof NO_CHANGE;

/** `fn` of {@link Store.update} returns this (via {@link abortUpdate}) to stop without writing. */
export class UpdateAbort<A> {
  constructor(readonly detail: A) {}
}

/** `fn` of {@link Store.update} returns this (via {@link writeUpdate}) to write with riders/TTL. */
export class UpdateWrite<T> {
  constructor(
    readonly value: T,
    readonly options: WriteOptions,
  ) {}
}

/** Stops an update without writing; `detail` is returned to the caller in `{ ok: false, reason: "aborted" }`. */
export function abortUpdate<A>(detail: A): UpdateAbort<A> {
  return new UpdateAbort(detail);
}

/** Writes `value` with options (TTL, riders) that depend on the value being written. */
export function writeUpdate<T>(value: T, options: WriteOptions): UpdateWrite<T> {
  return new UpdateWrite(value, options);
}

/**
 * Computes the next value from the current one (undefined: the key is absent). Must be pure: it is called
 * again on a fresh read each time the write loses a race. A plain value (not a marker) is written with the
 * update's default options.
 */
export type UpdateFn<T, A> = (
  current: Versioned<T> | undefined,
) => T | UpdateWrite<T> | NoChange | UpdateAbort<A>;

export interface UpdateOptions extends WriteOptions {
  /** How many times to re-read and retry after losing a CAS race. */
  retries: number;
}

export type UpdateResult<T, A> =
  /** Written; `value` is what was written (re-read with `get` for its version). */
  | { ok: true; changed: true; value: T }
  /** `fn` returned NO_CHANGE; `current` is what it saw (undefined: absent). */
  | { ok: true; changed: false; current: Versioned<T> | undefined }
  | { ok: false; reason: "aborted"; detail: A }
  /** Lost the race `retries + 1` times in a row. */
  | { ok: false; reason: "conflict" };

/**
 * The atomic primitives of the bot's shared state. Implemented by `createMemoryStore`, `createSqliteStore`
 * (one transaction per call) and `createRedisStore` (one Lua script or single command per call).
 */
export interface Store {
  /** The namespace every key of this store is scoped by. */
  readonly namespace: string;

  /** The current value and version, or undefined if absent or expired. */
  get<T>(key: string): Promise<Versioned<T> | undefined>;

  /**
   * Writes `value` only if the key is absent (or expired). Returns true iff this call created it; of
   * concurrent callers exactly one gets true. Riders in `options` commit with the creation.
   */
  createIfAbsent<T>(key: string, value: T, options?: WriteOptions): Promise<boolean>;

  /**
   * Writes `value` only if the key's current version is `expectedVersion` ({@link ABSENT}: must be absent).
   * Returns true iff it wrote; of concurrent callers expecting the same version exactly one gets true.
   * The write gets a new, higher version. Riders in `options` commit iff the write does.
   */
  compareAndSwap<T>(key: string, expectedVersion: number, value: T, options?: WriteOptions): Promise<boolean>;

  /**
   * Read-modify-write built on `get` + `compareAndSwap`: calls `fn` on the current value and writes its
   * result, re-reading and calling `fn` again (up to `retries` times) when another writer got there first.
   * Default write options (TTL, riders) come from `options`; an {@link UpdateWrite} result overrides them.
   */
  update<T, A = never>(key: string, fn: UpdateFn<T, A>, options: UpdateOptions): Promise<UpdateResult<T, A>>;

  /** Deletes the key. Returns true iff it existed (and had not expired). */
  delete(key: string): Promise<boolean>;

  /** Adds a member to a set (created on first add). Returns true iff it was not already a member. */
  addToSet(setKey: string, member: string): Promise<boolean>;

  /** Removes a member. Returns true iff it was a member. */
  removeFromSet(setKey: string, member: string): Promise<boolean>;

  /** The members of a set, sorted; empty if the set does not exist. */
  members(setKey: string): Promise<string[]>;

  /**
   * Dedupe: returns true iff no unexpired claim on `key` exists, and records one for `ttlMs`. Of concurrent
   * callers exactly one gets true. Claims live in their own keyspace (they never collide with `get` keys).
   */
  claimOnce(key: string, ttlMs: number, options?: { durability?: Durability }): Promise<boolean>;

  /**
   * Takes the lease `name` for `owner` if nobody holds it (never taken, released, or expired). A lease held
   * by anyone, including `owner` itself, is not re-granted: returns undefined. The returned token is a
   * fencing token, strictly greater than every token previously issued for `name`, whoever the owner.
   */
  acquireLease(name: string, owner: string, ttlMs: number): Promise<Lease | undefined>;

  /**
   * Extends the lease to `now + ttlMs` iff `owner` still holds it with `token` and it has not expired.
   * False means the lease is lost: stop the fenced work.
   */
  renewLease(name: string, owner: string, token: number, ttlMs: number): Promise<boolean>;

  /**
   * Releases the lease iff `owner` holds it with `token`. Returns true iff it did. Tokens stay monotonic (they
   * come from the store-wide revision), so the lease's record is removed.
   */
  releaseLease(name: string, owner: string, token: number): Promise<boolean>;

  /** The current unexpired holder of a lease, if any (to check a fencing token). */
  getLease(name: string): Promise<LeaseInfo | undefined>;

  /**
   * Appends a record to an append-only log, chained to the stream's head, and returns its sequence number
   * (1, 2, 3… per stream).
   */
  append(stream: string, record: unknown): Promise<number>;

  /**
   * Reads a log, oldest first unless `fromEnd`. Records are never modified, and removed only by
   * {@link Store.pruneLog}. Entries are returned as stored (a reader checking the chain sees any gap).
   */
  readLog<R = unknown>(stream: string, options?: ReadLogOptions<R>): Promise<LogEntry<R>[]>;

  /** The stream's chain head and prune point ({@link GENESIS_HASH} at seq 0 when none). */
  logState(stream: string): Promise<LogState>;

  /**
   * Removes the entries up to and including `throughSeq` and appends `record` (which should say so), in one
   * atomic step; `prunedThrough` becomes the last removed entry. `throughSeq` must not be past the head
   * (RangeError); at or before the current prune point nothing more is removed, the record is still appended.
   */
  pruneLog(stream: string, throughSeq: number, record: unknown): Promise<PruneLogResult>;

  /**
   * The store server's own clock (ms since the epoch), where the store is shared over the network (Redis):
   * leases and expiries follow each replica's clock, so a replica whose clock is far off the others' is
   * found by comparing with this one. Absent for stores on the replica's own machine (SQLite, memory).
   */
  serverTime?(): Promise<number>;

  /** Releases connections. The store must not be used afterwards. */
  close(): Promise<void>;
}

/**
 * The bound a newest-first read stays below ({@link ReadLogOptions.beforeSeq}); `Number.MAX_SAFE_INTEGER` when
 * there is none (or the read is oldest first). Throws `RangeError` for anything but a non-negative integer.
 */
export function checkBeforeSeq(options: Pick<ReadLogOptions, "fromEnd" | "beforeSeq">): number {
  if (options.beforeSeq === undefined) return Number.MAX_SAFE_INTEGER;
  if (!Number.isSafeInteger(options.beforeSeq) || options.beforeSeq < 0)
    throw new RangeError(`beforeSeq must be a non-negative integer`);
  return options.fromEnd ? options.beforeSeq : Number.MAX_SAFE_INTEGER;
}
