/**
 * `/ops jobs` judges each scheduled change as the execution gate will at its time, on the calendars and the
 * policy as they are now (a change manager asks "what runs tonight?" after editing a calendar or declaring a
 * freeze), end to end over signed Slack requests, the fake Slack, the simulated cloud and the shipped policy
 * plus a freeze that denies power changes and the window `maint`: the window moved within the approved span
 * (the new time), moved out of it (will not run), a freeze over its time (will not run as things are, until
 * when); and the gate then does what the list said. Time only moves through the injected clock.
 */
import { afterAll, beforeAll, beforeEach, expect, it } from "vitest";
import { approveInWindow } from "../helpers/approve-in-window.js";
import { buildCalendarPolicy } from "../helpers/build-calendar-policy.js";
import { type ApprovalHarness, startApprovalHarness } from "../helpers/start-approval-harness.js";
import { FREEZE_DENIES_POWER } from "../helpers/test-calendars.js";
import { IDS, textOf } from "./helpers/operations-harness.js";

const MINUTE = 60_000;
let h: ApprovalHarness;
/** The instant the test's calendars count minutes from (the harness's clock also moves with real time). */
let base: number;

beforeAll(async () => {
  h = await startApprovalHarness();
});
afterAll(async () => {
  await h?.close();
});
beforeEach(() => h.reset());

/** The shipped policy, the freeze `test-freeze` (denying power changes) and the window `maint`, at minutes from now. */
async function withCalendars(freeze: [number, number], window: [number, number]): Promise<void> {
  await h.policy.replace(buildCalendarPolicy(h.shipped, base, freeze, window, FREEZE_DENIES_POWER));
}

/** `reboot <server> --hard --window maint`, approved by Bob: scheduled for the window's opening. */
const approvedInWindow = (server: string) => approveInWindow(h, server);

/** The Scheduled section of the first answer Dave (no approver) gets to `/ops jobs`. */
async function scheduledJobs(): Promise<string> {
  const n = h.ephemeralTexts(IDS.dave).length;
  await h.command("jobs", { command: "/ops", user: IDS.dave });
  const jobs = await h.fake.waitFor(() => h.ephemeralTexts(IDS.dave).slice(n)[0]);
  const start = jobs.indexOf("*Scheduled*");
  expect(start).toBeGreaterThanOrEqual(0);
  return jobs.slice(start, jobs.indexOf("*Recent runs*", start));
}

/** The Slack date token of `minutes` after `base`, as the bot writes it. */
const dateIn = (minutes: number) => `<!date^${String(Math.floor((base + minutes * MINUTE) / 1000))}^`;

it("a calendar edited after approval: /ops jobs says when it runs now, or that it will not run and why", async () => {
  base = h.clock.now();
  await withCalendars([5000, 5010], [60, 120]);
  await approvedInWindow("web-04");
  let part = await scheduledJobs();
  expect(part).toContain(`:calendar: ${dateIn(60)}`);
  expect(part).not.toContain("Will not run");

  // The window moves a little, within the approved span: it runs at the new opening.
  await withCalendars([5000, 5010], [70, 130]);
  part = await scheduledJobs();
  expect(part).toContain(`:calendar: ${dateIn(70)}`);
  expect(part).toContain(`Window moved: it was to open ${dateIn(60)}`);

  // Moved to later that night, out of the approved span: it will not run.
  await withCalendars([5000, 5010], [300, 360]);
  part = await scheduledJobs();
  expect(part).toContain(":no_entry_sign: Will not run: reboot 1 server");
  expect(part).toContain("the maintenance window `maint` moved or was removed");
  expect(part).toContain(`Asked for: ${dateIn(60)}`);
  expect(part).not.toContain(":calendar:");

  // Back in place, and a freeze declared over its opening: not as things are, and until when.
  await withCalendars([30, 90], [60, 120]);
  part = await scheduledJobs();
  expect(part).toContain(":no_entry_sign: Will not run as things are: reboot 1 server");
  expect(part).toContain(`Why: frozen by \`test-freeze\` until ${dateIn(90)}`);

  // The gate, at its time, does what the list said, for the reason it gave: nothing runs, frozen.
  h.clock.advance(61 * MINUTE);
  await h.ops.runScheduled();
  await h.ops.idle();
  await h.waitCard("/ecs reboot web-04", (t) => t.includes("Not run") && t.includes("test-freeze"));
  expect(h.mutations("batchRebootServers")).toHaveLength(0);
  expect(textOf(h.latest("/ecs reboot web-04 --hard --window maint"))).toContain("Changes are frozen");
});
