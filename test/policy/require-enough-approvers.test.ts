import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { eligibleApprovers, requireEnoughApprovers } from "../../src/policy/require-enough-approvers.js";
import type { ApprovalRequirement, ApprovalStage, PolicyDecision } from "../../src/policy/types.js";

const requirement = (over: Partial<ApprovalRequirement> = {}): ApprovalRequirement => ({
  approvers: { users: [], groups: ["ops-approvers"] },
  minApprovals: 2,
  allowSelfApproval: false,
  expiresInMs: 60_000,
  reasonRequired: true,
  ...over,
});
const rules = [
  { id: "delete-needs-two-approvals", description: "d", source: "flows/policy.yml:1" },
  { id: "prod-needs-one-more", description: "p", source: "flows/policy.yml:2" },
];
const needs = (approval: ApprovalRequirement): PolicyDecision => ({
  effect: "needs_approval",
  rules,
  approval,
  approvalRuleIds: rules.map((r) => r.id),
});
const members = new Map([
  ["ops-approvers", ["U_ALICE", "U_BOB", "U_CAROL"]],
  ["sre", ["U_ALICE", "U_ERIN"]],
]);

describe("eligibleApprovers", () => {
  it("listed users plus current group members, each once, without the requester", () => {
    const r = requirement({ approvers: { users: ["U_DAVE", "U_BOB"], groups: ["ops-approvers", "SRE"] } });
    expect(eligibleApprovers(r, "U_ALICE", members)).toEqual(["U_BOB", "U_CAROL", "U_DAVE", "U_ERIN"]);
    expect(eligibleApprovers({ ...r, allowSelfApproval: true }, "U_ALICE", members)).toContain("U_ALICE");
  });

  it("a group that does not exist (or was deleted) has nobody", () => {
    expect(
      eligibleApprovers(requirement({ approvers: { users: [], groups: ["gone"] } }), "U_X", members),
    ).toEqual([]);
  });
});

