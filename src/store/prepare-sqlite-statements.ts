/**
 * The SQL of the SQLite store: its prepared statements and the rows they read. Apart from
 * `create-sqlite-store.ts` so the store reads as its transactions; the statements are prepared once, when a
 * store opens its file, and the store calls them directly.
 */
import type Database from "better-sqlite3";

/** A row of `kv`, as `getKv` reads it. */
export interface KvRow {
  json: string;
  version: number;
  expires_at: number | null;
}

/** A row of `kv` without its value, as `getKvVersion` reads it. */
export type KvVersionRow = Omit<KvRow, "json">;

/** A row of `leases`, as `getLease` reads it. */
export interface LeaseRow {
  owner: string | null;
  token: number;
  expires_at: number;
}

/** A row of `log_heads`, as `getHead` reads it. */
export interface HeadRow {
  seq: number;
  hash: string;
  pruned_seq: number;
  pruned_hash: string;
}

/** A row of `logs`, as `getLogEntry` and the log pages read it. */
export interface LogRow {
  seq: number;
  json: string;
  prev_hash: string;
  hash: string;
}

/**
 * Prepares the statements the store runs on its calls, once per store, after the schema is in place. All but
 * `nextRevision` (store-wide) take the namespace (`ns`) first; the caller runs them in its own transactions.
 */
export function prepareSqliteStatements(db: Database.Database) {
  return {
    nextRevision: db.prepare(
      "UPDATE store_meta SET value = value + 1 WHERE name = 'revision' RETURNING value",
    ),
    getKv: db.prepare("SELECT json, version, expires_at FROM kv WHERE ns = ? AND key = ?"),
    // Without the value: a conditional write or a delete only compares versions and expiry, and a request's
    // record runs to kilobytes that would be decoded into a string each time only to be dropped.
    getKvVersion: db.prepare("SELECT version, expires_at FROM kv WHERE ns = ? AND key = ?"),
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
