import { afterEach, describe, expect, it } from "vitest";
import { hashLogEntry } from "../../src/store/hash-log-entry.js";
import {
  ABSENT,
  abortUpdate,
  GENESIS_HASH,
  type LogEntry,
  NO_CHANGE,
  type Store,
  writeUpdate,
} from "../../src/store/store.js";
import { toCanonicalJson } from "../../src/store/to-canonical-json.js";
import { createManualClock, type ManualClock } from "./manual-clock.js";

export interface StoreContext {
  clock: ManualClock;
  /** Unique per test: a backend over a shared database must scope everything by it. */
  namespace: string;
}

export type MakeStore = (context: StoreContext) => Store | Promise<Store>;

let namespaceCounter = 0;

/** Sequence numbers and records only (the chain is checked by {@link expectChained}). */
const plain = (entries: LogEntry[]) => entries.map(({ seq, record }) => ({ seq, record }));

/** Every entry links to the one before it and its hash is the SHA-256 of its canonical content. */
function expectChained(entries: LogEntry[], startHash = GENESIS_HASH): void {
  let prev = startHash;
  for (const entry of entries) {
    expect(entry.prevHash).toBe(prev);
    expect(entry.hash).toBe(hashLogEntry(prev, toCanonicalJson(entry.record), entry.seq));
    prev = entry.hash;
  }
}

/**
 * The executable contract of `Store`: every backend runs this suite (`describeStoreContract("redis", …)`).
 * Expiry is driven by a manual clock, so backends must take every expiry decision from the injected clock.
 */
