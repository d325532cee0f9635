import type Database from "better-sqlite3";
import { openExclusiveDatabase } from "./open-exclusive-database.js";
import {
  ABSENT,
  type Clock,
  type Lease,
  type LeaseInfo,
  type LogEntry,
  type ReadLogOptions,
  type Store,
  systemClock,
  type Versioned,
  type WriteFence,
  type WriteOptions,
} from "./store.js";
import { toJson } from "./to-json.js";
import { updateWithCas } from "./update-with-cas.js";
import { validateTtl } from "./validate-ttl.js";

export interface SqliteStoreOptions {
  /** Path of the database file; created, with its parent directory, if missing. */
  file: string;
  clock?: Clock;
  /** Scopes every row; several namespaces can share one file. Default "hwc". */
  namespace?: string;
}

const DEFAULT_LOG_LIMIT = 100;
/** Rows read per page while scanning a log, so a filter never runs while a statement is still open. */
const LOG_PAGE = 256;
/** Expired rows are invisible at once (the clock decides); they are deleted after this many TTL writes. */
const SWEEP_EVERY_TTL_WRITES = 256;

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS store_meta (name TEXT PRIMARY KEY, value INTEGER NOT NULL) STRICT;
  INSERT OR IGNORE INTO store_meta (name, value) VALUES ('schema_version', 1), ('revision', 0);
  CREATE TABLE IF NOT EXISTS kv (
    ns TEXT NOT NULL, key TEXT NOT NULL, json TEXT NOT NULL, version INTEGER NOT NULL, expires_at REAL,
    PRIMARY KEY (ns, key)) STRICT, WITHOUT ROWID;
  CREATE INDEX IF NOT EXISTS kv_expiry ON kv (ns, expires_at) WHERE expires_at IS NOT NULL;
  CREATE TABLE IF NOT EXISTS claims (
    ns TEXT NOT NULL, key TEXT NOT NULL, expires_at REAL NOT NULL,
    PRIMARY KEY (ns, key)) STRICT, WITHOUT ROWID;
  CREATE INDEX IF NOT EXISTS claims_expiry ON claims (ns, expires_at);
  CREATE TABLE IF NOT EXISTS set_members (
    ns TEXT NOT NULL, set_key TEXT NOT NULL, member TEXT NOT NULL,
    PRIMARY KEY (ns, set_key, member)) STRICT, WITHOUT ROWID;
  CREATE TABLE IF NOT EXISTS leases (
    ns TEXT NOT NULL, name TEXT NOT NULL, owner TEXT, token INTEGER NOT NULL, expires_at REAL NOT NULL,
    PRIMARY KEY (ns, name)) STRICT, WITHOUT ROWID;
  CREATE TABLE IF NOT EXISTS logs (
    ns TEXT NOT NULL, stream TEXT NOT NULL, seq INTEGER NOT NULL, json TEXT NOT NULL,
    PRIMARY KEY (ns, stream, seq)) STRICT, WITHOUT ROWID;
