/**
 * The card of a request whose completing approval found an earlier one no longer qualifying (goldens): the
 * count leaves it out, and a line says whose approval no longer counts, for which stage, and why (the approvers
 * it is no longer among, when it was checked). Names are escaped; the thread reply says it too.
 */
import { describe, expect, it } from "vitest";
import type { ApprovalRequest } from "../../src/approvals/approval-request.js";
import { buildDecisionReply } from "../../src/operations/build-decision-reply.js";
import { buildRequestCard } from "../../src/operations/build-request-card.js";
import { renderBlockKit } from "../../src/render/render-block-kit.js";
import { renderMrkdwn } from "../../src/render/render-mrkdwn.js";
import { makeLeadAndSecurityStages } from "../helpers/make-lead-and-security-stages.js";
import { collectMrkdwn, expectValidBlockKit, toGoldenJson } from "../render/block-kit-test-helpers.js";
import { makeDetails, makeRequest, T0 } from "./fixtures.js";

const GROUP_IDS = { "ops-approvers": "S_OPS_APPROVERS", sre: "S_SRE" };

const lapsedBob = {
  userId: "U_BOB",
  at: T0 + 60_000,
  lapsedAt: T0 + 300_000,
  reason: "not_an_approver" as const,
};

const pending = makeRequest({
  approvals: [{ userId: "U_CAROL", at: T0 + 300_000 }],
  lapsedApprovals: [lapsedBob],
  version: 3,
});

const STAGE_NAME = "team <lead> *one*";
const staged = makeRequest({
  commandText: "/ecs reboot web-03 --hard",
  action: "ecs:cloudServers:reboot",
  parameters: { hard: true },
  targets: [makeRequest().targets[0]!],
  requester: { userId: "U_DAVE", teamId: "T0001" },
  requirement: {
    approvers: { users: [], groups: ["ops-approvers", "sre"] },
    minApprovals: 2,
    allowSelfApproval: false,
    expiresInMs: 30 * 60_000,
    reasonRequired: false,
    stages: makeLeadAndSecurityStages({ lead: STAGE_NAME }),
  },
  approvals: [{ userId: "U_ERIN", at: T0 + 300_000, stage: "security" }],
  lapsedApprovals: [{ ...lapsedBob, stage: STAGE_NAME }],
  version: 3,
});

const CASES: [string, ApprovalRequest][] = [
  ["pending-lapsed", pending],
  ["staged-lapsed", staged],
  [
    "approved-after-lapse",
    {
      ...pending,
      status: "approved",
      approvals: [...pending.approvals, { userId: "U_ERIN", at: T0 + 400_000 }],
    },
  ],
];

const textOf = (request: ApprovalRequest) =>
  collectMrkdwn(
    renderBlockKit(buildRequestCard({ request, details: makeDetails(), groupIds: GROUP_IDS })),
  ).join("\n");

describe("the card after an approval stopped counting, golden", () => {
  it.each(CASES)("%s", async (name, request) => {
    const kit = renderBlockKit(buildRequestCard({ request, details: makeDetails(), groupIds: GROUP_IDS }));
    expectValidBlockKit(kit);
    await expect(toGoldenJson(kit)).toMatchFileSnapshot(`golden/card-${name}.json`);
  });

  it("counts only the approvals that qualify, and says whose no longer counts and why", () => {
    const text = textOf(pending);
    expect(text).toContain("*Approvals: 1 of 2*");
    expect(text).toContain("approved by: <@U_CAROL>");
    expect(text).toContain(
      ":warning: The approval of <@U_BOB> no longer counts: they were no longer among its approvers at <!date^",
    );
    expect(text).toContain("(it asked `@ops-approvers`)");
    // Approve is still offered: the request waits.
    expect(JSON.stringify(buildRequestCard({ request: pending, details: makeDetails() }))).toContain(
      "ops.approval.approve",
    );
  });

  it("a staged card names the stage the approval counted for, escaped, and waits on it again", () => {
    const text = textOf(staged);
    expect(text).toContain("now: team &lt;lead&gt;");
    expect(text).toContain(":arrow_right: 1. team &lt;lead&gt;");
    expect(text).toContain(":white_check_mark: 2. security: 1 of 1, approved by <@U_ERIN>");
    expect(text).toMatch(
      /:warning: The approval of <@U_BOB> for team &lt;lead&gt; .*one.* no longer counts: they were no longer among its approvers at .*\(it asked `@ops-approvers`\)/,
    );
    expect(text).not.toContain("<lead>");
  });
});

describe("the thread reply of the approval that found it", () => {
  it("says who approved, the count that qualifies, and whose approval no longer counts", () => {
    const reply = buildDecisionReply(pending, [
      {
        type: "approval_recorded",
        userId: "U_CAROL",
        at: T0 + 300_000,
        count: 1,
        required: 2,
        lapsed: [lapsedBob],
      },
    ]);
    const text = renderMrkdwn(reply?.text ?? []);
    expect(text).toContain("<@U_CAROL> approved (1 of 2).");
    expect(text).toContain(
      ":warning: The approval of <@U_BOB> no longer counts: they are no longer among its approvers.",
    );
    expect(text).not.toContain("approved and runs");
  });
});