describe("requireEnoughApprovers", () => {
  it("a request nobody could fully approve is denied at once, with the numbers and the rules", () => {
    const decision = requireEnoughApprovers(needs(requirement({ minApprovals: 3 })), "U_ALICE", members);
    expect(decision).toEqual({
      effect: "deny",
      // Said apart from other denials: the next step is more approvers, not another command.
      cause: "too_few_approvers",
      rules,
      reasons: [
        "only 2 people could approve it, and it needs 3 approvals (from @ops-approvers, not counting the requester); asked for by rules `delete-needs-two-approvals`, `prod-needs-one-more`",
      ],
    });
  });

  it("enough people: the decision stands, with how many could approve", () => {
    expect(requireEnoughApprovers(needs(requirement()), "U_ALICE", members)).toMatchObject({
      effect: "needs_approval",
      eligibleApprovers: 2,
    });
    // Someone outside the group asks: all three members count.
    expect(requireEnoughApprovers(needs(requirement({ minApprovals: 3 })), "U_DAVE", members)).toMatchObject({
      effect: "needs_approval",
      eligibleApprovers: 3,
    });
  });

  it("an approver group Slack does not have is named as such, with the closest one, for the policy's owners", () => {
    const decision = requireEnoughApprovers(
      needs(requirement({ approvers: { users: [], groups: ["ops-aprovers"] }, minApprovals: 1 })),
      "U_ALICE",
      members,
    );
    expect(decision).toEqual({
      effect: "deny",
      cause: "too_few_approvers",
      rules,
      unknownApproverGroups: ["ops-aprovers"],
      reasons: [
        "nobody could approve it, and it needs 1 approval (from @ops-aprovers, not counting the requester): Slack has no enabled user group @ops-aprovers (did you mean @ops-approvers?), so the policy's owners must fix the name; asked for by rules `delete-needs-two-approvals`, `prod-needs-one-more`",
      ],
    });
    // A group that exists but is empty is for a Slack admin to fill: not called unknown.
    const empty = requireEnoughApprovers(
      needs(requirement({ approvers: { users: [], groups: ["dba"] }, minApprovals: 1 })),
      "U_ALICE",
      new Map([...members, ["dba", []]]),
    );
    expect(empty).not.toHaveProperty("unknownApproverGroups");
    expect(empty.effect === "deny" ? empty.reasons.join("") : "").not.toContain("no enabled user group");
  });

  it("allow and deny pass through unchanged", () => {
    const allow: PolicyDecision = { effect: "allow", rules };
    const deny: PolicyDecision = { effect: "deny", rules, reasons: ["no"] };
    expect(requireEnoughApprovers(allow, "U_A", members)).toBe(allow);
    expect(requireEnoughApprovers(deny, "U_A", members)).toBe(deny);
  });

  it("property: denied exactly when fewer distinct eligible people than approvals needed", () => {
    const user = fc.constantFrom("U_A", "U_B", "U_C", "U_D", "U_E");
    fc.assert(
      fc.property(
        fc.array(user, { maxLength: 4 }),
        fc.array(fc.tuple(fc.constantFrom("g1", "g2", "g3"), fc.array(user, { maxLength: 4 })), {
          maxLength: 3,
        }),
        fc.subarray(["g1", "g2", "g3"]),
        fc.integer({ min: 1, max: 6 }),
        fc.boolean(),
        user,
        (users, groups, listed, min, self, requester) => {
          const m = new Map<string, readonly string[]>(groups);
          const approval = requirement({
            approvers: { users, groups: listed },
            minApprovals: min,
            allowSelfApproval: self,
          });
          const people = new Set([...users, ...listed.flatMap((g) => m.get(g) ?? [])]);
          if (!self) people.delete(requester);
          const decision = requireEnoughApprovers(needs(approval), requester, m);
          expect(decision.effect).toBe(people.size < min ? "deny" : "needs_approval");
        },
      ),
    );
  });

  describe("stages: each person approves one stage", () => {
    const stage = (name: string, groups: string[], minApprovals = 1): ApprovalStage => ({
      name,
      approvers: { users: [], groups },
      minApprovals,
      allowSelfApproval: false,
      expiresInMs: 60_000,
      reasonRequired: false,
    });
    const staged = (...stages: ApprovalStage[]) =>
      needs(
        requirement({
          stages,
          // As the policy compiles a staged requirement: its approvers are the stages' together.
          approvers: { users: [], groups: stages.flatMap((s) => s.approvers.groups) },
          minApprovals: stages.reduce((n, s) => n + s.minApprovals, 0),
        }),
      );

    it("a later stage whose only possible approvers are needed for an earlier one is refused at once", () => {
      const m = new Map([
        ["ops-approvers", ["U_BOB", "U_CAROL"]],
        ["sre", ["U_BOB"]],
      ]);
      // Stage 1 could take Carol, leaving Bob for stage 2: completable.
      expect(
        requireEnoughApprovers(
          staged(stage("team lead", ["ops-approvers"]), stage("security", ["sre"])),
          "U_DAVE",
          m,
        ).effect,
      ).toBe("needs_approval");
      // Two from the team leads: Bob must be one of them, and nobody is left for security.
      const d = requireEnoughApprovers(
        staged(stage("team lead", ["ops-approvers"], 2), stage("security", ["sre"])),
        "U_DAVE",
        m,
      );
      expect(d.effect).toBe("deny");
      expect(d.effect === "deny" && d.reasons[0]).toContain(
        "nobody is left to approve stage 2 (security): it needs 1 approval, but its possible approvers are also needed for the stages before it, and each person approves one stage only",
      );
    });

    it("property: allowed exactly when some assignment of distinct people completes every stage", () => {
      const user = fc.constantFrom("U_A", "U_B", "U_C", "U_D");
      fc.assert(
        fc.property(
          fc.array(fc.tuple(fc.array(user, { maxLength: 4 }), fc.integer({ min: 1, max: 2 })), {
            minLength: 1,
            maxLength: 3,
          }),
          (spec) => {
            const m = new Map(spec.map(([people], i) => [`g${i}`, people] as const));
            const stages = spec.map(([, min], i) => stage(`s${i}`, [`g${i}`], min));
            const pools = spec.map(([people]) => [...new Set<string>(people)].filter((p) => p !== "U_REQ"));
            // Brute force: seats in order, each taken by an unused person of its stage's pool.
            const seats = stages.flatMap((s, i) => Array.from({ length: s.minApprovals }, () => i));
            const completable = (seat: number, used: ReadonlySet<string>): boolean =>
              seat === seats.length ||
              (pools[seats[seat]!] ?? []).some(
                (p) => !used.has(p) && completable(seat + 1, new Set([...used, p])),
              );
            const decision = requireEnoughApprovers(staged(...stages), "U_REQ", m);
            expect(decision.effect).toBe(completable(0, new Set()) ? "needs_approval" : "deny");
          },
        ),
      );
    });
  });
});
