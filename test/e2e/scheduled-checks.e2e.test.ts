/**
 * Scheduled changes (`--window`, `--at`) checked against time at their start, end to end: signed Slack
 * requests into the bot, the fake Slack, the simulated cloud, a memory store, the shipped policy plus a freeze
 * and a maintenance window set relative to the test's clock. A window moved after approval, a last stage
 * approved after the start, who may cancel a change that needed no approval, and the card's deadline.
 * Time only moves through the injected clock: no test waits for the window.
 */
import { afterAll, beforeAll, beforeEach, expect, it } from "vitest";
import type { ApprovalRequest } from "../../src/approvals/approval-request.js";
import type { FakeSlackMessage } from "../../src/sandbox/slack/index.js";
import { NO_CHANGE } from "../../src/store/store.js";
import { approveInWindow } from "../helpers/approve-in-window.js";
import { type ApprovalHarness, startApprovalHarness } from "../helpers/start-approval-harness.js";
import { testCalendarsYaml } from "../helpers/test-calendars.js";
import { IDS, textOf } from "./helpers/operations-harness.js";

const APPROVE = "ops.approval.approve";
const CANCEL = "ops.approval.cancel";
const MINUTE = 60_000;
let h: ApprovalHarness;

beforeAll(async () => {
  h = await startApprovalHarness();
});
afterAll(async () => {
  await h?.close();
});
beforeEach(async () => {
  await h.reset();
  await h.setUserGroupMembers("sre", [IDS.erin]);
});

const iso = (minutes: number) => new Date(h.clock.now() + minutes * MINUTE).toISOString();

function calendars(freeze: [number, number], window: [number, number]): string {
  return testCalendarsYaml(h.clock.now(), freeze, window);
}

/** The shipped policy, its calendars joined by a freeze and the window `maint` at minutes from now. */
async function withCalendars(freeze: [number, number], window: [number, number]): Promise<void> {
  await h.policy.replace(h.shipped.replace(/^calendars:\n/m, calendars(freeze, window)));
}

const threadText = (card: FakeSlackMessage) => h.replies(card).map(textOf).join("\n");
const requestIdOf = (card: FakeSlackMessage) =>
  /apr_[A-Za-z0-9_-]{22,}/.exec(JSON.stringify(card.blocks))?.[0];

async function pass(): Promise<void> {
  await h.ops.runScheduled();
  await h.ops.idle();
}

/** `reboot <server> --hard --window maint`, approved by Bob: scheduled for the window's opening. */
const approvedInWindow = (server: string) => approveInWindow(h, server);

it("a window moved after approval: at the old opening nothing runs, it lapses, and the thread says why", async () => {
  await withCalendars([5000, 5010], [60, 120]);
  const card = await approvedInWindow("web-04");
  // The operator moves this week's window to later that night.
  await withCalendars([5000, 5010], [300, 360]);
  h.clock.advance(61 * MINUTE);
  await pass();
  await h.waitCard("/ecs reboot web-04", (t) => t.includes("Not run — could not start in time"));
  expect(textOf(h.latest("/ecs reboot web-04 --hard --window maint"))).toContain(
    "The maintenance window `maint` is not open now: the window moved or was removed",
  );
  await h.fake.waitFor(() => threadText(card).includes("moved or was removed"));
  expect(threadText(card)).toContain(
    "Not run: the maintenance window `maint` is not open now: the window moved or was removed (see `/ops calendar`). Nothing was done. <@U_ALICE>, schedule it again",
  );
  // Not either once the moved window opens: what was approved was a start at the old opening.
  h.clock.advance(240 * MINUTE);
  await pass();
  expect(h.mutations("batchRebootServers")).toHaveLength(0);
});

it("a window moved a little, within the approved span, runs the change when it opens, as approved", async () => {
  await withCalendars([5000, 5010], [60, 120]);
  await approvedInWindow("web-03");
  await withCalendars([5000, 5010], [70, 130]);
  h.clock.advance(61 * MINUTE);
  await pass();
  expect(h.mutations("batchRebootServers")).toHaveLength(0);
  expect(textOf(h.latest("/ecs reboot web-03 --hard --window maint"))).toContain("Scheduled:");
  h.clock.advance(10 * MINUTE);
  await pass();
  await h.waitCard("/ecs reboot web-03", (t) => t.includes("Done"));
  expect(h.mutations("batchRebootServers")).toHaveLength(1);
});

const STAGED = (cals: string) => `version: 1
defaults:
  approvers: { groups: [ops-approvers] }
  expires_in: 30m
  reason_required: false
${cals}rules:
  - id: hard-reboot-in-stages
    description: A forced reboot is approved by a team lead, then by security.
    actions: [ecs:cloudServers:reboot]
    match: { flags: { hard: true } }
    effect:
      require_approval:
        stages:
          - { name: team lead, approvers: { groups: [ops-approvers] }, min_approvals: 1 }
          - { name: security, approvers: { groups: [sre] }, min_approvals: 1, expires_in: 2h }
`;

