import Keyv from "keyv";
import { createKeyedMutex } from "./create-keyed-mutex.js";
import {
  ABSENT,
  type Clock,
  type Lease,
  type LeaseInfo,
  type LogEntry,
  type ReadLogOptions,
  type Store,
  systemClock,
  type Versioned,
  type WriteFence,
  type WriteOptions,
} from "./store.js";
import { toJson } from "./to-json.js";
import { updateWithCas } from "./update-with-cas.js";
import { validateTtl } from "./validate-ttl.js";

export interface MemoryStoreOptions {
  clock?: Clock;
  /** Scopes every key; lets tests isolate (matters for shared backends, harmless here). Default "hwc". */
  namespace?: string;
}

/** A key's stored form. The value is kept as JSON text so callers can never alias stored state. */
interface Envelope {
  json: string;
  version: number;
  expiresAt: number | null;
}

interface LeaseRecord {
  /** null once released: the record stays so the next token is still higher than every previous one. */
  owner: string | null;
  token: number;
  expiresAt: number;
}

const DEFAULT_LOG_LIMIT = 100;
/** Expired keys are removed lazily on write paths, plus a sweep after this many TTL writes. */
const SWEEP_EVERY_TTL_WRITES = 256;

/**
 * The in-process {@link Store}: keyv's in-memory Map adapter plus a per-key async mutex. keyv's async
 * get/set can interleave between awaits, so every read-check-write runs inside the mutex of all the keys it
 * touches; that is what makes CAS, claims, leases and riders atomic. State lives in this process only:
 * for tests, the playground and a single replica. Share one instance between simulated "replicas".
 */
