/**
 * A request that needs more approvals than there are people who could give them is refused at once, over
 * signed HTTP with the fake Slack's user groups as they are now (the shipped policy: a prod delete needs 3).
 */
import { afterAll, beforeAll, beforeEach, expect, it } from "vitest";
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
  h.fake.reset();
  await h.setUserGroupMembers("ops-approvers", [IDS.bob, IDS.carol]);
});

function answer(needle: string, user: string = IDS.alice) {
  return h.fake.waitFor(() =>
    h.fake
      .ephemerals({ user })
      .map((e) => textOf(e))
      .filter((t) => t.includes(needle))
      .at(-1),
  );
}

it("/ecs delete web-01 (prod: 3 approvals) with two possible approvers is denied at once, saying why", async () => {
  const before = h.fake.messages(IDS.ops).length;
  await h.command("delete web-01");
  const text = await answer("Not allowed");
  expect(text).toContain("only 2 people could approve it, and it needs 3 approvals");
  expect(text).toContain("from @ops-approvers, not counting the requester");
  expect(text).toContain("asked for by rules `delete-needs-two-approvals`, `prod-needs-one-more`");
  // The next step is more approvers: explaining the policy again would only repeat the refusal.
  expect(text).toContain(
    "It can be asked for once enough people can approve it: a Slack admin can add people",
  );
  expect(text).not.toContain("/ops policy explain <command>");
  // No card, no request that would sit at "2 of 3" until it expires.
  expect(h.fake.messages(IDS.ops)).toHaveLength(before);
  expect(await h.store.members("approvals:status:pending")).toEqual([]);
  const [decided] = await h.audit.query({ type: "policy.decided", limit: 1 });
  expect(decided).toMatchObject({ decision: "deny", serverIds: [h.serverId("web-01")] });
});

it("the requester's own membership does not count; an approver asking leaves two others: denied too", async () => {
  await h.command("delete web-01", { user: IDS.bob });
  const text = await answer("Not allowed", IDS.bob);
  expect(text).toContain("only 1 person could approve it");
});

it("with a third member in the group the same request gets its card", async () => {
  await h.setUserGroupMembers("ops-approvers", [IDS.bob, IDS.carol, IDS.erin]);
  await h.command("delete web-01");
  const card = await h.waitCard("/ecs delete web-01", (t) => t.includes("Approve"));
  expect(textOf(card)).toContain("0 of 3");
});

it("/ops policy explain shows the same count and the refusal", async () => {
  await h.command("policy explain ecs delete web-01", { command: "/ops" });
  const denied = await answer("only 2 people could approve it");
  expect(denied).toContain("Denied");
  await h.command("policy explain ecs delete web-03", { command: "/ops" });
  const ok = await answer("Needs 2 approvals");
  expect(ok).toContain("2 people could approve it now");
});
