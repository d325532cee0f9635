import { GENESIS_HASH, hashLogEntry } from "./hash-log-entry.js";
import { mapDiskOutages } from "./map-disk-outages.js";
import { migrateSqliteSchema, SQLITE_SCHEMA, type SqliteSchemaUpgrade } from "./migrate-sqlite-schema.js";
import { openExclusiveDatabase } from "./open-exclusive-database.js";
import {
  type HeadRow,
  type KvRow,
  type KvVersionRow,
  type LeaseRow,
  type LogRow,
  prepareSqliteStatements,
} from "./prepare-sqlite-statements.js";
import {
  ABSENT,
  type Clock,
  checkBeforeSeq,
  type Durability,
  type Lease,
  type LeaseInfo,
  type LogEntry,
  type LogState,
  type ReadLogOptions,
  type Store,
  systemClock,
  type Versioned,
  type WriteFence,
  type WriteOptions,
} from "./store.js";
import { toCanonicalJson } from "./to-canonical-json.js";
import { toJson } from "./to-json.js";
import { updateWithCas } from "./update-with-cas.js";
import { validateTtl } from "./validate-ttl.js";

export interface SqliteStoreOptions {
  /** Path of the database file; created, with its parent directory, if missing. */
  file: string;
  clock?: Clock;
  /** Scopes every row; several namespaces can share one file. Default "hwc". */
  namespace?: string;
  /**
   * Brings the write-ahead log to disk (the group commit's sync); default an fsync of the `-wal` file. Used
   * by the first store to open the file in this process.
   */
  syncWal?: (walFile: string) => Promise<void>;
  /**
   * Told once the file was upgraded from an older schema (one-way: older builds refuse it afterwards), for the
   * start-up log; not called for a new or current file.
   */
  onSchemaUpgrade?: (upgrade: SqliteSchemaUpgrade & { file: string }) => void;
}

const DEFAULT_LOG_LIMIT = 100;
/** Rows read per page while scanning a log, so a filter never runs while a statement is still open. */
const LOG_PAGE = 256;
/** Expired rows are invisible at once (the clock decides); they are deleted after this many TTL writes. */
const SWEEP_EVERY_TTL_WRITES = 256;

const EMPTY_HEAD: HeadRow = { seq: 0, hash: GENESIS_HASH, pruned_seq: 0, pruned_hash: GENESIS_HASH };

/**
 * The embedded, durable {@link Store}: one SQLite file through better-sqlite3. The driver is synchronous,
 * so each method's read-check-write runs as one transaction with nothing interleaved: that alone makes CAS,
 * claims, leases and riders atomic. The process holds the file exclusively (see `openExclusiveDatabase`):
 * a second process is refused with a message pointing at Redis, because SQLite serves one replica only.
 * Opening is synchronous and throws {@link StoreInUseError} when the file is taken. A write is answered once
 * it is on disk, through the file's group commit (one fsync for the writes made meanwhile, off the event loop).
 */
