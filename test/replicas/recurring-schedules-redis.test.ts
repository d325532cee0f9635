/**
 * Two replicas (each its own operations, its own Redis connection, one namespace) pass over the same
 * recurring schedule at the same moments, on the harness's movable clock: every slot runs once (one stop call,
 * one run card), and a burst of missed slots is reported once.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { createAuditLog } from "../../src/audit/create-audit-log.js";
import { createOperations, type Operations } from "../../src/operations/index.js";
import { nextSlots } from "../../src/recurring/parse-schedule-timing.js";
import { createSlackChat } from "../../src/slack/create-slack-chat.js";
import { createRedisStore } from "../../src/store/create-redis-store.js";
import type { Store } from "../../src/store/store.js";
import {
  IDS,
  type OperationsHarness,
  startOperationsHarness,
  textOf,
} from "../e2e/helpers/operations-harness.js";
import { openSharedRedis, REDIS_URL } from "./helpers/shared-redis.js";

const namespace = `schedules-${process.pid}-${Date.now()}`;
let h: OperationsHarness;
let storeB: Store;
let b: Operations;
let cleanup: (() => Promise<void>) | undefined;

beforeAll(async () => {
  cleanup = (await openSharedRedis(namespace)).cleanup;
  h = await startOperationsHarness({
    store: (clock) => createRedisStore({ url: REDIS_URL, namespace, clock }),
  });
  storeB = createRedisStore({ url: REDIS_URL, namespace, clock: h.clock });
  b = createOperations({
    ...h.opsOptions,
    store: storeB,
    audit: createAuditLog({ store: storeB, logger: h.opsOptions.logger, clock: h.clock }),
    replicaId: "replica-b",
  });
  await b.start({ chat: createSlackChat(h.bot.app.client) });
  for (const name of ["twin-1", "twin-2"])
    h.sim.control.addServer({ name, status: "ACTIVE", tags: { env: "dev", team: "twins" } });
}, 60_000);

afterAll(async () => {
  await b?.stop(2_000);
  await h?.close();
  await storeB?.close();
  await h?.store.close();
  await cleanup?.();
});

const COMMAND = "/ecs stop tag:team=twins";
const TIMING = { cron: "30 6 * * *", timeZone: "Asia/Shanghai" };

async function toSlot(n: number, lateMs: number): Promise<void> {
  await Promise.all([h.ops.idle(), b.idle()]);
  for (const name of ["twin-1", "twin-2"]) h.sim.control.setServer(h.serverId(name), { status: "ACTIVE" });
  const slot = nextSlots(TIMING, h.clock.now(), n).at(-1)!;
  h.clock.advance(slot - h.clock.now() + lateMs);
}

it("each slot runs once across two replicas passing at the same moment", async () => {
  await h.command(`schedule add "30 6 * * *" tz=Asia/Shanghai ${COMMAND}`, { command: "/ops" });
  const card = await h.waitCard(COMMAND, (t) => t.includes("Schedule needs approval"));
  await h.click(card, "ops.approval.approve", IDS.bob);
  await h.waitCard(COMMAND, (t) => t.includes("Schedule active"));

  for (let round = 1; round <= 3; round++) {
    await toSlot(1, 2_000);
    const handled = await Promise.all([
      h.ops.runSchedules(),
      b.runSchedules(),
      h.ops.runSchedules(),
      b.runSchedules(),
    ]);
    expect(handled.reduce((x, y) => x + y, 0)).toBe(1);
    await h.fake.waitFor(() =>
      h.fake.messages(IDS.ops).filter((m) => m.user === IDS.bot && textOf(m).includes("Done")).length >= round
        ? true
        : undefined,
    );
    await Promise.all([h.ops.idle(), b.idle()]);
    expect(h.mutations("batchStopServers")).toHaveLength(round);
  }
  const runs = (await h.audit.query({ type: "schedule.run", limit: 10 })).map((e) => e.detail?.slot);
  expect(runs).toHaveLength(3);
  expect(new Set(runs).size).toBe(3);
});

it("missed slots are reported once, by one replica, and the latest runs once", async () => {
  const before = h.fake.messages(IDS.ops).length;
  await toSlot(4, 30_000);
  const handled = await Promise.all([b.runSchedules(), h.ops.runSchedules()]);
  expect(handled.reduce((x, y) => x + y, 0)).toBe(1);
  await h.fake.waitFor(() =>
    h.fake.messages(IDS.ops).filter((m) => m.user === IDS.bot && textOf(m).includes("Done")).length >= 4
      ? true
      : undefined,
  );
  await Promise.all([h.ops.idle(), b.idle()]);
  const missed = h.fake
    .messages(IDS.ops)
    .slice(before)
    .filter((m) => textOf(m).includes("missed"));
  expect(missed).toHaveLength(1);
  expect(textOf(missed[0])).toContain("missed 3 runs");
  expect(h.mutations("batchStopServers")).toHaveLength(4);
});