export function createMemoryStore(options: MemoryStoreOptions = {}): Store {
  const clock = options.clock ?? systemClock;
  const namespace = options.namespace ?? "hwc";
  // keyv's own TTL uses Date.now(); expiry here follows the injected clock, so keyv TTLs are never set.
  const keyv = new Keyv<unknown>();
  const mutex = createKeyedMutex();
  /** Store-wide revision: every write takes the next one, so versions are never reused (no ABA). */
  let revision = 0;
  const ttlKeys = new Map<string, number>();
  let ttlWritesSinceSweep = 0;
  let closed = false;

  const ns = (kind: string, name: string) => `${namespace}\u0000${kind}\u0000${name}`;
  const kvKey = (key: string) => ns("kv", key);
  const claimKey = (key: string) => ns("claim", key);
  const setKeyOf = (setKey: string) => ns("set", setKey);
  const leaseKey = (name: string) => ns("lease", name);
  const logSeqKey = (stream: string) => ns("logseq", stream);
  const logEntryKey = (stream: string, seq: number) => ns("log", `${stream}\u0000${seq}`);

  function assertOpen(): void {
    if (closed) throw new Error("store is closed");
  }

  function isLive(envelope: Envelope | undefined, now: number): envelope is Envelope {
    return envelope !== undefined && (envelope.expiresAt === null || now < envelope.expiresAt);
  }

  async function readEnvelope(internalKey: string): Promise<Envelope | undefined> {
    return (await keyv.get(internalKey)) as Envelope | undefined;
  }

  async function writeEnvelope(internalKey: string, json: string, ttlMs: number | undefined): Promise<void> {
    const expiresAt = ttlMs === undefined ? null : clock.now() + ttlMs;
    revision += 1;
    await keyv.set(internalKey, { json, version: revision, expiresAt } satisfies Envelope);
    if (expiresAt === null) ttlKeys.delete(internalKey);
    else {
      ttlKeys.set(internalKey, expiresAt);
      ttlWritesSinceSweep += 1;
    }
  }

  async function removeKey(internalKey: string): Promise<void> {
    await keyv.delete(internalKey);
    ttlKeys.delete(internalKey);
  }

  async function sweepIfDue(): Promise<void> {
    if (ttlWritesSinceSweep < SWEEP_EVERY_TTL_WRITES) return;
    ttlWritesSinceSweep = 0;
    const now = clock.now();
    for (const [internalKey, expiresAt] of [...ttlKeys]) {
      if (now < expiresAt) continue;
      await mutex.runExclusive([internalKey], async () => {
        const envelope = await readEnvelope(internalKey);
        if (envelope !== undefined && !isLive(envelope, clock.now())) await removeKey(internalKey);
        else if (envelope === undefined) ttlKeys.delete(internalKey);
      });
    }
  }

  /** Riders and value are serialized up front so a bad record fails the call before anything is written. */
  function prepareRiders(options: WriteOptions) {
    const appends = (options.append ?? []).map((a) => ({ stream: a.stream, json: toJson(a.record) }));
    return {
      appends,
      adds: options.addToSets ?? [],
      removes: options.removeFromSets ?? [],
      fence: options.fence,
      lockKeys: [
        ...(options.fence === undefined ? [] : [leaseKey(options.fence.lease)]),
        ...appends.map((a) => logSeqKey(a.stream)),
        ...(options.addToSets ?? []).map((m) => setKeyOf(m.setKey)),
        ...(options.removeFromSets ?? []).map((m) => setKeyOf(m.setKey)),
      ],
    };
  }

  /** Caller holds the stream's lock. */
  async function appendLocked(stream: string, json: string): Promise<number> {
    const seq = ((await keyv.get(logSeqKey(stream))) as number | undefined) ?? 0;
    const next = seq + 1;
    // Entry before counter: lock-free readers never see a counter pointing at a missing entry.
    await keyv.set(logEntryKey(stream, next), json);
    await keyv.set(logSeqKey(stream), next);
    return next;
  }

  /** Caller holds the set's lock. */
  async function changeSetLocked(setKey: string, member: string, add: boolean): Promise<boolean> {
    const internalKey = setKeyOf(setKey);
    const current = ((await keyv.get(internalKey)) as string[] | undefined) ?? [];
    const present = current.includes(member);
    if (add === present) return false;
    const next = add ? [...current, member].sort() : current.filter((m) => m !== member);
    if (next.length === 0) await keyv.delete(internalKey);
    else await keyv.set(internalKey, next);
    return true;
  }

  async function conditionalWrite(
    key: string,
    expectedVersion: number,
    value: unknown,
    options: WriteOptions,
  ): Promise<boolean> {
    assertOpen();
    validateTtl(options.ttlMs);
    const json = toJson(value);
    const riders = prepareRiders(options);
    const internalKey = kvKey(key);
    const wrote = await mutex.runExclusive([internalKey, ...riders.lockKeys], async () => {
      const envelope = await readEnvelope(internalKey);
      const live = isLive(envelope, clock.now());
      const currentVersion = live ? envelope.version : ABSENT;
      if (currentVersion !== expectedVersion) return false;
      if (riders.fence !== undefined) {
        const lease = (await keyv.get(leaseKey(riders.fence.lease))) as LeaseRecord | undefined;
        if (!holdsFence(lease, riders.fence, clock.now())) return false;
      }
      for (const a of riders.appends) await appendLocked(a.stream, a.json);
      for (const m of riders.adds) await changeSetLocked(m.setKey, m.member, true);
      for (const m of riders.removes) await changeSetLocked(m.setKey, m.member, false);
      await writeEnvelope(internalKey, json, options.ttlMs);
      return true;
    });
    await sweepIfDue();
    return wrote;
  }

  const store: Store = {
    namespace,

    async get<T>(key: string): Promise<Versioned<T> | undefined> {
      assertOpen();
      const envelope = await readEnvelope(kvKey(key));
      // Expired keys are only reported absent here; removal happens under the lock on write paths.
      if (!isLive(envelope, clock.now())) return undefined;
      return { value: JSON.parse(envelope.json) as T, version: envelope.version };
    },

    createIfAbsent(key, value, options = {}) {
      return conditionalWrite(key, ABSENT, value, options);
    },

    compareAndSwap(key, expectedVersion, value, options = {}) {
      return conditionalWrite(key, expectedVersion, value, options);
    },

    update(key, fn, options) {
      return updateWithCas(store, key, fn, options);
    },

    async delete(key) {
      assertOpen();
      const internalKey = kvKey(key);
      return mutex.runExclusive([internalKey], async () => {
        const envelope = await readEnvelope(internalKey);
        if (envelope === undefined) return false;
        await removeKey(internalKey);
        return isLive(envelope, clock.now());
      });
    },

    async addToSet(setKey, member) {
      assertOpen();
      return mutex.runExclusive([setKeyOf(setKey)], () => changeSetLocked(setKey, member, true));
    },

    async removeFromSet(setKey, member) {
      assertOpen();
      return mutex.runExclusive([setKeyOf(setKey)], () => changeSetLocked(setKey, member, false));
    },

    async members(setKey) {
      assertOpen();
      return [...(((await keyv.get(setKeyOf(setKey))) as string[] | undefined) ?? [])];
    },

    async claimOnce(key, ttlMs) {
      assertOpen();
      validateTtl(ttlMs);
      const internalKey = claimKey(key);
      const claimed = await mutex.runExclusive([internalKey], async () => {
        if (isLive(await readEnvelope(internalKey), clock.now())) return false;
        await writeEnvelope(internalKey, "true", ttlMs);
        return true;
      });
      await sweepIfDue();
      return claimed;
    },

    async acquireLease(name, owner, ttlMs): Promise<Lease | undefined> {
      assertOpen();
      validateTtl(ttlMs);
      const internalKey = leaseKey(name);
      return mutex.runExclusive([internalKey], async () => {
        const now = clock.now();
        const current = (await keyv.get(internalKey)) as LeaseRecord | undefined;
        if (current !== undefined && current.owner !== null && now < current.expiresAt) return undefined;
        const lease = { token: (current?.token ?? 0) + 1, expiresAt: now + ttlMs };
        await keyv.set(internalKey, { owner, ...lease } satisfies LeaseRecord);
        return lease;
      });
    },

    async renewLease(name, owner, token, ttlMs) {
      assertOpen();
      validateTtl(ttlMs);
      const internalKey = leaseKey(name);
      return mutex.runExclusive([internalKey], async () => {
        const now = clock.now();
        const current = (await keyv.get(internalKey)) as LeaseRecord | undefined;
        if (current?.owner !== owner || current.token !== token || now >= current.expiresAt) return false;
        await keyv.set(internalKey, { ...current, expiresAt: now + ttlMs } satisfies LeaseRecord);
        return true;
      });
    },

    async releaseLease(name, owner, token) {
      assertOpen();
      const internalKey = leaseKey(name);
      return mutex.runExclusive([internalKey], async () => {
        const current = (await keyv.get(internalKey)) as LeaseRecord | undefined;
        if (current?.owner !== owner || current.token !== token) return false;
        await keyv.set(internalKey, {
          owner: null,
          token: current.token,
          expiresAt: 0,
        } satisfies LeaseRecord);
        return true;
      });
    },

    async getLease(name): Promise<LeaseInfo | undefined> {
      assertOpen();
      const current = (await keyv.get(leaseKey(name))) as LeaseRecord | undefined;
      if (current === undefined || current.owner === null || clock.now() >= current.expiresAt)
        return undefined;
      return { owner: current.owner, token: current.token, expiresAt: current.expiresAt };
    },

    async append(stream, record) {
      assertOpen();
      const json = toJson(record);
      return mutex.runExclusive([logSeqKey(stream)], () => appendLocked(stream, json));
    },

    async readLog<R>(stream: string, options: ReadLogOptions<R> = {}): Promise<LogEntry<R>[]> {
      assertOpen();
      const limit = options.limit ?? DEFAULT_LOG_LIMIT;
      if (!Number.isInteger(limit) || limit < 0) throw new RangeError(`limit must be a non-negative integer`);
      const last = ((await keyv.get(logSeqKey(stream))) as number | undefined) ?? 0;
      const entries: LogEntry<R>[] = [];
      const step = options.fromEnd ? -1 : 1;
      for (
        let seq = options.fromEnd ? last : 1;
        seq >= 1 && seq <= last && entries.length < limit;
        seq += step
      ) {
        const json = (await keyv.get(logEntryKey(stream, seq))) as string | undefined;
        if (json === undefined) throw new Error(`log ${stream} is missing entry ${seq}`);
        const record = JSON.parse(json) as R;
        if (options.filter === undefined || options.filter(record)) entries.push({ seq, record });
      }
      return entries;
    },

    async close() {
      closed = true;
      await keyv.disconnect();
    },
  };
  return store;
}

/** Is the lease held, unexpired at `now`, by the fence's owner with its token? */
function holdsFence(lease: LeaseRecord | undefined, fence: WriteFence, now: number): boolean {
  return (
    lease !== undefined && lease.owner === fence.owner && lease.token === fence.token && now < lease.expiresAt
  );
}
