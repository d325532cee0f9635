import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createClient } from "@redis/client";
import { webApi } from "@slack/bolt";
import Database from "better-sqlite3";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createAuditDigestPoster } from "../../src/audit/create-audit-digest-poster.js";
import { AUDIT_DIGEST_KEY } from "../../src/audit/create-audit-log.js";
import { runAuditCli } from "../../src/audit/run-audit-cli.js";
import { type FakeSlack, SLACK_IDS, startFakeSlack } from "../../src/sandbox/slack/index.js";
import { createSlackChat } from "../../src/slack/create-slack-chat.js";
import { createMemoryStore } from "../../src/store/create-memory-store.js";
import { createRedisStore } from "../../src/store/create-redis-store.js";
import { createSqliteStore } from "../../src/store/create-sqlite-store.js";
import type { Store } from "../../src/store/store.js";
import { createManualClock, type ManualClock } from "../store/manual-clock.js";
import { auditOver, silent, writeEntries } from "./audit-chain-helpers.js";

const HOUR = 3_600_000;
const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const dir = mkdtempSync(join(tmpdir(), "hwc-audit-digest-"));
const admin = createClient({ url: REDIS_URL });
admin.on("error", () => {});
const namespaces: string[] = [];
let fake: FakeSlack;
let counter = 0;

