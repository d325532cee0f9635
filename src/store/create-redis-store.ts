import { ErrorReply } from "@redis/client";
import { createRedisConnection, type RedisConnectionOptions } from "./create-redis-connection.js";
import { GENESIS_HASH } from "./hash-log-entry.js";
import {
  ACQUIRE_LEASE,
  APPEND_LOG,
  CLAIM_ONCE,
  COMPARE_AND_SWAP,
  DELETE,
  PRUNE_LOG,
  READ_LOG_PAGE,
  RELEASE_LEASE,
  RENEW_LEASE,
} from "./redis-scripts.js";
import {
  ABSENT,
  type Clock,
  checkBeforeSeq,
  type LeaseInfo,
  type LogEntry,
  type LogState,
  type ReadLogOptions,
  type Store,
  systemClock,
  type Versioned,
} from "./store.js";
import { toCanonicalJson } from "./to-canonical-json.js";
import { toJson } from "./to-json.js";
import { updateWithCas } from "./update-with-cas.js";
import { validateTtl } from "./validate-ttl.js";

/** Options of {@link createRedisStore}: where Redis is and how long to wait for it, plus the clock and key namespace. */
export interface RedisStoreOptions extends RedisConnectionOptions {
  clock?: Clock;
  /** Prefixes every Redis key (`hwc:{namespace}:…`); several namespaces share one Redis. Default "hwc". */
  namespace?: string;
}

const DEFAULT_LOG_LIMIT = 100;
const LOG_PAGE = 256;
/**
 * Native expiry of TTL'd keys and claims, past their logical expiry: Redis only garbage-collects, the
 * injected clock decides. The margin absorbs clock skew between replicas and a manual clock in tests.
 */
const GC_MARGIN_MS = 60 * 60 * 1000;

/**
 * The shared {@link Store} for several replicas, over Redis. Every primitive that reads-checks-writes is one
 * Lua script (see `redis-scripts.ts`), so it is atomic across all replicas, including the hash chain of the
 * logs (the link is computed inside the script that appends). All keys of a namespace carry the hash tag
 * `{namespace}`, so the multi-key scripts stay valid on a Redis Cluster too.
 *
 * Connection: opened lazily on the first call, which waits up to `connectTimeoutMs` for it. Afterwards
 * nothing waits: while Redis is unreachable every call fails at once with {@link StoreUnavailableError}
 * (no offline queue, which would replay writes long after the caller gave up), the client reconnects in
 * the background, and the same store works again once Redis is back.
 */