export function createSqliteStore(options: SqliteStoreOptions): Store {
  const clock = options.clock ?? systemClock;
  const ns = options.namespace ?? "hwc";
  const handle = openExclusiveDatabase(options.file, {
    ...(options.syncWal !== undefined && { syncWal: options.syncWal }),
  });
  const db = handle.db;
  let sql: ReturnType<typeof prepareSqliteStatements>;
  try {
    db.exec(SQLITE_SCHEMA);
    const upgrade = migrateSqliteSchema(db, options.file);
    if (upgrade !== undefined) options.onSchemaUpgrade?.({ file: options.file, ...upgrade });
    sql = prepareSqliteStatements(db);
    // The exclusive lock proves that no other process holds this file, so leases still recorded in it belong
    // to a process that is gone (closed or killed): expire them now, so its runs and watchers are adopted at
    // once instead of after their TTL. Tokens are kept, so fencing stays monotonic.
    if (handle.firstInProcess) db.prepare("UPDATE leases SET expires_at = 0 WHERE expires_at > 0").run();
  } catch (error) {
    handle.release();
    throw error;
  }
  let closed = false;
  let ttlWritesSinceSweep = 0;

  function assertOpen(): void {
    if (closed) throw new Error("store is closed");
  }

  /**
   * Answers a write once it is on disk (see `flush` in `openExclusiveDatabase`): the transaction has
   * committed without syncing, and one fsync of the log serves every write made meanwhile. A `relaxed`
   * write answers at once; the next sync takes it along.
   */
  async function durable<T>(result: T, durability?: Durability): Promise<T> {
    if (durability !== "relaxed") await handle.flush();
    return result;
  }

  function nextRevision(): number {
    return (sql.nextRevision.get() as { value: number }).value;
  }

  function headOf(stream: string): HeadRow {
    return (sql.getHead.get(ns, stream) as HeadRow | undefined) ?? EMPTY_HEAD;
  }

  /** Links the entry to the head and advances the head; inside the caller's transaction. */
  function appendInTransaction(stream: string, json: string): number {
    const head = headOf(stream);
    const seq = head.seq + 1;
    const hash = hashLogEntry(head.hash, json, seq);
    sql.insertLog.run(ns, stream, seq, json, head.hash, hash);
    sql.putHead.run(ns, stream, seq, hash, head.pruned_seq, head.pruned_hash);
    return seq;
  }

  function countTtlWrite(): void {
    ttlWritesSinceSweep += 1;
    if (ttlWritesSinceSweep < SWEEP_EVERY_TTL_WRITES) return;
    ttlWritesSinceSweep = 0;
    // Only this namespace: another store on the file may run on another (test) clock.
    const now = clock.now();
    sql.sweepKv.run(ns, now);
    sql.sweepClaims.run(ns, now);
    sql.sweepLeases.run(ns, now);
  }

  const conditionalWrite = db.transaction(
    (
      key: string,
      expectedVersion: number,
      json: string,
      ttlMs: number | undefined,
      riders: Riders,
    ): boolean => {
      const now = clock.now();
      const row = sql.getKvVersion.get(ns, key) as KvVersionRow | undefined;
      const live = row !== undefined && (row.expires_at === null || now < row.expires_at);
      if ((live ? row.version : ABSENT) !== expectedVersion) return false;
      if (riders.fence !== undefined) {
        const lease = sql.getLease.get(ns, riders.fence.lease) as LeaseRow | undefined;
        const { owner, token } = riders.fence;
        if (lease?.owner !== owner || lease.token !== token || now >= lease.expires_at) return false;
      }
      for (const a of riders.appends) appendInTransaction(a.stream, a.json);
      for (const m of riders.adds) sql.addMember.run(ns, m.setKey, m.member);
      for (const m of riders.removes) sql.removeMember.run(ns, m.setKey, m.member);
      sql.putKv.run(ns, key, json, nextRevision(), ttlMs === undefined ? null : now + ttlMs);
      if (ttlMs !== undefined) countTtlWrite();
      return true;
    },
  );

  const deleteKey = db.transaction((key: string): boolean => {
    const row = sql.getKvVersion.get(ns, key) as KvVersionRow | undefined;
    if (row === undefined) return false;
    sql.deleteKv.run(ns, key);
    return row.expires_at === null || clock.now() < row.expires_at;
  });

  const claim = db.transaction((key: string, ttlMs: number): boolean => {
    const now = clock.now();
    const row = sql.getClaim.get(ns, key) as { expires_at: number } | undefined;
    if (row !== undefined && now < row.expires_at) return false;
    sql.putClaim.run(ns, key, now + ttlMs);
    countTtlWrite();
    return true;
  });

  const acquire = db.transaction((name: string, owner: string, ttlMs: number): Lease | undefined => {
    const now = clock.now();
    const row = sql.getLease.get(ns, name) as LeaseRow | undefined;
    if (row !== undefined && row.owner !== null && now < row.expires_at) return undefined;
    const lease = { token: nextRevision(), expiresAt: now + ttlMs };
    sql.putLease.run(ns, name, owner, lease.token, lease.expiresAt);
    countTtlWrite();
    return lease;
  });

  const renew = db.transaction((name: string, owner: string, token: number, ttlMs: number): boolean => {
    const now = clock.now();
    const row = sql.getLease.get(ns, name) as LeaseRow | undefined;
    if (row?.owner !== owner || row.token !== token || now >= row.expires_at) return false;
    sql.putLease.run(ns, name, owner, token, now + ttlMs);
    return true;
  });

  const release = db.transaction((name: string, owner: string, token: number): boolean => {
    const row = sql.getLease.get(ns, name) as LeaseRow | undefined;
    if (row?.owner !== owner || row.token !== token) return false;
    // Tokens come from the store-wide revision, so nothing needs to stay behind.
    sql.deleteLease.run(ns, name);
    return true;
  });

  const append = db.transaction((stream: string, json: string) => appendInTransaction(stream, json));

  const prune = db.transaction((stream: string, throughSeq: number, json: string) => {
    const head = headOf(stream);
    if (!Number.isInteger(throughSeq) || throughSeq < 0 || throughSeq > head.seq)
      throw new RangeError(`cannot prune ${stream} through ${throughSeq}: its last entry is ${head.seq}`);
    let removed = 0;
    if (throughSeq > head.pruned_seq) {
      const last = sql.getLogEntry.get(ns, stream, throughSeq) as LogRow | undefined;
      if (last === undefined) throw new Error(`log ${stream} is missing entry ${throughSeq}`);
      removed = sql.pruneLog.run(ns, stream, throughSeq).changes;
      sql.putHead.run(ns, stream, head.seq, head.hash, throughSeq, last.hash);
    }
    return { removed, seq: appendInTransaction(stream, json) };
  });

  const store: Store = {
    namespace: ns,

    async get<T>(key: string): Promise<Versioned<T> | undefined> {
      assertOpen();
      const row = sql.getKv.get(ns, key) as KvRow | undefined;
      if (row === undefined || (row.expires_at !== null && clock.now() >= row.expires_at)) return undefined;
      return { value: JSON.parse(row.json) as T, version: row.version };
    },

    async createIfAbsent(key, value, options = {}) {
      return store.compareAndSwap(key, ABSENT, value, options);
    },

    async compareAndSwap(key, expectedVersion, value, options = {}) {
      assertOpen();
      validateTtl(options.ttlMs);
      const json = toJson(value);
      const riders = prepareRiders(options);
      return durable(conditionalWrite(key, expectedVersion, json, options.ttlMs, riders), options.durability);
    },

    update(key, fn, options) {
      return updateWithCas(store, key, fn, options);
    },

    async delete(key) {
      assertOpen();
      return durable(deleteKey(key));
    },

    async addToSet(setKey, member) {
      assertOpen();
      return durable(sql.addMember.run(ns, setKey, member).changes === 1);
    },

    async removeFromSet(setKey, member) {
      assertOpen();
      return durable(sql.removeMember.run(ns, setKey, member).changes === 1);
    },

    async members(setKey) {
      assertOpen();
      // Sorted in JS: SQLite's BINARY collation orders UTF-8 bytes, which differs from JS for some characters.
      return (sql.members.all(ns, setKey) as { member: string }[]).map((r) => r.member).sort();
    },

    async claimOnce(key, ttlMs, options = {}) {
      assertOpen();
      validateTtl(ttlMs);
      return durable(claim(key, ttlMs), options.durability);
    },

    async acquireLease(name, owner, ttlMs) {
      assertOpen();
      validateTtl(ttlMs);
      return durable(acquire(name, owner, ttlMs));
    },

    async renewLease(name, owner, token, ttlMs) {
      assertOpen();
      validateTtl(ttlMs);
      return durable(renew(name, owner, token, ttlMs));
    },

    async releaseLease(name, owner, token) {
      assertOpen();
      return durable(release(name, owner, token));
    },

    async getLease(name): Promise<LeaseInfo | undefined> {
      assertOpen();
      const row = sql.getLease.get(ns, name) as LeaseRow | undefined;
      if (row === undefined || row.owner === null || clock.now() >= row.expires_at) return undefined;
      return { owner: row.owner, token: row.token, expiresAt: row.expires_at };
    },

    async append(stream, record) {
      assertOpen();
      return durable(append(stream, toCanonicalJson(record)));
    },

    async readLog<R>(stream: string, options: ReadLogOptions<R> = {}): Promise<LogEntry<R>[]> {
      assertOpen();
      const limit = options.limit ?? DEFAULT_LOG_LIMIT;
      if (!Number.isInteger(limit) || limit < 0) throw new RangeError(`limit must be a non-negative integer`);
      const beforeSeq = checkBeforeSeq(options);
      const page = options.fromEnd ? sql.logPageDesc : sql.logPageAsc;
      const entries: LogEntry<R>[] = [];
      // Newest first, `after` is the bound the page reads below (`seq < ?`).
      let after = options.fromEnd ? beforeSeq : (options.afterSeq ?? 0);
      while (entries.length < limit) {
        const rows = page.all(ns, stream, after, LOG_PAGE) as LogRow[];
        for (const row of rows) {
          const record = JSON.parse(row.json) as R;
          if (options.filter === undefined || options.filter(record))
            entries.push({ seq: row.seq, record, prevHash: row.prev_hash, hash: row.hash });
          if (entries.length === limit) break;
        }
        const last = rows.at(-1);
        if (last === undefined || rows.length < LOG_PAGE) break;
        after = last.seq;
      }
      return entries;
    },

    async logState(stream): Promise<LogState> {
      assertOpen();
      const head = headOf(stream);
      return {
        head: { seq: head.seq, hash: head.hash },
        prunedThrough: { seq: head.pruned_seq, hash: head.pruned_hash },
      };
    },

    async pruneLog(stream, throughSeq, record) {
      assertOpen();
      return durable(prune(stream, throughSeq, toCanonicalJson(record)));
    },

    async close() {
      if (closed) return;
      closed = true;
      // Writes already answered are on disk; a sync still running for another handle's writes finishes first.
      await handle.idle();
      handle.release();
    },
  };
  return mapDiskOutages(store, options.file);
}

interface Riders {
  fence: WriteFence | undefined;
  appends: { stream: string; json: string }[];
  adds: readonly { setKey: string; member: string }[];
  removes: readonly { setKey: string; member: string }[];
}

/** Serialized before the transaction so a bad record fails the call before anything is written. */
function prepareRiders(options: WriteOptions): Riders {
  return {
    fence: options.fence,
    appends: (options.append ?? []).map((a) => ({ stream: a.stream, json: toCanonicalJson(a.record) })),
    adds: options.addToSets ?? [],
    removes: options.removeFromSets ?? [],
  };
}
