/**
 * The bot's Redis going away under a running bot process (a private `redis-server` of this test, never the
 * shared one): commands and clicks are answered "the bot's state store is unavailable…", nothing is approved
 * or executed; when Redis answers again the same process works again, without a restart.
 * Two outages: frozen (SIGSTOP: connected but silent, its data kept) and killed (its data gone).
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { type RedisServer, spawnRedisServer } from "../store/spawn-redis-server.js";
import { storeUrlOf } from "./helpers/shared-redis.js";
import type { BotProcess } from "./helpers/spawn-bot-process.js";
import {
  APPROVE,
  eventually,
  IDS,
  type ReplicaWorld,
  startReplicaWorld,
  textOf,
} from "./helpers/start-replica-world.js";

const UNAVAILABLE = "The bot's state store is unavailable, so nothing was done";

let world: ReplicaWorld;
let redis: RedisServer;
let bot: BotProcess;

beforeAll(async () => {
  redis = await spawnRedisServer();
  world = await startReplicaWorld();
  bot = await world.startBot("bot", storeUrlOf(redis.url, `outage-${process.pid}`));
}, 120_000);

afterAll(async () => {
  await world?.close();
  redis?.resume();
  await redis?.stop();
});

const stopsOf = (serverId: string) =>
  world.mutations("batchStopServers").filter((r) => r.mutation?.serverIds.includes(serverId));
const unavailableFor = (user: string) =>
  world.ephemeralTexts(user).filter((t) => t.includes(UNAVAILABLE)).length;

it("Redis frozen: a click and a command are refused with a clear message, nothing runs; thawed: a new click works", async () => {
  const server = world.addServer("outage-01");
  world.addServer("outage-02");
  await world.command(bot, "stop outage-01 --hard");
  const card = await world.waitCard("/ecs stop outage-01 --hard", (t) => t.includes("Approval needed"));

  redis.pause();
  try {
    const bobBefore = unavailableFor(IDS.bob);
    const aliceBefore = unavailableFor(IDS.alice);
    await world.deliver(bot, world.clickPayload(card, APPROVE, IDS.bob));
    await world.command(bot, "stop outage-02 --hard");
    await world.waitFor(() => unavailableFor(IDS.bob) > bobBefore || undefined, 60_000);
    await world.waitFor(() => unavailableFor(IDS.alice) > aliceBefore || undefined, 60_000);
  } finally {
    redis.resume();
  }
  expect(stopsOf(server.id)).toHaveLength(0);
  expect(textOf(world.fake.message(card.channel, card.ts))).toContain("Approval needed");
  expect(world.fake.messages(IDS.ops).some((m) => textOf(m).includes("/ecs stop outage-02 --hard"))).toBe(
    false,
  );

  // Back: Bob clicks again (a new click) until the reconnected bot takes it; it executes once.
  await eventually(
    async () => {
      await world.deliver(bot, world.clickPayload(card, APPROVE, IDS.bob));
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      return textOf(world.fake.message(card.channel, card.ts)).includes("Approval needed") ? undefined : true;
    },
    60_000,
    "the bot to take clicks again",
  );
  const done = await world.waitCard("/ecs stop outage-01 --hard", (t) => t.includes("Done"));
  expect(textOf(done)).toContain("1 stopped");
  expect(stopsOf(server.id)).toHaveLength(1);
  expect(bot.child.exitCode).toBeNull();
}, 180_000);

it("Redis killed: commands are refused with a clear message; restarted (empty): the bot works again without a restart", async () => {
  world.addServer("outage-03");
  await redis.stop();
  const before = unavailableFor(IDS.alice);
  await world.command(bot, "stop outage-03 --hard");
  await world.waitFor(() => unavailableFor(IDS.alice) > before || undefined, 60_000);

  await redis.start();
  await eventually(
    async () => {
      await world.command(bot, "stop outage-03 --hard");
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      return world.fake
        .messages(IDS.ops)
        .some(
          (m) => textOf(m).includes("/ecs stop outage-03 --hard") && textOf(m).includes("Approval needed"),
        );
    },
    60_000,
    "the bot to take commands again",
  );
  expect(bot.child.exitCode).toBeNull();
  expect((await fetch(`http://127.0.0.1:${bot.port}/healthz`)).status).toBe(200);
}, 180_000);