export function createRedisStore(options: RedisStoreOptions): Store {
  const clock = options.clock ?? systemClock;
  const namespace = options.namespace ?? "hwc";
  const { run, evalScript, close } = createRedisConnection(options);

  const prefix = `hwc:{${namespace}}:`;
  const keys = {
    revision: `${prefix}revision`,
    kv: (key: string) => `${prefix}kv:${key}`,
    claim: (key: string) => `${prefix}claim:${key}`,
    set: (setKey: string) => `${prefix}set:${setKey}`,
    lease: (name: string) => `${prefix}lease:${name}`,
    log: (stream: string) => `${prefix}log:${stream}`,
    logHead: (stream: string) => `${prefix}loghead:${stream}`,
  };

  const store: Store = {
    namespace,

    get<T>(key: string): Promise<Versioned<T> | undefined> {
      return run(async (c) => {
        const [json, version, expiresAt] = await c.hmGet(keys.kv(key), ["v", "ver", "exp"]);
        if (json == null || version == null) return undefined;
        if (expiresAt != null && clock.now() >= Number(expiresAt)) return undefined;
        return { value: JSON.parse(json) as T, version: Number(version) };
      });
    },

    createIfAbsent(key, value, options = {}) {
      return store.compareAndSwap(key, ABSENT, value, options);
    },

    async compareAndSwap(key, expectedVersion, value, options = {}) {
      validateTtl(options.ttlMs);
      const json = toJson(value);
      const appends = (options.append ?? []).map((a) => ({
        stream: a.stream,
        json: toCanonicalJson(a.record),
      }));
      const adds = options.addToSets ?? [];
      const removes = options.removeFromSets ?? [];
      const fence = options.fence;
      if (fence !== undefined && fence.owner === "") throw new RangeError("a fence needs an owner");
      return run(async (c) => {
        const now = clock.now();
        const ttl = options.ttlMs;
        const reply = await evalScript(
          c,
          COMPARE_AND_SWAP,
          [
            keys.kv(key),
            keys.revision,
            ...appends.map((a) => keys.log(a.stream)),
            ...appends.map((a) => keys.logHead(a.stream)),
            ...adds.map((m) => keys.set(m.setKey)),
            ...removes.map((m) => keys.set(m.setKey)),
            ...(fence === undefined ? [] : [keys.lease(fence.lease)]),
          ],
          [
            String(expectedVersion),
            json,
            String(now),
            ttl === undefined ? "" : String(now + ttl),
            ttl === undefined ? "" : String(gcTtl(ttl)),
            String(appends.length),
            String(adds.length),
            String(removes.length),
            fence === undefined ? "" : fence.owner,
            fence === undefined ? "" : String(fence.token),
            ...appends.map((a) => a.json),
            ...adds.map((m) => m.member),
            ...removes.map((m) => m.member),
          ],
        );
        return reply === 1;
      });
    },

    update(key, fn, options) {
      return updateWithCas(store, key, fn, options);
    },

    delete(key) {
      return run(async (c) => (await evalScript(c, DELETE, [keys.kv(key)], [String(clock.now())])) === 1);
    },

    addToSet(setKey, member) {
      return run(async (c) => (await c.sAdd(keys.set(setKey), member)) === 1);
    },

    removeFromSet(setKey, member) {
      return run(async (c) => (await c.sRem(keys.set(setKey), member)) === 1);
    },

    members(setKey) {
      return run(async (c) => [...(await c.sMembers(keys.set(setKey)))].map(String).sort());
    },

    async claimOnce(key, ttlMs) {
      validateTtl(ttlMs);
      return run(async (c) => {
        const now = clock.now();
        const args = [String(now), String(now + ttlMs), String(gcTtl(ttlMs))];
        return (await evalScript(c, CLAIM_ONCE, [keys.claim(key)], args)) === 1;
      });
    },

    async acquireLease(name, owner, ttlMs) {
      validateTtl(ttlMs);
      return run(async (c) => {
        const now = clock.now();
        const expiresAt = now + ttlMs;
        const token = await evalScript(
          c,
          ACQUIRE_LEASE,
          [keys.lease(name), keys.revision],
          [owner, String(now), String(expiresAt), String(gcTtl(ttlMs))],
        );
        return token === 0 ? undefined : { token: Number(token), expiresAt };
      });
    },

    async renewLease(name, owner, token, ttlMs) {
      validateTtl(ttlMs);
      return run(async (c) => {
        const now = clock.now();
        const args = [owner, String(token), String(now), String(now + ttlMs), String(gcTtl(ttlMs))];
        return (await evalScript(c, RENEW_LEASE, [keys.lease(name)], args)) === 1;
      });
    },

    releaseLease(name, owner, token) {
      return run(
        async (c) => (await evalScript(c, RELEASE_LEASE, [keys.lease(name)], [owner, String(token)])) === 1,
      );
    },

    getLease(name): Promise<LeaseInfo | undefined> {
      return run(async (c) => {
        const [owner, token, expiresAt] = await c.hmGet(keys.lease(name), ["owner", "token", "exp"]);
        if (owner == null || token == null || expiresAt == null) return undefined;
        if (clock.now() >= Number(expiresAt)) return undefined;
        return { owner: String(owner), token: Number(token), expiresAt: Number(expiresAt) };
      });
    },

    async serverTime() {
      return run(async (c) => {
        const [seconds = "0", micros = "0"] = (await c.time()) as unknown as string[];
        return Number(seconds) * 1000 + Math.floor(Number(micros) / 1000);
      });
    },

    async append(stream, record) {
      const json = toCanonicalJson(record);
      return run(async (c) =>
        Number(await evalScript(c, APPEND_LOG, [keys.log(stream), keys.logHead(stream)], [json])),
      );
    },

    async readLog<R>(stream: string, options: ReadLogOptions<R> = {}): Promise<LogEntry<R>[]> {
      const limit = options.limit ?? DEFAULT_LOG_LIMIT;
      if (!Number.isInteger(limit) || limit < 0) throw new RangeError(`limit must be a non-negative integer`);
      const direction = options.fromEnd ? "desc" : "asc";
      const afterSeq = options.fromEnd ? 0 : (options.afterSeq ?? 0);
      const beforeSeq = checkBeforeSeq(options);
      return run(async (c) => {
        const entries: LogEntry<R>[] = [];
        // A cursor is a list index as of a prune point: entry `seq` sits at index `seq - 1` as of no prune, so
        // newest first before `beforeSeq` starts at the cursor of `beforeSeq - 1` (the script shifts it by the
        // entries pruned since, and holds it within the list).
        let cursor: { index: number; pseq: number } | undefined =
          options.fromEnd && beforeSeq !== Number.MAX_SAFE_INTEGER
            ? { index: beforeSeq - 2, pseq: 0 }
            : undefined;
        while (entries.length < limit) {
          const reply = (await evalScript(
            c,
            READ_LOG_PAGE,
            [keys.log(stream), keys.logHead(stream)],
            [
              direction,
              cursor === undefined ? "" : String(cursor.index),
              cursor === undefined ? "" : String(cursor.pseq),
              String(afterSeq),
              String(LOG_PAGE),
            ],
          )) as string[];
          const [pseqText = "0", firstText = "0", ...items] = reply.map(String);
          const pseq = Number(pseqText);
          const first = Number(firstText);
          const page = items.map((item, i) => parseLogItem<R>(item, pseq + first + i + 1));
          if (options.fromEnd) page.reverse();
          for (const entry of page) {
            if (options.filter === undefined || options.filter(entry.record)) entries.push(entry);
            if (entries.length === limit) break;
          }
          if (items.length < LOG_PAGE || (options.fromEnd && first === 0)) break;
          cursor = { index: options.fromEnd ? first - 1 : first + items.length, pseq };
        }
        return entries;
      });
    },

    logState(stream): Promise<LogState> {
      return run(async (c) => {
        const [seq, hash, pseq, phash] = await c.hmGet(keys.logHead(stream), [
          "seq",
          "hash",
          "pseq",
          "phash",
        ]);
        // No head yet: a list written before chaining existed ends where the chain will start.
        const head =
          seq == null
            ? { seq: await c.lLen(keys.log(stream)), hash: GENESIS_HASH }
            : { seq: Number(seq), hash: String(hash) };
        return {
          head,
          prunedThrough: {
            seq: pseq == null ? 0 : Number(pseq),
            hash: phash == null ? GENESIS_HASH : String(phash),
          },
        };
      });
    },

    async pruneLog(stream, throughSeq, record) {
      if (!Number.isInteger(throughSeq) || throughSeq < 0)
        throw new RangeError(`cannot prune ${stream} through ${throughSeq}`);
      const json = toCanonicalJson(record);
      try {
        return await run(async (c) => {
          const [removed, seq] = (await evalScript(
            c,
            PRUNE_LOG,
            [keys.log(stream), keys.logHead(stream)],
            [String(throughSeq), json],
          )) as number[];
          return { removed: Number(removed), seq: Number(seq) };
        });
      } catch (error) {
        if (error instanceof ErrorReply && error.message.startsWith("RANGE"))
          throw new RangeError(`cannot prune ${stream}: ${error.message.slice("RANGE ".length)}`);
        throw error;
      }
    },

    close,
  };
  return store;
}

const LOG_ITEM = /^(\d+) ([0-9a-f]{64}) ([0-9a-f]{64}) ([\s\S]*)$/;

/** An entry as listed: `"<seq> <prevHash> <hash> <json>"`, or a bare JSON record written before chaining. */
function parseLogItem<R>(item: string, positionalSeq: number): LogEntry<R> {
  const match = LOG_ITEM.exec(item);
  if (match === null) return { seq: positionalSeq, record: JSON.parse(item) as R, prevHash: "", hash: "" };
  const [, seq = "", prevHash = "", hash = "", json = ""] = match;
  return { seq: Number(seq), record: JSON.parse(json) as R, prevHash, hash };
}

function gcTtl(ttlMs: number): number {
  return Math.ceil(ttlMs + GC_MARGIN_MS);
}
