import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createClient } from "@redis/client";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AUDIT_STREAM } from "../../src/audit/create-audit-log.js";
import { verifyAuditChain } from "../../src/audit/verify-audit-chain.js";
import { createMemoryStore } from "../../src/store/create-memory-store.js";
import { createRedisStore } from "../../src/store/create-redis-store.js";
import { createSqliteStore } from "../../src/store/create-sqlite-store.js";
import { hashLogEntry } from "../../src/store/hash-log-entry.js";
import { GENESIS_HASH, type LogEntry } from "../../src/store/store.js";
import { toCanonicalJson } from "../../src/store/to-canonical-json.js";
import { createManualClock } from "../store/manual-clock.js";
import { auditOver, writeEntries } from "./audit-chain-helpers.js";

const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const dir = mkdtempSync(join(tmpdir(), "hwc-audit-chain-"));
const admin = createClient({ url: REDIS_URL });
admin.on("error", () => {});
const namespaces: string[] = [];
let counter = 0;

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

async function* iterate(entries: LogEntry[]) {
  yield* entries;
}

describe("verifyAuditChain", () => {
  it("accepts an intact chain and an empty one", async () => {
    const clock = createManualClock();
    const audit = auditOver(createMemoryStore({ clock }), clock);
    expect(await audit.verify()).toEqual({
      ok: true,
      checked: 0,
      prunedThrough: { seq: 0, hash: GENESIS_HASH },
      head: { seq: 0, hash: GENESIS_HASH },
    });
    await writeEntries(audit, clock, 30);
    const result = await audit.verify();
    expect(result).toMatchObject({ ok: true, checked: 30, head: { seq: 30 } });
  });

  it("names a gap, an entry out of order and an unchained entry", async () => {
    const clock = createManualClock();
    const store = createMemoryStore({ clock });
    const audit = auditOver(store, clock);
    await writeEntries(audit, clock, 6);
    const entries = await store.readLog(AUDIT_STREAM);
    const state = await store.logState(AUDIT_STREAM);
    const without = entries.filter((e) => e.seq !== 3 && e.seq !== 4);
    expect(await verifyAuditChain(iterate(without), state)).toMatchObject({
      ok: false,
      checked: 2,
      problem: { kind: "missing", fromSeq: 3, toSeq: 4, at: (entries[1]!.record as { at: number }).at },
    });
    const swapped = [entries[0]!, entries[2]!, entries[1]!];
    expect((await verifyAuditChain(iterate(swapped), state)).ok).toBe(false);
    // Without a hash after a chained entry: removed, not written before chaining.
    const blanked = entries.map((e) => (e.seq === 4 ? { ...e, hash: "", prevHash: "" } : e));
    expect(await verifyAuditChain(iterate(blanked), state)).toMatchObject({
      checked: 3,
      problem: { kind: "hash_removed", seq: 4 },
    });
    // At the start, a run without hashes is reported once the rest verified; here the next link breaks.
    const legacy = entries.map((e) => (e.seq <= 2 ? { ...e, hash: "", prevHash: "" } : e));
    expect(await verifyAuditChain(iterate(legacy), state)).toMatchObject({
      problem: { kind: "broken_link", seq: 3, expectedPrevHash: GENESIS_HASH },
    });
  });
});

describe("tampering through the database itself", () => {
  it("SQLite: a changed field names its entry; a re-hashed entry breaks the next link", async () => {
    const file = join(dir, `tamper-${counter++}.sqlite`);
    const clock = createManualClock();
    let store = createSqliteStore({ file, clock, namespace: "t" });
    await writeEntries(auditOver(store, clock), clock, 20);
    await store.close();

    const db = new Database(file);
    db.prepare(
      "UPDATE logs SET json = json_set(json, '$.actorId', 'UMALLORY') WHERE ns = 't' AND stream = 'audit' AND seq = 7",
    ).run();
    db.close();
    store = createSqliteStore({ file, clock, namespace: "t" });
    const altered = await auditOver(store, clock).verify();
    expect(altered).toMatchObject({ ok: false, checked: 6, problem: { kind: "altered", seq: 7 } });
    expect(altered.ok || altered.problem.kind !== "altered" || altered.problem.at).toBe(
      Date.UTC(2025, 0, 1) + 7 * 60_000,
    );
    await store.close();

    // A careful attacker recomputes the entry's own hash: the next entry still links to the old one.
    const raw = new Database(file);
    const row = raw
      .prepare("SELECT json, prev_hash FROM logs WHERE ns = 't' AND stream = 'audit' AND seq = 7")
      .get() as {
      json: string;
      prev_hash: string;
    };
    const rehashed = hashLogEntry(row.prev_hash, toCanonicalJson(JSON.parse(row.json)), 7);
    raw.prepare("UPDATE logs SET hash = ? WHERE ns = 't' AND stream = 'audit' AND seq = 7").run(rehashed);
    raw.close();
    store = createSqliteStore({ file, clock, namespace: "t" });
    expect(await auditOver(store, clock).verify()).toMatchObject({
      ok: false,
      problem: { kind: "broken_link", seq: 8 },
    });
    await store.close();
  });

  it("Redis: a changed field names its entry", async () => {
    const namespace = `audit-tamper-${process.pid}-${counter++}`;
    namespaces.push(namespace);
    const clock = createManualClock();
    const store = createRedisStore({ url: REDIS_URL, clock, namespace });
    await writeEntries(auditOver(store, clock), clock, 20);
    const key = `hwc:{${namespace}}:log:audit`;
    const item = String(await admin.lIndex(key, 11));
    await admin.lSet(key, 11, item.replace('"decision":"allow"', '"decision":"deny"'));
    expect(await auditOver(store, clock).verify()).toMatchObject({
      ok: false,
      checked: 11,
      problem: { kind: "altered", seq: 12 },
    });
    await store.close();
  });
});