export function describeStoreContract(name: string, makeStore: MakeStore): void {
  describe(`Store contract: ${name}`, () => {
    const opened: Store[] = [];
    let clock: ManualClock;

    async function open(namespace = `contract-${process.pid}-${Date.now()}-${namespaceCounter++}`) {
      clock ??= createManualClock();
      const store = await makeStore({ clock, namespace });
      opened.push(store);
      return store;
    }

    async function fresh() {
      clock = createManualClock();
      return open();
    }

    afterEach(async () => {
      await Promise.all(opened.splice(0).map((s) => s.close()));
    });

    describe("get / createIfAbsent / compareAndSwap", () => {
      it("reports absent keys as undefined", async () => {
        const store = await fresh();
        expect(await store.get("nope")).toBeUndefined();
      });

      it("creates only once and returns the value with a positive version", async () => {
        const store = await fresh();
        expect(await store.createIfAbsent("k", { a: 1 })).toBe(true);
        expect(await store.createIfAbsent("k", { a: 2 })).toBe(false);
        const got = await store.get<{ a: number }>("k");
        expect(got?.value).toEqual({ a: 1 });
        expect(got?.version).toBeGreaterThan(ABSENT);
      });

      it("copies values in and out", async () => {
        const store = await fresh();
        const input = { list: [1, 2], nested: { x: "y" } };
        await store.createIfAbsent("k", input);
        input.list.push(3);
        const first = await store.get<typeof input>("k");
        first!.value.nested.x = "mutated";
        expect((await store.get("k"))?.value).toEqual({ list: [1, 2], nested: { x: "y" } });
      });

      it("swaps only on the expected version, and every write increases the version", async () => {
        const store = await fresh();
        await store.createIfAbsent("k", 1);
        const v1 = (await store.get("k"))!.version;
        expect(await store.compareAndSwap("k", v1 + 1000, 2)).toBe(false);
        expect(await store.compareAndSwap("k", v1, 2)).toBe(true);
        const v2 = (await store.get("k"))!.version;
        expect(v2).toBeGreaterThan(v1);
        expect(await store.compareAndSwap("k", v1, 3)).toBe(false);
        expect(await store.get("k")).toEqual({ value: 2, version: v2 });
      });

      it("treats ABSENT as 'must not exist'", async () => {
        const store = await fresh();
        expect(await store.compareAndSwap("k", ABSENT, "a")).toBe(true);
        expect(await store.compareAndSwap("k", ABSENT, "b")).toBe(false);
        expect((await store.get("k"))?.value).toBe("a");
      });

      it("never reuses a version after delete and re-creation (no ABA)", async () => {
        const store = await fresh();
        await store.createIfAbsent("k", "first");
        const old = (await store.get("k"))!.version;
        expect(await store.delete("k")).toBe(true);
        await store.createIfAbsent("k", "second");
        const renewed = (await store.get("k"))!.version;
        expect(renewed).toBeGreaterThan(old);
        expect(await store.compareAndSwap("k", old, "stale")).toBe(false);
        expect((await store.get("k"))?.value).toBe("second");
      });

      it("expires keys by the injected clock", async () => {
        const store = await fresh();
        await store.createIfAbsent("k", "v", { ttlMs: 1000 });
        const version = (await store.get("k"))!.version;
        clock.advance(999);
        expect((await store.get("k"))?.value).toBe("v");
        clock.advance(1);
        expect(await store.get("k")).toBeUndefined();
        expect(await store.compareAndSwap("k", version, "late")).toBe(false);
        expect(await store.createIfAbsent("k", "again")).toBe(true);
        expect((await store.get("k"))?.value).toBe("again");
        clock.advance(10_000);
        expect((await store.get("k"))?.value).toBe("again");
      });

      it("a write without ttl clears a previous ttl", async () => {
        const store = await fresh();
        await store.createIfAbsent("k", 1, { ttlMs: 10 });
        await store.compareAndSwap("k", (await store.get("k"))!.version, 2);
        clock.advance(100);
        expect((await store.get("k"))?.value).toBe(2);
      });

      it("rejects values that are not JSON and writes nothing", async () => {
        const store = await fresh();
        await expect(store.createIfAbsent("k", undefined)).rejects.toThrow();
        await expect(store.createIfAbsent("k", { n: 1n })).rejects.toThrow();
        expect(await store.get("k")).toBeUndefined();
      });

      it("rejects non-positive TTLs", async () => {
        const store = await fresh();
        await expect(store.createIfAbsent("k", 1, { ttlMs: 0 })).rejects.toThrow(RangeError);
        await expect(store.claimOnce("c", -1)).rejects.toThrow(RangeError);
      });

      it("100 concurrent CAS on one version: exactly one wins", async () => {
        const store = await fresh();
        await store.createIfAbsent("k", -1);
        const version = (await store.get("k"))!.version;
        const results = await Promise.all(
          Array.from({ length: 100 }, (_, i) => store.compareAndSwap("k", version, i)),
        );
        expect(results.filter(Boolean)).toHaveLength(1);
        expect((await store.get("k"))?.value).toBe(results.indexOf(true));
      });

      it("100 concurrent read-CAS loops: exactly one winner per version, no lost update", async () => {
        const store = await fresh();
        await store.createIfAbsent("counter", 0);
        const wonOn: number[] = [];
        await Promise.all(
          Array.from({ length: 100 }, async () => {
            for (;;) {
              const current = (await store.get<number>("counter"))!;
              if (await store.compareAndSwap("counter", current.version, current.value + 1)) {
                wonOn.push(current.version);
                return;
              }
            }
          }),
        );
        expect((await store.get("counter"))?.value).toBe(100);
        expect(new Set(wonOn).size).toBe(100);
      });

      it("100 concurrent createIfAbsent: exactly one wins", async () => {
        const store = await fresh();
        const results = await Promise.all(
          Array.from({ length: 100 }, (_, i) => store.createIfAbsent("race", { winner: i })),
        );
        expect(results.filter(Boolean)).toHaveLength(1);
        expect((await store.get("race"))?.value).toEqual({ winner: results.indexOf(true) });
      });
    });

    describe("riders (append / sets committed with a write)", () => {
      it("apply iff the write wins", async () => {
        const store = await fresh();
        const riders = {
          append: [{ stream: "audit", record: { what: "created" } }],
          addToSets: [{ setKey: "pending", member: "r1" }],
        };
        expect(await store.createIfAbsent("r1", { s: "pending" }, riders)).toBe(true);
        expect(await store.createIfAbsent("r1", { s: "dup" }, riders)).toBe(false);
        expect(plain(await store.readLog("audit"))).toEqual([{ seq: 1, record: { what: "created" } }]);
        expect(await store.members("pending")).toEqual(["r1"]);

        const version = (await store.get("r1"))!.version;
        const move = {
          append: [{ stream: "audit", record: { what: "approved" } }],
          removeFromSets: [{ setKey: "pending", member: "r1" }],
          addToSets: [{ setKey: "approved", member: "r1" }],
        };
        expect(await store.compareAndSwap("r1", version + 1000, { s: "x" }, move)).toBe(false);
        expect(await store.readLog("audit")).toHaveLength(1);
        expect(await store.compareAndSwap("r1", version, { s: "approved" }, move)).toBe(true);
        expect((await store.readLog("audit")).map((e) => e.record)).toEqual([
          { what: "created" },
          { what: "approved" },
        ]);
        expect(await store.members("pending")).toEqual([]);
        expect(await store.members("approved")).toEqual(["r1"]);
      });

      it("a rider that cannot be written aborts the whole write", async () => {
        const store = await fresh();
        await store.createIfAbsent("k", "before");
        const version = (await store.get("k"))!.version;
        await expect(
          store.compareAndSwap("k", version, "after", {
            append: [{ stream: "audit", record: { bad: 1n } }],
            addToSets: [{ setKey: "s", member: "m" }],
          }),
        ).rejects.toThrow();
        expect(await store.get("k")).toEqual({ value: "before", version });
        expect(await store.readLog("audit")).toEqual([]);
        expect(await store.members("s")).toEqual([]);
      });

      it("concurrent writes with riders: log records match the winners exactly", async () => {
        const store = await fresh();
        await store.createIfAbsent("k", 0);
        const version = (await store.get("k"))!.version;
        const results = await Promise.all(
          Array.from({ length: 50 }, (_, i) =>
            store.compareAndSwap("k", version, i, { append: [{ stream: "audit", record: i }] }),
          ),
        );
        const winner = results.indexOf(true);
        expect(results.filter(Boolean)).toHaveLength(1);
        expect(plain(await store.readLog("audit"))).toEqual([{ seq: 1, record: winner }]);
      });
    });

    describe("update", () => {
      it("creates, modifies, and reports no-change and abort without writing", async () => {
        const store = await fresh();
        const created = await store.update<number, string>(
          "n",
          (cur) => (cur === undefined ? 1 : cur.value + 1),
          {
            retries: 3,
          },
        );
        expect(created).toEqual({ ok: true, changed: true, value: 1 });
        const version = (await store.get("n"))!.version;

        const same = await store.update<number>("n", () => NO_CHANGE, { retries: 3 });
        expect(same).toEqual({ ok: true, changed: false, current: { value: 1, version } });

        const aborted = await store.update<number, string>("n", () => abortUpdate("nope"), { retries: 3 });
        expect(aborted).toEqual({ ok: false, reason: "aborted", detail: "nope" });
        expect((await store.get("n"))!.version).toBe(version);
      });

      it("applies default riders, or the riders of a writeUpdate result", async () => {
        const store = await fresh();
        await store.update("a", () => 1, { retries: 0, append: [{ stream: "log", record: "default" }] });
        await store.update(
          "a",
          (cur) =>
            writeUpdate((cur?.value as number) + 1, { append: [{ stream: "log", record: "explicit" }] }),
          {
            retries: 0,
            append: [{ stream: "log", record: "ignored" }],
          },
        );
        expect((await store.readLog("log")).map((e) => e.record)).toEqual(["default", "explicit"]);
        expect((await store.get("a"))?.value).toBe(2);
      });

      it("50 concurrent increments with retries lose nothing", async () => {
        const store = await fresh();
        const results = await Promise.all(
          Array.from({ length: 50 }, () =>
            store.update<number>("n", (cur) => (cur?.value ?? 0) + 1, { retries: 100 }),
          ),
        );
        expect(results.every((r) => r.ok && r.changed)).toBe(true);
        expect((await store.get("n"))?.value).toBe(50);
      });

      it("gives up with a conflict after the retries, never writing a stale result", async () => {
        const store = await fresh();
        await store.createIfAbsent("n", 0);
        const results = await Promise.all(
          Array.from({ length: 20 }, () =>
            store.update<number>("n", (cur) => (cur?.value ?? 0) + 1, { retries: 0 }),
          ),
        );
        const wins = results.filter((r) => r.ok).length;
        expect(wins).toBeGreaterThanOrEqual(1);
        expect(wins + results.filter((r) => !r.ok && r.reason === "conflict").length).toBe(20);
        expect((await store.get("n"))?.value).toBe(wins);
      });
    });

    describe("delete", () => {
      it("deletes existing keys only", async () => {
        const store = await fresh();
        expect(await store.delete("k")).toBe(false);
        await store.createIfAbsent("k", 1);
        expect(await store.delete("k")).toBe(true);
        expect(await store.get("k")).toBeUndefined();
        expect(await store.delete("k")).toBe(false);
      });

      it("reports an expired key as already gone", async () => {
        const store = await fresh();
        await store.createIfAbsent("k", 1, { ttlMs: 5 });
        clock.advance(5);
        expect(await store.delete("k")).toBe(false);
      });
    });

    describe("sets", () => {
      it("adds, lists sorted, removes", async () => {
        const store = await fresh();
        expect(await store.members("s")).toEqual([]);
        expect(await store.addToSet("s", "b")).toBe(true);
        expect(await store.addToSet("s", "a")).toBe(true);
        expect(await store.addToSet("s", "b")).toBe(false);
        expect(await store.members("s")).toEqual(["a", "b"]);
        expect(await store.removeFromSet("s", "b")).toBe(true);
        expect(await store.removeFromSet("s", "b")).toBe(false);
        expect(await store.members("s")).toEqual(["a"]);
        expect(await store.removeFromSet("s", "a")).toBe(true);
        expect(await store.members("s")).toEqual([]);
      });

      it("50 concurrent adds all land", async () => {
        const store = await fresh();
        const members = Array.from({ length: 50 }, (_, i) => `m${String(i).padStart(2, "0")}`);
        await Promise.all(members.map((m) => store.addToSet("s", m)));
        expect(await store.members("s")).toEqual(members);
      });

      it("sets are separate from keys", async () => {
        const store = await fresh();
        await store.addToSet("x", "m");
        expect(await store.get("x")).toBeUndefined();
      });
    });

    describe("claimOnce", () => {
      it("claims once per TTL", async () => {
        const store = await fresh();
        expect(await store.claimOnce("delivery-1", 1000)).toBe(true);
        expect(await store.claimOnce("delivery-1", 1000)).toBe(false);
        expect(await store.claimOnce("delivery-2", 1000)).toBe(true);
        clock.advance(999);
        expect(await store.claimOnce("delivery-1", 1000)).toBe(false);
        clock.advance(1);
        expect(await store.claimOnce("delivery-1", 1000)).toBe(true);
      });

      it("100 concurrent claims: exactly one wins", async () => {
        const store = await fresh();
        const results = await Promise.all(Array.from({ length: 100 }, () => store.claimOnce("d", 60_000)));
        expect(results.filter(Boolean)).toHaveLength(1);
      });

      it("claims do not collide with keys", async () => {
        const store = await fresh();
        await store.createIfAbsent("same", 1);
        expect(await store.claimOnce("same", 1000)).toBe(true);
        expect((await store.get("same"))?.value).toBe(1);
      });

      it("many claims with TTLs stay correct across expiry", async () => {
        const store = await fresh();
        for (let i = 0; i < 600; i++) expect(await store.claimOnce(`c${i}`, 10)).toBe(true);
        clock.advance(10);
        for (let i = 0; i < 600; i++) expect(await store.claimOnce(`c${i}`, 10)).toBe(true);
        for (let i = 0; i < 600; i++) expect(await store.claimOnce(`c${i}`, 10)).toBe(false);
      });
    });

    describe("leases", () => {
      it("grants to one owner until expiry, then to another with a higher token", async () => {
        const store = await fresh();
        const a = await store.acquireLease("executor", "A", 1000);
        expect(a).toEqual({ token: expect.any(Number), expiresAt: clock.now() + 1000 });
        expect(await store.acquireLease("executor", "B", 1000)).toBeUndefined();
        expect(await store.acquireLease("executor", "A", 1000)).toBeUndefined();
        expect(await store.getLease("executor")).toEqual({ owner: "A", ...a });

        clock.advance(1000);
        expect(await store.getLease("executor")).toBeUndefined();
        expect(await store.renewLease("executor", "A", a!.token, 1000)).toBe(false);
        const b = await store.acquireLease("executor", "B", 1000);
        expect(b!.token).toBeGreaterThan(a!.token);
        expect(await store.releaseLease("executor", "A", a!.token)).toBe(false);
        expect(await store.getLease("executor")).toEqual({ owner: "B", ...b });
      });

      it("renews only with the current owner and token, before expiry", async () => {
        const store = await fresh();
        const a = (await store.acquireLease("l", "A", 1000))!;
        clock.advance(900);
        expect(await store.renewLease("l", "B", a.token, 1000)).toBe(false);
        expect(await store.renewLease("l", "A", a.token + 1, 1000)).toBe(false);
        expect(await store.renewLease("l", "A", a.token, 1000)).toBe(true);
        clock.advance(900);
        expect(await store.acquireLease("l", "B", 1000)).toBeUndefined();
        expect((await store.getLease("l"))?.expiresAt).toBe(clock.now() + 100);
      });

      it("a stale token of the same owner cannot renew", async () => {
        const store = await fresh();
        const first = (await store.acquireLease("l", "A", 10))!;
        clock.advance(10);
        const second = (await store.acquireLease("l", "A", 10))!;
        expect(second.token).toBeGreaterThan(first.token);
        expect(await store.renewLease("l", "A", first.token, 10)).toBe(false);
        expect(await store.renewLease("l", "A", second.token, 10)).toBe(true);
      });

      it("release frees the lease; tokens keep increasing", async () => {
        const store = await fresh();
        const a = (await store.acquireLease("l", "A", 1000))!;
        expect(await store.releaseLease("l", "A", a.token)).toBe(true);
        expect(await store.releaseLease("l", "A", a.token)).toBe(false);
        expect(await store.getLease("l")).toBeUndefined();
        const b = (await store.acquireLease("l", "B", 1000))!;
        expect(b.token).toBeGreaterThan(a.token);
      });

      it("fencing tokens strictly increase across many owners", async () => {
        const store = await fresh();
        const tokens: number[] = [];
        for (let i = 0; i < 20; i++) {
          const lease = (await store.acquireLease("l", `owner-${i % 3}`, 50))!;
          tokens.push(lease.token);
          if (i % 2 === 0) await store.releaseLease("l", `owner-${i % 3}`, lease.token);
          else clock.advance(50);
        }
        for (let i = 1; i < tokens.length; i++) expect(tokens[i]!).toBeGreaterThan(tokens[i - 1]!);
      });

      it("50 concurrent acquires: exactly one owner", async () => {
        const store = await fresh();
        const results = await Promise.all(
          Array.from({ length: 50 }, (_, i) => store.acquireLease("l", `owner-${i}`, 1000)),
        );
        const winners = results.filter((r) => r !== undefined);
        expect(winners).toHaveLength(1);
        expect((await store.getLease("l"))?.owner).toBe(`owner-${results.findIndex((r) => r !== undefined)}`);
      });

      it("a fenced write commits only while its lease is held with its token", async () => {
        const store = await fresh();
        const a = (await store.acquireLease("run:1", "A", 1000))!;
        const fenceA = { lease: "run:1", owner: "A", token: a.token };
        expect(
          await store.createIfAbsent("k", 1, { fence: fenceA, append: [{ stream: "s", record: 1 }] }),
        ).toBe(true);
        const v1 = (await store.get("k"))!.version;
        // Another owner, or the same owner with another token: refused, riders not applied.
        expect(await store.compareAndSwap("k", v1, 2, { fence: { ...fenceA, owner: "B" } })).toBe(false);
        expect(await store.compareAndSwap("k", v1, 2, { fence: { ...fenceA, token: a.token + 1 } })).toBe(
          false,
        );
        // Expired: A was paused past its lease, B took over; A's late write is refused, B's goes through.
        clock.advance(1000);
        expect(
          await store.compareAndSwap("k", v1, 3, {
            fence: fenceA,
            addToSets: [{ setKey: "x", member: "a" }],
          }),
        ).toBe(false);
        const b = (await store.acquireLease("run:1", "B", 1000))!;
        expect(await store.compareAndSwap("k", v1, 4, { fence: fenceA })).toBe(false);
        const fenceB = { lease: "run:1", owner: "B", token: b.token };
        const result = await store.update<number>("k", (cur) => (cur?.value ?? 0) + 10, {
          retries: 2,
          fence: fenceA,
        });
        expect(result).toEqual({ ok: false, reason: "conflict" });
        expect(await store.compareAndSwap("k", v1, 5, { fence: fenceB })).toBe(true);
        expect((await store.get("k"))!.value).toBe(5);
        expect(await store.members("x")).toEqual([]);
        expect((await store.readLog("s")).map((e) => e.record)).toEqual([1]);
        // Released: nobody's fence holds.
        await store.releaseLease("run:1", "B", b.token);
        const v5 = (await store.get("k"))!.version;
        expect(await store.compareAndSwap("k", v5, 6, { fence: fenceB })).toBe(false);
        // A lease never taken fences nothing in.
        expect(
          await store.createIfAbsent("other", 1, { fence: { lease: "never", owner: "A", token: 1 } }),
        ).toBe(false);
      });

      it("leases are independent by name", async () => {
        const store = await fresh();
        expect(await store.acquireLease("a", "X", 1000)).toBeDefined();
        expect(await store.acquireLease("b", "Y", 1000)).toBeDefined();
      });
    });

    describe("append-only log", () => {
      it("assigns increasing sequence numbers per stream and reads both ways", async () => {
        const store = await fresh();
        expect(await store.append("s", { n: 1 })).toBe(1);
        expect(await store.append("s", { n: 2 })).toBe(2);
        expect(await store.append("other", { n: 9 })).toBe(1);
        expect(await store.append("s", { n: 3 })).toBe(3);
        expect(plain(await store.readLog("s"))).toEqual([
          { seq: 1, record: { n: 1 } },
          { seq: 2, record: { n: 2 } },
          { seq: 3, record: { n: 3 } },
        ]);
        expect((await store.readLog("s", { fromEnd: true, limit: 2 })).map((e) => e.seq)).toEqual([3, 2]);
        expect(await store.readLog("empty")).toEqual([]);
      });

      it("filters before limiting", async () => {
        const store = await fresh();
        for (let n = 1; n <= 10; n++) await store.append("s", { n });
        const odd = await store.readLog<{ n: number }>("s", {
          fromEnd: true,
          limit: 3,
          filter: (r) => r.n % 2 === 1,
        });
        expect(odd.map((e) => e.record.n)).toEqual([9, 7, 5]);
      });

      it("100 concurrent appends get distinct consecutive sequence numbers", async () => {
        const store = await fresh();
        const seqs = await Promise.all(Array.from({ length: 100 }, (_, i) => store.append("s", i)));
        expect([...seqs].sort((a, b) => a - b)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
        const log = await store.readLog<number>("s", { limit: 1000 });
        for (const entry of log) expect(seqs[entry.record]).toBe(entry.seq);
      });

      it("rejects records that are not JSON", async () => {
        const store = await fresh();
        await expect(store.append("s", { bad: 1n })).rejects.toThrow();
        expect(await store.readLog("s")).toEqual([]);
      });

      it("pages oldest first after a sequence number", async () => {
        const store = await fresh();
        for (let n = 1; n <= 600; n++) await store.append("s", n);
        const page = await store.readLog<number>("s", { afterSeq: 250, limit: 300 });
        expect(page.map((e) => e.seq)).toEqual(Array.from({ length: 300 }, (_, i) => 251 + i));
        expect((await store.readLog("s", { afterSeq: 600 })).length).toBe(0);
      });

      it("pages newest first before a sequence number, across its pages, filtered, never past the head", async () => {
        const store = await fresh();
        for (let n = 1; n <= 600; n++) await store.append("s", n);
        const seqs = async (options: {
          beforeSeq: number;
          limit?: number;
          filter?: (n: number) => boolean;
        }) => (await store.readLog<number>("s", { fromEnd: true, ...options })).map((e) => e.seq);
        const range = (from: number, count: number) => Array.from({ length: count }, (_, i) => from - i);
        // Crosses a backend's read page (256) below the bound.
        expect(await seqs({ beforeSeq: 450, limit: 300 })).toEqual(range(449, 300));
        expect(await seqs({ beforeSeq: 3, limit: 10 })).toEqual([2, 1]);
        expect(await seqs({ beforeSeq: 1 })).toEqual([]);
        expect(await seqs({ beforeSeq: 0 })).toEqual([]);
        // Past the head: from the head.
        expect(await seqs({ beforeSeq: 10_000, limit: 2 })).toEqual([600, 599]);
        expect(await seqs({ beforeSeq: 601, limit: 2 })).toEqual([600, 599]);
        // The filter sees only entries below the bound, and the limit counts what it keeps.
        expect(await seqs({ beforeSeq: 400, limit: 3, filter: (n) => n % 100 === 0 })).toEqual([
          300, 200, 100,
        ]);
        // Oldest first ignores it (as newest first ignores `afterSeq`).
        expect((await store.readLog("s", { beforeSeq: 5, limit: 2 })).map((e) => e.seq)).toEqual([1, 2]);
        await expect(store.readLog("s", { fromEnd: true, beforeSeq: 1.5 })).rejects.toThrow(RangeError);
        await expect(store.readLog("s", { fromEnd: true, beforeSeq: -1 })).rejects.toThrow(RangeError);
      });

      it("pages newest first before a sequence number after a prune", async () => {
        const store = await fresh();
        for (let n = 1; n <= 10; n++) await store.append("s", n);
        await store.pruneLog("s", 4, "pruned");
        const seqs = async (beforeSeq: number) =>
          (await store.readLog("s", { fromEnd: true, beforeSeq, limit: 3 })).map((e) => e.seq);
        expect(await seqs(9)).toEqual([8, 7, 6]);
        expect(await seqs(7)).toEqual([6, 5]);
        expect(await seqs(5)).toEqual([]);
        expect(await seqs(3)).toEqual([]);
        expect(await seqs(100)).toEqual([11, 10, 9]);
      });
    });

    describe("hash chain", () => {
      it("links appends and riders into one chain per stream, with the head kept apart", async () => {
        const store = await fresh();
        expect(await store.logState("audit")).toEqual({
          head: { seq: 0, hash: GENESIS_HASH },
          prunedThrough: { seq: 0, hash: GENESIS_HASH },
        });
        await store.append("audit", { b: 2, a: [1, { z: "é", y: null }] });
        await store.createIfAbsent("k", 1, { append: [{ stream: "audit", record: { rider: 1 } }] });
        await store.compareAndSwap("k", (await store.get("k"))!.version, 2, {
          append: [
            { stream: "audit", record: { rider: 2 } },
            { stream: "other", record: { elsewhere: true } },
            { stream: "audit", record: { rider: 3 } },
          ],
        });
        await store.append("audit", "last");
        const log = await store.readLog("audit");
        expect(log.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5]);
        expectChained(log);
        expectChained(await store.readLog("other"));
        expect((await store.logState("audit")).head).toEqual({ seq: 5, hash: log.at(-1)!.hash });
        // The hash is over canonical JSON: key order of the record does not matter.
        expect(log[0]!.hash).toBe(hashLogEntry(GENESIS_HASH, '{"a":[1,{"y":null,"z":"é"}],"b":2}', 1));
      });

      it("concurrent appends and riders form one unbroken chain", async () => {
        const store = await fresh();
        await Promise.all(
          Array.from({ length: 60 }, (_, i) =>
            i % 2 === 0
              ? store.append("audit", { i })
              : store.createIfAbsent(`k${i}`, i, { append: [{ stream: "audit", record: { i } }] }),
          ),
        );
        const log = await store.readLog("audit", { limit: 1000 });
        expect(log.map((e) => e.seq)).toEqual(Array.from({ length: 60 }, (_, i) => i + 1));
        expectChained(log);
      });

      it("prunes a prefix and records the prune in the chain", async () => {
        const store = await fresh();
        for (let n = 1; n <= 10; n++) await store.append("audit", { n });
        const before = await store.readLog("audit");
        const result = await store.pruneLog("audit", 4, { pruned: 4 });
        expect(result).toEqual({ removed: 4, seq: 11 });
        const after = await store.readLog("audit");
        expect(after.map((e) => e.seq)).toEqual([5, 6, 7, 8, 9, 10, 11]);
        const state = await store.logState("audit");
        expect(state.prunedThrough).toEqual({ seq: 4, hash: before[3]!.hash });
        expect(state.head).toEqual({ seq: 11, hash: after.at(-1)!.hash });
        expectChained(after, state.prunedThrough.hash);
        expect((await store.readLog("audit", { fromEnd: true, limit: 2 })).map((e) => e.seq)).toEqual([
          11, 10,
        ]);
        expect((await store.readLog("audit", { afterSeq: 2, limit: 2 })).map((e) => e.seq)).toEqual([5, 6]);
        // Again at or below the prune point: nothing more removed, the record still goes in.
        expect(await store.pruneLog("audit", 3, { pruned: 3 })).toEqual({ removed: 0, seq: 12 });
        await expect(store.pruneLog("audit", 13, {})).rejects.toThrow(RangeError);
        expect(await store.append("audit", "next")).toBe(13);
        expectChained(await store.readLog("audit"), state.prunedThrough.hash);
      });
    });

    describe("lease records", () => {
      it("leave nothing behind once released or long expired, and tokens still grow", async () => {
        const store = await fresh();
        const a = (await store.acquireLease("run:1", "A", 1000))!;
        expect(await store.releaseLease("run:1", "A", a.token)).toBe(true);
        expect(await store.getLease("run:1")).toBeUndefined();
        const b = (await store.acquireLease("run:1", "B", 1000))!;
        expect(b.token).toBeGreaterThan(a.token);
        clock.advance(5000);
        const c = (await store.acquireLease("run:1", "C", 1000))!;
        expect(c.token).toBeGreaterThan(b.token);
      });
    });

    describe("namespaces", () => {
      it("isolate every keyspace", async () => {
        clock = createManualClock();
        const a = await open(`iso-a-${namespaceCounter++}-${Date.now()}`);
        const b = await open(`iso-b-${namespaceCounter++}-${Date.now()}`);
        await a.createIfAbsent("k", "a");
        await a.addToSet("s", "m");
        await a.append("log", 1);
        expect(await a.claimOnce("c", 1000)).toBe(true);
        await a.acquireLease("l", "A", 1000);
        expect(await b.get("k")).toBeUndefined();
        expect(await b.members("s")).toEqual([]);
        expect(await b.readLog("log")).toEqual([]);
        expect(await b.claimOnce("c", 1000)).toBe(true);
        expect(await b.acquireLease("l", "B", 1000)).toBeDefined();
        expect(a.namespace).not.toBe(b.namespace);
      });
    });
  });
}
