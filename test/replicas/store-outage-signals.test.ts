/**
 * A Redis outage as the people who run the bot see it (a private `redis-server`, frozen with SIGSTOP, never the
 * shared one), with a bot process following a run: each timed component logs the outage once when it starts
 * (a warning with the reason, no stack) and once when it ends (how long it lasted), only debug in between;
 * `/metrics` shows the store down then up again (`store_up`, from `/readyz`'s check) and the run handed over
 * (lost, or interrupted when the freeze caught a write of its progress) and adopted again.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { type RedisServer, spawnRedisServer } from "../store/spawn-redis-server.js";
import { storeUrlOf } from "./helpers/shared-redis.js";
import type { BotProcess } from "./helpers/spawn-bot-process.js";
import { eventually, type ReplicaWorld, startReplicaWorld } from "./helpers/start-replica-world.js";

let world: ReplicaWorld;
let redis: RedisServer;
let bot: BotProcess;

beforeAll(async () => {
  redis = await spawnRedisServer();
  world = await startReplicaWorld({ jobTiming: { initMs: 50, runningMs: 60_000 } });
  bot = await world.startBot("bot", storeUrlOf(redis.url, `signals-${process.pid}`), { LOG_LEVEL: "debug" });
}, 120_000);

afterAll(async () => {
  await world?.close();
  redis?.resume();
  await redis?.stop();
});

const lines = () =>
  bot
    .output()
    .split("\n")
    .filter((l) => l.startsWith("{"))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
const metrics = () => fetch(`http://127.0.0.1:${bot.port}/metrics`).then((r) => r.text());

it("Redis frozen while a run is followed: the outage logged once each way per component, and seen in /metrics", async () => {
  world.addServer("signals-01");
  await world.command(bot, "stop signals-01");
  await world.waitCard("/ecs stop signals-01", (t) => t.includes("Running"));
  await world.waitFor(() => world.mutations("batchStopServers").length >= 1 || undefined, 60_000);
  expect(await metrics()).toMatch(/^hwc_chatops_store_up 1$/m);

  redis.pause();
  try {
    // Several adoption passes (every 1.5 s) fail meanwhile; the scrape's readiness check sees the store down.
    expect(await metrics()).toMatch(/^hwc_chatops_store_up 0$/m);
    await eventually(
      () => lines().filter((l) => l.msg === "no unfinished work is adopted").length >= 2,
      30_000,
      "failed passes",
    );
  } finally {
    redis.resume();
  }
  const ended = await eventually(
    () =>
      lines().find((l) => l.msg === "the store is available again" && JSON.stringify(l).includes("adoption")),
    30_000,
    "the end of the outage",
  );
  expect(ended.lastedMs).toBeGreaterThan(1_000);
  const started = lines().filter((l) =>
    /^the store is unavailable: no unfinished work is adopted/.test(String(l.msg)),
  );
  expect(started).toHaveLength(1);
  expect(started[0]?.level).toBe(40);
  expect(String(started[0]?.reason)).toMatch(/unavailable/);
  expect(JSON.stringify(started[0])).not.toContain("stack");
  // In between: debug only, never the old warning with its stack.
  expect(lines().filter((l) => l.msg === "could not look for unfinished work to adopt")).toHaveLength(0);
  expect(
    lines().filter((l) => l.msg === "no unfinished work is adopted" && l.level === 20).length,
  ).toBeGreaterThan(0);

  // The run was let go and adopted again once the store was back: "lost" when the freeze found it waiting
  // (its lease expired meanwhile), "interrupted" when it found it writing its progress (the write failed).
  const handedOver = (text: string) =>
    [...text.matchAll(/^hwc_chatops_runs_handed_over_total\{why="(\w+)"\} (\d+)$/gm)].map((m) => ({
      why: m[1],
      count: Number(m[2]),
    }));
  const after = await eventually(
    async () => {
      const text = await metrics();
      // Both: the old run counts its hand-over when it reaches its safe point, which under load can come
      // after the adoption pass has already taken the run over.
      return /^hwc_chatops_runs_adopted_total [1-9]\d*$/m.test(text) && handedOver(text).length > 0
        ? text
        : undefined;
    },
    30_000,
    "the run adopted again",
  );
  expect(handedOver(after)).toEqual([{ why: expect.stringMatching(/^(lost|interrupted)$/), count: 1 }]);
  expect(after).toMatch(/^hwc_chatops_store_up 1$/m);
  expect(world.mutations("batchStopServers")).toHaveLength(1);
}, 180_000);
