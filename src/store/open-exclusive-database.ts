import {
  closeSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  realpathSync,
  renameSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { type FileHandle, open } from "node:fs/promises";
import { hostname } from "node:os";
import { basename, dirname, join, resolve } from "node:path";
import Database from "better-sqlite3";
import { createGroupCommit, type GroupCommit } from "./create-group-commit.js";
import { type LockHolder, StoreInUseError } from "./store-in-use-error.js";
import { StoreOpenError } from "./store-open-error.js";

/** A process-wide handle on a SQLite file that this process holds exclusively. */
export interface ExclusiveDatabase {
  readonly db: Database.Database;
  /** Absolute path of the database file. */
  readonly file: string;
  /**
   * True for the handle that took the lock (the first open of the file in this process). Whoever held the
   * file before is gone: it closed its connection or died.
   */
  readonly firstInProcess: boolean;
  /**
   * Resolves once every transaction committed on the connection before the call is on disk (group commit,
   * see {@link createGroupCommit}); shared by every handle on the file.
   */
  flush(): Promise<void>;
  /** Resolves when no sync is running or waiting: before `release()`, so the last one is not cut off. */
  idle(): Promise<void>;
  /** Drops this handle; the last one closes the connection, which releases the lock. Idempotent. */
  release(): void;
}

export interface OpenExclusiveOptions {
  /** Brings the write-ahead log (the `-wal` file) to disk; default an fsync of it, off the event loop. */
  syncWal?: (walFile: string) => Promise<void>;
}

interface OpenEntry {
  db: Database.Database;
  refs: number;
  commit: GroupCommit;
  closeWal(): void;
}

/**
 * One connection per file per process. SQLite's file lock belongs to the process, so stores of several
 * namespaces in one process share the connection (and the lock) instead of locking each other out.
 */
const openFiles = new Map<string, OpenEntry>();

/**
 * Opens `file` (creating it and its parent directory if missing) and takes SQLite's exclusive lock on it
 * for as long as the connection stays open: `locking_mode=EXCLUSIVE` plus a write transaction at open makes
 * SQLite keep its POSIX lock on the file, which the kernel drops when the process dies, even by `kill -9`.
 * Every other process, reader or writer, then gets SQLITE_BUSY, so a second replica fails here with
 * {@link StoreInUseError} instead of silently sharing (and racing on) the file. The holder's pid is written
 * beside the file (`<file>.pid`) only to name it in that message; the lock itself is the authority, so a
 * stale pid file left by a killed process never blocks anyone.
 */
export function openExclusiveDatabase(file: string, options: OpenExclusiveOptions = {}): ExclusiveDatabase {
  const path = canonicalPath(file);
  let entry = openFiles.get(path);
  const firstInProcess = entry === undefined;
  if (entry === undefined) {
    const { db, wal } = lockDatabase(path);
    const walFile = `${path}-wal`;
    const syncWal = options.syncWal;
    const log: WalSync = !wal
      ? // Not in WAL mode (a file system without shared memory for it): every commit syncs itself (FULL).
        { sync: async () => {}, close: () => {} }
      : syncWal !== undefined
        ? { sync: () => syncWal(walFile), close: () => {} }
        : fsyncFile(walFile);
    entry = { db, refs: 0, commit: createGroupCommit(log.sync), closeWal: log.close };
    openFiles.set(path, entry);
  }
  entry.refs += 1;
  const held = entry;
  let released = false;
  return {
    db: held.db,
    file: path,
    firstInProcess,
    flush: () => held.commit.flush(),
    idle: () => held.commit.idle(),
    release() {
      if (released) return;
      released = true;
      held.refs -= 1;
      if (held.refs > 0) return;
      openFiles.delete(path);
      removeOwnPidFile(path);
      held.db.close();
      held.closeWal();
    },
  };
}

function canonicalPath(file: string): string {
  const absolute = resolve(file);
  mkdirSync(dirname(absolute), { recursive: true });
  try {
    // Two spellings of one file (a symlink, "a/../b") must share the entry, not lock each other out.
    return realpathSync(absolute);
  } catch {
    return join(realpathSync(dirname(absolute)), basename(absolute));
  }
}

function lockDatabase(path: string): { db: Database.Database; wal: boolean } {
  let db: Database.Database;
  try {
    // timeout 0: a held lock is reported at once; waiting would only delay the same answer.
    db = new Database(path, { timeout: 0 });
  } catch (error) {
    throw openError(path, error);
  }
  let wal: boolean;
  try {
    // Order matters: EXCLUSIVE before WAL makes SQLite keep the WAL index in process memory (no -shm file),
    // and the write transaction is what actually takes the lock, which is then never given back.
    db.pragma("locking_mode = EXCLUSIVE");
    wal = db.pragma("journal_mode = WAL", { simple: true }) === "wal";
    // A committed transition must survive power loss too, not only a crash of the process. In WAL mode a
    // commit does not sync (NORMAL): the store waits for the group commit's fsync of the log before it
    // answers (`flush`), so a burst of writes shares one fsync and none blocks the event loop. Otherwise
    // (FULL) each commit syncs itself.
    db.pragma(wal ? "synchronous = NORMAL" : "synchronous = FULL");
    // The revision's `UPDATE … RETURNING` (every versioned write) collects its rows in a temporary table,
    // which SQLite otherwise backs with a temporary file: measured, 67 → 43 µs of CPU a write, a third of it
    // the file's system calls. Nothing the store does needs more temporary space than a few rows.
    db.pragma("temp_store = MEMORY");
    db.exec("BEGIN IMMEDIATE; COMMIT");
  } catch (error) {
    db.close();
    if (isBusy(error)) throw new StoreInUseError(path, readHolder(path), { cause: error });
    throw openError(path, error);
  }
  writePidFile(path);
  return { db, wal };
}

/** SQLite's refusal to open `path` (a directory, not a database, no such folder), as a setting to fix. */
function openError(path: string, error: unknown): unknown {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== "string" || !code.startsWith("SQLITE_")) return error;
  const reason = (error as Error).message || code;
  return new StoreOpenError(path, reason, { cause: error });
}

