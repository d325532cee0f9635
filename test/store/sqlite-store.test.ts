import type { ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { createSqliteStore } from "../../src/store/create-sqlite-store.js";
import { hashLogEntry } from "../../src/store/hash-log-entry.js";
import { GENESIS_HASH, type Store } from "../../src/store/store.js";
import { StoreInUseError } from "../../src/store/store-in-use-error.js";
import { StoreOpenError } from "../../src/store/store-open-error.js";
import { StoreSchemaTooNewError } from "../../src/store/store-schema-too-new-error.js";
import { createManualClock } from "./manual-clock.js";
import { killHard, runSqliteChild, startSqliteHolder } from "./run-sqlite-child.js";
import { describeStoreContract } from "./store-contract.js";

const dir = mkdtempSync(join(tmpdir(), "hwc-sqlite-store-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it("a path that cannot be the database (a folder, a file that is not SQLite) is a setting to fix, named", () => {
  const folder = join(dir, "a-folder");
  mkdirSync(folder);
  const notDb = join(dir, "policy.yml");
  writeFileSync(notDb, "version: 1\nrules: []\n".repeat(100));
  for (const file of [folder, notDb]) {
    let refusal: unknown;
    try {
      createSqliteStore({ file });
    } catch (error) {
      refusal = error;
    }
    expect(refusal).toBeInstanceOf(StoreOpenError);
    expect((refusal as Error).message).toMatch(
      new RegExp(
        `^${file.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")} cannot be opened as the bot's SQLite database \\(.+\\); point STORE_URL at a file of its own`,
      ),
    );
  }
});

// One file for the whole contract: namespaces must isolate stores sharing it.
describeStoreContract("sqlite", ({ clock, namespace }) =>
  createSqliteStore({ file: join(dir, "contract.sqlite"), clock, namespace }),
);

let fileCounter = 0;
const freshFile = () => join(dir, `store-${fileCounter++}.sqlite`);

describe("createSqliteStore", () => {
  const opened: Store[] = [];
  const children: ChildProcess[] = [];
  const open = (file: string, namespace = "t", clock = createManualClock()) => {
    const store = createSqliteStore({ file, namespace, clock });
    opened.push(store);
    return store;
  };

  afterEach(async () => {
    await Promise.all(children.splice(0).map(killHard));
    await Promise.all(opened.splice(0).map((s) => s.close()));
  });

  it("chains the logs of a version 1 file in order, and keeps fencing tokens above its per-lease ones", async () => {
    const file = freshFile();
    const old = new Database(file);
    old.exec(`
      CREATE TABLE store_meta (name TEXT PRIMARY KEY, value INTEGER NOT NULL) STRICT;
      INSERT INTO store_meta VALUES ('schema_version', 1), ('revision', 3);
      CREATE TABLE leases (ns TEXT NOT NULL, name TEXT NOT NULL, owner TEXT, token INTEGER NOT NULL,
        expires_at REAL NOT NULL, PRIMARY KEY (ns, name)) STRICT, WITHOUT ROWID;
      INSERT INTO leases VALUES ('t', 'notify:watcher:w', NULL, 41, 0);
      CREATE TABLE logs (ns TEXT NOT NULL, stream TEXT NOT NULL, seq INTEGER NOT NULL, json TEXT NOT NULL,
        PRIMARY KEY (ns, stream, seq)) STRICT, WITHOUT ROWID;
      INSERT INTO logs VALUES ('t', 'audit', 1, '{"b":1,"a":2}'), ('t', 'audit', 2, '"two"');
    `);
    old.close();
    const store = open(file);
    const log = await store.readLog("audit");
    const first = hashLogEntry(GENESIS_HASH, '{"a":2,"b":1}', 1);
    expect(log).toEqual([
      { seq: 1, record: { a: 2, b: 1 }, prevHash: GENESIS_HASH, hash: first },
      { seq: 2, record: "two", prevHash: first, hash: hashLogEntry(first, '"two"', 2) },
    ]);
    expect(await store.append("audit", 3)).toBe(3);
    expect((await store.logState("audit")).head.seq).toBe(3);
    expect((await store.acquireLease("notify:watcher:w", "A", 1000))!.token).toBeGreaterThan(41);
  });

  it("rebuilds a version 2 file's kv and logs as rowid tables, every key, version and chain link kept", async () => {
    const file = freshFile();
    const old = new Database(file);
    const first = hashLogEntry(GENESIS_HASH, '{"type":"created"}', 1);
    const second = hashLogEntry(first, '"two"', 2);
    const big = JSON.stringify({ text: "x".repeat(5_000) });
    old.exec(`
      CREATE TABLE store_meta (name TEXT PRIMARY KEY, value INTEGER NOT NULL) STRICT;
      INSERT INTO store_meta VALUES ('schema_version', 2), ('revision', 7);
      CREATE TABLE kv (ns TEXT NOT NULL, key TEXT NOT NULL, json TEXT NOT NULL, version INTEGER NOT NULL,
        expires_at REAL, PRIMARY KEY (ns, key)) STRICT, WITHOUT ROWID;
      CREATE INDEX kv_expiry ON kv (ns, expires_at) WHERE expires_at IS NOT NULL;
      INSERT INTO kv VALUES ('t', 'small', '{"n":1}', 5, NULL), ('t', 'big', '${big}', 6, NULL),
        ('other', 'small', '{"n":2}', 7, NULL);
      CREATE TABLE logs (ns TEXT NOT NULL, stream TEXT NOT NULL, seq INTEGER NOT NULL, json TEXT NOT NULL,
        prev_hash TEXT NOT NULL DEFAULT '', hash TEXT NOT NULL DEFAULT '',
        PRIMARY KEY (ns, stream, seq)) STRICT, WITHOUT ROWID;
      INSERT INTO logs VALUES ('t', 'audit', 1, '{"type":"created"}', '${GENESIS_HASH}', '${first}'),
        ('t', 'audit', 2, '"two"', '${first}', '${second}');
      CREATE TABLE log_heads (ns TEXT NOT NULL, stream TEXT NOT NULL, seq INTEGER NOT NULL, hash TEXT NOT NULL,
        pruned_seq INTEGER NOT NULL, pruned_hash TEXT NOT NULL, PRIMARY KEY (ns, stream)) STRICT, WITHOUT ROWID;
      INSERT INTO log_heads VALUES ('t', 'audit', 2, '${second}', 0, '${GENESIS_HASH}');
    `);
    old.close();

    const store = open(file);
    expect(await store.get("small")).toEqual({ value: { n: 1 }, version: 5 });
    expect(await store.get("big")).toEqual({ value: JSON.parse(big), version: 6 });
    expect(await store.readLog("audit")).toEqual([
      { seq: 1, record: { type: "created" }, prevHash: GENESIS_HASH, hash: first },
      { seq: 2, record: "two", prevHash: first, hash: second },
    ]);
    // Writes go on from where the file was: versions above its revision, the chain from its head.
    expect(await store.compareAndSwap("small", 5, { n: 3 })).toBe(true);
    expect((await store.get("small"))?.version).toBeGreaterThan(7);
    expect(await store.append("audit", "three")).toBe(3);
    expect((await store.readLog("audit", { afterSeq: 2 }))[0]?.prevHash).toBe(second);
    await store.close();

    const check = new Database(file, { readonly: true });
    const sqlOf = (name: string) =>
      (check.prepare("SELECT sql FROM sqlite_master WHERE name = ?").get(name) as { sql: string }).sql;
    expect(sqlOf("kv")).not.toMatch(/WITHOUT ROWID/i);
    expect(sqlOf("logs")).not.toMatch(/WITHOUT ROWID/i);
    expect(sqlOf("kv_expiry")).toContain("expires_at");
    expect(check.prepare("SELECT value FROM store_meta WHERE name = 'schema_version'").get()).toEqual({
      value: 3,
    });
    expect(check.prepare("SELECT json FROM kv WHERE ns = 'other'").all()).toEqual([{ json: '{"n":2}' }]);
    check.close();
  });

  it("says when it upgraded a file, never for a new or current one, and refuses a file newer than itself", async () => {
    const upgrades: unknown[] = [];
    const onSchemaUpgrade = (upgrade: unknown) => upgrades.push(upgrade);
    const older = freshFile();
    const old = new Database(older);
    old.exec(`
      CREATE TABLE store_meta (name TEXT PRIMARY KEY, value INTEGER NOT NULL) STRICT;
      INSERT INTO store_meta VALUES ('schema_version', 2), ('revision', 1);
    `);
    old.close();
    await createSqliteStore({ file: older, onSchemaUpgrade }).close();
    expect(upgrades).toEqual([{ file: older, from: 2, to: 3, ms: expect.any(Number) }]);
    await createSqliteStore({ file: older, onSchemaUpgrade }).close();
    await createSqliteStore({ file: freshFile(), onSchemaUpgrade }).close();
    expect(upgrades).toHaveLength(1);

    const newer = freshFile();
    const made = new Database(newer);
    made.exec(`
      CREATE TABLE store_meta (name TEXT PRIMARY KEY, value INTEGER NOT NULL) STRICT;
      INSERT INTO store_meta VALUES ('schema_version', 9), ('revision', 1);
    `);
    made.close();
    let refusal: unknown;
    try {
      createSqliteStore({ file: newer, onSchemaUpgrade });
    } catch (error) {
      refusal = error;
    }
    expect(refusal).toBeInstanceOf(StoreSchemaTooNewError);
    expect(refusal).toMatchObject({ file: newer, version: 9, known: 3 });
    expect(upgrades).toHaveLength(1);
    // Refused, not held: the newer release can open it again.
    await createSqliteStore({ file: older }).close();
  });

  it("a second store opened in the same process leaves the first one's leases alone", async () => {
    const file = freshFile();
    const clock = createManualClock();
    const first = open(file, "t", clock);
    const lease = (await first.acquireLease("executor", "A", 60_000))!;
    const second = open(file, "t", clock);
    expect(await second.getLease("executor")).toEqual({ owner: "A", ...lease });
    expect(await second.acquireLease("executor", "B", 1000)).toBeUndefined();
    await second.close();
    await first.close();
  });

  it("relaxed writes (dedupe claims, saved queries) are as atomic as any and kept across close and reopen", async () => {
    const file = freshFile();
    const clock = createManualClock();
    const first = open(file, "t", clock);
    const relaxed = { durability: "relaxed" } as const;
    const claims = await Promise.all([1, 2, 3].map(() => first.claimOnce("delivery", 60_000, relaxed)));
    expect(claims.filter(Boolean)).toHaveLength(1);
    expect(await first.createIfAbsent("ui:query:t", { q: 1 }, { ttlMs: 60_000, ...relaxed })).toBe(true);
    expect(await first.createIfAbsent("ui:query:t", { q: 2 }, { ttlMs: 60_000, ...relaxed })).toBe(false);
    // A full write after relaxed ones: the connection is back at FULL and everything commits in order.
    await first.createIfAbsent(
      "approval",
      { state: "pending" },
      { append: [{ stream: "audit", record: "a" }] },
    );
    await first.close();

    const second = open(file, "t", clock);
    expect(await second.claimOnce("delivery", 60_000, relaxed)).toBe(false);
    expect((await second.get("ui:query:t"))?.value).toEqual({ q: 1 });
    expect((await second.get("approval"))?.value).toEqual({ state: "pending" });
    await second.close();
  });

  it("keeps keys, versions, sets, logs and claims across close and reopen; leases of the gone holder lapse", async () => {
    const file = freshFile();
    const clock = createManualClock();
    const first = open(file, "t", clock);
    await first.createIfAbsent("k", { n: 1 }, { append: [{ stream: "audit", record: "created" }] });
    await first.createIfAbsent("short", "lived", { ttlMs: 1000 });
    await first.addToSet("s", "m");
    expect(await first.claimOnce("delivery", 60_000)).toBe(true);
    const lease = (await first.acquireLease("executor", "A", 60_000))!;
    const version = (await first.get("k"))!.version;
    await first.close();

    const second = open(file, "t", clock);
    expect(await second.get("k")).toEqual({ value: { n: 1 }, version });
    expect((await second.get("short"))?.value).toBe("lived");
    expect(await second.members("s")).toEqual(["m"]);
    expect(await second.readLog("audit")).toMatchObject([{ seq: 1, record: "created" }]);
    expect(await second.claimOnce("delivery", 60_000)).toBe(false);
    // Holding the file exclusively proves A's process is gone: its lease lapses at once (adopted without
    // waiting out the TTL), and the fencing token still only goes up.
    expect(await second.getLease("executor")).toBeUndefined();
    // Counters carry on from the stored state: versions and tokens never go back, sequences continue.
    expect(await second.compareAndSwap("k", version, { n: 2 })).toBe(true);
    expect((await second.get("k"))!.version).toBeGreaterThan(version);
    expect(await second.append("audit", "next")).toBe(2);
    expect(await second.renewLease("executor", "A", lease.token, 60_000)).toBe(false);
    expect((await second.acquireLease("executor", "B", 1000))!.token).toBeGreaterThan(lease.token);
    clock.advance(1000);
    expect(await second.get("short")).toBeUndefined();
  });

  it("reads what a child process wrote, and the child reads what this process wrote", async () => {
    const file = freshFile();
    const written = await runSqliteChild(file, "write", "from-child", JSON.stringify({ pid: "child" }));
    expect(written).toMatchObject({ code: 0, stderr: "" });

    const store = open(file, "child-test");
    expect((await store.get("from-child"))?.value).toEqual({ pid: "child" });
    expect((await store.readLog("audit")).map((e) => e.record)).toEqual([
      { key: "from-child", by: expect.any(Number) },
    ]);
    await store.createIfAbsent("from-parent", [1, 2, 3]);
    await store.close();

    const read = await runSqliteChild(file, "read", "from-parent");
    expect(read).toMatchObject({ code: 0, stdout: "[1,2,3]\n" });
  });

  it("refuses a second process on the same file, naming this process' pid and Redis", async () => {
    const file = freshFile();
    open(file);
    const refused = await runSqliteChild(file, "read", "k");
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(
      `StoreInUseError: ${file} is already used by another hwc-chatops process (pid ${process.pid}); ` +
        "use Redis (STORE_URL=redis://…) to run more than one replica",
    );
  });

  it("is refused while a child holds the file, and takes over once the child is killed with SIGKILL", async () => {
    const file = freshFile();
    const child = await startSqliteHolder(file, "k", '"written by the holder"');
    children.push(child);

    let refusal: unknown;
    try {
      open(file, "child-test");
    } catch (error) {
      refusal = error;
    }
    expect(refusal).toBeInstanceOf(StoreInUseError);
    expect((refusal as StoreInUseError).holder).toEqual({ pid: child.pid });
    expect((refusal as Error).message).toContain(`(pid ${child.pid}); use Redis (STORE_URL=redis://…)`);

    // No cleanup runs on SIGKILL: the kernel drops the lock; the stale pid file must not matter.
    await killHard(child);
    const store = open(file, "child-test");
    expect((await store.get("k"))?.value).toBe("written by the holder");
  });

  it("creates the parent directory of the file", async () => {
    const file = join(dir, "nested", "deeper", "state.sqlite");
    const store = open(file);
    await store.createIfAbsent("k", 1);
    expect(existsSync(file)).toBe(true);
  });

  it("lets stores of one process share a file; the file stays open until the last one closes", async () => {
    const file = freshFile();
    const a = open(file, "a");
    const b = open(join(dir, ".", `store-${fileCounter - 1}.sqlite`), "b");
    await a.createIfAbsent("k", "a");
    await b.createIfAbsent("k", "b");
    await a.close();
    expect((await b.get("k"))?.value).toBe("b");
    await expect(a.get("k")).rejects.toThrow(/closed/);
    // Still held by `b`: another process is refused.
    expect((await runSqliteChild(file, "read", "k")).code).toBe(2);
    await b.close();
    expect((await runSqliteChild(file, "read", "k")).code).toBe(0);
  });
});

describe("createSqliteStore: group commit", () => {
  it("answers a write only once the log's sync after it finished; writes meanwhile share syncs", async () => {
    const synced: string[] = [];
    let release: (() => void) | undefined;
    const store = createSqliteStore({
      file: freshFile(),
      namespace: "g",
      clock: createManualClock(),
      syncWal: (walFile) => {
        synced.push(walFile);
        return new Promise<void>((resolve) => {
          release = resolve;
        });
      },
    });
    try {
      let answered = false;
      const write = store.createIfAbsent("k", { v: 1 }).then((created) => {
        answered = true;
        return created;
      });
      await new Promise((resolve) => setImmediate(resolve));
      expect(synced).toHaveLength(1);
      expect(synced[0]).toMatch(/store-\d+\.sqlite-wal$/);
      expect(answered).toBe(false);
      // Committed already (a reader sees it); answered once it is on disk.
      expect((await store.get("k"))?.value).toEqual({ v: 1 });
      const more = Array.from({ length: 50 }, (_, i) => store.claimOnce(`c${i}`, 60_000));
      release?.();
      expect(await write).toBe(true);
      await new Promise((resolve) => setImmediate(resolve));
      expect(synced).toHaveLength(2);
      release?.();
      expect(await Promise.all(more)).toEqual(Array(50).fill(true));
      // A relaxed write does not wait for a sync; the next one takes it along.
      expect(await store.claimOnce("relaxed", 60_000, { durability: "relaxed" })).toBe(true);
      expect(synced).toHaveLength(2);
    } finally {
      await store.close();
    }
  });

  it("fails a write whose sync failed as an outage, and syncs again for the next one", async () => {
    let fail = true;
    const store = createSqliteStore({
      file: freshFile(),
      namespace: "g",
      clock: createManualClock(),
      syncWal: async () => {
        if (fail) throw Object.assign(new Error("EIO: i/o error, fsync"), { code: "EIO" });
      },
    });
    try {
      // A failing disk is an outage, as an unreachable Redis is: every part says so and fails closed.
      await expect(store.addToSet("s", "a")).rejects.toMatchObject({
        name: "StoreUnavailableError",
        cause: { code: "EIO" },
      });
      fail = false;
      expect(await store.addToSet("s", "b")).toBe(true);
      expect(await store.members("s")).toEqual(["a", "b"]);
    } finally {
      await store.close();
    }
  });
});
