/**
 * The approval that completes the count judges every approval given before it again, over signed HTTP with the
 * fake Slack, the simulated cloud and the shipped policy: an approver removed from the approvers' group between
 * the first click and the completing one no longer counts. The request stays pending, nothing runs, the card
 * and the thread say whose approval no longer counts and why, the audit keeps it; the removed approver is
 * refused at their own click and is not asked again; another approver completes it and it runs once. A staged
 * request judges each approval for its own stage and waits on the stage that lost it.
 */
import { afterAll, beforeAll, beforeEach, expect, it } from "vitest";
import { readRequestId } from "../helpers/read-request-id.js";
import { waitForEphemeral } from "../helpers/wait-for-ephemeral.js";
import {
  actionIdsOf,
  IDS,
  type OperationsHarness,
  startOperationsHarness,
  textOf,
} from "./helpers/operations-harness.js";

const APPROVE = "ops.approval.approve";

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
  await h.setUserGroupMembers("ops-approvers", [IDS.bob, IDS.carol, IDS.erin]);
  await h.setUserGroupMembers("sre", [IDS.alice, IDS.erin]);
});

const ephemeral = (user: string, needle: string) => waitForEphemeral(h, user, needle, "newest");

it("an approver removed from the group before the completing click no longer counts: nothing runs until another approves", async () => {
  await h.command("delete web-03");
  const card = await h.waitCard("/ecs delete web-03", (t) => t.includes("Approval needed"));
  expect(textOf(card)).toContain("0 of 2");
  const id = readRequestId(card);

  await h.click(card, APPROVE, IDS.bob);
  expect(await ephemeral(IDS.bob, "Approval recorded")).toContain("1 of 2");
  await h.waitCard("/ecs delete web-03", (t) => t.includes("1 of 2") && t.includes(`<@${IDS.bob}>`));

  // Bob leaves @ops-approvers (Slack announces it).
  await h.setUserGroupMembers("ops-approvers", [IDS.carol, IDS.erin]);

  // Carol's approval would complete the count: Bob's is judged again, no longer counts, nothing runs.
  await h.click(card, APPROVE, IDS.carol);
  const told = await ephemeral(IDS.carol, "nothing is approved yet");
  expect(told).toContain("Approval recorded (1 of 2)");
  expect(told).toContain(`<@${IDS.bob}>`);
  const after = await h.waitCard("/ecs delete web-03", (t) => t.includes("no longer counts"));
  const text = textOf(after);
  expect(text).toContain("Approval needed");
  expect(text).toContain("*Approvals: 1 of 2*");
  expect(text).toContain(`approved by: <@${IDS.carol}>`);
  expect(text).toContain(
    `The approval of <@${IDS.bob}> no longer counts: they were no longer among its approvers`,
  );
  expect(actionIdsOf(after)).toContain(APPROVE);
  await h.fake.waitFor(() =>
    h.replies(card).find((m) => textOf(m).includes(`The approval of <@${IDS.bob}> no longer counts`)),
  );
  await h.ops.idle();
  expect(h.mutations("deleteServers")).toEqual([]);
  expect(h.sim.control.server("web-03")).toBeDefined();

  // The audit keeps whose approval stopped counting, and why; no approval of the request.
  const [recorded] = await h.audit.query({ type: "approval.recorded", requestId: id, limit: 1 });
  expect(recorded?.actorId).toBe(IDS.carol);
  expect(recorded?.detail).toMatchObject({
    count: 1,
    required: 2,
    lapsed: [{ userId: IDS.bob, reason: "not_an_approver" }],
  });
  expect(await h.audit.query({ type: "request.approved", requestId: id, limit: 1 })).toEqual([]);

  // Bob, asked nothing more, cannot approve again: his click is judged now too.
  await h.click(card, APPROVE, IDS.bob);
  expect(await ephemeral(IDS.bob, "not an approver")).toBeTruthy();
  await h.ops.idle();
  expect(h.mutations("deleteServers")).toEqual([]);

  // Erin completes it with Carol, who still qualifies: it runs, once.
  await h.click(card, APPROVE, IDS.erin);
  const done = await h.waitCard("/ecs delete web-03", (t) => t.includes("Done"));
  expect(textOf(done)).toContain(`<@${IDS.carol}>, <@${IDS.erin}> (2 of 2)`);
  await h.ops.idle();
  expect(h.mutations("deleteServers")).toHaveLength(1);
  const [approved] = await h.audit.query({ type: "request.approved", requestId: id, limit: 1 });
  expect(approved?.detail).toEqual({ approvers: [IDS.carol, IDS.erin] });
});

