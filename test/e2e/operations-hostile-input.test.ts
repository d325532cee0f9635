/**
 * Hostile input around approvals, over signed HTTP against the fake Slack and the simulated cloud: modal
 * callback IDs are matched exactly (a look-alike never reaches the rejection handler), and a rejection reason
 * stays untrusted text in every notice, on the card and in the audit view.
 */
import { afterAll, beforeAll, beforeEach, expect, it } from "vitest";
import { readRequestId } from "../helpers/read-request-id.js";
import { sendViewSubmission } from "../helpers/slack-requests.js";
import { IDS, type OperationsHarness, startOperationsHarness, textOf } from "./helpers/operations-harness.js";

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

const APPROVE = "ops.approval.approve";
const REJECT = "ops.approval.reject";

/** Everything the bot said anywhere (channel messages, thread replies, ephemerals), as one text. */
function everythingSaid(): string {
  const channel = h.fake.messages(IDS.ops).map((m) => textOf(m));
  const ephemerals = [IDS.alice, IDS.bob, IDS.carol, IDS.dave].flatMap((u) => h.ephemeralTexts(u));
  return [...channel, ...ephemerals].join("\n");
}

it("a modal whose callback ID only starts like the rejection modal's is handled by nobody, never as a rejection", async () => {
  await h.command("resize web-03 s6.large.2");
  const card = await h.waitCard("/ecs resize web-03 s6.large.2", (t) => t.includes("Approval needed"));
  const id = readRequestId(card);
  await h.click(card, REJECT, IDS.bob);
  const modal = await h.fake.waitFor(() =>
    h.fake.views({ user: IDS.bob }).find((v) => v.callbackId === REJECT && v.privateMetadata === id),
  );

  for (const callbackId of [APPROVE, "ops.approval", "ops.approval.reject.extra", "ops.approval.reject2"]) {
    const result = await sendViewSubmission(
      h.eventsUrl,
      h.fake.signingSecret,
      h.fake.buildViewSubmission({
        user: IDS.bob,
        view: { ...modal.view, callback_id: callbackId },
        values: { reason: { reason: { type: "plain_text_input", value: "sneaky" } } },
      }),
    );
    expect(result.status).toBe(200);
    await h.fake.waitFor(() =>
      h.logs.find((l) => l.msg === "no handler registered for this modal" && l.view === callbackId),
    );
  }
  await h.ops.idle();
  expect(textOf(h.latest(id))).toContain("Approval needed");
  expect(textOf(h.latest(id))).not.toContain("Rejected");
  expect(h.ephemeralTexts(IDS.bob).join("\n")).not.toContain("Rejected");

  // The real modal still works.
  const ok = await h.submitReason(IDS.bob, id, "not now");
  expect(ok.status).toBe(200);
  await h.waitCard("/ecs resize web-03 s6.large.2", (t) => t.includes(`Rejected by <@${IDS.bob}>: not now`));
});

it("a rejection reason is untrusted text everywhere: the rejecter's notice, later clickers, the card, the audit", async () => {
  const reason = "ask <@U_DAVE> or <!channel> first";
  const shown = "ask &lt;@U_DAVE&gt; or &lt;!channel&gt; first";
  await h.command("resize web-04 s6.large.2");
  const card = await h.waitCard("/ecs resize web-04 s6.large.2", (t) => t.includes("Approval needed"));
  const id = readRequestId(card);
  await h.click(card, REJECT, IDS.bob);
  expect((await h.submitReason(IDS.bob, id, reason)).status).toBe(200);

  const notice = await h.fake.waitFor(() =>
    h.ephemeralTexts(IDS.bob).find((t) => t.includes("Rejected: ask")),
  );
  expect(notice).toContain(`Rejected: ${shown}`);
  const rejected = await h.waitCard("/ecs resize web-04 s6.large.2", (t) => t.includes("Rejected by"));
  expect(textOf(rejected)).toContain(`Rejected by <@${IDS.bob}>: ${shown}`);

  // Later clickers are told who rejected (a real mention) and why (text).
  await h.click(card, APPROVE, IDS.carol);
  const later = await h.fake.waitFor(() =>
    h.ephemeralTexts(IDS.carol).find((t) => t.includes("already rejected by")),
  );
  expect(later).toContain(`already rejected by <@${IDS.bob}>: ${shown}`);
  await h.click(card, REJECT, IDS.bob);
  await h.fake.waitFor(() => h.ephemeralTexts(IDS.bob).find((t) => t.includes("You already rejected")));

  await h.command("audit", { command: "/ops" });
  const audit = await h.fake.waitFor(() => h.ephemeralTexts(IDS.alice).find((t) => t.includes("Audit log")));
  expect(audit).toContain(shown);

  const all = everythingSaid();
  expect(all).not.toContain("<@U_DAVE>");
  expect(all).not.toContain("<!channel>");
  expect(h.mutations()).toHaveLength(0);
});
