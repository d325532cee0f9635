/**
 * The check before each wave of a run in waves, end to end: signed Slack requests into the bot, the fake Slack,
 * the simulated cloud, a memory store, the shipped policy plus a freeze and a maintenance window set relative
 * to the test's clock. A later wave starts neither after the window closed nor inside a freeze that began
 * during the pause. Time only moves through the injected clock: the pause is passed by moving it.
 */
import { afterAll, beforeAll, beforeEach, expect, it } from "vitest";
import type { FakeSlackMessage } from "../../src/sandbox/slack/index.js";
import { buildCalendarPolicy } from "../helpers/build-calendar-policy.js";
import { type ApprovalHarness, startApprovalHarness } from "../helpers/start-approval-harness.js";
import { FREEZE_DENIES_POWER } from "../helpers/test-calendars.js";
import { IDS, textOf, WAVES_ON_THE_HARNESS_CLOCK } from "./helpers/operations-harness.js";

const APPROVE = "ops.approval.approve";
const MINUTE = 60_000;
let h: ApprovalHarness;

beforeAll(async () => {
  h = await startApprovalHarness({ operations: WAVES_ON_THE_HARNESS_CLOCK });
});
afterAll(async () => {
  await h?.close();
});
beforeEach(() => h.reset());

/** The shipped policy, a freeze that denies power changes and the window `maint`, at minutes from now. */
async function withCalendars(freeze: [number, number], window: [number, number]): Promise<void> {
  await h.policy.replace(buildCalendarPolicy(h.shipped, h.clock.now(), freeze, window, FREEZE_DENIES_POWER));
}

const threadText = (card: FakeSlackMessage) => h.replies(card).map(textOf).join("\n");
/** Waits until wave 1 is done and the run holds in its pause (the thread's wave list says so). */
const waitForPause = (card: FakeSlackMessage) =>
  h.fake.waitFor(() => threadText(card).includes("Next wave after the pause"));

it("a windowed change in waves starts no wave after its window closed; the thread says why", async () => {
  await withCalendars([5000, 5010], [60, 120]);
  const command = "/ecs reboot cache-02 web-04 --hard --waves 2 --pause 90m --window maint";
  await h.command(command.slice("/ecs ".length));
  const card = await h.waitCard(command, (t) => t.includes("0 of 1"));
  await h.click(card, APPROVE, IDS.bob);
  await h.waitCard(command, (t) => t.includes("Scheduled:"));
  await h.bot.idle();

  h.clock.advance(61 * MINUTE);
  // Not idle(): the run holds in its pause.
  await h.ops.runScheduled();
  await waitForPause(card);
  expect(h.mutations("batchRebootServers")).toHaveLength(1);

  // The pause ends at about +151; the window closed at +120.
  h.clock.advance(95 * MINUTE);
  // Stopped on purpose by the check, not failed: the card says where it stopped and why.
  const done = await h.waitCard("/ecs reboot cache-02 web-04", (t) =>
    t.includes("Stopped before wave 2 of 2"),
  );
  expect(textOf(done)).toContain(":octagonal_sign: *Stopped before wave 2 of 2:*");
  expect(textOf(done)).toContain("Wave 2 was not started: the maintenance window `maint` closed at ");
  expect(textOf(done)).not.toMatch(/Failed|:x:/);
  await h.ops.idle();
  expect(h.mutations("batchRebootServers")).toHaveLength(1);
  const thread = threadText(card);
  expect(thread).toContain("Wave 2 of 2 not started: the maintenance window `maint` closed at <!date^");
  expect(thread).toContain("Wave 1 ran; wave 2 was not run, and its servers were not touched.");
  expect(thread).toContain(":black_circle: *Wave 2* (1 server: web-04) — not run");
  expect(thread).toContain("*Stopped* before wave 2: the maintenance window `maint` closed at ");
  // The summary: the stop sign and where it stopped, and why its servers were not touched.
  const summary = h
    .replies(card)
    .map(textOf)
    .find((t) => t.includes("your request finished"));
  expect(summary).toContain(
    ":octagonal_sign: *reboot* stopped before wave 2 of 2: 1 restarted, 1 not started",
  );
  expect(summary).toMatch(
    /web-04`.*not started: stopped before wave 2 of 2: the maintenance window maint closed/,
  );
  expect(summary).not.toContain(":x:");
}, 30_000);

it("a run in waves starts no wave once a freeze is in force: the policy is decided again before it", async () => {
  await withCalendars([10, 200], [5000, 5010]);
  const command = "/ecs reboot cache-02 web-03 --waves 2 --pause 30m";
  await h.command(command.slice("/ecs ".length));
  const card = await h.waitCard(command, (t) => t.includes("Running") || t.includes("waves"));
  await waitForPause(card);
  expect(h.mutations("batchRebootServers")).toHaveLength(1);

  // The freeze began at +10, during the pause.
  h.clock.advance(35 * MINUTE);
  const done = await h.waitCard("/ecs reboot cache-02 web-03", (t) =>
    t.includes("Stopped before wave 2 of 2"),
  );
  // The freeze is named, with its end.
  expect(textOf(done)).toMatch(
    /Wave 2 was not started: this reboot is not allowed during the freeze test-freeze \(in force until [^)]+\): Changes are frozen\./,
  );
  expect(textOf(done)).not.toMatch(/Failed|:x:/);
  await h.ops.idle();
  expect(h.mutations("batchRebootServers")).toHaveLength(1);
  const thread = threadText(card);
  expect(thread).toContain(
    ":no_entry: *Wave 2 of 2 not started, the freeze `test-freeze` is in force.* Checked again before this wave:",
  );
  expect(thread).toMatch(/this reboot is not allowed during the freeze `test-freeze` \(in force until /);
}, 30_000);
