/**
 * The slot claim on the SQLite backend: two operations instances over one SQLite store (what a restart with
 * an old and a new process overlapping would share) pass at the same moment and run the slot once. Then a
 * restart after several slots: the slots missed while the bot was down are reported once, the latest runs.
 */
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createAuditLog } from "../../src/audit/create-audit-log.js";
import { createOperations, type Operations } from "../../src/operations/index.js";
import { nextSlots } from "../../src/recurring/parse-schedule-timing.js";
import { createSlackChat } from "../../src/slack/create-slack-chat.js";
import { createSqliteStore } from "../../src/store/create-sqlite-store.js";
import {
  IDS,
  type OperationsHarness,
  startOperationsHarness,
  textOf,
} from "../e2e/helpers/operations-harness.js";

let h: OperationsHarness;
let b: Operations | undefined;

beforeAll(async () => {
  const dir = await mkdtemp(join(tmpdir(), "hwc-schedules-"));
  h = await startOperationsHarness({
    store: (clock) => createSqliteStore({ file: join(dir, "bot.db"), clock }),
  });
  h.sim.control.addServer({ name: "sq-1", status: "ACTIVE", tags: { env: "dev", team: "sq" } });
}, 60_000);

afterAll(async () => {
  await b?.stop(2_000);
  await h?.close();
  await h?.store.close();
});

const TIMING = { cron: "0 * * * *", timeZone: "UTC" };
const COMMAND = "/ecs stop tag:team=sq";
const done = () =>
  h.fake.messages(IDS.ops).filter((m) => m.user === IDS.bot && textOf(m).includes("Done")).length;

async function toSlot(n: number, lateMs: number): Promise<void> {
  await Promise.all([h.ops.idle(), b?.idle()]);
  h.sim.control.setServer(h.serverId("sq-1"), { status: "ACTIVE" });
  const slot = nextSlots(TIMING, h.clock.now(), n).at(-1)!;
  h.clock.advance(slot - h.clock.now() + lateMs);
}

it("one run per slot on SQLite, whoever passes", async () => {
  await h.command(`schedule add "0 * * * *" ${COMMAND}`, { command: "/ops" });
  const card = await h.waitCard(COMMAND, (t) => t.includes("Schedule needs approval"));
  expect(textOf(card)).toContain("every hour at minute 0");
  await h.click(card, "ops.approval.approve", IDS.carol);
  await h.waitCard(COMMAND, (t) => t.includes("Schedule active"));

  b = createOperations({
    ...h.opsOptions,
    audit: createAuditLog({ store: h.store, logger: h.opsOptions.logger, clock: h.clock }),
    replicaId: "second",
  });
  await b.start({ chat: createSlackChat(h.bot.app.client) });
  await toSlot(1, 1_000);
  const handled = await Promise.all([h.ops.runSchedules(), b.runSchedules(), b.runSchedules()]);
  expect(handled.reduce((x, y) => x + y, 0)).toBe(1);
  await h.fake.waitFor(() => (done() >= 1 ? true : undefined));
  await Promise.all([h.ops.idle(), b.idle()]);
  expect(h.mutations("batchStopServers")).toHaveLength(1);
});

it("after a restart, the slots missed while down are one report and the latest runs once", async () => {
  await b?.stop(2_000);
  b = undefined;
  await h.ops.stop(2_000);
  const restarted = createOperations({ ...h.opsOptions, replicaId: "restarted" });
  await restarted.start({ chat: createSlackChat(h.bot.app.client) });
  try {
    const before = h.fake.messages(IDS.ops).length;
    await toSlot(5, 3 * 60_000);
    expect(await restarted.runSchedules()).toBe(1);
    expect(await restarted.runSchedules()).toBe(0);
    await h.fake.waitFor(() => (done() >= 2 ? true : undefined));
    await restarted.idle();
    const missed = h.fake
      .messages(IDS.ops)
      .slice(before)
      .filter((m) => textOf(m).includes("missed"));
    expect(missed).toHaveLength(1);
    expect(textOf(missed[0])).toContain("missed 4 runs");
    expect(h.mutations("batchStopServers")).toHaveLength(2);
  } finally {
    await restarted.stop(2_000);
  }
});
