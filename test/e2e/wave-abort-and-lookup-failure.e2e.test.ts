/**
 * Two incident follow-ups end to end over signed Slack requests, the simulated cloud on a manual clock (a
 * wave's job runs only as far as the test moves it):
 * - once Abort is clicked, the wave list offers no Pause / Resume / Abort, and a click on a list shown before
 *   the Abort (Pause, Resume) answers that the waves are being aborted, then were aborted, by whom, and that
 *   the click did nothing; the Abort stays final and nothing more is sent;
 * - a change command whose server lookup the cloud answers with a 5xx says that nothing was requested or
 *   changed and that trying again is safe (no request recorded, nothing sent); a read says only that it
 *   changed nothing.
 */
import { afterAll, beforeAll, beforeEach, expect, it } from "vitest";
import type { ApprovalRequest } from "../../src/approvals/approval-request.js";
import { createManualClock, type ManualClock } from "../../src/sandbox/cloud/index.js";
import type { FakeSlackMessage } from "../../src/sandbox/slack/index.js";
import { type WaveRunRecord, waveRunKey } from "../../src/waves/wave-run-record.js";
import { sendBlockAction } from "../helpers/slack-requests.js";
import {
  actionIdsOf,
  IDS,
  type OperationsHarness,
  startOperationsHarness,
  textOf,
  WAVES_ON_THE_HARNESS_CLOCK,
} from "./helpers/operations-harness.js";

let h: OperationsHarness;
let cloudClock: ManualClock;
beforeAll(async () => {
  cloudClock = createManualClock();
  h = await startOperationsHarness({ operations: WAVES_ON_THE_HARNESS_CLOCK, manualClock: cloudClock });
});
afterAll(async () => {
  await h?.close();
});
beforeEach(async () => {
  await h.ops.idle();
  h.sim.control.reset();
});

