/**
 * Staged approvals end to end over signed HTTP: a hard reboot needing the team lead (@ops-approvers) and
 * then security (@sre). An approval for security before the team lead has approved is refused; the stages
 * complete in order, the card lists each stage and who approved it, each stage's expiry starts when the
 * stage is reached, a stricter stage set at execution time revokes the request.
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

const STAGED = `
version: 1
defaults:
  approvers: { groups: [ops-approvers] }
  expires_in: 30m
  reason_required: false
rules:
  - id: soft-power
    description: Graceful power operations need no approval.
    actions: [ecs:cloudServers:start, ecs:cloudServers:stop, ecs:cloudServers:reboot]
    match: { flags: { hard: false } }
    effect: allow
  - id: hard-reboot-in-stages
    description: A forced reboot is approved by a team lead, then by security.
    actions: [ecs:cloudServers:reboot]
    match: { flags: { hard: true } }
    effect:
      require_approval:
        stages:
          - { name: team lead, approvers: { groups: [ops-approvers] }, min_approvals: 1 }
          - { name: security, approvers: { groups: [sre] }, min_approvals: 1, expires_in: 10m, reason_required: true }
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
  await h.setUserGroupMembers("ops-approvers", [IDS.bob, IDS.carol]);
  await h.setUserGroupMembers("sre", [IDS.alice, IDS.erin]);
  await h.policy.replace(STAGED);
});

const ephemeral = (user: string, needle: string) => waitForEphemeral(h, user, needle);

it("security approving before the team lead is refused; the stages complete in order and it runs once", async () => {
  await h.command("reboot web-03 --hard", { user: IDS.dave });
  const card = await h.waitCard("/ecs reboot web-03 --hard", (t) => t.includes("Approval needed"));
  const text = textOf(card);
  expect(text).toContain("Approval in 2 stages");
  expect(text).toContain("1. team lead: 0 of 1");
  expect(text).toContain("2. security: 0 of 1");
  const id = readRequestId(card);

  // Erin (security) first: refused, saying the request waits on the team lead.
  await h.click(card, APPROVE, IDS.erin);
  const early = await ephemeral(IDS.erin, "Not yet");
  expect(early).toContain("waits on team lead (stage 1 of 2)");
  expect(early).toContain("Your approval counts for security");
  await h.ops.idle();
  expect(textOf(h.latest(id))).toContain("1. team lead: 0 of 1");
  const [refused] = await h.audit.query({ type: "click.refused", requestId: id, limit: 1 });
  expect(refused?.detail).toMatchObject({ code: "stage_not_reached" });

  // Dave, the requester, is told the stages when he asks, and cannot approve his own request.
  expect(await ephemeral(IDS.dave, "in 2 stages")).toContain("team lead, then security");
  await h.click(card, APPROVE, IDS.dave);
  expect(await ephemeral(IDS.dave, "own request")).toBeTruthy();

  // Bob (team lead) completes stage 1; the card moves on to security.
  await h.click(card, APPROVE, IDS.bob);
  expect(await ephemeral(IDS.bob, "team lead is complete")).toContain("Next: security");
  const afterLead = await h.waitCard("/ecs reboot web-03 --hard", (t) => t.includes("now: security"));
  expect(textOf(afterLead)).toContain(`1. team lead: 1 of 1, approved by <@${IDS.bob}>`);
  expect(textOf(afterLead)).toContain("after this stage was reached");
  expect(h.mutations("batchRebootServers")).toHaveLength(0);
  await h.fake.waitFor(() =>
    h.replies(card).find((m) => textOf(m).includes("approved for team lead, which is complete")),
  );

  // Carol is a team lead too, but stage 1 is complete and she approves no other stage.
  await h.click(card, APPROVE, IDS.carol);
  expect(await ephemeral(IDS.carol, "not an approver for security")).toBeTruthy();

  // Erin again: now it counts, and completes the last stage.
  await h.click(card, APPROVE, IDS.erin);
  const done = await h.waitCard("/ecs reboot web-03 --hard", (t) => t.includes("Done"));
  expect(textOf(done)).toContain(`2. security: 1 of 1, approved by <@${IDS.erin}>`);
  expect(actionIdsOf(done)).not.toContain(APPROVE);
  await h.ops.idle();
  expect(h.mutations("batchRebootServers")).toHaveLength(1);
  const recorded = await h.audit.query({ type: "approval.recorded", requestId: id, limit: 5 });
  expect(recorded.map((r) => (r.detail as { stage?: string }).stage).sort()).toEqual([
    "security",
    "team lead",
  ]);
});

it("each stage's expiry starts when it is reached: the security stage lapses 10 minutes after the team lead", async () => {
  await h.command("reboot web-04 --hard", { user: IDS.dave });
  const card = await h.waitCard("/ecs reboot web-04 --hard", (t) => t.includes("Approval needed"));
  h.clock.advance(25 * 60_000); // still inside the first stage's 30 minutes
  await h.click(card, APPROVE, IDS.bob);
  await h.waitCard("/ecs reboot web-04 --hard", (t) => t.includes("now: security"));
  h.clock.advance(11 * 60_000);
  await h.click(card, APPROVE, IDS.erin);
  expect(await ephemeral(IDS.erin, "expired")).toBeTruthy();
  await h.waitCard("/ecs reboot web-04 --hard", (t) => t.includes("Expired"));
  expect(h.mutations("batchRebootServers")).toHaveLength(0);
});

it("rejecting at the security stage needs a reason (its rule), at the team lead stage none", async () => {
  await h.command("reboot web-03 --hard", { user: IDS.dave });
  const card = await h.waitCard("/ecs reboot web-03 --hard", (t) => t.includes("Approval needed"));
  expect(textOf(card)).not.toContain("Rejecting needs");
  await h.click(card, APPROVE, IDS.bob);
  const second = await h.waitCard("/ecs reboot web-03 --hard", (t) => t.includes("now: security"));
  expect(textOf(second)).toContain("Rejecting needs a reason");
  await h.click(card, "ops.approval.cancel", IDS.dave);
  await h.waitCard("/ecs reboot web-03 --hard", (t) => t.includes("Cancelled"));
});

it("a stage the request did not go through, added before it runs, revokes it", async () => {
  // Hold the execution: the policy changes between the last approval and the run.
  await h.command("reboot web-04 --hard", { user: IDS.dave });
  const card = await h.waitCard("/ecs reboot web-04 --hard", (t) => t.includes("Approval needed"));
  await h.click(card, APPROVE, IDS.bob);
  await h.waitCard("/ecs reboot web-04 --hard", (t) => t.includes("now: security"));
  await h.policy.replace(
    STAGED.replace(
      "expires_in: 10m, reason_required: true }",
      "expires_in: 10m, reason_required: true }\n          - { name: change board, approvers: { users: [U_CAROL] }, min_approvals: 1 }",
    ),
  );
  await h.click(card, APPROVE, IDS.erin);
  const revoked = await h.waitCard("/ecs reboot web-04 --hard", (t) => t.includes("Not run"));
  expect(textOf(revoked)).toContain("now also needs the approval stage change board");
  expect(h.mutations("batchRebootServers")).toHaveLength(0);
});

it("a stage nobody could approve is refused at request time, naming the stage", async () => {
  await h.setUserGroupMembers("sre", [IDS.dave]);
  await h.command("reboot web-03 --hard", { user: IDS.dave });
  const text = await ephemeral(IDS.dave, "Not allowed");
  expect(text).toContain("nobody could approve stage 2 (security), and it needs 1 approval");
});
