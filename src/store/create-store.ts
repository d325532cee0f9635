import { createMemoryStore } from "./create-memory-store.js";
import type { Clock, Store } from "./store.js";

export interface CreateStoreOptions {
  clock?: Clock;
  /** Overrides the namespace in the URL (`?namespace=`); defaults to "hwc". */
  namespace?: string;
}

/**
 * The one place a store URL becomes a backend:
 * - `memory://` (optionally `memory://?namespace=x`): in-process, for tests, the playground and one replica.
 * - `sqlite://path` and `redis://host:port`: planned; they throw until implemented.
 * Throws on anything else: a typo in the config must not silently fall back to memory.
 */
export function createStore(url: string, options: CreateStoreOptions = {}): Store {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    // The URL is not echoed: a redis:// URL may carry a password.
    throw new Error("invalid store URL (expected memory://, sqlite://… or redis://…)");
  }
  const namespace = options.namespace ?? (parsed.searchParams.get("namespace") || undefined);
  switch (parsed.protocol) {
    case "memory:":
      return createMemoryStore({
        ...(options.clock && { clock: options.clock }),
        ...(namespace && { namespace }),
      });
    case "sqlite:":
    case "redis:":
    case "rediss:":
      throw new Error(
        `store backend ${parsed.protocol.slice(0, -1)} is not implemented yet; use memory:// for now`,
      );
    default:
      throw new Error(
        `unsupported store URL scheme ${JSON.stringify(parsed.protocol)} (expected memory://, sqlite://… or redis://…)`,
      );
  }
}