/** Waits for work the bot does on its own (no Slack message to wait for): polls `check`. */
async function until<T>(check: () => Promise<T | undefined> | T | undefined, what: string): Promise<T> {
  for (let i = 0; i < 1_000; i++) {
    const value = await check();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
}

function waveMessage(card: FakeSlackMessage): FakeSlackMessage | undefined {
  return h.replies(card).find((m) => textOf(m).includes("*Wave 1*"));
}

/** The run's wave record, read from the store, by its request ID (the wave buttons' value). */
async function record(requestId: string): Promise<WaveRunRecord> {
  const request = await h.store.get<ApprovalRequest>(`approval:${requestId}`);
  const stored = await h.store.get<WaveRunRecord>(waveRunKey(request?.value.execution?.executionId ?? ""));
  if (stored === undefined) throw new Error("no wave record");
  return stored.value;
}

it("after Abort: no Pause / Resume in the wave list; a stale Pause or Resume says the run is being aborted, then was, and changes nothing", async () => {
  for (let i = 1; i <= 4; i++)
    h.sim.control.addServer({ name: `ab-${i}`, status: "ACTIVE", tags: { env: "dev", tier: "ab" } });
  await h.command("reboot tag:tier=ab --waves 2");
  const card = await h.waitCard("/ecs reboot tag:tier=ab");
  // Wave 1's reboot is sent; its job runs until the cloud's clock moves.
  await until(() => (h.mutations("batchRebootServers").length === 1 ? true : undefined), "wave 1's reboot");
  const before = await h.fake.waitFor(() => {
    const m = waveMessage(card);
    return m !== undefined && textOf(m).includes("— running") && actionIdsOf(m).includes("ops.waves.pause")
      ? m
      : undefined;
  });
  expect(actionIdsOf(before)).toEqual(["ops.waves.pause", "ops.waves.abort"]);
  const requestId = /"value":"(apr_[^"]+)"/.exec(JSON.stringify(before.blocks))?.[1] ?? "";
  expect(requestId).not.toBe("");

  await h.click(before, "ops.waves.abort", IDS.alice);
  await h.fake.waitFor(() => h.ephemeralTexts(IDS.alice).find((t) => t.includes("Aborting:")));
  const aborting = await h.fake.waitFor(() => {
    const m = waveMessage(card);
    return m !== undefined && textOf(m).includes("*Aborting* by") ? m : undefined;
  });
  // Neither Pause nor Resume would take the Abort back, nor is Abort clicked twice: no buttons at all.
  expect(actionIdsOf(aborting)).toEqual([]);
  expect((await record(requestId)).control).toBe("aborting");

  // Clicks on the list as it was shown before the Abort (another client had not redrawn it yet).
  await h.click(before, "ops.waves.pause", IDS.alice);
  const beingAborted = await h.fake.waitFor(() =>
    h.ephemeralTexts(IDS.alice).find((t) => t.includes("is aborting these waves")),
  );
  expect(beingAborted).toContain(
    `Your click did nothing: <@${IDS.alice}> is aborting these waves (the running wave finishes; no more waves start). They can no longer be paused or resumed.`,
  );
  // Resume, as the list showed it while paused (the same request ID as its value).
  await sendBlockAction(
    h.eventsUrl,
    h.fake.signingSecret,
    h.fake.buildBlockAction({
      user: IDS.alice,
      channel: IDS.ops,
      message: before,
      actions: [{ actionId: "ops.waves.resume", value: requestId }],
    }),
  );
  await h.fake.waitFor(() =>
    h.ephemeralTexts(IDS.alice).filter((t) => t.includes("is aborting these waves")).length === 2
      ? true
      : undefined,
  );
  expect(h.ephemeralTexts(IDS.alice).some((t) => t.includes("It is already so"))).toBe(false);
  expect((await record(requestId)).control).toBe("aborting");

  // The running wave finishes (the cloud's clock moves); the Abort stops the run before wave 2.
  cloudClock.advance(60_000);
  const aborted = await h.fake.waitFor(() => {
    const m = waveMessage(card);
    return m !== undefined && textOf(m).includes("*Aborted* by") ? m : undefined;
  }, 20_000);
  expect(textOf(aborted)).toMatch(/\*Wave 2\* \(2 servers: ab-3, ab-4\) — not run/);
  expect(actionIdsOf(aborted)).toEqual([]);
  await h.ops.idle();

  await h.click(before, "ops.waves.pause", IDS.alice);
  const wasAborted = await h.fake.waitFor(() =>
    h.ephemeralTexts(IDS.alice).find((t) => t.includes("already aborted these waves")),
  );
  expect(wasAborted).toContain(`Your click did nothing: <@${IDS.alice}> already aborted these waves.`);
  expect((await record(requestId)).status).toBe("aborted");
  // Only wave 1 was ever sent.
  expect(h.mutations("batchRebootServers")).toHaveLength(1);
});

it("a change command whose server lookup gets a 5xx: nothing was requested or changed, safe to try again; a read says no such thing", async () => {
  h.sim.control.addServer({ name: "lk-1", status: "ACTIVE", tags: { env: "dev" } });
  const cardsBefore = h.fake.messages(IDS.ops).length;
  h.sim.control.failNextRequests({ status: 503, count: 1_000 });
  await h.command("reboot lk-1");
  const answer = await h.fake.waitFor(() =>
    h.ephemeralTexts(IDS.alice).find((t) => t.includes("Huawei Cloud had an internal error")),
  );
  expect(answer).toContain(
    "Nothing was requested or changed (the servers could not be looked up), so it is safe to try again.",
  );
  await h.bot.idle();
  // Indeed: no card (a request's card is posted before it is recorded), nothing sent.
  expect(h.fake.messages(IDS.ops)).toHaveLength(cardsBefore);
  expect(h.mutations()).toHaveLength(0);

  // A read answered with the same 5xx: never "nothing was requested", but that it changed nothing (a read).
  await h.command("show lk-1");
  await h.fake.waitFor(() =>
    h.ephemeralTexts(IDS.alice).filter((t) => t.includes("Huawei Cloud had an internal error")).length === 2
      ? true
      : undefined,
  );
  const read = h.ephemeralTexts(IDS.alice).filter((t) => t.includes("Huawei Cloud had an internal error"))[1];
  expect(read).not.toContain("Nothing was requested");
  expect(read).toContain("It was only a read, so nothing was changed.");
  h.sim.control.clearFaults();
});
