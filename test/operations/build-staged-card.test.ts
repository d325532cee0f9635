/**
 * The request card of a staged approval in each state (goldens): waiting on the first stage, the second
 * after the first completed, approved, rejected at the second stage; and a break-glass run's card.
 */
import { describe, expect, it } from "vitest";
import type { ApprovalRequest } from "../../src/approvals/approval-request.js";
import { buildRequestCard } from "../../src/operations/build-request-card.js";
import { renderBlockKit } from "../../src/render/render-block-kit.js";
import { makeLeadAndSecurityStages } from "../helpers/make-lead-and-security-stages.js";
import { collectMrkdwn, expectValidBlockKit, toGoldenJson } from "../render/block-kit-test-helpers.js";
import { makeDetails, makeRequest, T0 } from "./fixtures.js";

const GROUP_IDS = { "ops-approvers": "S_OPS_APPROVERS", sre: "S_SRE" };
const STAGES = makeLeadAndSecurityStages({ securityReasonRequired: true });
const staged = (overrides: Partial<ApprovalRequest> = {}) =>
  makeRequest({
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
      reasonRequired: true,
      stages: STAGES,
    },
    ...overrides,
  });
const LEAD = { userId: "U_BOB", at: T0 + 60_000, stage: "team lead" };
const SECURITY = { userId: "U_ERIN", at: T0 + 120_000, stage: "security" };

const CASES: [string, ApprovalRequest][] = [
  ["staged-first-stage", staged()],
  ["staged-second-stage", staged({ approvals: [LEAD], expiresAt: LEAD.at + 10 * 60_000 })],
  ["staged-approved", staged({ status: "approved", approvals: [LEAD, SECURITY] })],
  [
    "staged-rejected-at-second",
    staged({
      status: "rejected",
      approvals: [LEAD],
      rejection: { userId: "U_ERIN", reason: "no change ticket", at: T0 + 90_000 },
    }),
  ],
];

describe("the staged card, golden", () => {
  it.each(CASES)("%s", async (name, request) => {
    const kit = renderBlockKit(buildRequestCard({ request, details: makeDetails(), groupIds: GROUP_IDS }));
    expectValidBlockKit(kit);
    await expect(toGoldenJson(kit)).toMatchFileSnapshot(`golden/card-${name}.json`);
  });

  it("shows every stage, who approved each, the stage it waits on and that stage's own rules", () => {
    const text = (r: ApprovalRequest) =>
      collectMrkdwn(
        renderBlockKit(buildRequestCard({ request: r, details: makeDetails(), groupIds: GROUP_IDS })),
      ).join("\n");
    const first = text(staged());
    expect(first).toContain("now: team lead");
    expect(first).toContain(
      ":arrow_right: 1. team lead: 0 of 1 from <!subteam^S_OPS_APPROVERS> (not <@U_DAVE>)",
    );
    expect(first).toContain(":white_small_square: 2. security: 0 of 1 from <!subteam^S_SRE>");
    expect(first).not.toContain("Rejecting needs");
    const second = text(staged({ approvals: [LEAD] }));
    expect(second).toContain(":white_check_mark: 1. team lead: 1 of 1, approved by <@U_BOB>");
    expect(second).toContain("now: security");
    expect(second).toContain("Rejecting needs a reason");
    expect(second).toContain("(10m after this stage was reached)");
  });
});

describe("a break-glass run's card", () => {
  it("says approval was skipped and why, golden", async () => {
    const request = makeRequest({
      commandText: "/ecs delete web-03",
      targets: [makeRequest().targets[0]!],
      status: "executing",
      requirement: {
        approvers: { users: ["system:policy"], groups: [] },
        minApprovals: 1,
        allowSelfApproval: false,
        expiresInMs: 600_000,
        reasonRequired: false,
      },
      approvals: [{ userId: "system:policy", at: T0 }],
      execution: { executionId: "run_1", startedAt: T0 + 1 },
      breakGlass: { reason: "web tier down, <INC-4711> *now*" },
    });
    const kit = renderBlockKit(buildRequestCard({ request, details: makeDetails({ kind: "allowed" }) }));
    expectValidBlockKit(kit);
    expect(collectMrkdwn(kit).join("\n")).toContain(
      "*Break-glass:* approval skipped. Reason: web tier down, &lt;INC-4711&gt;",
    );
    await expect(toGoldenJson(kit)).toMatchFileSnapshot("golden/card-break-glass.json");
  });
});
