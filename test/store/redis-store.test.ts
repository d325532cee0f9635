import { createHash } from "node:crypto";
import { createClient } from "@redis/client";
import fc from "fast-check";
import { pino } from "pino";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createRedisStore, type RedisStoreOptions } from "../../src/store/create-redis-store.js";
import { SHA256_LUA } from "../../src/store/redis-sha256-lua.js";
import { GENESIS_HASH, type Store } from "../../src/store/store.js";
import { StoreUnavailableError } from "../../src/store/store-unavailable-error.js";
import { createManualClock } from "./manual-clock.js";
import { type RedisServer, spawnRedisServer } from "./spawn-redis-server.js";
import { describeStoreContract } from "./store-contract.js";

// The shared Redis (CI starts one). These tests never skip: no Redis means failed tests, saying so.
const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";

const admin = createClient({ url: REDIS_URL, socket: { connectTimeout: 2000, reconnectStrategy: false } });
admin.on("error", () => {
  // Reported by beforeAll below.
});
const usedNamespaces = new Set<string>();

beforeAll(async () => {
  try {
    await admin.connect();
    await admin.ping();
  } catch (error) {
    throw new Error(
      `the Redis store tests need a Redis server at REDIS_URL=${REDIS_URL} (start one with ` +
        `\`redis-server --port 6379\`, or point REDIS_URL elsewhere): ${(error as Error).message}`,
    );
  }
});

afterAll(async () => {
  if (!admin.isReady) return;
  for (const namespace of usedNamespaces) {
    for await (const keys of admin.scanIterator({ MATCH: `hwc:{${namespace}}:*`, COUNT: 1000 })) {
      if (keys.length > 0) await admin.del(keys);
    }
  }
  admin.destroy();
});

function openShared(options: Omit<RedisStoreOptions, "url"> & { namespace: string }): Store {
  usedNamespaces.add(options.namespace);
  return createRedisStore({ url: REDIS_URL, ...options });
}

describeStoreContract("redis", ({ clock, namespace }) => openShared({ clock, namespace }));

const runId = `${process.pid}-${Date.now()}`;
let counter = 0;
const freshNamespace = (label: string) => `redis-test-${label}-${runId}-${counter++}`;

/** Retries `fn` while the store is unavailable (bounded: 400 tries, 25 ms apart), then returns its result. */
async function onceAvailable<R>(fn: () => Promise<R>): Promise<R> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn();
    } catch (error) {
      if (!(error instanceof StoreUnavailableError) || attempt >= 400) throw error;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }
}

async function failure(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected the call to fail");
}

describe("SHA-256 in Redis' Lua", () => {
  const script = `${SHA256_LUA}\nreturn sha256hex(ARGV[1])`;
  const lua = async (text: string) => String(await admin.eval(script, { keys: [], arguments: [text] }));
  const node = (text: string) => createHash("sha256").update(text, "utf8").digest("hex");

  it("matches Node's crypto around every padding boundary and on any text", async () => {
    for (const length of [0, 1, 55, 56, 57, 63, 64, 65, 119, 120, 128, 1000]) {
      const text = "x".repeat(length);
      expect(await lua(text)).toBe(node(text));
    }
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: "binary", maxLength: 300 }), async (text) => {
        expect(await lua(text)).toBe(node(text));
      }),
      { numRuns: 150 },
    );
  });
});

