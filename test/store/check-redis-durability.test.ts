/**
 * The start-up check of Redis' persistence against the test run's real Redis (appendonly no, save ""): read
 * with CONFIG GET only (never CONFIG SET, no key written), warned at start and kept in `store_durable`.
 */
import { Writable } from "node:stream";
import { expect, it } from "vitest";
import { reportStoreDurability } from "../../src/app/report-store-durability.js";
import { createLogger } from "../../src/log/create-logger.js";
import { createPrometheusMetrics } from "../../src/metrics/create-prometheus-metrics.js";
import { judgeRedisDurability } from "../../src/store/check-redis-durability.js";
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
  expect(lines.map((l) => [l.level, l.msg])).toEqual([
    [30, expect.stringMatching(/could not check whether Redis keeps its data/)],
  ]);
  expect(await metrics.render()).not.toMatch(/^hwc_chatops_store_durable[{ ]/m);
  expect(await reportStoreDurability("sqlite://./data/x.sqlite", { logger, metrics })).toBeUndefined();
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
