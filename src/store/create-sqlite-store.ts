import type Database from "better-sqlite3";
import { GENESIS_HASH, hashLogEntry } from "./hash-log-entry.js";
import { openExclusiveDatabase } from "./open-exclusive-database.js";
import {
  ABSENT,
  type Clock,
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
}

const DEFAULT_LOG_LIMIT = 100;
/** Rows read per page while scanning a log, so a filter never runs while a statement is still open. */
const LOG_PAGE = 256;
/** Expired rows are invisible at once (the clock decides); they are deleted after this many TTL writes. */
const SWEEP_EVERY_TTL_WRITES = 256;

/**
 * Version 2: hash-chained logs (`logs.prev_hash`, `logs.hash`, `log_heads`); see `migrateToV2`. Version 3:
 * `kv` and `logs` are rowid tables (see `migrateToV3`).
 */
const SCHEMA_VERSION = 3;
/** The columns of `kv`, and of `logs` as version 2 completed them: for a new file and for the rebuild. */
const KV_COLUMNS = `ns TEXT NOT NULL, key TEXT NOT NULL, json TEXT NOT NULL, version INTEGER NOT NULL,
    expires_at REAL, PRIMARY KEY (ns, key)`;
const KV_EXPIRY_INDEX = "kv_expiry ON kv (ns, expires_at) WHERE expires_at IS NOT NULL";
const LOGS_COLUMNS = `ns TEXT NOT NULL, stream TEXT NOT NULL, seq INTEGER NOT NULL, json TEXT NOT NULL,
    prev_hash TEXT NOT NULL DEFAULT '', hash TEXT NOT NULL DEFAULT '', PRIMARY KEY (ns, stream, seq)`;
