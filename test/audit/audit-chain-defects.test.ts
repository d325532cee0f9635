/**
 * Regressions for the audit chain defects an audit found: a prune point no prune entry vouches for, a digest
 * from before the prune point, a verdict claiming no digest was posted when only the store's copy is gone,
 * an unchained entry after chained ones, a legacy prefix prune refused, a Redis namespace that does not exist,
 * the prune's actor, and local times. Each on an SQLite file and on Redis (127.0.0.1:6379, own namespace).
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { hostname, tmpdir, userInfo } from "node:os";
import { join } from "node:path";
import { createClient } from "@redis/client";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AUDIT_DIGEST_KEY, AUDIT_STREAM } from "../../src/audit/create-audit-log.js";
import { type AuditCliIo, runAuditCli } from "../../src/audit/run-audit-cli.js";
import { createRedisStore } from "../../src/store/create-redis-store.js";
import { createSqliteStore } from "../../src/store/create-sqlite-store.js";
import { hashLogEntry } from "../../src/store/hash-log-entry.js";
import { GENESIS_HASH, type Store } from "../../src/store/store.js";
import { toCanonicalJson } from "../../src/store/to-canonical-json.js";
import { createManualClock, type ManualClock } from "../store/manual-clock.js";
import { auditOver, writeEntries } from "./audit-chain-helpers.js";

const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const dir = mkdtempSync(join(tmpdir(), "hwc-audit-defects-"));
const admin = createClient({ url: REDIS_URL });
admin.on("error", () => {});
const namespaces: string[] = [];
let counter = 0;
const START = Date.UTC(2025, 0, 1);
const OPERATOR = { osUser: "alice", host: "ops-host-1" };

beforeAll(async () => {
  await admin.connect();
});
afterAll(async () => {
  for (const ns of namespaces) {
    for await (const keys of admin.scanIterator({ MATCH: `hwc:{${ns}}:*`, COUNT: 1000 })) {
      if (keys.length > 0) await admin.del(keys);
    }
  }
  admin.destroy();
  rmSync(dir, { recursive: true, force: true });
});

/** Hashes differ run to run (entries carry random IDs): the verdict's words are what is compared. */
const normalize = (text: string) =>
  text.replace(/[0-9a-f]{64}/g, "<hash>").replace(/[0-9a-f]{12}…/g, "<hash>…");

async function cli(store: Store, clock: ManualClock, ...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const io: AuditCliIo = {
    // These entries are minutes old: the minimum retention is tested in run-audit-cli.test.ts.
    env: { AUDIT_MIN_RETENTION: "0s" },
    stdout: (t) => out.push(t),
    stderr: (t) => err.push(t),
    clock,
    store,
    operator: OPERATOR,
  };
  const code = await runAuditCli(argv, io);
  return { code, out: out.join(""), err: err.join("") };
}

/** An SQLite store with `count` entries (namespace `t`), and a way to tamper with its file while it is closed. */
async function sqliteWith(count: number) {
  const file = join(dir, `store-${counter++}.sqlite`);
  const clock = createManualClock(START);
  let store = createSqliteStore({ file, clock, namespace: "t" });
  await writeEntries(auditOver(store, clock), clock, count);
  return {
    clock,
    current: () => store,
    async tamper(edit: (db: Database.Database) => void) {
      await store.close();
      const db = new Database(file);
      edit(db);
      db.close();
      store = createSqliteStore({ file, clock, namespace: "t" });
    },
    close: () => store.close(),
  };
}

async function redisWith(count: number) {
  const namespace = `audit-defects-${process.pid}-${counter++}`;
  namespaces.push(namespace);
  const clock = createManualClock(START);
  const store = createRedisStore({ url: REDIS_URL, clock, namespace });
  await writeEntries(auditOver(store, clock), clock, count);
  return {
    clock,
    store,
    namespace,
    list: `hwc:{${namespace}}:log:audit`,
    head: `hwc:{${namespace}}:loghead:audit`,
  };
}

const sqlRows = (db: Database.Database) =>
  db
    .prepare("SELECT seq, json, prev_hash, hash FROM logs WHERE ns = 't' AND stream = 'audit' ORDER BY seq")
    .all() as { seq: number; json: string; prev_hash: string; hash: string }[];

