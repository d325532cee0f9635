/**
 * Who may call off a scheduled change, end to end over signed HTTP (fake Slack, the simulated cloud, the shipped
 * policy, the harness's movable clock): a change the policy allowed without approval (a soft stop `--at` a time)
 * may be cancelled by its requester and by anyone the policy as it is now accepts as an approver of that action
 * on those servers (the shipped `defaults.approvers`: @ops-approvers), judged by user ID at the click. Anyone
 * else is told who may. The cancel is audited with who did it, the requester is told by direct message, and
 * nothing runs at the scheduled time.
 */
import { readFile } from "node:fs/promises";
import { afterAll, beforeAll, beforeEach, expect, it } from "vitest";
import type { ApprovalRequest } from "../../src/approvals/approval-request.js";
import type { FakeSlackMessage } from "../../src/sandbox/slack/index.js";
import {
  IDS,
  type OperationsHarness,
  startOperationsHarness,
  textOf,
} from "../e2e/helpers/operations-harness.js";

const CANCEL = "ops.approval.cancel";
const MINUTE = 60_000;

let h: OperationsHarness;
let shipped: string;
beforeAll(async () => {
  h = await startOperationsHarness();
  shipped = await readFile("flows/policy.yml", "utf8");
});
afterAll(async () => {
  await h?.close();
});
beforeEach(async () => {
  await h.ops.idle();
  await h.policy.replace(shipped);
  await h.setUserGroupMembers("ops-approvers", [IDS.bob, IDS.carol]);
  h.sim.control.reset();
});

const requestIdOf = (card: FakeSlackMessage) =>
  /apr_[A-Za-z0-9_-]{22,}/.exec(JSON.stringify(card.blocks))?.[0];

/** `/ecs stop <server> --at <in 3 hours>` by Alice: allowed by the policy, so scheduled at once. */
async function scheduleStop(server: string): Promise<{ card: FakeSlackMessage; command: string }> {
  const at = new Date(h.clock.now() + 3 * 60 * MINUTE).toISOString().replace(/\.\d+Z$/, "Z");
  const command = `/ecs stop ${server} --at ${at}`;
  await h.command(`stop ${server} --at ${at}`);
  const card = await h.waitCard(command, (t) => t.includes("Scheduled:"));
  const request = (await h.store.get<ApprovalRequest>(`approval:${requestIdOf(card)}`))?.value;
  // Allowed outright: no person approved it, nobody was asked to.
  expect(request?.status).toBe("approved");
  expect(request?.approvals.map((a) => a.userId)).toEqual(["system:policy"]);
  return { card, command };
}

/** The next ephemeral answer `user` gets after `before` of them. */
function answerTo(user: string, before: number): Promise<string> {
  return h.fake.waitFor(() => h.ephemeralTexts(user).slice(before)[0]);
}

