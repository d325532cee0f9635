/**
 * A little before an approved scheduled change starts, its thread says so once (over signed Slack requests,
 * the simulated cloud and the harness's movable clock): what starts when and how to stop it, the requester
 * mentioned. Not for a change asked moments before its time, nor one cancelled; the change then runs as before.
 */
import { afterAll, beforeAll, beforeEach, expect, it } from "vitest";
import type { FakeSlackMessage } from "../../src/sandbox/slack/index.js";
import {
  IDS,
  type OperationsHarness,
  startOperationsHarness,
  textOf,
} from "../e2e/helpers/operations-harness.js";

const MINUTE = 60_000;
let h: OperationsHarness;
beforeAll(async () => {
  h = await startOperationsHarness();
});
afterAll(async () => {
  await h?.close();
});
beforeEach(async () => {
  await h.ops.idle();
  h.sim.control.reset();
});

/** `/ecs stop <server> --at <in `minutes`>` by Alice: allowed by the policy, so scheduled at once. */
async function scheduleStop(server: string, minutes: number): Promise<FakeSlackMessage> {
  const at = new Date(h.clock.now() + minutes * MINUTE).toISOString().replace(/\.\d+Z$/, "Z");
  await h.command(`stop ${server} --at ${at}`);
  const card = await h.waitCard(`/ecs stop ${server} --at ${at}`, (t) => t.includes("Scheduled:"));
  await h.bot.idle();
  return card;
}

const headsUps = (card: FakeSlackMessage) =>
  h
    .replies(card)
    .map(textOf)
    .filter((t) => t.includes("Starts in"));

async function pass() {
  await h.ops.runScheduled();
  await h.ops.idle();
  await h.bot.idle();
}

it("ten minutes before its time the thread says it starts, once; then it runs", async () => {
  const card = await scheduleStop("web-03", 60);
  h.clock.advance(49 * MINUTE);
  await pass();
  expect(headsUps(card)).toEqual([]);

  h.clock.advance(2 * MINUTE);
  await pass();
  await pass();
  const said = await h.fake.waitFor(() => (headsUps(card).length > 0 ? headsUps(card) : undefined));
  await pass();
  expect(said).toHaveLength(1);
  expect(said[0]).toContain("*Starts in 9 minutes*");
  expect(said[0]).toContain("*stop* web-03, allowed by the policy without approval");
  expect(said[0]).toContain(`<@${IDS.alice}>: to stop it, cancel it on its card before then`);
  expect(h.mutations("batchStopServers")).toHaveLength(0);

  h.clock.advance(10 * MINUTE);
  await pass();
  await h.fake.waitFor(() => (h.mutations("batchStopServers").length === 1 ? true : undefined));
  expect(headsUps(card)).toHaveLength(1);
});

it("asked five minutes before its time: its answer said when, so no heads-up; cancelled: none either", async () => {
  const soon = await scheduleStop("web-04", 5);
  await pass();
  h.clock.advance(2 * MINUTE);
  await pass();
  expect(headsUps(soon)).toEqual([]);

  const cancelled = await scheduleStop("cache-02", 30);
  await h.click(cancelled, "ops.approval.cancel", IDS.alice);
  await h.bot.idle();
  h.clock.advance(25 * MINUTE);
  await pass();
  expect(headsUps(cancelled)).toEqual([]);
  expect(headsUps(soon)).toEqual([]);
});
