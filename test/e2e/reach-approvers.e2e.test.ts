/**
 * People are reached: the approvers are mentioned as a user group (or messaged, with `notify_approvers: dm`),
 * every decision is a reply in the request's thread, and the requester is mentioned when it is decided and
 * when it finishes. Every Approve of a change asks for a confirmation naming it. Signed HTTP, fake Slack, sim.
 */
import { afterAll, beforeAll, beforeEach, expect, it } from "vitest";
import { createApprovalService } from "../../src/approvals/approval-service.js";
import type { FakeSlackMessage } from "../../src/sandbox/slack/index.js";
import { readRequestId } from "../helpers/read-request-id.js";
import { type ApprovalHarness, startApprovalHarness } from "../helpers/start-approval-harness.js";
import { actionIdsOf, IDS, textOf } from "./helpers/operations-harness.js";

const APPROVE = "ops.approval.approve";
const REJECT = "ops.approval.reject";
const CANCEL = "ops.approval.cancel";
let h: ApprovalHarness;
beforeAll(async () => {
  h = await startApprovalHarness();
});
afterAll(async () => {
  await h?.close();
});
beforeEach(() => h.reset());

const threadTexts = (card: FakeSlackMessage) => h.replies(card).map(textOf);
function reply(card: FakeSlackMessage, needle: string): Promise<string> {
  return h.fake.waitFor(() => threadTexts(card).find((t) => t.includes(needle)));
}

it("the approver group is mentioned in the first post (which notifies), in its blocks and its text", async () => {
  await h.command("delete web-03");
  const card = await h.waitCard("/ecs delete web-03", (t) => t.includes("Approval needed"));
  const first = card.history[0]!;
  const mention = `<!subteam^${IDS.opsApprovers}>`;
  expect(first.text).toContain(mention);
  expect(JSON.stringify(first.blocks)).toContain(mention);
  expect(JSON.stringify(card.blocks)).toContain(mention);
});

it("a request for approval is posted once, as its card: one chat.postMessage, no edit", async () => {
  await h.command("resize web-03 s6.large.2");
  const card = await h.waitCard("/ecs resize web-03 s6.large.2", (t) => t.includes("Approval needed"));
  // The first post is the card itself, buttons and all; the text that notifies asks the approvers.
  expect(card.history).toHaveLength(1);
  expect(actionIdsOf(card)).toEqual(expect.arrayContaining([APPROVE, REJECT, CANCEL]));
  expect(card.text).toContain(`<!subteam^${IDS.opsApprovers}>`);
  expect(card.text).toContain(`<@${IDS.alice}> asks`);
  expect(h.fake.calls("chat.postMessage")).toHaveLength(1);
  expect(h.fake.calls("chat.update")).toHaveLength(0);
  // It is recorded under the ID its buttons carry, with the message it was posted as.
  const approvals = createApprovalService({ store: h.store, clock: h.clock, audit: h.audit });
  const request = await approvals.get(readRequestId(card));
  expect(request?.message).toEqual({ channel: card.channel, ts: card.ts });
  expect(request?.status).toBe("pending");
});

it("every decision is a thread reply; the requester hears of approval and of the end", async () => {
  await h.command("delete web-03");
  const card = await h.waitCard("/ecs delete web-03", (t) => t.includes("Approval needed"));
  await h.click(card, APPROVE, IDS.bob);
  expect(await reply(card, "approved (1 of 2)")).toContain(`<@${IDS.bob}> approved (1 of 2).`);
  await h.click(card, APPROVE, IDS.carol);
  const approved = await reply(card, "approved (2 of 2)");
  expect(approved).toContain(
    `<@${IDS.carol}> approved (2 of 2): <@${IDS.alice}>, your request is approved and runs now.`,
  );
  const finished = await reply(card, "your request finished");
  expect(finished).toContain(`<@${IDS.alice}>`);
  expect(finished).toContain("1 deleted");
  // One reply per decision, whatever else the thread holds.
  expect(threadTexts(card).filter((t) => t.includes("approved ("))).toHaveLength(2);
});

