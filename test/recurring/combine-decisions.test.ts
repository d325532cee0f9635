import { describe, expect, it } from "vitest";
import type { ApprovalRequirement, PolicyDecision } from "../../src/policy/types.js";
import { combineDecisions } from "../../src/recurring/combine-decisions.js";

const approval = (over: Partial<ApprovalRequirement> = {}): ApprovalRequirement => ({
  approvers: { users: [], groups: ["ops-approvers"] },
  minApprovals: 1,
  allowSelfApproval: false,
  expiresInMs: 30 * 60_000,
  reasonRequired: false,
  ...over,
});
const rule = (id: string) => ({ id, description: id, source: `policy.yml:${id.length}` });
const allow: PolicyDecision = { effect: "allow", rules: [rule("soft-power")] };
const needs = (id: string, over: Partial<ApprovalRequirement> = {}, maxTargets?: number): PolicyDecision => ({
  effect: "needs_approval",
  rules: [rule(id)],
  approval: approval(over),
  approvalRuleIds: [id],
  ...(maxTargets !== undefined && { maxTargets }),
});

describe("combineDecisions (a schedule's creation: the stricter of its rule and its command's decision)", () => {
  it("the schedule rule's approval when the command is allowed", () => {
    const combined = combineDecisions(needs("schedules"), allow);
    expect(combined).toMatchObject({ effect: "needs_approval", approvalRuleIds: ["schedules"] });
    expect(combined.rules.map((r) => r.id)).toEqual(["schedules", "soft-power"]);
  });

  it("the side needing more approvals leads; reasons, self-approval and expiry take the stricter of both", () => {
    const combined = combineDecisions(
      needs("schedules", { reasonRequired: true, expiresInMs: 60 * 60_000 }),
      needs(
        "delete-two",
        {
          minApprovals: 2,
          approvers: { users: ["U1"], groups: [] },
          allowSelfApproval: true,
          expiresInMs: 10 * 60_000,
        },
        10,
      ),
    );
    expect(combined).toMatchObject({
      effect: "needs_approval",
      approval: {
        minApprovals: 2,
        approvers: { users: ["U1"], groups: [] },
        reasonRequired: true,
        allowSelfApproval: false,
        expiresInMs: 10 * 60_000,
      },
      approvalRuleIds: ["schedules", "delete-two"],
      maxTargets: 10,
    });
  });

  it("a deny on either side denies with its reasons; both allowed is allowed", () => {
    const deny: PolicyDecision = { effect: "deny", rules: [rule("frozen")], reasons: ["Frozen."] };
    expect(combineDecisions(needs("schedules"), deny)).toMatchObject({
      effect: "deny",
      reasons: ["Frozen."],
    });
    expect(combineDecisions(deny, allow)).toMatchObject({ effect: "deny", reasons: ["Frozen."] });
    expect(combineDecisions(allow, allow).effect).toBe("allow");
  });
});