beforeAll(async () => {
  fake = await startFakeSlack();
  await admin.connect();
});
afterAll(async () => {
  await fake.close();
  for (const ns of namespaces) {
    for await (const keys of admin.scanIterator({ MATCH: `hwc:{${ns}}:*`, COUNT: 1000 })) {
      if (keys.length > 0) await admin.del(keys);
    }
  }
  admin.destroy();
  rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => fake.reset());

const channel = SLACK_IDS.ops;

function chat() {
  const client = new webApi.WebClient(fake.botToken, {
    slackApiUrl: fake.apiUrl,
    retryConfig: { retries: 0 },
    logLevel: webApi.LogLevel.ERROR,
  });
  return createSlackChat(client);
}

function poster(store: Store, clock: ManualClock) {
  return createAuditDigestPoster({
    audit: auditOver(store, clock),
    chat: chat(),
    clock,
    logger: silent,
    channel,
    everyMs: HOUR,
  });
}

/** The `<seq>:<hash>` of the newest digest in the channel, read back from Slack as an operator would. */
function postedDigest(): string {
  const posted = fake.messages(channel).map((m) => JSON.stringify(m.blocks));
  const last = posted.at(-1) ?? "";
  const match = /verify --digest (\d+:[0-9a-f]{64})/.exec(last);
  if (match === null) throw new Error(`no digest in ${channel}: ${last}`);
  return match[1] ?? "";
}

async function cli(store: Store, clock: ManualClock, ...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runAuditCli(argv, {
    env: {},
    stdout: (t) => out.push(t),
    stderr: (t) => err.push(t),
    clock,
    store,
  });
  return { code, out: out.join(""), err: err.join("") };
}

describe("audit digest", () => {
  it("posts the chain head once per slot across replicas, and not again while it did not move", async () => {
    const clock = createManualClock(Date.UTC(2025, 0, 1, 10, 0, 30));
    const store = createMemoryStore({ clock });
    await writeEntries(auditOver(store, clock), clock, 5);
    const [a, b] = [poster(store, clock), poster(store, clock)];
    const [ta, tb] = await Promise.all([a.tick(), b.tick()]);
    expect([ta.outcome, tb.outcome].sort()).toEqual(["claimed", "posted"]);
    expect(fake.messages(channel)).toHaveLength(1);
    const head = await store.logState("audit");
    expect(postedDigest()).toBe(`${head.head.seq}:${head.head.hash}`);
    expect((await store.get(AUDIT_DIGEST_KEY))?.value).toMatchObject({
      seq: 5,
      hash: head.head.hash,
      channel,
    });

    clock.advance(10 * 60_000);
    expect(await a.tick()).toMatchObject({ outcome: "unchanged", seq: 5 });
    await writeEntries(auditOver(store, clock), clock, 1);
    // Same slot, already posted by b: a's claim fails even though the head moved.
    expect((await a.tick()).outcome).toBe("claimed");
    clock.advance(HOUR);
    expect(await b.tick()).toMatchObject({ outcome: "posted", seq: 6 });
    clock.advance(HOUR);
    expect(await a.tick()).toMatchObject({ outcome: "unchanged", seq: 6 });
    expect(fake.messages(channel)).toHaveLength(2);
  });

  it("posts nothing for an empty log", async () => {
    const clock = createManualClock(Date.UTC(2025, 0, 1, 10, 0, 0));
    expect(await poster(createMemoryStore({ clock }), clock).tick()).toMatchObject({
      outcome: "unchanged",
      seq: 0,
    });
    expect(fake.messages(channel)).toHaveLength(0);
  });

  it("a failed post is reported, not thrown, and records no digest", async () => {
    const clock = createManualClock(Date.UTC(2025, 0, 1, 10, 0, 0));
    const store = createMemoryStore({ clock });
    await writeEntries(auditOver(store, clock), clock, 1);
    const p = createAuditDigestPoster({
      audit: auditOver(store, clock),
      chat: chat(),
      clock,
      logger: silent,
      channel: "C_NOWHERE",
      everyMs: HOUR,
    });
    expect(await p.tick()).toMatchObject({ outcome: "failed" });
    expect(await store.get(AUDIT_DIGEST_KEY)).toBeUndefined();
  });
});

describe("a deleted tail is found against the last posted digest", () => {
  async function scenario(current: () => Store, clock: ManualClock, deleteTail: () => Promise<void>) {
    await writeEntries(auditOver(current(), clock), clock, 20);
    expect((await poster(current(), clock).tick()).outcome).toBe("posted");
    const digest = postedDigest();
    await deleteTail();
    const store = current();
    // The store's own record of the last digest catches it…
    const verified = await auditOver(store, clock).verify();
    expect(verified).toMatchObject({
      ok: false,
      problem: { kind: "missing_tail", fromSeq: 18, toSeq: 20, witness: "digest" },
    });
    const seen = await cli(store, clock, "verify");
    expect(seen.code).toBe(1);
    expect(seen.err).toContain(
      "Entries 18–20 are missing at the end: the digest posted (2025-01-01 00:20:00 UTC)",
    );
    // …and so does the digest read back from Slack, even once that record is deleted too.
    await store.delete(AUDIT_DIGEST_KEY);
    const unrecorded = await cli(store, clock, "verify");
    expect(unrecorded.code).toBe(0);
    expect(unrecorded.out).toContain(
      "No digest is recorded in this store, so a deletion of the newest entries together with the chain head would not show here",
    );
    expect(unrecorded.out).toContain("Check against the latest digest in the digest channel");
    const withSlack = await cli(store, clock, "verify", "--digest", digest);
    expect(withSlack.code).toBe(1);
    expect(withSlack.err).toContain("Entries 18–20 are missing at the end");
  }

  it("SQLite (rows and head rewritten in the file)", async () => {
    const file = join(dir, `tail-${counter++}.sqlite`);
    const clock = createManualClock();
    let store = createSqliteStore({ file, clock, namespace: "t" });
    await scenario(
      () => store,
      clock,
      async () => {
        await store.close();
        const db = new Database(file);
        db.prepare("DELETE FROM logs WHERE ns = 't' AND stream = 'audit' AND seq > 17").run();
        db.prepare(
          `UPDATE log_heads SET seq = 17, hash = (SELECT hash FROM logs WHERE ns = 't' AND stream = 'audit' AND seq = 17)
         WHERE ns = 't' AND stream = 'audit'`,
        ).run();
        db.close();
        store = createSqliteStore({ file, clock, namespace: "t" });
      },
    ).catch(async (error) => {
      await store.close();
      throw error;
    });
    await store.close();
  });

  it("Redis (list popped and head rewritten)", async () => {
    const namespace = `audit-tail-${process.pid}-${counter++}`;
    namespaces.push(namespace);
    const clock = createManualClock();
    const store = createRedisStore({ url: REDIS_URL, clock, namespace });
    try {
      await scenario(
        () => store,
        clock,
        async () => {
          const list = `hwc:{${namespace}}:log:audit`;
          await admin.rPopCount(list, 3);
          const last = String(await admin.lIndex(list, -1)).split(" ");
          await admin.hSet(`hwc:{${namespace}}:loghead:audit`, { seq: "17", hash: last[2] ?? "" });
        },
      );
    } finally {
      await store.close();
    }
  });

  it("without the head rewritten, the head alone names the missing entries", async () => {
    const file = join(dir, `head-${counter++}.sqlite`);
    const clock = createManualClock();
    let store = createSqliteStore({ file, clock, namespace: "t" });
    await writeEntries(auditOver(store, clock), clock, 10);
    await store.close();
    const db = new Database(file);
    db.prepare("DELETE FROM logs WHERE ns = 't' AND stream = 'audit' AND seq > 8").run();
    db.close();
    store = createSqliteStore({ file, clock, namespace: "t" });
    expect(await auditOver(store, clock).verify()).toMatchObject({
      ok: false,
      problem: { kind: "missing_tail", fromSeq: 9, toSeq: 10, witness: "head" },
    });
    await store.close();
  });
});
