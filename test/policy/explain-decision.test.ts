import { describe, expect, it } from "vitest";
import { evaluatePolicy } from "../../src/policy/evaluate-policy.js";
import { explainDecision } from "../../src/policy/explain-decision.js";
import { parsePolicy } from "../../src/policy/load-policy.js";

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

  it("states the waves `require_waves` asks for, with plain and with staged approvals alike", () => {
    const loaded = parsePolicy(`
version: 1
defaults:
  approvers: { groups: [ops-approvers] }
rules:
  - id: reboot-needs-approval
    description: Rebooting needs one approval.
    actions: [ecs:cloudServers:reboot]
    effect: { require_approval: { min_approvals: 1 } }
  - id: resize-in-stages
    description: A resize is approved by a lead, then security.
    actions: [ecs:cloudServers:resize]
    effect:
      require_approval:
        stages:
          - { name: lead, approvers: { groups: [leads] } }
          - { name: security, approvers: { groups: [security] } }
  - id: big-in-waves
    description: Three or more servers go in waves.
    actions: [ecs:cloudServers:reboot, ecs:cloudServers:resize]
    match: { target_count: { min: 3 } }
    effect: { require_waves: { min_waves: 3, max_failures: "10%" } }
`);
    if (!loaded.ok) throw new Error(JSON.stringify(loaded.errors));
    const waves = "Runs in at least 3 waves, stopping once 1 server fails (10%; rule `big-in-waves`)";
    for (const action of ["ecs:cloudServers:reboot", "ecs:cloudServers:resize"]) {
      const decision = evaluatePolicy(loaded.policy, {
        action,
        requester: { userId: "U0DAVE", groups: [] },
        channel: { id: "C0OPS" },
        targets: ["a", "b", "c"].map((n) => ({ id: n, name: `web-${n}`, tags: {} })),
        flags: {},
        waves: { count: 3, maxFailures: 1 },
      });
      expect(decision).toMatchObject({ effect: "needs_approval", waves: { minWaves: 3 } });
      const explained = explainDecision(decision);
      expect(
        explained.details.filter((d) => d === waves),
        action,
      ).toHaveLength(1);
    }
    const staged = explainDecision(
      evaluatePolicy(loaded.policy, {
        action: "ecs:cloudServers:resize",
        requester: { userId: "U0DAVE", groups: [] },
        channel: { id: "C0OPS" },
        targets: ["a", "b", "c"].map((n) => ({ id: n, name: `web-${n}`, tags: {} })),
        flags: {},
        waves: { count: 3, maxFailures: 1 },
      }),
    );
    expect(staged.headline).toBe("Needs 2 approvals in 2 stages, in order");
    expect(staged.details.at(-1)).toBe(waves);
  });
});