it("staged: the last stage cannot be completed after the start; the card names the start as the deadline", async () => {
  await h.policy.replace(STAGED(calendars([5000, 5010], [60, 120])));
  const command = "/ecs reboot db-02 --hard --window maint";
  await h.command("reboot db-02 --hard --window maint");
  const card = await h.waitCard(command, (t) => t.includes("stage"));
  h.clock.advance(5 * MINUTE);
  expect((await h.click(card, APPROVE, IDS.bob)).status).toBe(200);
  await h.ops.idle();
  // Security's 2 hours would end after the window opens: the card says the start is the deadline.
  const afterFirst = await h.waitCard(command, (t) => t.includes("1 of 1, approved by"));
  const request = (await h.store.get<ApprovalRequest>(`approval:${requestIdOf(card)}`))?.value;
  const runAt = request?.schedule?.runAt ?? 0;
  expect(request?.expiresAt).toBe(runAt);
  expect(textOf(afterFirst)).toContain(
    `Approve before <!date^${Math.floor(runAt / 1000)}^{date_short_pretty} {time}|`,
  );
  expect(textOf(afterFirst)).toContain("(its start time), or it lapses");

  // 40 minutes after the start, security clicks: too late, nothing runs.
  h.clock.advance(95 * MINUTE);
  const before = h.ephemeralTexts(IDS.erin).length;
  expect((await h.click(card, APPROVE, IDS.erin)).status).toBe(200);
  await h.fake.waitFor(() => h.ephemeralTexts(IDS.erin).slice(before)[0]);
  await h.ops.sweepExpired();
  await h.waitCard(command, (t) => t.includes("Lapsed"));
  await pass();
  expect(h.mutations("batchRebootServers")).toHaveLength(0);
});

it("a scheduled change whose last approval came after its start time does not run, and the thread says why", async () => {
  await withCalendars([5000, 5010], [60, 120]);
  const card = await approvedInWindow("web-04");
  // A record approved under the old rules: its approval counted 10 minutes after the start.
  const key = `approval:${requestIdOf(card)}`;
  await h.store.update<ApprovalRequest>(
    key,
    (current) => {
      if (current === undefined) return NO_CHANGE;
      const r = current.value;
      const runAt = r.schedule?.runAt ?? 0;
      return { ...r, approvals: r.approvals.map((a) => ({ ...a, at: runAt + 10 * MINUTE })) };
    },
    { retries: 5 },
  );
  h.clock.advance(61 * MINUTE);
  await pass();
  await h.waitCard("/ecs reboot web-04", (t) => t.includes("Not run — could not start in time"));
  await h.fake.waitFor(() => threadText(card).includes("after its start time"));
  expect(threadText(card)).toContain("Not run: its approval was complete only at <!date^");
  expect(h.mutations("batchRebootServers")).toHaveLength(0);
});

it("a scheduled change that needed no approval: its requester and an on-call approver may cancel it, as the notice and the refusal say", async () => {
  await withCalendars([5000, 5010], [60, 120]);
  const at = iso(180).replace(/\.\d+Z$/, "Z");
  const command = `/ecs stop web-03 --at ${at}`;
  const notices = h.ephemeralTexts(IDS.alice).length;
  await h.command(`stop web-03 --at ${at}`);
  const card = await h.waitCard(command, (t) => t.includes("Scheduled:"));
  const notice = await h.fake.waitFor(() =>
    h
      .ephemeralTexts(IDS.alice)
      .slice(notices)
      .find((t) => t.startsWith("Scheduled:")),
  );
  expect(notice).toContain(
    "I posted it in the channel; until then you, or an approver, can cancel it from its card.",
  );

  // Dave approves nothing: he is told who can, and it stays scheduled.
  const before = h.ephemeralTexts(IDS.dave).length;
  expect((await h.click(card, CANCEL, IDS.dave)).status).toBe(200);
  const said = await h.fake.waitFor(() => h.ephemeralTexts(IDS.dave).slice(before)[0]);
  expect(said).toContain(
    "Only the requester (<@U_ALICE>) or an approver can cancel this scheduled change: someone the policy as it is now accepts as an approver of *stop* web-03 (`@ops-approvers`).",
  );
  await h.bot.idle();
  await h.ops.idle();
  expect(textOf(h.latest(command))).toContain("Scheduled:");

  // Bob, an on-call approver, may: the requester may be away.
  expect((await h.click(card, CANCEL, IDS.bob)).status).toBe(200);
  await h.waitCard(command, (t) => t.includes("Cancelled by <@U_BOB>"));
});

it("the card's deadline two days ahead names its day, not only the time", async () => {
  // The window opens in two days; three days to approve: the start is the deadline.
  await h.policy.replace(
    h.shipped
      .replace(/^calendars:\n/m, calendars([5000, 5010], [2 * 1440, 2 * 1440 + 120]))
      .replace(/^ {2}expires_in: 30m$/m, "  expires_in: 3d"),
  );
  await h.command("reboot web-03 --hard --window maint");
  const card = await h.waitCard("/ecs reboot web-03 --hard --window maint", (t) => t.includes("0 of 1"));
  const line = textOf(card)
    .split("\n")
    .find((l) => l.includes("Approve before"));
  expect(line).toMatch(
    /^Approve before <!date\^\d+\^\{date_short_pretty\} \{time\}\|\d{4}-\d\d-\d\d \d\d:\d\d UTC> \(its start time\), or it lapses/,
  );
  expect((await h.click(card, CANCEL, IDS.alice)).status).toBe(200);
  await h.waitCard("/ecs reboot web-03 --hard --window maint", (t) => t.includes("Cancelled"));
});
