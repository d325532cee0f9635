import type { Store } from "./store.js";
import { StoreUnavailableError } from "./store-unavailable-error.js";

/**
 * SQLite's and the file system's answers that mean the disk cannot take a write now (full, read-only, failing),
 * not that the call was wrong: once space is freed or the disk is back, the same call succeeds.
 */
const SQLITE_OUTAGE = /^SQLITE_(FULL|IOERR|READONLY|CANTOPEN)/;
const FILE_SYSTEM_OUTAGE: ReadonlySet<string> = new Set(["ENOSPC", "EDQUOT", "EIO", "EROFS"]);

/** Whether `error` says the disk under the store cannot take a write now (see {@link mapDiskOutages}). */
export function isDiskOutage(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" && (SQLITE_OUTAGE.test(code) || FILE_SYSTEM_OUTAGE.has(code));
}

/**
 * The embedded store with a full or failing disk answered as an outage (`StoreUnavailableError`), as a Redis
 * that cannot be reached is: every part then tells its users that the state store is unavailable, logs the
 * outage once as it starts and once as it ends, and fails closed. A transaction that failed so was rolled back,
 * so nothing of it was written. Other errors (a bug, a constraint) pass as they are.
 */
export function mapDiskOutages(store: Store, file: string): Store {
  const mapped: Record<string, unknown> = {};
  for (const [name, member] of Object.entries(store)) {
    mapped[name] =
      typeof member !== "function"
        ? member
        : async (...args: unknown[]) => {
            try {
              return await (member as (...a: unknown[]) => Promise<unknown>).apply(store, args);
            } catch (error) {
              if (error instanceof StoreUnavailableError || !isDiskOutage(error)) throw error;
              throw new StoreUnavailableError(`SQLite at ${file}`, (error as Error).message, {
                cause: error,
              });
            }
          };
  }
  return mapped as unknown as Store;
}
