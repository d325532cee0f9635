import type { Store } from "../store/store.js";
import type { Metrics } from "./metrics.js";

/**
 * The store with every operation timed into `metrics` (by operation and ok/error). Wraps at the seam, so no
 * caller records store metrics itself; the wrapped store is the one every layer gets. `now` is a monotonic
 * clock for durations (default `performance.now`), never the injected wall clock that tests move.
 */
export function instrumentStore(
  store: Store,
  metrics: Metrics,
  now: () => number = () => performance.now(),
): Store {
  const timed = async <R>(operation: string, run: () => Promise<R>): Promise<R> => {
    const started = now();
    try {
      const result = await run();
      metrics.storeOperation(operation, "ok", now() - started);
      return result;
    } catch (error) {
      metrics.storeOperation(operation, "error", now() - started);
      throw error;
    }
  };
  return {
    get namespace() {
      return store.namespace;
    },
    get: (key) => timed("get", () => store.get(key)),
    createIfAbsent: (key, value, options) =>
      timed("createIfAbsent", () => store.createIfAbsent(key, value, options)),
    compareAndSwap: (key, expectedVersion, value, options) =>
      timed("compareAndSwap", () => store.compareAndSwap(key, expectedVersion, value, options)),
    update: (key, fn, options) => timed("update", () => store.update(key, fn, options)),
    delete: (key) => timed("delete", () => store.delete(key)),
    addToSet: (setKey, member) => timed("addToSet", () => store.addToSet(setKey, member)),
    removeFromSet: (setKey, member) => timed("removeFromSet", () => store.removeFromSet(setKey, member)),
    members: (setKey) => timed("members", () => store.members(setKey)),
    // Every argument passes through: a dropped `durability` made relaxed claims wait for the disk.
    claimOnce: (key, ttlMs, options) => timed("claimOnce", () => store.claimOnce(key, ttlMs, options)),
    acquireLease: (name, owner, ttlMs) => timed("acquireLease", () => store.acquireLease(name, owner, ttlMs)),
    renewLease: (name, owner, token, ttlMs) =>
      timed("renewLease", () => store.renewLease(name, owner, token, ttlMs)),
    releaseLease: (name, owner, token) => timed("releaseLease", () => store.releaseLease(name, owner, token)),
    getLease: (name) => timed("getLease", () => store.getLease(name)),
    append: (stream, record) => timed("append", () => store.append(stream, record)),
    readLog: (stream, options) => timed("readLog", () => store.readLog(stream, options)),
    logState: (stream) => timed("logState", () => store.logState(stream)),
    pruneLog: (stream, throughSeq, record) =>
      timed("pruneLog", () => store.pruneLog(stream, throughSeq, record)),
    ...(store.serverTime !== undefined && {
      serverTime: () => timed("serverTime", () => store.serverTime!()),
    }),
    close: () => store.close(),
  };
}