describe("1. a prune point must be recorded by an audit.pruned entry", () => {
  const forged = "golden/forged-prune.txt";

  it("SQLite: the oldest 30 entries deleted and the prune point moved over them is caught", async () => {
    const s = await sqliteWith(40);
    await s.tamper((db) => {
      const h30 = sqlRows(db).find((r) => r.seq === 30)?.hash;
      db.prepare("DELETE FROM logs WHERE ns = 't' AND stream = 'audit' AND seq <= 30").run();
      db.prepare(
        "UPDATE log_heads SET pruned_seq = 30, pruned_hash = ? WHERE ns = 't' AND stream = 'audit'",
      ).run(h30);
    });
    expect(await auditOver(s.current(), s.clock).verify()).toMatchObject({
      ok: false,
      checked: 10,
      problem: { kind: "unrecorded_prune", throughSeq: 30 },
    });
    const verdict = await cli(s.current(), s.clock, "verify");
    expect(verdict.code).toBe(1);
    await expect(normalize(verdict.err)).toMatchFileSnapshot(forged);
    // And prune does not build on it.
    expect((await cli(s.current(), s.clock, "prune", "--before", "1m", "--no-export")).err).toContain(
      "Not pruned",
    );
    await s.close();
  });

  it("Redis: the same with the list trimmed and pseq/phash set", async () => {
    const r = await redisWith(40);
    const h30 = String(
      await r.store.readLog(AUDIT_STREAM, { afterSeq: 29, limit: 1 }).then((e) => e[0]?.hash),
    );
    await admin.lTrim(r.list, 30, -1);
    await admin.hSet(r.head, { pseq: "30", phash: h30 });
    const verdict = await cli(r.store, r.clock, "verify");
    expect(verdict.code).toBe(1);
    await expect(normalize(verdict.err)).toMatchFileSnapshot(forged);
    await r.store.close();
  });

  it("a prune entry naming the entry with another hash does not vouch for it", async () => {
    const s = await sqliteWith(12);
    expect(
      (await cli(s.current(), s.clock, "prune", "--before", "2025-01-01T00:05:30Z", "--no-export")).code,
    ).toBe(0);
    await s.tamper((db) => {
      // Prune point moved to entry 6 (deleted), the prune entry left naming entry 5.
      const h6 = sqlRows(db).find((r) => r.seq === 6)?.hash;
      db.prepare("DELETE FROM logs WHERE ns = 't' AND stream = 'audit' AND seq = 6").run();
      db.prepare(
        "UPDATE log_heads SET pruned_seq = 6, pruned_hash = ? WHERE ns = 't' AND stream = 'audit'",
      ).run(h6);
    });
    expect(await auditOver(s.current(), s.clock).verify()).toMatchObject({
      ok: false,
      problem: { kind: "unrecorded_prune", throughSeq: 6 },
    });
    await s.tamper((db) => {
      // The prune entry (13) rewritten to name entry 6, with another hash, and the chain recomputed after it.
      const rows = sqlRows(db);
      let prev = "";
      for (const row of rows) {
        const record = JSON.parse(row.json);
        if (row.seq === 13) record.detail = { ...record.detail, throughSeq: 6, throughHash: "ee".repeat(32) };
        if (row.seq < 13) {
          prev = row.hash;
          continue;
        }
        const json = toCanonicalJson(record);
        const hash = hashLogEntry(prev, json, row.seq);
        db.prepare(
          "UPDATE logs SET json = ?, prev_hash = ?, hash = ? WHERE ns = 't' AND stream = 'audit' AND seq = ?",
        ).run(json, prev, hash, row.seq);
        prev = hash;
      }
      db.prepare("UPDATE log_heads SET hash = ? WHERE ns = 't' AND stream = 'audit'").run(prev);
    });
    const verified = await auditOver(s.current(), s.clock).verify();
    expect(verified).toMatchObject({
      ok: false,
      problem: {
        kind: "unrecorded_prune",
        throughSeq: 6,
        recorded: { seq: 13, throughHash: "ee".repeat(32) },
      },
    });
    const verdict = await cli(s.current(), s.clock, "verify");
    await expect(normalize(verdict.err)).toMatchFileSnapshot("golden/prune-recorded-other-hash.txt");
    await s.close();
  });

  it("a real prune verifies, naming its entry; the entry says only what was checked", async () => {
    const s = await sqliteWith(12);
    const exportFile = join(dir, `export-${counter++}.jsonl`);
    const exported = await cli(s.current(), s.clock, "export");
    writeFileSync(exportFile, exported.out);
    // An export missing an entry to remove stops the prune.
    writeFileSync(`${exportFile}.short`, exported.out.split("\n").slice(1).join("\n"));
    const short = await cli(
      s.current(),
      s.clock,
      "prune",
      "--before",
      "2025-01-01T00:05:30Z",
      "--export",
      `${exportFile}.short`,
    );
    expect(short.code).toBe(1);
    expect(short.err).toContain(`Not pruned: ${exportFile}.short does not hold entry 1`);
    expect((await s.current().logState(AUDIT_STREAM)).prunedThrough.seq).toBe(0);

    const pruned = await cli(
      s.current(),
      s.clock,
      "prune",
      "--before",
      "2025-01-01T00:05:30Z",
      "--export",
      exportFile,
    );
    expect(pruned).toMatchObject({ code: 0 });
    const again = await cli(s.current(), s.clock, "prune", "--before", "2025-01-01T00:08:30Z", "--no-export");
    expect(again.code).toBe(0);
    const records = (
      await auditOver(s.current(), s.clock).query({ type: "audit.pruned", limit: 10 })
    ).reverse();
    expect(records.map((r) => normalize(r.message ?? ""))).toEqual([
      "entries up to 5 removed by OS user alice on host ops-host-1 (as the machine reported them, not verified); the export file given (SHA-256 <hash>) holds each of them with the same hash",
      "entries up to 8 removed by OS user alice on host ops-host-1 (as the machine reported them, not verified); removed without an export file (--no-export): nothing checked that they were kept elsewhere",
    ]);
    expect(records[0]).toMatchObject({
      actorId: "cli:alice@ops-host-1",
      detail: { throughSeq: 5, osUser: "alice", host: "ops-host-1", operatorVerified: false },
    });
    expect(records[0]?.detail?.exportSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(records[1]?.detail?.exportSha256).toBeNull();
    const verdict = await cli(s.current(), s.clock, "verify");
    expect(verdict.code).toBe(0);
    await expect(normalize(verdict.out)).toMatchFileSnapshot("golden/pruned-intact.txt");
    await s.close();
  });
});

describe("2. a digest from before the prune point", () => {
  it("SQLite: is said to predate the prune point, or checked against the prune entry that names it", async () => {
    const s = await sqliteWith(12);
    const hashes = new Map(
      (await s.current().readLog(AUDIT_STREAM, { limit: 100 })).map((e) => [e.seq, e.hash]),
    );
    expect(
      (await cli(s.current(), s.clock, "prune", "--before", "2025-01-01T00:05:30Z", "--no-export")).code,
    ).toBe(0);
    const before = await cli(s.current(), s.clock, "verify", "--digest", `3:${hashes.get(3)}`);
    expect(before.code).toBe(0);
    await expect(normalize(before.out)).toMatchFileSnapshot("golden/digest-before-prune.txt");
    const at = await cli(s.current(), s.clock, "verify", "--digest", `5:${hashes.get(5)}`);
    expect(at.code).toBe(0);
    await expect(normalize(at.out)).toMatchFileSnapshot("golden/digest-at-prune.txt");
    const wrong = await cli(s.current(), s.clock, "verify", "--digest", `5:${"ab".repeat(32)}`);
    expect(wrong.code).toBe(1);
    await expect(normalize(wrong.err)).toMatchFileSnapshot("golden/digest-at-prune-mismatch.txt");
    await s.close();
  });

  it("Redis: the same", async () => {
    const r = await redisWith(12);
    const hashes = new Map((await r.store.readLog(AUDIT_STREAM, { limit: 100 })).map((e) => [e.seq, e.hash]));
    expect(
      (await cli(r.store, r.clock, "prune", "--before", "2025-01-01T00:05:30Z", "--no-export")).code,
    ).toBe(0);
    const before = await cli(r.store, r.clock, "verify", "--digest", `3:${hashes.get(3)}`);
    await expect(normalize(before.out)).toMatchFileSnapshot("golden/digest-before-prune.txt");
    const wrong = await cli(r.store, r.clock, "verify", "--digest", `5:${"ab".repeat(32)}`);
    expect(wrong.code).toBe(1);
    await expect(normalize(wrong.err)).toMatchFileSnapshot("golden/digest-at-prune-mismatch.txt");
    await r.store.close();
  });
});

describe("3. no digest recorded in the store is not 'none posted'", () => {
  const golden = "golden/no-digest-recorded.txt";

  it("SQLite: the stored digest deleted with the tail cut", async () => {
    const s = await sqliteWith(20);
    await s
      .current()
      .createIfAbsent(AUDIT_DIGEST_KEY, { seq: 20, hash: "ab".repeat(32), postedAt: START, channel: "C1" });
    await s.tamper((db) => {
      const keep = sqlRows(db).find((r) => r.seq === 15);
      db.prepare("DELETE FROM logs WHERE ns = 't' AND stream = 'audit' AND seq > 15").run();
      db.prepare("UPDATE log_heads SET seq = 15, hash = ? WHERE ns = 't' AND stream = 'audit'").run(
        keep?.hash,
      );
      db.prepare("DELETE FROM kv WHERE ns = 't' AND key = ?").run(AUDIT_DIGEST_KEY);
    });
    const verdict = await cli(s.current(), s.clock, "verify");
    expect(verdict.code).toBe(0);
    expect(verdict.out).not.toContain("No digest has been posted");
    await expect(normalize(verdict.out)).toMatchFileSnapshot(golden);
    await s.close();
  });

  it("Redis: the same", async () => {
    const r = await redisWith(20);
    await admin.rPopCount(r.list, 5);
    const last = String(await admin.lIndex(r.list, -1)).split(" ");
    await admin.hSet(r.head, { seq: "15", hash: last[2] ?? "" });
    const verdict = await cli(r.store, r.clock, "verify");
    expect(verdict.code).toBe(0);
    await expect(normalize(verdict.out)).toMatchFileSnapshot(golden);
    await r.store.close();
  });
});

describe("4. only a prefix can predate the chain, and it can be pruned", () => {
  it("SQLite: an entry with its hashes blanked after chained ones is tampering", async () => {
    const s = await sqliteWith(20);
    await s.tamper((db) => {
      db.prepare(
        "UPDATE logs SET hash = '', prev_hash = '' WHERE ns = 't' AND stream = 'audit' AND seq = 10",
      ).run();
    });
    expect(await auditOver(s.current(), s.clock).verify()).toMatchObject({
      ok: false,
      checked: 9,
      problem: { kind: "hash_removed", seq: 10 },
    });
    const verdict = await cli(s.current(), s.clock, "verify");
    expect(verdict.code).toBe(1);
    await expect(normalize(verdict.err)).toMatchFileSnapshot("golden/hash-removed.txt");
    await s.close();
  });

  it("Redis: an entry rewritten without its header after chained ones is tampering", async () => {
    const r = await redisWith(8);
    const item = String(await admin.lIndex(r.list, 4));
    await admin.lSet(r.list, 4, item.replace(/^\d+ [0-9a-f]{64} [0-9a-f]{64} /, ""));
    expect(await auditOver(r.store, r.clock).verify()).toMatchObject({
      ok: false,
      problem: { kind: "hash_removed", seq: 5 },
    });
    await r.store.close();
  });

  /** The advice's prune command, run as given, then the chain verifies. */
  async function pruneAsAdvised(store: Store, clock: ManualClock) {
    const verdict = await cli(store, clock, "verify");
    expect(verdict.code).toBe(1);
    await expect(normalize(verdict.err)).toMatchFileSnapshot("golden/legacy-prefix.txt");
    const exportFile = join(dir, `legacy-${counter++}.jsonl`);
    writeFileSync(exportFile, (await cli(store, clock, "export")).out);
    const before = /prune --before (\S+) --export/.exec(verdict.err)?.[1] ?? "";
    const pruned = await cli(store, clock, "prune", "--before", before, "--export", exportFile);
    expect(pruned).toMatchObject({ code: 0, err: "" });
    expect(pruned.out).toContain("Pruned 2 entries (up to entry 2");
    const after = await cli(store, clock, "verify");
    expect(after.code).toBe(0);
    // The export is recorded (entry 6), then the prune (entry 7).
    expect(after.out).toMatch(/Entries 1–2 were pruned, as entry 7 \(2025-01-01 00:0\d:00 UTC\) records/);
    expect(after.out).toContain("The audit log is intact: entries 3–7 are linked");
  }

  it("SQLite: a legacy prefix is reported as such and pruned as the verdict says", async () => {
    const s = await sqliteWith(5);
    await s.tamper((db) => {
      // As a pre-chain bot left them: two entries without hashes, the chain starting after them.
      db.prepare(
        "UPDATE logs SET hash = '', prev_hash = '' WHERE ns = 't' AND stream = 'audit' AND seq <= 2",
      ).run();
      let prev = GENESIS_HASH;
      for (const row of sqlRows(db).filter((r) => r.seq > 2)) {
        const hash = hashLogEntry(prev, toCanonicalJson(JSON.parse(row.json)), row.seq);
        db.prepare(
          "UPDATE logs SET prev_hash = ?, hash = ? WHERE ns = 't' AND stream = 'audit' AND seq = ?",
        ).run(prev, hash, row.seq);
        prev = hash;
      }
      db.prepare("UPDATE log_heads SET hash = ? WHERE ns = 't' AND stream = 'audit'").run(prev);
    });
    expect(await auditOver(s.current(), s.clock).verify()).toMatchObject({
      ok: false,
      checked: 3,
      problem: { kind: "unchained", fromSeq: 1, toSeq: 2, at: START + 2 * 60_000 },
    });
    await pruneAsAdvised(s.current(), s.clock);
    await s.close();
  });

  it("Redis: a list with entries pushed before chaining (as redis-legacy.ts makes it)", async () => {
    const namespace = `audit-legacy-${process.pid}-${counter++}`;
    namespaces.push(namespace);
    const list = `hwc:{${namespace}}:log:audit`;
    const legacy = (n: number) =>
      JSON.stringify({
        id: `00000000-0000-4000-8000-00000000000${n}`,
        type: "policy.decided",
        at: START + n * 60_000,
        actorId: "UALICE",
        decision: "allow",
        action: "ecs:cloudServers:stop",
        serverIds: [],
        ruleIds: [],
      });
    await admin.rPush(list, [legacy(1), legacy(2)]);
    const clock = createManualClock(START + 2 * 60_000);
    const store = createRedisStore({ url: REDIS_URL, clock, namespace });
    const audit = auditOver(store, clock);
    for (let n = 3; n <= 5; n++) {
      clock.advance(60_000);
      await audit.record({
        type: "policy.decided",
        actorId: "UBOB",
        decision: "allow",
        action: "ecs:cloudServers:stop",
      });
    }
    await pruneAsAdvised(store, clock);
    await store.close();
  });
});

describe("5. a Redis namespace holding no audit log is refused", () => {
  async function cliAt(storeUrl: string, ...argv: string[]) {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runAuditCli(argv, {
      env: { STORE_URL: storeUrl },
      stdout: (t) => out.push(t),
      stderr: (t) => err.push(t),
      clock: createManualClock(START),
    });
    return { code, out: out.join(""), err: err.join("") };
  }

  it("names the namespace and the Redis, for every command, and writes nothing there", async () => {
    const typo = `audit-typo-${process.pid}-${counter++}`;
    namespaces.push(typo);
    for (const argv of [["verify"], ["export"], ["prune", "--before", "100d", "--no-export"]]) {
      expect(await cliAt(`redis://127.0.0.1:6379?namespace=${typo}`, ...argv), argv.join(" ")).toEqual({
        code: 1,
        out: "",
        err: `audit: no audit log in namespace ${typo} at redis://127.0.0.1:6379: check the namespace in STORE_URL (?namespace=…).\n`,
      });
    }
    expect(await admin.keys(`hwc:{${typo}}:*`)).toEqual([]);
  });

  it("an existing namespace is read as before", async () => {
    const r = await redisWith(3);
    await r.store.close();
    const result = await cliAt(`redis://127.0.0.1:6379?namespace=${r.namespace}`, "verify");
    expect(result.code).toBe(0);
    expect(result.out).toContain("The audit log is intact: entries 1–3 are linked");
  });
});

describe("6. the prune's actor", () => {
  it("without an operator given, is the OS user and host as os.userInfo() and os.hostname() report them", async () => {
    const s = await sqliteWith(6);
    const out: string[] = [];
    const code = await runAuditCli(["prune", "--before", "2025-01-01T00:03:30Z", "--no-export"], {
      env: { USER: "someone-else", AUDIT_MIN_RETENTION: "0s" },
      stdout: (t) => out.push(t),
      stderr: (t) => out.push(t),
      clock: s.clock,
      store: s.current(),
    });
    expect(code).toBe(0);
    const [record] = await auditOver(s.current(), s.clock).query({ type: "audit.pruned", limit: 1 });
    expect(record?.actorId).toBe(`cli:${userInfo().username}@${hostname()}`);
    expect(record?.message).toContain(
      `removed by OS user ${userInfo().username} on host ${hostname()} (as the machine reported them, not verified)`,
    );
    await s.close();
  });
});

describe("7. local times", () => {
  it("the help and a refused time say that a time without an offset is the host's time zone", async () => {
    const s = await sqliteWith(1);
    const help = await cli(s.current(), s.clock, "help");
    expect(help.out).toContain("a time without Z or an offset is read in this host's time zone (TZ)");
    const refused = await cli(s.current(), s.clock, "prune", "--before", "yesterday", "--no-export");
    expect(refused.code).toBe(2);
    expect(refused.err).toContain("a time without Z or an offset is read in this host's time zone");
    await s.close();
  });
});
