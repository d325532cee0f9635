/**
 * The audit CLI never upgrades a store file. Opening an SQLite store upgrades an older file in place, one way
 * (an older bot refuses the file afterwards; version 1's upgrade rewrites every log entry): right for the bot's
 * start, which says so in its log, not for an operator exporting or verifying the audit before, say, a
 * rollback. So the file's version is read first, by a connection that only reads (SELECTs, no schema).
 */
import Database from "better-sqlite3";
import { SCHEMA_VERSION } from "../store/migrate-sqlite-schema.js";

/**
 * The version of the store in `file` as it is on disk, without opening it as a store. Undefined when it cannot
 * be told here: not readable now (the bot holds it: the store's open says so), not a database, or no store
 * in it. Version 1 files predate the version row.
 */
function fileSchemaVersion(file: string): number | undefined {
  let db: Database.Database;
  try {
    // No wait: a file the bot holds answers busy at once, and the store's own open then names the holder. Not
    // `readonly`: such a connection cannot remove the -wal and -shm files it makes beside a WAL file on close.
    db = new Database(file, { fileMustExist: true, timeout: 0 });
  } catch {
    return undefined;
  }
  try {
    const tables = new Set(
      (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map(
        (t) => t.name,
      ),
    );
    if (!tables.has("logs")) return undefined;
    if (!tables.has("store_meta")) return 1;
    const row = db.prepare("SELECT value FROM store_meta WHERE name = 'schema_version'").get() as
      | { value: number }
      | undefined;
    return row?.value ?? 1;
  } catch {
    return undefined;
  } finally {
    db.close();
  }
}

/**
 * Why the audit CLI must not open the SQLite store in `file`: it was written by an older version of the bot,
 * and opening it would upgrade it. Undefined when it may be opened (current, or a problem the store's open
 * reports better: in use, newer than this build, not a store).
 */
export function sqliteSchemaProblem(file: string): string | undefined {
  const version = fileSchemaVersion(file);
  if (version === undefined) return undefined;
  if (version >= SCHEMA_VERSION) return undefined;
  return `the store file ${file} has schema version ${version}, from an older hwc-chatops; this version reads version ${SCHEMA_VERSION}. The audit command does not upgrade a store (the upgrade is one-way: older versions cannot open the file afterwards). Start the bot of this version once, which upgrades the file and says so in its log, then run the audit command again; or use the audit command of the version that wrote the file.`;
}
