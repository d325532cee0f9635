import Keyv from "keyv";
import { createExpiryQueue } from "./create-expiry-queue.js";
import { createKeyedMutex } from "./create-keyed-mutex.js";
import { GENESIS_HASH, hashLogEntry } from "./hash-log-entry.js";
import {
  ABSENT,
  type Clock,
  checkBeforeSeq,
  type Lease,
  type LeaseInfo,
  type LogEntry,
  type LogState,
  type ReadLogOptions,
  type Store,
  systemClock,
  type Versioned,
  type WriteFence,
  type WriteOptions,
} from "./store.js";
import { toCanonicalJson } from "./to-canonical-json.js";
import { toJson } from "./to-json.js";
import { updateWithCas } from "./update-with-cas.js";
import { validateTtl } from "./validate-ttl.js";

export interface MemoryStoreOptions {
  clock?: Clock;
  /** Scopes every key; lets tests isolate (matters for shared backends, harmless here). Default "hwc". */
  namespace?: string;
  /** The Map behind keyv; tests pass their own to count what the store holds. Default a new one. */
  map?: Map<unknown, unknown>;
}

/** A key's stored form. The value is kept as JSON text so callers can never alias stored state. */
interface Envelope {
  json: string;
  version: number;
  expiresAt: number | null;
}

interface LeaseRecord {
  owner: string;
  token: number;
  expiresAt: number;
}

/** A stream's chain head and prune point (see `LogState`). */
interface LogHeadRecord {
  seq: number;
  hash: string;
  prunedSeq: number;
  prunedHash: string;
}

interface LogEntryRecord {
  json: string;
  prevHash: string;
  hash: string;
}

const EMPTY_HEAD: LogHeadRecord = { seq: 0, hash: GENESIS_HASH, prunedSeq: 0, prunedHash: GENESIS_HASH };