/**
 * An fsync of a file through a descriptor of its own, on libuv's thread pool. The first sync also syncs the
 * directory, so that the file's own existence is on disk too. SQLite keeps the `-wal` file (it only rewinds
 * it) until the connection closes.
 */
interface WalSync {
  sync(): Promise<void>;
  close(): void;
}

function fsyncFile(file: string): WalSync {
  let handle: Promise<FileHandle> | undefined;
  return {
    async sync() {
      if (handle === undefined) {
        const opening = open(file, "r+").then(async (h) => {
          try {
            const dir = openSync(dirname(file), "r");
            try {
              fsyncSync(dir);
            } finally {
              closeSync(dir);
            }
          } catch (error) {
            await h.close();
            throw error;
          }
          return h;
        });
        opening.catch(() => {
          // Not opened: the next sync tries again.
          if (handle === opening) handle = undefined;
        });
        handle = opening;
      }
      await (await handle).sync();
    },
    close() {
      void handle?.then((h) => h.close()).catch(() => {});
      handle = undefined;
    },
  };
}

function isBusy(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" && (code.startsWith("SQLITE_BUSY") || code.startsWith("SQLITE_LOCKED"));
}

const pidFileOf = (path: string) => `${path}.pid`;

function writePidFile(path: string): void {
  const temporary = `${pidFileOf(path)}.${process.pid}.tmp`;
  // Renamed into place so a refused process never reads a half-written file.
  writeFileSync(temporary, JSON.stringify({ pid: process.pid, hostname: hostname() }));
  renameSync(temporary, pidFileOf(path));
}

function readHolder(path: string): LockHolder | undefined {
  try {
    const parsed = JSON.parse(readFileSync(pidFileOf(path), "utf8")) as { pid?: unknown; hostname?: unknown };
    if (typeof parsed.pid !== "number") return undefined;
    const host = typeof parsed.hostname === "string" ? parsed.hostname : undefined;
    return host === undefined || host === hostname()
      ? { pid: parsed.pid }
      : { pid: parsed.pid, hostname: host };
  } catch {
    return undefined;
  }
}

function removeOwnPidFile(path: string): void {
  const holder = readHolder(path);
  if (holder?.pid === process.pid && holder.hostname === undefined) rmSync(pidFileOf(path), { force: true });
}
