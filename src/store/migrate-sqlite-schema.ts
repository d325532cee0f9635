/**
 * The SQLite store's schema: the tables and indexes a file gets, and the upgrade of a file written by an older
 * version of the bot. Apart from `create-sqlite-store.ts` because both run once, when a store opens its file,
 * while the store itself is what runs on every call.
 */
import type Database from "better-sqlite3";
import { GENESIS_HASH, hashLogEntry } from "./hash-log-entry.js";
import { StoreSchemaTooNewError } from "./store-schema-too-new-error.js";
import { toCanonicalJson } from "./to-canonical-json.js";

/**
 * Version 2: hash-chained logs (`logs.prev_hash`, `logs.hash`, `log_heads`); see `migrateToV2`. Version 3:
 * `kv` and `logs` are rowid tables (see `migrateToV3`).
 */
export const SCHEMA_VERSION = 3;
/** The columns of `kv`, and of `logs` as version 2 completed them: for a new file and for the rebuild. */
const KV_COLUMNS = `ns TEXT NOT NULL, key TEXT NOT NULL, json TEXT NOT NULL, version INTEGER NOT NULL,
    expires_at REAL, PRIMARY KEY (ns, key)`;
const KV_EXPIRY_INDEX = "kv_expiry ON kv (ns, expires_at) WHERE expires_at IS NOT NULL";
const LOGS_COLUMNS = `ns TEXT NOT NULL, stream TEXT NOT NULL, seq INTEGER NOT NULL, json TEXT NOT NULL,
    prev_hash TEXT NOT NULL DEFAULT '', hash TEXT NOT NULL DEFAULT '', PRIMARY KEY (ns, stream, seq)`;
/**
 * The tables and indexes of the current version, each created only if missing; run on every open, before
 * {@link migrateSqliteSchema} upgrades what an older file still lacks.
 */
export const SQLITE_SCHEMA = `
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

/** An upgrade {@link migrateSqliteSchema} made: from and to which schema version, and how long it took. */
export interface SqliteSchemaUpgrade {
  from: number;
  to: number;
  ms: number;
}

/**
 * Brings an older file up to {@link SCHEMA_VERSION} in one transaction, and says so (undefined when the file
 * was already current, or new). Version 1 (no version row, or 1) had unchained logs: their entries are
 * re-serialized as canonical JSON and chained in order, per namespace and stream, as if they had been appended
 * now, and the heads are recorded. The upgrade is one-way: an older build refuses the file afterwards, as this
 * one refuses a file newer than itself ({@link StoreSchemaTooNewError}, naming `file`).
 */
export function migrateSqliteSchema(db: Database.Database, file: string): SqliteSchemaUpgrade | undefined {
  const started = performance.now();
  return db.transaction((): SqliteSchemaUpgrade | undefined => {
    const row = db.prepare("SELECT value FROM store_meta WHERE name = 'schema_version'").get() as
      | { value: number }
      | undefined;
    const columns = (db.prepare("PRAGMA table_info(logs)").all() as { name: string }[]).map((c) => c.name);
    // Without a version row: a new file (its logs made with the hash columns: nothing to migrate but the
    // no-op rebuild) or one from before versions (1).
    const created = row === undefined && columns.includes("hash");
    const version = row === undefined ? (created ? 2 : 1) : row.value;
    if (version > SCHEMA_VERSION) throw new StoreSchemaTooNewError(file, version, SCHEMA_VERSION);
    if (!columns.includes("hash")) {
      db.exec("ALTER TABLE logs ADD COLUMN prev_hash TEXT NOT NULL DEFAULT ''");
      db.exec("ALTER TABLE logs ADD COLUMN hash TEXT NOT NULL DEFAULT ''");
    }
    if (version < 2) migrateToV2(db);
    if (version < 3) migrateToV3(db);
    db.prepare("INSERT OR REPLACE INTO store_meta (name, value) VALUES ('schema_version', ?)").run(
      SCHEMA_VERSION,
    );
    // A new file (made current by `SQLITE_SCHEMA` just now) or a current one was not upgraded.
    if (created || version === SCHEMA_VERSION) return undefined;
    return { from: version, to: SCHEMA_VERSION, ms: Math.round(performance.now() - started) };
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
