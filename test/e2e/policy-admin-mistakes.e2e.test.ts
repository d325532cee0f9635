/**
 * Policy mistakes an admin makes that only show at request time, over signed HTTP against the fake Slack:
 * an approver group Slack does not have (misspelt) is named as such, for the policy's owners to fix, and an
 * `allow` that another rule's approval overrides is shown as lifting nothing in `/ops policy explain`.
 */
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, beforeEach, expect, it } from "vitest";
import { IDS, type OperationsHarness, startOperationsHarness, textOf } from "./helpers/operations-harness.js";

const shipped = readFileSync("flows/policy.yml", "utf8");
const misspeltApprovers = `${shipped}
  - id: prod-approvers
    description: Only prod approvers approve prod changes.
    actions: ["ecs:cloudServers:*"]
    match: { targets: { tags: { env: prod } } }
    effect: { require_approval: { approvers: { groups: [ops-aprovers] } } }
`;
const sreStopFree = `${shipped}
  - id: sre-prod-stop-free
    description: SRE may stop prod without approval.
    actions: [ecs:cloudServers:stop]
    match: { requesters: { groups: [sre] }, targets: { tags: { env: prod } } }
    effect: allow
`;

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
  await h.policy.replace(shipped);
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

it("a request whose approver group Slack does not have says so, and who must fix it", async () => {
  await h.policy.replace(misspeltApprovers);
  const before = h.fake.messages(IDS.ops).length;
  await h.command("reboot web-01");
  const text = await answer("Not allowed");
  expect(text).toContain("nobody could approve it, and it needs 2 approvals (from @ops-aprovers");
  expect(text).toContain(
    "Slack has no enabled user group @ops-aprovers (did you mean @ops-approvers?), so the policy's owners must fix the name",
  );
  expect(h.fake.messages(IDS.ops)).toHaveLength(before);

  await h.command("policy explain ecs reboot web-01", { command: "/ops" });
  expect(await answer("Denied")).toContain("no enabled user group @ops-aprovers");
});

it("an existing but empty approver group is still for a Slack admin to fill", async () => {
  await h.policy.replace(misspeltApprovers.replace("[ops-aprovers]", "[sre]"));
  await h.setUserGroupMembers("sre", []);
  await h.command("reboot web-01");
  const text = await answer("Not allowed");
  expect(text).toContain("nobody could approve it, and it needs 2 approvals (from @sre");
  expect(text).not.toContain("no enabled user group");
  expect(text).toContain("a Slack admin can add people");
});

it("/ops policy explain says an allow overridden by another rule's approval lifts nothing", async () => {
  await h.policy.replace(sreStopFree);
  await h.setUserGroupMembers("sre", [IDS.alice]);
  await h.command("policy explain ecs stop web-01", { command: "/ops" });
  const text = await answer("Matching rules");
  const lines = text.split("\n");
  const after = (id: string) => lines[lines.findIndex((l) => l.includes(`${id}:`)) + 1] ?? "";
  expect(after("sre-prod-stop-free")).toContain(
    "_Its allow is overridden here:_ `prod-needs-one-more` asks for approval, and when rules match the strictest outcome wins",
  );
  expect(after("prod-needs-one-more")).not.toContain("overridden");
});