it("a rejection (its reason inert) and a cancellation are replies too", async () => {
  await h.command("resize web-03 s6.large.2");
  const card = await h.waitCard("/ecs resize web-03 s6.large.2", (t) => t.includes("Approval needed"));
  await h.click(card, REJECT, IDS.bob);
  await h.submitReason(IDS.bob, readRequestId(card), "not today <@U_DAVE> <!channel>");
  const rejected = await reply(card, "rejected:");
  expect(rejected).toContain(`<@${IDS.bob}> rejected: not today`);
  expect(rejected).toContain(`<@${IDS.alice}>, nothing was done.`);
  expect(rejected).not.toContain("<@U_DAVE>");
  expect(rejected).not.toContain("<!channel>");

  await h.command("resize web-04 s6.large.2");
  const other = await h.waitCard("/ecs resize web-04 s6.large.2", (t) => t.includes("Approval needed"));
  await h.click(other, CANCEL, IDS.alice);
  expect(await reply(other, "Cancelled by")).toContain(`Cancelled by <@${IDS.alice}>. Nothing was done.`);
});

it("notify_approvers: dm — each possible approver gets a direct message with a link to the card", async () => {
  await h.policy.replace(h.shipped.replace("  notify_approvers: mention\n", "  notify_approvers: dm\n"));
  await h.command('delete web-03 --reason "decommissioned, CHG-88"');
  const card = await h.waitCard("/ecs delete web-03", (t) => t.includes("Approval needed"));
  const dms = await h.fake.waitFor(() => {
    const bob = h.fake.messages(`D_BOB`);
    const carol = h.fake.messages(`D_CAROL`);
    return bob.length > 0 && carol.length > 0 ? [...bob, ...carol] : undefined;
  });
  for (const dm of dms) {
    expect(textOf(dm)).toContain(`<@${IDS.alice}> asks for your approval`);
    // Why, in the requester's words: the approver decides from the message too.
    expect(textOf(dm)).toContain("*Why:* decommissioned, CHG-88");
    expect(JSON.stringify(dm.blocks)).toContain(`/archives/${IDS.ops}/p${card.ts.replace(".", "")}`);
  }
  // The requester is not asked; the group is named, not mentioned, on the card.
  expect(h.fake.messages("D_ALICE")).toEqual([]);
  expect(JSON.stringify(card.history[0]?.blocks)).not.toContain("<!subteam^");
});

it("every Approve of a change asks for a confirmation naming the action, the servers and the options", async () => {
  const web03 = h.serverId("web-03").slice(0, 8);
  const forced = "\n*Options:* forced (hard): unsaved data can be lost";
  for (const [command, confirm, danger] of [
    ["stop web-03 --hard", `Stop web-03 (${web03}…)?${forced}`, false],
    ["reboot web-03 --hard", `Reboot web-03 (${web03}…)?${forced}`, false],
    ["resize web-03 s6.large.2", `Resize web-03 (${web03}…)?\n*Options:* new flavor s6.large.2`, false],
    [
      "delete web-03 --delete-volume",
      `Delete web-03 (${web03}…)? This cannot be undone.\n*Options:* data disks deleted too · EIPs kept`,
      true,
    ],
  ] as const) {
    await h.command(command);
    const card = await h.waitCard(`/ecs ${command}`, (t) => t.includes("Approval needed"));
    const approve = (card.blocks ?? [])
      .flatMap((b) => ((b as { elements?: unknown[] }).elements ?? []) as Record<string, never>[])
      .find((e) => (e as { action_id?: string }).action_id === APPROVE) as
      | { confirm?: { text: { text: string }; style?: string } }
      | undefined;
    expect(approve?.confirm?.text.text, command).toBe(confirm);
    expect(approve?.confirm?.style === "danger", command).toBe(danger);
    await h.click(card, CANCEL, IDS.alice);
  }
});

it("/ecs reboot tag:role=batch with one SHUTOFF member reboots the others and says it left that one out", async () => {
  h.sim.control.setServer(h.serverId("web-03"), { tags: { env: "dev", role: "batch" } });
  h.sim.control.setServer(h.serverId("web-04"), { tags: { env: "dev", role: "batch" }, status: "SHUTOFF" });
  await h.command("reboot tag:role=batch");
  const card = await h.waitCard("/ecs reboot tag:role=batch", (t) => t.includes("Done"));
  expect(textOf(card)).toContain("web-04: is SHUTOFF; it will be left out of the reboot");
  const reboots = h.mutations("batchRebootServers");
  expect(reboots).toHaveLength(1);
  expect(reboots[0]?.mutation?.serverIds).toEqual([h.serverId("web-03")]);
  expect(h.sim.control.server("web-04")?.status).toBe("SHUTOFF");
});