describe("createRedisStore", () => {
  const opened: Store[] = [];
  const servers: RedisServer[] = [];
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((s) => s.close()));
    await Promise.all(servers.splice(0).map((s) => s.stop()));
  });

  it("a log written before chaining keeps its entries (unchained) and the chain starts after them", async () => {
    const namespace = freshNamespace("legacy");
    await admin.rPush(`hwc:{${namespace}}:log:audit`, ['{"old":1}', '{"old":2}']);
    const store = openShared({ namespace, clock: createManualClock() });
    opened.push(store);
    expect((await store.logState("audit")).head).toEqual({ seq: 2, hash: GENESIS_HASH });
    expect(await store.append("audit", { new: 3 })).toBe(3);
    const log = await store.readLog("audit");
    expect(log.map((e) => [e.seq, e.hash === ""])).toEqual([
      [1, true],
      [2, true],
      [3, false],
    ]);
    expect(log[2]!.prevHash).toBe(GENESIS_HASH);
  });

  describe("two store instances (two connections) on one namespace", () => {
    function pair() {
      const clock = createManualClock();
      const namespace = freshNamespace("race");
      const a = openShared({ clock, namespace });
      const b = openShared({ clock, namespace });
      opened.push(a, b);
      return [a, b] as const;
    }

    it("race on compare-and-swap with riders: exactly one winner, exactly its audit record", async () => {
      const [a, b] = pair();
      await a.createIfAbsent("k", -1);
      const version = (await b.get("k"))!.version;
      const results = await Promise.all(
        Array.from({ length: 100 }, (_, i) =>
          (i % 2 === 0 ? a : b).compareAndSwap("k", version, i, {
            append: [{ stream: "audit", record: i }],
            addToSets: [{ setKey: "writers", member: `w${i}` }],
          }),
        ),
      );
      const winner = results.indexOf(true);
      expect(results.filter(Boolean)).toHaveLength(1);
      expect((await a.get("k"))?.value).toBe(winner);
      expect(await b.readLog("audit")).toMatchObject([{ seq: 1, record: winner }]);
      expect(await a.members("writers")).toEqual([`w${winner}`]);
    });

    it("2 replicas writing 1,000 audit entries concurrently (appends and riders) form one unbroken chain", async () => {
      const [a, b] = pair();
      await Promise.all(
        Array.from({ length: 1000 }, (_, i) => {
          const store = i % 2 === 0 ? a : b;
          return i % 3 === 0
            ? store.createIfAbsent(`r${i}`, i, { append: [{ stream: "audit", record: { i, via: "rider" } }] })
            : store.append("audit", { i, via: "append" });
        }),
      );
      const log = await a.readLog<{ i: number }>("audit", { limit: 2000 });
      expect(log.map((e) => e.seq)).toEqual(Array.from({ length: 1000 }, (_, i) => i + 1));
      expect(new Set(log.map((e) => e.record.i)).size).toBe(1000);
      let prev = GENESIS_HASH;
      for (const entry of log) {
        expect(entry.prevHash).toBe(prev);
        prev = entry.hash;
      }
      expect((await b.logState("audit")).head).toEqual({ seq: 1000, hash: prev });
    });

    it("race on claimOnce: exactly one winner", async () => {
      const [a, b] = pair();
      const results = await Promise.all(
        Array.from({ length: 100 }, (_, i) => (i % 2 === 0 ? a : b).claimOnce("delivery", 60_000)),
      );
      expect(results.filter(Boolean)).toHaveLength(1);
    });

    it("race on a lease: exactly one owner, seen by both; tokens keep increasing across instances", async () => {
      const [a, b] = pair();
      const results = await Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          (i % 2 === 0 ? a : b).acquireLease("executor", `owner-${i}`, 1000),
        ),
      );
      const winners = results.filter((r) => r !== undefined);
      expect(winners).toHaveLength(1);
      const owner = `owner-${results.findIndex((r) => r !== undefined)}`;
      expect(await a.getLease("executor")).toEqual({ owner, ...winners[0] });
      expect(await b.getLease("executor")).toEqual({ owner, ...winners[0] });
      expect(await b.releaseLease("executor", owner, winners[0]!.token)).toBe(true);
      expect((await a.acquireLease("executor", "next", 1000))!.token).toBeGreaterThan(winners[0]!.token);
    });

    it("concurrent updates through both instances lose nothing", async () => {
      const [a, b] = pair();
      const results = await Promise.all(
        Array.from({ length: 40 }, (_, i) =>
          (i % 2 === 0 ? a : b).update<number>("n", (cur) => (cur?.value ?? 0) + 1, { retries: 200 }),
        ),
      );
      expect(results.every((r) => r.ok && r.changed)).toBe(true);
      expect((await b.get("n"))?.value).toBe(40);
    });
  });

  describe("outages (a private redis-server, never the shared one)", () => {
    it("fails promptly while Redis is down, without the password, and recovers without a restart", async () => {
      const server = await spawnRedisServer({ password: "s3cret-Pa55" });
      servers.push(server);
      const store = createRedisStore({ url: server.url, namespace: "outage", clock: createManualClock() });
      opened.push(store);
      expect(await store.createIfAbsent("k", 1)).toBe(true);

      await server.stop();
      const down = await failure(store.get("k"));
      expect(down).toBeInstanceOf(StoreUnavailableError);
      expect(down.message).toMatch(
        new RegExp(`^the state store \\(Redis at 127\\.0\\.0\\.1:${server.port}\\) is unavailable: .+`),
      );
      expect(down.message).not.toContain("s3cret");
      // Every kind of call fails the same way: plain commands, scripts, appends.
      await expect(store.claimOnce("c", 1000)).rejects.toBeInstanceOf(StoreUnavailableError);
      await expect(store.compareAndSwap("k", 0, 2)).rejects.toBeInstanceOf(StoreUnavailableError);
      await expect(store.append("log", 1)).rejects.toBeInstanceOf(StoreUnavailableError);
      const again = await failure(store.members("s"));
      expect(again.message).toContain("is unavailable");
      expect(again.message).not.toContain("s3cret");

      // Back (empty: no persistence, and no cached scripts, so EVALSHA has to reload them).
      await server.start();
      expect(await onceAvailable(() => store.createIfAbsent("k", "after"))).toBe(true);
      expect(await store.claimOnce("c", 1000)).toBe(true);
      expect(await store.append("log", 1)).toBe(1);
      expect((await store.get("k"))?.value).toBe("after");
    });

    it("fails when Redis is down at startup, then works once it comes up", async () => {
      const server = await spawnRedisServer({ startNow: false });
      servers.push(server);
      const store = createRedisStore({
        url: server.url,
        namespace: "late",
        clock: createManualClock(),
        connectTimeoutMs: 200,
      });
      opened.push(store);
      const down = await failure(store.get("k"));
      expect(down).toBeInstanceOf(StoreUnavailableError);
      expect(down.message).toContain(`Redis at 127.0.0.1:${server.port}`);

      await server.start();
      expect(await onceAvailable(() => store.createIfAbsent("k", 1))).toBe(true);
    });

    it("fails a call that a hung server never answers, and recovers when it answers again", async () => {
      const server = await spawnRedisServer();
      servers.push(server);
      const store = createRedisStore({
        url: server.url,
        namespace: "hung",
        clock: createManualClock(),
        commandTimeoutMs: 300,
      });
      opened.push(store);
      expect(await store.createIfAbsent("k", 1)).toBe(true);

      server.pause();
      const hung = await failure(store.get("k"));
      expect(hung).toBeInstanceOf(StoreUnavailableError);
      expect(hung.message).toContain("is unavailable");
      // Logged as pino writes errors (the message with its causes'): the reason once, not twice.
      expect(pino.stdSerializers.err(hung).message).toBe(
        `the state store (Redis at 127.0.0.1:${server.port}) is unavailable: no answer within 300 ms`,
      );

      server.resume();
      expect((await onceAvailable(() => store.get("k")))?.value).toBe(1);
    });
  });

  it("refuses use after close", async () => {
    const store = openShared({ namespace: freshNamespace("closed") });
    await store.close();
    await expect(store.get("k")).rejects.toThrow(/closed/);
  });
});