it("an on-call approver cancels a change the policy allowed; a stranger is refused; nothing runs at its time", async () => {
  const { card, command } = await scheduleStop("web-03");
  const requestId = requestIdOf(card) ?? "";

  // Dave is neither the requester nor an approver: refused, told who may, and it stays scheduled.
  const daveBefore = h.ephemeralTexts(IDS.dave).length;
  expect((await h.click(card, CANCEL, IDS.dave)).status).toBe(200);
  const refused = await answerTo(IDS.dave, daveBefore);
  expect(refused).toContain(
    "Only the requester (<@U_ALICE>) or an approver can cancel this scheduled change: someone the policy as it is now accepts as an approver of *stop* web-03 (`@ops-approvers`). You are neither, so it stays scheduled.",
  );
  await h.bot.idle();
  await h.ops.idle();
  expect(textOf(h.latest(command))).toContain("Scheduled:");
  const [refusal] = await h.audit.query({ requestId, type: "click.refused", limit: 1 });
  expect(refusal).toMatchObject({ actorId: IDS.dave, message: "only_requester_can_cancel" });

  // Bob is in @ops-approvers, read at his click: he may, though nobody had to approve it.
  const bobBefore = h.ephemeralTexts(IDS.bob).length;
  expect((await h.click(card, CANCEL, IDS.bob)).status).toBe(200);
  expect(await answerTo(IDS.bob, bobBefore)).toContain("Cancelled: the scheduled change will not run.");
  await h.bot.idle();
  await h.ops.idle();
  const cancelled = await h.waitCard(command, (t) => t.includes("Cancelled"));
  expect(textOf(cancelled)).toContain("Cancelled by <@U_BOB>");
  await h.fake.waitFor(() =>
    h
      .replies(card)
      .map(textOf)
      .find((t) => t.includes("Cancelled by <@U_BOB>")),
  );

  // The audit log says who cancelled it.
  const [entry] = await h.audit.query({ requestId, type: "request.cancelled", limit: 1 });
  expect(entry).toMatchObject({ actorId: IDS.bob, requesterId: IDS.alice, requestId });

  // Alice, the requester, is told by direct message, with a link to the card.
  const dm = await h.fake.waitFor(() =>
    h.fake.messages("D_ALICE").find((m) => textOf(m).includes("cancelled your scheduled change")),
  );
  expect(textOf(dm)).toContain(`<@${IDS.bob}> cancelled your scheduled change \`${command}\``);
  expect(textOf(dm)).toContain("It will not run; nothing was done.");
  expect(JSON.stringify(dm.blocks)).toContain(`/archives/${IDS.ops}/p${card.ts.replace(".", "")}`);

  // Its time comes and goes: the periodic pass starts nothing.
  h.clock.advance(3 * 60 * MINUTE + MINUTE);
  expect(await h.ops.runScheduled()).toBe(0);
  await h.ops.idle();
  h.clock.advance(10 * MINUTE);
  await h.ops.runScheduled();
  await h.ops.idle();
  expect(h.mutations("batchStopServers")).toHaveLength(0);
  expect(textOf(h.latest(command))).toContain("Cancelled");
  expect((await h.store.get<ApprovalRequest>(`approval:${requestId}`))?.value.status).toBe("cancelled");
});

it("the requester cancels their own without a message to themselves", async () => {
  const { card, command } = await scheduleStop("web-04");
  const dmsBefore = h.fake.messages("D_ALICE").length;
  expect((await h.click(card, CANCEL, IDS.alice)).status).toBe(200);
  await h.bot.idle();
  await h.ops.idle();
  await h.waitCard(command, (t) => t.includes("Cancelled by <@U_ALICE>"));
  expect(h.fake.messages("D_ALICE")).toHaveLength(dmsBefore);
});

it("judged on the policy and the groups as they are at the click, not as they were when it was asked", async () => {
  const { card, command } = await scheduleStop("web-03");
  // The policy now names @sre (Alice, Erin) as its approvers instead of @ops-approvers (Bob, Carol).
  await h.policy.replace(shipped.replace("    groups: [ops-approvers]\n", "    groups: [sre]\n"));
  const bobBefore = h.ephemeralTexts(IDS.bob).length;
  expect((await h.click(card, CANCEL, IDS.bob)).status).toBe(200);
  expect(await answerTo(IDS.bob, bobBefore)).toContain(
    "someone the policy as it is now accepts as an approver of *stop* web-03 (`@sre`)",
  );
  await h.bot.idle();
  await h.ops.idle();
  expect(textOf(h.latest(command))).toContain("Scheduled:");

  const erinBefore = h.ephemeralTexts(IDS.erin).length;
  expect((await h.click(card, CANCEL, IDS.erin)).status).toBe(200);
  expect(await answerTo(IDS.erin, erinBefore)).toContain("Cancelled: the scheduled change will not run.");
  await h.bot.idle();
  await h.ops.idle();
  await h.waitCard(command, (t) => t.includes("Cancelled by <@U_ERIN>"));

  h.clock.advance(4 * 60 * MINUTE);
  await h.ops.runScheduled();
  await h.ops.idle();
  expect(h.mutations("batchStopServers")).toHaveLength(0);
});

it("the control: a scheduled change nobody cancels runs at its time", async () => {
  const { command } = await scheduleStop("web-04");
  h.clock.advance(3 * 60 * MINUTE - MINUTE);
  expect(await h.ops.runScheduled()).toBe(0);
  h.clock.advance(2 * MINUTE);
  expect(await h.ops.runScheduled()).toBe(1);
  await h.ops.idle();
  await h.waitCard(command, (t) => t.includes("Done"));
  expect(h.mutations("batchStopServers")).toHaveLength(1);
  // Started again for the next test.
  await h.command("start web-04");
  await h.waitCard("/ecs start web-04", (t) => t.includes("Done"));
  await h.ops.idle();
});