const SCHEMA = `
  CREATE TABLE IF NOT EXISTS store_meta (name TEXT PRIMARY KEY, value INTEGER NOT NULL) STRICT;
  INSERT OR IGNORE INTO store_meta (name, value) VALUES ('revision', 0);
  CREATE TABLE IF NOT EXISTS kv (${KV_COLUMNS}) STRICT;
  CREATE INDEX IF NOT EXISTS ${KV_EXPIRY_INDEX};
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
  CREATE INDEX IF NOT EXISTS leases_expiry ON leases (ns, expires_at);
  CREATE TABLE IF NOT EXISTS logs (${LOGS_COLUMNS}) STRICT;
  CREATE TABLE IF NOT EXISTS log_heads (
    ns TEXT NOT NULL, stream TEXT NOT NULL, seq INTEGER NOT NULL, hash TEXT NOT NULL,
    pruned_seq INTEGER NOT NULL, pruned_hash TEXT NOT NULL,
    PRIMARY KEY (ns, stream)) STRICT, WITHOUT ROWID;
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

interface HeadRow {
  seq: number;
  hash: string;
  pruned_seq: number;
  pruned_hash: string;
}

interface LogRow {
  seq: number;
  json: string;
  prev_hash: string;
  hash: string;
}

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
  let sql: ReturnType<typeof prepareStatements>;
  try {
    db.exec(SCHEMA);
    migrate(db);
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
      const page = options.fromEnd ? sql.logPageDesc : sql.logPageAsc;
      const entries: LogEntry<R>[] = [];
      let after = options.fromEnd ? Number.MAX_SAFE_INTEGER : (options.afterSeq ?? 0);
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
    appends: (options.append ?? []).map((a) => ({ stream: a.stream, json: toCanonicalJson(a.record) })),
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
    deleteLease: db.prepare("DELETE FROM leases WHERE ns = ? AND name = ?"),
    sweepLeases: db.prepare("DELETE FROM leases WHERE ns = ? AND expires_at <= ?"),
    getHead: db.prepare(
      "SELECT seq, hash, pruned_seq, pruned_hash FROM log_heads WHERE ns = ? AND stream = ?",
    ),
    putHead: db.prepare(
      `INSERT INTO log_heads (ns, stream, seq, hash, pruned_seq, pruned_hash) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (ns, stream) DO UPDATE SET seq = excluded.seq, hash = excluded.hash,
         pruned_seq = excluded.pruned_seq, pruned_hash = excluded.pruned_hash`,
    ),
    insertLog: db.prepare(
      "INSERT INTO logs (ns, stream, seq, json, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?)",
    ),
    getLogEntry: db.prepare(
      "SELECT seq, json, prev_hash, hash FROM logs WHERE ns = ? AND stream = ? AND seq = ?",
    ),
    pruneLog: db.prepare("DELETE FROM logs WHERE ns = ? AND stream = ? AND seq <= ?"),
    logPageAsc: db.prepare(
      `SELECT seq, json, prev_hash, hash FROM logs WHERE ns = ? AND stream = ? AND seq > ?
       ORDER BY seq ASC LIMIT ?`,
    ),
    logPageDesc: db.prepare(
      `SELECT seq, json, prev_hash, hash FROM logs WHERE ns = ? AND stream = ? AND seq < ?
       ORDER BY seq DESC LIMIT ?`,
    ),
  };
}

/**
 * Brings an older file up to {@link SCHEMA_VERSION} in one transaction. Version 1 (no version row, or 1) had
 * unchained logs: their entries are re-serialized as canonical JSON and chained in order, per namespace and
 * stream, as if they had been appended now, and the heads are recorded. A file newer than this code is refused.
 */
function migrate(db: Database.Database): void {
  db.transaction(() => {
    const row = db.prepare("SELECT value FROM store_meta WHERE name = 'schema_version'").get() as
      | { value: number }
      | undefined;
    const columns = (db.prepare("PRAGMA table_info(logs)").all() as { name: string }[]).map((c) => c.name);
    // Without a version row: a new file (its logs made with the hash columns: nothing to migrate but the
    // no-op rebuild) or one from before versions (1).
    const version = row === undefined ? (columns.includes("hash") ? 2 : 1) : row.value;
    if (version > SCHEMA_VERSION)
      throw new Error(`the store file has schema version ${version}; this bot knows up to ${SCHEMA_VERSION}`);
    if (!columns.includes("hash")) {
      db.exec("ALTER TABLE logs ADD COLUMN prev_hash TEXT NOT NULL DEFAULT ''");
      db.exec("ALTER TABLE logs ADD COLUMN hash TEXT NOT NULL DEFAULT ''");
    }
    if (version < 2) migrateToV2(db);
    if (version < 3) migrateToV3(db);
    db.prepare("INSERT OR REPLACE INTO store_meta (name, value) VALUES ('schema_version', ?)").run(
      SCHEMA_VERSION,
    );
  })();
}

function migrateToV2(db: Database.Database): void {
  // Lease tokens were counted per name; now they come from the revision, which must start above all of them.
  db.exec(`UPDATE store_meta SET value = MAX(value, (SELECT COALESCE(MAX(token), 0) FROM leases))
           WHERE name = 'revision'`);
  const rows = db.prepare("SELECT ns, stream, seq, json FROM logs ORDER BY ns, stream, seq").all() as {
    ns: string;
    stream: string;
    seq: number;
    json: string;
  }[];
  const update = db.prepare(
    "UPDATE logs SET json = ?, prev_hash = ?, hash = ? WHERE ns = ? AND stream = ? AND seq = ?",
  );
  const putHead = db.prepare(
    "INSERT OR REPLACE INTO log_heads (ns, stream, seq, hash, pruned_seq, pruned_hash) VALUES (?, ?, ?, ?, 0, ?)",
  );
  let current: { ns: string; stream: string; seq: number; hash: string } | undefined;
  const flush = () => {
    if (current !== undefined)
      putHead.run(current.ns, current.stream, current.seq, current.hash, GENESIS_HASH);
  };
  for (const r of rows) {
    if (current?.ns !== r.ns || current.stream !== r.stream) {
      flush();
      current = { ns: r.ns, stream: r.stream, seq: 0, hash: GENESIS_HASH };
    }
    const json = toCanonicalJson(JSON.parse(r.json));
    const hash = hashLogEntry(current.hash, json, r.seq);
    update.run(json, current.hash, hash, r.ns, r.stream, r.seq);
    current = { ...current, seq: r.seq, hash };
  }
  flush();
}

/**
 * `kv` and `logs` hold JSON documents of a few kilobytes (requests, runs, audit entries). In a `WITHOUT ROWID`
 * table a row lives in the primary key's B-tree, where SQLite keeps at most about a quarter of a page in the
 * node and spills the rest to overflow pages, so every read and write of such a row walked and rewrote those
 * (a 2 KB value: 40 µs a read, 6 times a rowid table's). Rebuilt as rowid tables, rows and keys as they were.
 */
function migrateToV3(db: Database.Database): void {
  rebuildWithRowid(db, "kv", KV_COLUMNS, ["ns", "key", "json", "version", "expires_at"]);
  db.exec(`CREATE INDEX IF NOT EXISTS ${KV_EXPIRY_INDEX}`);
  rebuildWithRowid(db, "logs", LOGS_COLUMNS, ["ns", "stream", "seq", "json", "prev_hash", "hash"]);
}

/** Rebuilds a `WITHOUT ROWID` table as a rowid table of `columns`, its rows as they were; others stay. */
function rebuildWithRowid(db: Database.Database, table: string, columns: string, names: string[]): void {
  const { sql } = db
    .prepare("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?")
    .get(table) as {
    sql: string;
  };
  if (!/WITHOUT\s+ROWID/i.test(sql)) return;
  const list = names.join(", ");
  db.exec(`
    CREATE TABLE ${table}_v3 (${columns}) STRICT;
    INSERT INTO ${table}_v3 (${list}) SELECT ${list} FROM ${table};
    DROP TABLE ${table};
    ALTER TABLE ${table}_v3 RENAME TO ${table};
  `);
}
