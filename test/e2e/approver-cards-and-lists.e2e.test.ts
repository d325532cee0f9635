/**
 * What an approver reads on a busy day, over signed HTTP against the fake Slack and the simulated cloud:
 * `/ops approvals` and the Home tab fit their entries within the message's budget and say themselves how many
 * they left out (never the renderer's "message shortened"), without promising a list that shows them; a card
 * not run because the policy is stricter names the rule by ID and description (its file and line stay in the
 * audit) and an approval that no longer counts as a real mention, saying why; a card after a delete shows the
 * servers as the run left them.
 */
import { afterAll, beforeAll, beforeEach, expect, it } from "vitest";
import { MAX_LISTED_APPROVALS } from "../../src/operations/build-approval-list-view.js";
import { sendEvent } from "../helpers/slack-requests.js";
import { type ApprovalHarness, startApprovalHarness } from "../helpers/start-approval-harness.js";
import { IDS, textOf } from "./helpers/operations-harness.js";

const APPROVE = "ops.approval.approve";
let h: ApprovalHarness;
beforeAll(async () => {
  h = await startApprovalHarness();
});
afterAll(async () => {
  await h?.close();
});
beforeEach(() => h.reset());

it("/ops approvals with many pending lists what fits and says how many more, itself; the Home tab promises nothing more", async () => {
  // Twelve different changes (the same change asked again would answer with a link to the first, not a card).
  const flavors = ["s6.large.2", "c7.large.2", "c7.xlarge.2", "m6.large.8", "c7.2xlarge.4"];
  const asks = [
    ...flavors.map((f) => `web-03 ${f}`),
    "web-03 s6.xlarge.2",
    ...flavors.map((f) => `web-04 ${f}`),
    "web-04 m6.2xlarge.8",
  ];
  const pending = asks.length;
  const why = `INC-${"9".repeat(4)}: ${"long explanation of the change ".repeat(7)}`;
  for (const [i, ask] of asks.entries()) {
    await h.command(`resize ${ask} --reason "${why} ${String(i)}"`);
    await h.fake.waitFor(() => h.fake.messages(IDS.ops).length > i || undefined);
  }
  await h.bot.idle();
  await h.ops.idle();

  await h.command("approvals", { user: IDS.bob, command: "/ops" });
  const answer = await h.fake.waitFor(() => h.fake.ephemerals({ user: IDS.bob }).at(-1));
  const text = textOf(answer);
  expect(text).not.toContain("message shortened");
  expect(text).toContain(`*Waiting for your approval* (${String(pending)})`);
  const shown = (text.match(/asks to \*resize\*/g) ?? []).length;
  expect(shown).toBeGreaterThan(0);
  // Fewer than the list's own cap: the entries' size, not the count, limited it.
  expect(shown).toBeLessThan(MAX_LISTED_APPROVALS);
  expect(text).toContain(`…and ${String(pending - shown)} more waiting for your approval not shown here.`);
  expect(text).toContain("The oldest are listed first");
  // Every entry shown keeps its buttons.
  const approveButtons = (answer?.blocks ?? []).flatMap((b) =>
    ((b as { elements?: { action_id?: string }[] }).elements ?? []).filter((e) =>
      e.action_id?.startsWith(APPROVE),
    ),
  );
  expect(approveButtons).toHaveLength(shown);

  // Alice's own requests on her Home tab: what is left out is counted, and no list is promised to show it.
  await sendEvent(h.eventsUrl, h.fake.signingSecret, h.fake.buildAppHomeOpened(IDS.alice));
  const home = await h.fake.waitFor(() => h.fake.homeView(IDS.alice));
  const homeText = textOf({ blocks: home.view.blocks as unknown[] });
  expect(homeText).toContain(`*Your open requests* (${String(pending)})`);
  expect(homeText).toContain("more not shown here. The oldest are listed first");
  expect(homeText).not.toContain("lists them");
  expect(homeText).not.toContain("message shortened");
});

it("not run because the policy is stricter: the card names the rule by ID and description, not its file", async () => {
  await h.command("resize web-03 s6.large.2");
  const card = await h.waitCard("/ecs resize web-03 s6.large.2", (t) => t.includes("Approval needed"));
  h.sim.control.setServer(h.serverId("web-03"), { tags: { env: "prod" } });
  await h.click(card, APPROVE, IDS.bob);
  const revoked = await h.waitCard("/ecs resize web-03 s6.large.2", (t) => t.includes("Not run"));
  const text = textOf(revoked);
  expect(text).toMatch(/the rule `prod-needs-one-more` applies now: \S/);
  expect(text).not.toContain("policy.yml");
  // What changed is named: the servers (their tags), not "the policy".
  const thread = await h.fake.waitFor(() =>
    h.replies(card).find((m) => textOf(m).includes("Not run — the servers changed.")),
  );
  expect(textOf(thread)).not.toContain("policy.yml");
  // The audit keeps where the rule is written.
  const [entry] = await h.audit.query({ type: "request.revoked", limit: 1 });
  expect(JSON.stringify(entry)).toMatch(/policy\.yml:\d+/);
});

it("an approval that no longer counts is a real mention on the card, with the group it was given as", async () => {
  await h.command("delete web-04");
  const card = await h.waitCard("/ecs delete web-04", (t) => t.includes("Approval needed"));
  await h.click(card, APPROVE, IDS.bob);
  await h.fake.waitFor(() => h.replies(card).find((m) => textOf(m).includes("approved (1 of 2)")));
  await h.setUserGroupMembers("ops-approvers", [IDS.carol, IDS.erin]);
  await h.click(card, APPROVE, IDS.carol);
  // Judged again at the completing click: Bob's approval stops counting and the request waits for another.
  const lapsed = await h.waitCard("/ecs delete web-04", (t) => t.includes("no longer counts"));
  expect(textOf(lapsed)).toContain(
    `The approval of <@${IDS.bob}> no longer counts: they were no longer among its approvers`,
  );
  expect(textOf(lapsed)).toContain("(it asked `@ops-approvers`)");
  expect(textOf(lapsed)).not.toContain(`@${IDS.bob} no longer`);
  expect(h.mutations("deleteServers")).toHaveLength(0);
});

it("after a delete runs, the card shows the servers as it left them: gone, not ACTIVE", async () => {
  await h.command("delete web-03");
  const card = await h.waitCard("/ecs delete web-03", (t) => t.includes("Approval needed"));
  expect(textOf(card)).toContain("ACTIVE");
  await h.click(card, APPROVE, IDS.bob);
  await h.fake.waitFor(() => h.replies(card).find((m) => textOf(m).includes("approved (1 of 2)")));
  await h.click(card, APPROVE, IDS.carol);
  const done = await h.waitCard("/ecs delete web-03", (t) => t.includes("Done"));
  await h.ops.idle();
  const text = textOf(h.fake.message(done.channel, done.ts));
  expect(text).toContain(":wastebasket:");
  expect(text).toContain("no longer exists");
  expect(text).not.toContain("ACTIVE");
});