it("a click that completes the count, the earlier approver still in the group: approved and run as before", async () => {
  await h.command("delete web-04");
  const card = await h.waitCard("/ecs delete web-04", (t) => t.includes("Approval needed"));
  await h.click(card, APPROVE, IDS.bob);
  await h.waitCard("/ecs delete web-04", (t) => t.includes("1 of 2"));
  const reads = h.fake.calls("usergroups.list").length;
  await h.click(card, APPROVE, IDS.carol);
  expect(await ephemeral(IDS.carol, "Approved (2 of 2)")).toBeTruthy();
  await h.waitCard("/ecs delete web-04", (t) => t.includes("Done"));
  // The clicking user and the earlier approver are judged on one read of the groups.
  expect(h.fake.calls("usergroups.list").length - reads).toBe(1);
  await h.ops.idle();
  expect(h.mutations("deleteServers")).toHaveLength(1);
});

const STAGED = `
version: 1
defaults:
  approvers: { groups: [ops-approvers] }
  expires_in: 30m
  reason_required: false
rules:
  - id: hard-reboot-in-stages
    description: A forced reboot is approved by a team lead, then by security.
    actions: [ecs:cloudServers:reboot]
    match: { flags: { hard: true } }
    effect:
      require_approval:
        stages:
          - { name: team lead, approvers: { groups: [ops-approvers] }, min_approvals: 1 }
          - { name: security, approvers: { groups: [sre] }, min_approvals: 1 }
`;

it("staged: the team lead removed before security completes; the request waits on team lead again", async () => {
  const shipped = h.policy.current;
  await h.policy.replace(STAGED);
  try {
    await h.command("reboot web-03 --hard", { user: IDS.dave });
    const card = await h.waitCard("/ecs reboot web-03 --hard", (t) => t.includes("Approval needed"));
    await h.click(card, APPROVE, IDS.bob);
    await h.waitCard("/ecs reboot web-03 --hard", (t) => t.includes("now: security"));

    // Bob leaves @ops-approvers and Slack's event is lost: the click reads the groups itself.
    h.fake.setUserGroupMembers("ops-approvers", [IDS.carol]);
    await h.click(card, APPROVE, IDS.erin);
    expect(await ephemeral(IDS.erin, "nothing is approved yet")).toContain(
      "It waits on team lead (stage 1 of 2) again.",
    );
    const after = await h.waitCard("/ecs reboot web-03 --hard", (t) => t.includes("no longer counts"));
    const text = textOf(after);
    expect(text).toContain("now: team lead");
    expect(text).toContain(`2. security: 1 of 1, approved by <@${IDS.erin}>`);
    expect(text).toContain(
      `The approval of <@${IDS.bob}> for team lead no longer counts: they were no longer among its approvers`,
    );
    await h.ops.idle();
    expect(h.mutations("batchRebootServers")).toEqual([]);

    // Carol, a team lead, completes team lead; Erin still counts for security: it runs once.
    await h.click(card, APPROVE, IDS.carol);
    await h.waitCard("/ecs reboot web-03 --hard", (t) => t.includes("Done"));
    await h.ops.idle();
    expect(h.mutations("batchRebootServers")).toHaveLength(1);
  } finally {
    h.policy.current = shipped;
  }
});
