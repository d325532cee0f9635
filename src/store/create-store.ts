import { createMemoryStore } from "./create-memory-store.js";
import { createSqliteStore, type SqliteStoreOptions } from "./create-sqlite-store.js";
import { parseStoreUrl } from "./parse-store-url.js";
import type { Clock, Store } from "./store.js";

export interface CreateStoreOptions {
  clock?: Clock;
  /** Overrides the namespace in the URL (`?namespace=`); defaults to "hwc". */
  namespace?: string;
  /** SQLite: told when the file was upgraded from an older schema (see `SqliteStoreOptions.onSchemaUpgrade`). */
  onSchemaUpgrade?: SqliteStoreOptions["onSchemaUpgrade"];
}

/** The default `STORE_URL`: embedded and durable, nothing to install, one replica. */
export const DEFAULT_STORE_URL = "sqlite://./data/hwc-chatops.sqlite";

/**
 * The one place a `STORE_URL` becomes a backend (the forms are in `parseStoreUrl`):
 * - sqlite: embedded and durable. The file is opened here, synchronously, and held exclusively by this
 *   process: a second process on it throws `StoreInUseError` (one replica only; use Redis for more).
 * - redis: shared by several replicas; connects lazily, on the first call.
 * - memory: in-process, for tests and the playground.
 * Rejects anything else: a typo in the config must not silently fall back to another backend.
 */
export async function createStore(url: string, options: CreateStoreOptions = {}): Promise<Store> {
  const parsed = parseStoreUrl(url);
  if (!parsed.ok) throw new Error(parsed.error);
  const { target } = parsed;
  const namespace = options.namespace ?? target.namespace;
  const common = {
    ...(options.clock && { clock: options.clock }),
    ...(namespace && { namespace }),
  };
  switch (target.backend) {
    case "memory":
      return createMemoryStore(common);
    case "sqlite":
      return createSqliteStore({
        file: target.file,
        ...common,
        ...(options.onSchemaUpgrade && { onSchemaUpgrade: options.onSchemaUpgrade }),
      });
    case "redis": {
      // Imported only for Redis: an embedded start does not load the Redis client (about 45 ms).
      const { createRedisStore } = await import("./create-redis-store.js");
      return createRedisStore({ url: target.url, ...common });
    }
  }
}
