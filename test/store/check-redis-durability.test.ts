/**
 * The start-up check of Redis' persistence against the test run's real Redis (appendonly no, save ""): read
 * with CONFIG GET only (never CONFIG SET, no key written), warned at start and kept in `store_durable`; a user
 * whose ACL forbids CONFIG is said as that, not as a store outage.
 */
import { Writable } from "node:stream";
import { createClient } from "@redis/client";
import { expect, it } from "vitest";
import { reportStoreDurability } from "../../src/app/report-store-durability.js";
import { createLogger } from "../../src/log/create-logger.js";
import { createPrometheusMetrics } from "../../src/metrics/create-prometheus-metrics.js";
import { judgeRedisDurability } from "../../src/store/check-redis-durability.js";
import { createStore } from "../../src/store/create-store.js";
import { findFreePort } from "../helpers/find-free-port.js";
import { sample } from "../metrics/scrape-metrics.js";
import { REDIS_URL, storeUrlOf } from "../replicas/helpers/shared-redis.js";

function capture() {
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger({
    level: "debug",
    destination: new Writable({
      write(chunk, _encoding, callback) {
        for (const line of String(chunk).split("\n")) if (line.startsWith("{")) lines.push(JSON.parse(line));
        callback();
      },
    }),
  });
  return { lines, logger };
}

it("a Redis without persistence: warned at start (what, why, how to fix) and store_durable 0", async () => {
  const { lines, logger } = capture();
  const metrics = createPrometheusMetrics();
  const found = await reportStoreDurability(storeUrlOf(REDIS_URL, `durability-${process.pid}`), {
    logger,
    metrics,
  });
  expect(found).toMatchObject({ checked: true, durable: false });
  const warned = lines.filter((l) => l.level === 40);
  expect(warned).toHaveLength(1);
  expect(warned[0]?.msg).toMatch(/appendonly no.*restart of Redis comes back empty.*set appendonly yes/);
  expect(sample(await metrics.render(), "hwc_chatops_store_durable")).toBe(0);
  expect(await metrics.render()).toMatch(/^hwc_chatops_store_durable\{backend="redis"\} 0$/m);
});

it("a Redis that cannot be asked: said at info, no gauge; SQLite is not checked", async () => {
  const { lines, logger } = capture();
  const metrics = createPrometheusMetrics();
  const port = await findFreePort();
  const found = await reportStoreDurability(`redis://127.0.0.1:${port}`, { logger, metrics });
  expect(found).toMatchObject({ checked: false });
  expect(found).toMatchObject({ refused: false });
  expect(lines.map((l) => [l.level, l.msg])).toEqual([
    [30, "could not check whether Redis keeps its data: Redis did not answer"],
  ]);
  expect(await metrics.render()).not.toMatch(/^hwc_chatops_store_durable[{ ]/m);
  expect(await reportStoreDurability("sqlite://./data/x.sqlite", { logger, metrics })).toBeUndefined();
});

it("an ACL user that may not run CONFIG GET: said at info as such, the store working, no gauge", async () => {
  // A user of its own on a database other than 0, deleted afterwards; the store behind it really works.
  const user = `hwc-test-limited-${process.pid}`;
  const admin = createClient({ url: REDIS_URL, socket: { connectTimeout: 2000, reconnectStrategy: false } });
  await admin.connect();
  await admin.sendCommand(["ACL", "SETUSER", user, "on", ">pw", "~*", "+@all", "-config"]);
  const limited = new URL(REDIS_URL);
  limited.username = user;
  limited.password = "pw";
  limited.pathname = "/5";
  const storeUrl = storeUrlOf(limited.href, `durability-acl-${process.pid}`);
  const store = await createStore(storeUrl);
  try {
    expect(await store.createIfAbsent("probe", { ok: true })).toBe(true);
    const { lines, logger } = capture();
    const metrics = createPrometheusMetrics();
    const found = await reportStoreDurability(storeUrl, { logger, metrics });
    expect(found).toMatchObject({ checked: false, refused: true, reason: expect.stringMatching(/^NOPERM/) });
    expect(lines.map((l) => [l.level, l.msg])).toEqual([
      [
        30,
        "could not check whether Redis keeps its data: the Redis user may not run CONFIG GET (the store itself is working); check appendonly and maxmemory-policy on the Redis server instead",
      ],
    ]);
    expect(JSON.stringify(lines)).not.toContain("unavailable");
    expect(await metrics.render()).not.toMatch(/^hwc_chatops_store_durable[{ ]/m);
    expect(await store.get("probe")).toMatchObject({ value: { ok: true } });
  } finally {
    await store.delete("probe");
    await store.close();
    await admin.sendCommand(["ACL", "DELUSER", user]);
    await admin.close();
  }
});

it("judges each unsafe setting, and accepts AOF or snapshots with noeviction", () => {
  expect(judgeRedisDurability({ appendonly: "yes", save: "", maxmemoryPolicy: "noeviction" })).toEqual({
    checked: true,
    durable: true,
    problems: [],
  });
  expect(
    judgeRedisDurability({ appendonly: "no", save: "3600 1", maxmemoryPolicy: "noeviction" }),
  ).toMatchObject({
    durable: true,
  });
  const evicting = judgeRedisDurability({ appendonly: "yes", save: "", maxmemoryPolicy: "allkeys-lru" });
  expect(evicting).toMatchObject({
    durable: false,
    problems: [expect.stringMatching(/allkeys-lru.*noeviction/)],
  });
});
