/**
 * What approvers read stays true while the request moves on, over signed HTTP against the fake Slack and the
 * simulated cloud. Under `notify_approvers: dm` each approval updates the direct messages it changes, once:
 * the clicker's says they approved and what remains, the others of the same stage show the new count, a
 * completed stage's approvers are told it no longer waits for them, and the next stage's fresh messages are
 * left alone. The card's expiry line, drawn again 20 minutes into a 30-minute approval, still says the truth.
 */
import { readFile } from "node:fs/promises";
import { afterAll, beforeAll, beforeEach, expect, it } from "vitest";
import { SOFT_POWER_RULE, stagedRebootPolicy } from "../helpers/staged-reboot-policy.js";
import {
  IDS,
  type OperationsHarness,
  resetApprovalWorld,
  startOperationsHarness,
  textOf,
} from "./helpers/operations-harness.js";

const APPROVE = "ops.approval.approve";

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
  await resetApprovalWorld(h);
});

/** The one direct message the bot sent in `channel`, as it reads now. */
function dmOf(channel: string): string {
  const messages = h.fake.messages(channel);
  expect(messages).toHaveLength(1);
  return textOf(messages[0]);
}
/** How many times the bot edited its messages in `channel`. */
const updatesIn = (channel: string) =>
  h.fake.calls("chat.update").filter((c) => c.args.channel === channel).length;
/** Waits until the DM in `channel` says `needle`, and returns it. */
const dmSaying = (channel: string, needle: string) =>
  h.fake.waitFor(() => {
    const text = textOf(h.fake.messages(channel).at(-1));
    return text.includes(needle) ? text : undefined;
  });

it("two approvals of two: after each click, both messages say where the approvals stand, updated once each", async () => {
  await h.policy.replace(shipped.replace("  notify_approvers: mention\n", "  notify_approvers: dm\n"));
  await h.command("delete web-03 web-04");
  const card = await h.waitCard("/ecs delete web-03 web-04", (t) => t.includes("Approval needed"));
  await dmSaying(IDS.dmBob, "approvals 0 of 2 (nobody yet)");
  await dmSaying(IDS.dmCarol, "approvals 0 of 2 (nobody yet)");
  await h.ops.idle();

  await h.click(card, APPROVE, IDS.bob);
  await h.fake.waitFor(() => h.replies(card).find((m) => textOf(m).includes("approved (1 of 2)")));
  const bob = await dmSaying(IDS.dmBob, "You approved");
  expect(bob).toContain(
    `:ballot_box_with_check: You approved <@${IDS.alice}>'s request \`/ecs delete web-03 web-04\``,
  );
  expect(bob).toContain(`approvals 1 of 2 (<@${IDS.bob}>) · expires <!date^`);
  expect(bob).not.toContain("asks for your approval");
  const carol = await dmSaying(IDS.dmCarol, "1 of 2");
  expect(carol).toContain("asks for your approval");
  expect(carol).toContain(`approvals 1 of 2 (<@${IDS.bob}>)`);
  await h.ops.idle();
  expect(updatesIn(IDS.dmBob)).toBe(1);
  expect(updatesIn(IDS.dmCarol)).toBe(1);

  await h.click(card, APPROVE, IDS.carol);
  await h.waitCard("/ecs delete web-03 web-04", (t) => t.includes("Done"));
  await h.ops.idle();
  for (const channel of [IDS.dmBob, IDS.dmCarol]) {
    const closed = await dmSaying(channel, "and run (succeeded)");
    expect(closed).toMatch(/^:white_check_mark: No longer waiting for you: /);
    expect(closed).toContain(`approved by <@${IDS.bob}>, <@${IDS.carol}>`);
    expect(dmOf(channel)).toBe(closed);
  }
});

it("staged: the approval that completes the team-lead stage closes that stage's messages; security's are left alone", async () => {
  await h.policy.replace(stagedRebootPolicy("dm", SOFT_POWER_RULE));
  const command = "/ecs reboot web-03 --hard";
  await h.command("reboot web-03 --hard", { user: IDS.dave });
  const card = await h.waitCard(command, (t) => t.includes("Approval needed"));
  await dmSaying(IDS.dmBob, "stage *team lead* (1 of 2): 0 of 1 (nobody yet)");
  await dmSaying(IDS.dmCarol, "stage *team lead* (1 of 2): 0 of 1 (nobody yet)");
  await h.ops.idle();

  await h.click(card, APPROVE, IDS.bob);
  const bob = await dmSaying(IDS.dmBob, "You approved");
  expect(bob).toContain(
    `:ballot_box_with_check: You approved stage *team lead* of <@${IDS.dave}>'s request \`${command}\`: it is complete.`,
  );
  expect(bob).toContain("The stages after it: *security*.");
  const carol = await dmSaying(IDS.dmCarol, "No longer waiting for you");
  expect(carol).toContain(
    `:fast_forward: No longer waiting for you: stage *team lead* of <@${IDS.dave}>'s request \`${command}\` is complete (approved by <@${IDS.bob}>).`,
  );
  expect(carol).not.toContain("asks for your approval");
  for (const channel of [IDS.dmErin, IDS.dmAlice])
    expect(await dmSaying(channel, "stage *security* (2 of 2): 0 of 1 (nobody yet)")).toContain(
      "asks for your approval",
    );
  await h.ops.idle();
  // Only the messages the approval changed were edited, once each.
  expect([IDS.dmBob, IDS.dmCarol, IDS.dmErin, IDS.dmAlice].map(updatesIn)).toEqual([1, 1, 0, 0]);

  await h.click(card, APPROVE, IDS.erin);
  await h.waitCard(command, (t) => t.includes("Done"));
  await h.ops.idle();
  for (const channel of [IDS.dmBob, IDS.dmCarol, IDS.dmErin, IDS.dmAlice]) {
    const closed = await dmSaying(channel, "and run (succeeded)");
    expect(closed).toContain(
      `:white_check_mark: No longer waiting for you: <@${IDS.dave}>'s request \`${command}\` was approved by <@${IDS.bob}>, <@${IDS.erin}>`,
    );
    expect(dmOf(channel)).toBe(closed);
  }
});

it("the card drawn again 20 minutes into a 30-minute approval says when it expires, not 'in 30m'", async () => {
  await h.policy.replace(shipped);
  await h.command("delete web-03 web-04");
  const card = await h.waitCard("/ecs delete web-03 web-04", (t) => t.includes("Approval needed"));
  const expiryLine = (text: string) => text.split("\n").find((l) => l.startsWith("Expires")) ?? "";
  const first = expiryLine(textOf(card));
  expect(first).toMatch(/^Expires <!date\^\d+\^.*> \(30m after it was asked\)/);
  h.clock.advance(20 * 60_000);
  await h.click(card, APPROVE, IDS.bob);
  const redrawn = await h.fake.waitFor(() => {
    const t = textOf(h.fake.message(card.channel, card.ts));
    return t.includes("*Approvals: 1 of 2*") ? t : undefined;
  });
  // The same moment, worded the same: true 20 minutes later as it was when asked.
  expect(expiryLine(redrawn)).toBe(first);
  expect(redrawn).not.toContain("(in 30m)");
});
