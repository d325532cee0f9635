import { describe, expect, it } from "vitest";
import { explainDecision } from "../../src/policy/explain-decision.js";

const rule = {
  id: "delete-needs-two-approvals",
  description: "Deleting is irreversible.",
  source: "flows/policy.yml:64",
};

describe("explainDecision", () => {
  it("lists the approval terms and the rules", () => {
    expect(
      explainDecision({
        effect: "needs_approval",
        rules: [rule],
        approvalRuleIds: [rule.id],
        approval: {
          approvers: { users: ["U0ALICE"], groups: ["ops-approvers"] },
          minApprovals: 2,
          allowSelfApproval: false,
          expiresInMs: 30 * 60_000,
          reasonRequired: true,
        },
      }),
    ).toEqual({
      effect: "needs_approval",
      headline: "Needs 2 approvals",
      details: [
        "Approvers: members of user group ops-approvers; users U0ALICE",
        "2 distinct people must approve",
        "The requester cannot approve their own request",
        "The request expires 30m after it is made",
        "Rejecting needs a reason",
      ],
      rules: ["delete-needs-two-approvals: Deleting is irreversible. (flows/policy.yml:64)"],
    });
  });

  it("gives the reasons for a denial", () => {
    expect(
      explainDecision({ effect: "deny", rules: [rule], reasons: ["12 targets; at most 10 per request"] }),
    ).toEqual({
      effect: "deny",
      headline: "Denied",
      details: ["12 targets; at most 10 per request"],
      rules: ["delete-needs-two-approvals: Deleting is irreversible. (flows/policy.yml:64)"],
    });
  });

  it("says plainly that something is allowed", () => {
    expect(explainDecision({ effect: "allow", rules: [] })).toEqual({
      effect: "allow",
      headline: "Allowed",
      details: [],
      rules: [],
    });
  });
});