`;

interface KvRow {
  json: string;
  version: number;
  expires_at: number | null;
}

interface LeaseRow {
  owner: string | null;
  token: number;
  expires_at: number;
}

/**
 * The embedded, durable {@link Store}: one SQLite file through better-sqlite3. The driver is synchronous,
 * so each method's read-check-write runs as one transaction with nothing interleaved: that alone makes CAS,
 * claims, leases and riders atomic. The process holds the file exclusively (see `openExclusiveDatabase`):
 * a second process is refused with a message pointing at Redis, because SQLite serves one replica only.
 * Opening is synchronous and throws {@link StoreInUseError} when the file is taken.
 */
export function createSqliteStore(options: SqliteStoreOptions): Store {
  const clock = options.clock ?? systemClock;
  const ns = options.namespace ?? "hwc";
  const handle = openExclusiveDatabase(options.file);
  const db = handle.db;
  let sql: ReturnType<typeof prepareStatements>;
  try {
    db.exec(SCHEMA);
    sql = prepareStatements(db);
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

  function nextRevision(): number {
    return (sql.nextRevision.get() as { value: number }).value;
  }

  function appendInTransaction(stream: string, json: string): number {
    const seq = (sql.lastSeq.get(ns, stream) as { seq: number }).seq + 1;
    sql.insertLog.run(ns, stream, seq, json);
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
      const row = sql.getKv.get(ns, key) as KvRow | undefined;
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
    const row = sql.getKv.get(ns, key) as KvRow | undefined;
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
    const lease = { token: (row?.token ?? 0) + 1, expiresAt: now + ttlMs };
    sql.putLease.run(ns, name, owner, lease.token, lease.expiresAt);
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
    // The row stays, ownerless, so the next token is still higher than every previous one.
    sql.putLease.run(ns, name, null, token, 0);
    return true;
  });

  const append = db.transaction((stream: string, json: string) => appendInTransaction(stream, json));

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
      return conditionalWrite(key, expectedVersion, toJson(value), options.ttlMs, prepareRiders(options));
    },

    update(key, fn, options) {
      return updateWithCas(store, key, fn, options);
    },

    async delete(key) {
      assertOpen();
      return deleteKey(key);
    },

    async addToSet(setKey, member) {
      assertOpen();
      return sql.addMember.run(ns, setKey, member).changes === 1;
    },

    async removeFromSet(setKey, member) {
      assertOpen();
      return sql.removeMember.run(ns, setKey, member).changes === 1;
    },

    async members(setKey) {
      assertOpen();
      // Sorted in JS: SQLite's BINARY collation orders UTF-8 bytes, which differs from JS for some characters.
      return (sql.members.all(ns, setKey) as { member: string }[]).map((r) => r.member).sort();
    },

    async claimOnce(key, ttlMs) {
      assertOpen();
      validateTtl(ttlMs);
      return claim(key, ttlMs);
    },

    async acquireLease(name, owner, ttlMs) {
      assertOpen();
      validateTtl(ttlMs);
      return acquire(name, owner, ttlMs);
    },

    async renewLease(name, owner, token, ttlMs) {
      assertOpen();
      validateTtl(ttlMs);
      return renew(name, owner, token, ttlMs);
    },

    async releaseLease(name, owner, token) {
      assertOpen();
      return release(name, owner, token);
    },

    async getLease(name): Promise<LeaseInfo | undefined> {
      assertOpen();
      const row = sql.getLease.get(ns, name) as LeaseRow | undefined;
      if (row === undefined || row.owner === null || clock.now() >= row.expires_at) return undefined;
      return { owner: row.owner, token: row.token, expiresAt: row.expires_at };
    },

    async append(stream, record) {
      assertOpen();
      return append(stream, toJson(record));
    },

    async readLog<R>(stream: string, options: ReadLogOptions<R> = {}): Promise<LogEntry<R>[]> {
      assertOpen();
      const limit = options.limit ?? DEFAULT_LOG_LIMIT;
      if (!Number.isInteger(limit) || limit < 0) throw new RangeError(`limit must be a non-negative integer`);
      const page = options.fromEnd ? sql.logPageDesc : sql.logPageAsc;
      const entries: LogEntry<R>[] = [];
      let after = options.fromEnd ? Number.MAX_SAFE_INTEGER : 0;
      while (entries.length < limit) {
        const rows = page.all(ns, stream, after, LOG_PAGE) as { seq: number; json: string }[];
        for (const row of rows) {
          const record = JSON.parse(row.json) as R;
          if (options.filter === undefined || options.filter(record)) entries.push({ seq: row.seq, record });
          if (entries.length === limit) break;
        }
        const last = rows.at(-1);
        if (last === undefined || rows.length < LOG_PAGE) break;
        after = last.seq;
      }
      return entries;
    },

    async close() {
      if (closed) return;
      closed = true;
      handle.release();
    },
  };
  return store;
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
    appends: (options.append ?? []).map((a) => ({ stream: a.stream, json: toJson(a.record) })),
    adds: options.addToSets ?? [],
    removes: options.removeFromSets ?? [],
  };
}

function prepareStatements(db: Database.Database) {
  return {
    nextRevision: db.prepare(
      "UPDATE store_meta SET value = value + 1 WHERE name = 'revision' RETURNING value",
    ),
    getKv: db.prepare("SELECT json, version, expires_at FROM kv WHERE ns = ? AND key = ?"),
    putKv: db.prepare(
      `INSERT INTO kv (ns, key, json, version, expires_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (ns, key) DO UPDATE SET json = excluded.json, version = excluded.version,
         expires_at = excluded.expires_at`,
    ),
    deleteKv: db.prepare("DELETE FROM kv WHERE ns = ? AND key = ?"),
    sweepKv: db.prepare("DELETE FROM kv WHERE ns = ? AND expires_at <= ?"),
    getClaim: db.prepare("SELECT expires_at FROM claims WHERE ns = ? AND key = ?"),
    putClaim: db.prepare(
      `INSERT INTO claims (ns, key, expires_at) VALUES (?, ?, ?)
       ON CONFLICT (ns, key) DO UPDATE SET expires_at = excluded.expires_at`,
    ),
    sweepClaims: db.prepare("DELETE FROM claims WHERE ns = ? AND expires_at <= ?"),
    addMember: db.prepare("INSERT OR IGNORE INTO set_members (ns, set_key, member) VALUES (?, ?, ?)"),
    removeMember: db.prepare("DELETE FROM set_members WHERE ns = ? AND set_key = ? AND member = ?"),
    members: db.prepare("SELECT member FROM set_members WHERE ns = ? AND set_key = ?"),
    getLease: db.prepare("SELECT owner, token, expires_at FROM leases WHERE ns = ? AND name = ?"),
    putLease: db.prepare(
      `INSERT INTO leases (ns, name, owner, token, expires_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (ns, name) DO UPDATE SET owner = excluded.owner, token = excluded.token,
         expires_at = excluded.expires_at`,
    ),
    lastSeq: db.prepare("SELECT COALESCE(MAX(seq), 0) AS seq FROM logs WHERE ns = ? AND stream = ?"),
    insertLog: db.prepare("INSERT INTO logs (ns, stream, seq, json) VALUES (?, ?, ?, ?)"),
    logPageAsc: db.prepare(
      "SELECT seq, json FROM logs WHERE ns = ? AND stream = ? AND seq > ? ORDER BY seq ASC LIMIT ?",
    ),
    logPageDesc: db.prepare(
      "SELECT seq, json FROM logs WHERE ns = ? AND stream = ? AND seq < ? ORDER BY seq DESC LIMIT ?",
    ),
  };
}