const DEFAULT_LOG_LIMIT = 100;
/** Expired keys and leases are removed by a sweep after this many TTL writes (each sweep costs what it removes). */
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
  const keyv = new Keyv<unknown>({ store: options.map ?? new Map() });
  const mutex = createKeyedMutex();
  /** Store-wide revision: every write takes the next one, so versions are never reused (no ABA). */
  let revision = 0;
  const expiries = createExpiryQueue();
  let ttlWritesSinceSweep = 0;
  let closed = false;

  const ns = (kind: string, name: string) => `${namespace}\u0000${kind}\u0000${name}`;
  const kvKey = (key: string) => ns("kv", key);
  const claimKey = (key: string) => ns("claim", key);
  const setKeyOf = (setKey: string) => ns("set", setKey);
  const leaseKey = (name: string) => ns("lease", name);
  const logHeadKey = (stream: string) => ns("loghead", stream);
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
    if (expiresAt !== null) noteExpiry(internalKey, expiresAt);
  }

  function noteExpiry(internalKey: string, expiresAt: number): void {
    expiries.push(internalKey, expiresAt);
    ttlWritesSinceSweep += 1;
  }

  /** Removes what expired: keys, claims and leases whose expiry (by the clock, re-read under the lock) passed. */
  async function sweepIfDue(): Promise<void> {
    if (ttlWritesSinceSweep < SWEEP_EVERY_TTL_WRITES) return;
    ttlWritesSinceSweep = 0;
    for (const internalKey of expiries.takeDue(clock.now())) {
      await mutex.runExclusive([internalKey], async () => {
        const stored = (await keyv.get(internalKey)) as Envelope | LeaseRecord | undefined;
        if (stored !== undefined && stored.expiresAt !== null && clock.now() >= stored.expiresAt)
          await keyv.delete(internalKey);
      });
    }
  }

  /** Riders and value are serialized up front so a bad record fails the call before anything is written. */
  function prepareRiders(options: WriteOptions) {
    const appends = (options.append ?? []).map((a) => ({
      stream: a.stream,
      json: toCanonicalJson(a.record),
    }));
    return {
      appends,
      adds: options.addToSets ?? [],
      removes: options.removeFromSets ?? [],
      fence: options.fence,
      lockKeys: [
        ...(options.fence === undefined ? [] : [leaseKey(options.fence.lease)]),
        ...appends.map((a) => logHeadKey(a.stream)),
        ...(options.addToSets ?? []).map((m) => setKeyOf(m.setKey)),
        ...(options.removeFromSets ?? []).map((m) => setKeyOf(m.setKey)),
      ],
    };
  }

  async function readHead(stream: string): Promise<LogHeadRecord> {
    return ((await keyv.get(logHeadKey(stream))) as LogHeadRecord | undefined) ?? EMPTY_HEAD;
  }

  /** Caller holds the stream's lock. Links the entry to the head and advances the head. */
  async function appendLocked(stream: string, json: string): Promise<number> {
    const head = await readHead(stream);
    const seq = head.seq + 1;
    const hash = hashLogEntry(head.hash, json, seq);
    // Entry before head: lock-free readers never see a head pointing at a missing entry.
    await keyv.set(logEntryKey(stream, seq), { json, prevHash: head.hash, hash } satisfies LogEntryRecord);
    await keyv.set(logHeadKey(stream), { ...head, seq, hash } satisfies LogHeadRecord);
    return seq;
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
        await keyv.delete(internalKey);
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
        if (current !== undefined && now < current.expiresAt) return undefined;
        revision += 1;
        const lease = { token: revision, expiresAt: now + ttlMs };
        await keyv.set(internalKey, { owner, ...lease } satisfies LeaseRecord);
        noteExpiry(internalKey, lease.expiresAt);
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
        noteExpiry(internalKey, now + ttlMs);
        return true;
      });
    },

    async releaseLease(name, owner, token) {
      assertOpen();
      const internalKey = leaseKey(name);
      return mutex.runExclusive([internalKey], async () => {
        const current = (await keyv.get(internalKey)) as LeaseRecord | undefined;
        if (current?.owner !== owner || current.token !== token) return false;
        await keyv.delete(internalKey);
        return true;
      });
    },

    async getLease(name): Promise<LeaseInfo | undefined> {
      assertOpen();
      const current = (await keyv.get(leaseKey(name))) as LeaseRecord | undefined;
      if (current === undefined || clock.now() >= current.expiresAt) return undefined;
      return { owner: current.owner, token: current.token, expiresAt: current.expiresAt };
    },

    async append(stream, record) {
      assertOpen();
      const json = toCanonicalJson(record);
      return mutex.runExclusive([logHeadKey(stream)], () => appendLocked(stream, json));
    },

    async readLog<R>(stream: string, options: ReadLogOptions<R> = {}): Promise<LogEntry<R>[]> {
      assertOpen();
      const limit = options.limit ?? DEFAULT_LOG_LIMIT;
      if (!Number.isInteger(limit) || limit < 0) throw new RangeError(`limit must be a non-negative integer`);
      const beforeSeq = checkBeforeSeq(options);
      const head = await readHead(stream);
      const entries: LogEntry<R>[] = [];
      const step = options.fromEnd ? -1 : 1;
      const first = Math.max(head.prunedSeq, options.fromEnd ? 0 : (options.afterSeq ?? 0)) + 1;
      for (
        let seq = options.fromEnd ? Math.min(head.seq, beforeSeq - 1) : first;
        seq >= first && seq <= head.seq && entries.length < limit;
        seq += step
      ) {
        // A missing entry (pruned by a concurrent prune) is skipped: readers checking the chain see the gap.
        const stored = (await keyv.get(logEntryKey(stream, seq))) as LogEntryRecord | undefined;
        if (stored === undefined) continue;
        const record = JSON.parse(stored.json) as R;
        if (options.filter === undefined || options.filter(record))
          entries.push({ seq, record, prevHash: stored.prevHash, hash: stored.hash });
      }
      return entries;
    },

    async logState(stream): Promise<LogState> {
      assertOpen();
      const head = await readHead(stream);
      return {
        head: { seq: head.seq, hash: head.hash },
        prunedThrough: { seq: head.prunedSeq, hash: head.prunedHash },
      };
    },

    async pruneLog(stream, throughSeq, record) {
      assertOpen();
      const json = toCanonicalJson(record);
      return mutex.runExclusive([logHeadKey(stream)], async () => {
        const head = await readHead(stream);
        if (!Number.isInteger(throughSeq) || throughSeq < 0 || throughSeq > head.seq)
          throw new RangeError(`cannot prune ${stream} through ${throughSeq}: its last entry is ${head.seq}`);
        let removed = 0;
        if (throughSeq > head.prunedSeq) {
          const last = (await keyv.get(logEntryKey(stream, throughSeq))) as LogEntryRecord | undefined;
          if (last === undefined) throw new Error(`log ${stream} is missing entry ${throughSeq}`);
          for (let seq = head.prunedSeq + 1; seq <= throughSeq; seq++) {
            if (await keyv.delete(logEntryKey(stream, seq))) removed += 1;
          }
          await keyv.set(logHeadKey(stream), {
            ...head,
            prunedSeq: throughSeq,
            prunedHash: last.hash,
          } satisfies LogHeadRecord);
        }
        return { removed, seq: await appendLocked(stream, json) };
      });
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
