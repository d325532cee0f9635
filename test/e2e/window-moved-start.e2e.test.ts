/**
 * A maintenance window the calendar moves after a change in it was approved: every place an operator reads the
 * change's start says when it will start as the gate judges it now, end to end over signed Slack requests, the
 * fake Slack, the simulated cloud and the shipped policy plus the window `maint`. Moved later within the approved
 * span: the card says the new time (drawn again once, not on every pass), `/ops approvals` and the Home tab say
 * it, and the heads-up comes ten minutes before the new opening, not before the old one; the change runs at the
 * new opening.
 * Moved out of the span: the card says it will not run, and the gate ends it at its time. Time only moves
 * through the injected clock.
 */
import { afterAll, beforeAll, beforeEach, expect, it } from "vitest";
import type { FakeSlackMessage } from "../../src/sandbox/slack/index.js";
import { approveInWindow } from "../helpers/approve-in-window.js";
import { buildCalendarPolicy } from "../helpers/build-calendar-policy.js";
import { sendEvent } from "../helpers/slack-requests.js";
import { type ApprovalHarness, startApprovalHarness } from "../helpers/start-approval-harness.js";
import { FREEZE_DENIES_POWER } from "../helpers/test-calendars.js";
import { IDS, textOf } from "./helpers/operations-harness.js";

const MINUTE = 60_000;
let h: ApprovalHarness;
/** The instant the test's calendars count minutes from. */
let base: number;

beforeAll(async () => {
  h = await startApprovalHarness();
});
afterAll(async () => {
  await h?.close();
});
beforeEach(() => h.reset());

/** The shipped policy, a freeze far away, and the window `maint` from and to minutes after `base`. */
async function withWindow(window: [number, number]): Promise<void> {
  await h.policy.replace(buildCalendarPolicy(h.shipped, base, [5000, 5010], window, FREEZE_DENIES_POWER));
}

/** `reboot <server> --hard --window maint`, approved by Bob: scheduled for the window's opening. */
async function approvedInWindow(server: string): Promise<string> {
  await approveInWindow(h, server);
  await pass();
  return `/ecs reboot ${server} --hard --window maint`;
}

async function pass(): Promise<void> {
  await h.ops.runScheduled();
  await h.ops.idle();
  await h.bot.idle();
}

/** The card as it is now. */
function card(command: string): FakeSlackMessage {
  const found = h.latest(command);
  if (found === undefined) throw new Error(`no card for ${command}`);
  return found;
}

const headsUps = (command: string) =>
  h
    .replies(card(command))
    .map(textOf)
    .filter((t) => t.includes("Starts in"));

/** The Slack date token of `minutes` after `base`, as the bot writes it. */
const dateIn = (minutes: number) => `<!date^${String(Math.floor((base + minutes * MINUTE) / 1000))}^`;

/** Alice's (the requester's) next answer to `/ops approvals`. */
async function approvalsList(): Promise<string> {
  const n = h.ephemeralTexts(IDS.alice).length;
  await h.command("approvals", { command: "/ops" });
  return h.fake.waitFor(() => h.ephemeralTexts(IDS.alice).slice(n)[0]);
}

/** What Alice's Home tab says once she opens it. */
async function aliceHome(): Promise<string> {
  const before = h.fake.homeView(IDS.alice)?.history.length ?? 0;
  const sent = await sendEvent(h.eventsUrl, h.fake.signingSecret, h.fake.buildAppHomeOpened(IDS.alice));
  expect(sent.status).toBe(200);
  const home = await h.fake.waitFor(() => {
    const view = h.fake.homeView(IDS.alice);
    return view !== undefined && view.history.length > before ? view : undefined;
  });
  return textOf({ blocks: home.view.blocks as unknown[] });
}

it("a window moved later within the approved span: the card, /ops approvals and the heads-up say the new time", async () => {
  base = h.clock.now();
  await withWindow([60, 120]);
  const command = await approvedInWindow("web-03");
  expect(textOf(card(command))).toContain(`Runs ${dateIn(60)}`);

  // The window is moved twenty minutes later, still opening before the approved span ends (120).
  await withWindow([80, 140]);
  h.clock.advance(5 * MINUTE);
  await pass();
  const moved = await h.fake.waitFor(() =>
    textOf(card(command)).includes(`Runs ${dateIn(80)}`) ? textOf(card(command)) : undefined,
  );
  expect(moved).toContain("when the maintenance window `maint` opens: the window moved, it was to open");
  expect(moved).toContain(dateIn(60));
  // Drawn again once for the move, not on every pass.
  const versions = card(command).history.length;
  await pass();
  h.clock.advance(5 * MINUTE);
  await pass();
  expect(card(command).history.length).toBe(versions);

  const listed = await approvalsList();
  expect(listed).toContain(`Runs ${dateIn(80)}`);
  expect(listed).toContain(`the window moved, it was to open ${dateIn(60)}`);
  const home = await aliceHome();
  expect(home).toContain(`Runs ${dateIn(80)}`);
  expect(home).toContain(`the window moved, it was to open ${dateIn(60)}`);

  // Ten minutes before the old opening, and at it: no heads-up, nothing runs.
  h.clock.advance(41 * MINUTE); // 51
  await pass();
  expect(headsUps(command)).toEqual([]);
  h.clock.advance(10 * MINUTE); // 61
  await pass();
  await pass();
  expect(headsUps(command)).toEqual([]);
  expect(h.mutations("batchRebootServers")).toHaveLength(0);

  // Ten minutes before the new opening: the heads-up, once, with the new time.
  h.clock.advance(10 * MINUTE); // 71
  await pass();
  await pass();
  const said = await h.fake.waitFor(() => (headsUps(command).length > 0 ? headsUps(command) : undefined));
  await pass();
  expect(said).toHaveLength(1);
  expect(said[0]).toContain("*Starts in 9 minutes*");
  expect(said[0]).toContain(`<!date^${String(Math.floor((base + 80 * MINUTE) / 1000))}^{time}`);
  expect(h.mutations("batchRebootServers")).toHaveLength(0);

  // At the new opening it runs.
  h.clock.advance(10 * MINUTE); // 81
  await pass();
  await h.waitCard(command, (t) => t.includes("Done"));
  expect(h.mutations("batchRebootServers")).toHaveLength(1);
  expect(headsUps(command)).toHaveLength(1);
});

it("a window moved out of the approved span: the card says it will not run, and the gate ends it at its time", async () => {
  base = h.clock.now();
  await withWindow([60, 120]);
  const command = await approvedInWindow("web-04");

  await withWindow([300, 360]);
  h.clock.advance(5 * MINUTE);
  await pass();
  const never = await h.fake.waitFor(() =>
    textOf(card(command)).includes("Will not run") ? textOf(card(command)) : undefined,
  );
  expect(never).toContain("the maintenance window `maint` moved or was removed");
  expect(never).not.toContain(`Runs ${dateIn(60)}`);
  const listed = await approvalsList();
  expect(listed).toContain("Will not run: the maintenance window `maint` moved or was removed");

  // Ten minutes before its time: no heads-up; at its time, the gate ends it and the card says so.
  h.clock.advance(46 * MINUTE); // 51
  await pass();
  expect(headsUps(command)).toEqual([]);
  h.clock.advance(10 * MINUTE); // 61
  await pass();
  await h.waitCard(command, (t) => t.includes("Not run — could not start in time"));
  expect(textOf(card(command))).not.toContain("Will not run");
  expect(h.mutations("batchRebootServers")).toHaveLength(0);
});
