import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { canApprove } from "../../src/policy/can-approve.js";
import { type ApprovedTerms, compareDecisions, termsOf } from "../../src/policy/compare-decisions.js";
import { evaluatePolicy } from "../../src/policy/evaluate-policy.js";
import type { Policy, PolicyDecision, PolicyRule, PolicyTarget } from "../../src/policy/types.js";

const rule = (id: string) => ({ id, description: id, source: `p.yml:${id.length}` });
const needs = (min: number, ids: string[], groups = ["ops"], maxTargets?: number): PolicyDecision => ({
  effect: "needs_approval",
  rules: ids.map(rule),
  approvalRuleIds: ids,
  approval: {
    approvers: { users: [], groups },
    minApprovals: min,
    allowSelfApproval: false,
    expiresInMs: 1,
    reasonRequired: false,
  },
  ...(maxTargets !== undefined && { maxTargets }),
});
const approvedTwo: ApprovedTerms = {
  effect: "needs_approval",
  minApprovals: 2,
  approvalRuleIds: ["delete"],
  maxTargets: 10,
};
const bobAndCarol = [
  { userId: "U_BOB", groups: ["ops"] },
  { userId: "U_CAROL", groups: ["ops"] },
];

describe("compareDecisions", () => {
  it("the same decision is not stricter", () => {
    expect(compareDecisions(approvedTwo, needs(2, ["delete"], ["ops"], 10), bobAndCarol, "U_ALICE")).toEqual(
      [],
    );
  });

  it("laxer is not stricter: fewer approvals, allowed outright, a higher cap, a rule gone", () => {
    expect(compareDecisions(approvedTwo, needs(1, ["delete"], ["ops"], 20), bobAndCarol, "U_ALICE")).toEqual(
      [],
    );
    expect(
      compareDecisions(approvedTwo, { effect: "allow", rules: [rule("open")] }, bobAndCarol, "U_ALICE"),
    ).toEqual([]);
  });

  it("names every way it is stricter", () => {
    const now = needs(3, ["delete", "prod-needs-one-more"], ["ops"], 5);
    expect(compareDecisions(approvedTwo, now, bobAndCarol, "U_ALICE")).toEqual([
      { kind: "more_approvals", before: 2, after: 3, rules: [rule("delete"), rule("prod-needs-one-more")] },
      { kind: "new_rule", rule: rule("prod-needs-one-more") },
      { kind: "lower_cap", before: 10, after: 5 },
    ]);
  });

  it("a denial, an approval now needed, an approver who left the group", () => {
    expect(
      compareDecisions(
        approvedTwo,
        { effect: "deny", rules: [rule("lock")], reasons: ["locked"] },
        [],
        "U_A",
      ),
    ).toEqual([{ kind: "denied", reasons: ["locked"], rules: [rule("lock")] }]);
    const allowed: ApprovedTerms = { effect: "allow", minApprovals: 0, approvalRuleIds: [] };
    expect(compareDecisions(allowed, needs(1, ["hard"]), [], "U_A")).toMatchObject([
      { kind: "approval_needed", minApprovals: 1 },
    ]);
    const left = [{ userId: "U_BOB", groups: [] }, bobAndCarol[1]!];
    expect(compareDecisions(approvedTwo, needs(2, ["delete"], ["ops"], 10), left, "U_ALICE")).toEqual([
      { kind: "approver_not_accepted", userId: "U_BOB", reason: "not_an_approver" },
    ]);
  });

  it("a cap where there was none is stricter", () => {
    const allowed: ApprovedTerms = { effect: "allow", minApprovals: 0, approvalRuleIds: [] };
    expect(compareDecisions(allowed, { effect: "allow", rules: [], maxTargets: 3 }, [], "U_A")).toEqual([
      { kind: "lower_cap", after: 3 },
    ]);
  });
});

// ---- Property: whatever happens between request and execution, what runs is what the policy allows now. ----

const USERS = ["U0", "U1", "U2", "U3", "U4"] as const;
const GROUPS = ["g1", "g2"] as const;
const ENVS = ["prod", "dev", "staging"] as const;

const tagsArb = fc.record(
  { env: fc.constantFrom(...ENVS), lock: fc.constantFrom("true", "false") },
  { requiredKeys: [] },
) as fc.Arbitrary<Record<string, string>>;

const approvalArb = fc.record({
  approvers: fc.option(
    fc.record({
      users: fc.subarray([...USERS], { maxLength: 3 }),
      groups: fc.subarray([...GROUPS], { maxLength: 2 }),
    }),
    { nil: undefined },
  ),
  base: fc.boolean(),
  n: fc.integer({ min: 1, max: 3 }),
  self: fc.boolean(),
});

const ruleArb = (i: number): fc.Arbitrary<PolicyRule> =>
  fc
    .record({
      actions: fc.subarray(["ecs:cloudServers:delete", "ecs:cloudServers:stop"], { minLength: 1 }),
      tags: fc.option(tagsArb, { nil: undefined }),
      kind: fc.oneof(
        { arbitrary: fc.constant("approval" as const), weight: 5 },
        { arbitrary: fc.constant("allow" as const), weight: 3 },
        { arbitrary: fc.constant("cap" as const), weight: 1 },
        { arbitrary: fc.constant("deny" as const), weight: 1 },
      ),
      approval: approvalArb,
      cap: fc.integer({ min: 1, max: 4 }),
    })
    .map(({ actions, tags, kind, approval, cap }) => ({
      id: `r${i}`,
      description: `rule ${i}`,
      source: `policy.yml:${i}`,
      actions,
      when: {
        flags: {},
        ...(tags !== undefined && Object.keys(tags).length > 0 && { targets: { tags, names: [] } }),
      },
      effect: {
        allow: kind === "allow",
        ...(kind === "deny" && { deny: `denied by r${i}` }),
        ...(kind === "cap" && { maxTargets: cap }),
        ...(kind === "approval" && {
          approval: {
            ...(approval.approvers !== undefined && { approvers: approval.approvers }),
            ...(approval.base ? { minApprovals: approval.n } : { additionalApprovals: approval.n }),
            allowSelfApproval: approval.self,
            expiresInMs: 60_000,
            reasonRequired: false,
            notifyApprovers: "mention" as const,
          },
        }),
      },
    }));

const policyArb: fc.Arbitrary<Policy> = fc
  .integer({ min: 1, max: 6 })
  .chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => ruleArb(i))))
  .map((rules) => ({
    source: "policy.yml",
    allowedChannels: undefined,
    policyTagKeys: [],
    defaultApprovers: { users: [], groups: ["g1"] },
    rules,
  }));

const membershipArb = fc.record({
  g1: fc.subarray([...USERS]),
  g2: fc.subarray([...USERS]),
}) as fc.Arbitrary<Record<string, string[]>>;
const groupsOf = (m: Record<string, string[]>, user: string) => GROUPS.filter((g) => m[g]?.includes(user));

describe("property: a request runs only if the policy on the final state allows it with its approvals", () => {
  it("holds for random policies, fleets, tag and membership changes", () => {
    fc.assert(
      fc.property(
        policyArb,
        policyArb,
        fc.array(fc.tuple(tagsArb, tagsArb), { minLength: 1, maxLength: 4 }),
        membershipArb,
        membershipArb,
        fc.constantFrom(...USERS),
        fc.constantFrom("ecs:cloudServers:delete", "ecs:cloudServers:stop"),
        fc.boolean(),
        (before, after, fleet, groupsBefore, groupsAfter, requester, action, samePolicy) => {
          const finalPolicy = samePolicy ? before : after;
          const targets = (i: 0 | 1): PolicyTarget[] =>
            fleet.map((pair, n) => ({ id: `s${n}`, name: `s${n}`, tags: pair[i] }));
          const ask = (policy: Policy, i: 0 | 1, m: Record<string, string[]>) =>
            evaluatePolicy(policy, {
              action,
              requester: { userId: requester, groups: groupsOf(m, requester) },
              channel: { id: "C1" },
              targets: targets(i),
              flags: {},
            });
          const first = ask(before, 0, groupsBefore);
          if (first.effect === "deny") return;
          // The approvals it collected: the first people the request's rule accepted, as many as it needed.
          const approvers =
            first.effect === "allow"
              ? []
              : USERS.filter(
                  (u) =>
                    canApprove(first.approval, { userId: u, groups: groupsOf(groupsBefore, u) }, requester)
                      .ok,
                ).slice(0, first.approval.minApprovals);
          if (first.effect === "needs_approval" && approvers.length < first.approval.minApprovals) return;

          const now = ask(finalPolicy, 1, groupsAfter);
          const runs =
            compareDecisions(
              termsOf(first),
              now,
              approvers.map((u) => ({ userId: u, groups: groupsOf(groupsAfter, u) })),
              requester,
            ).length === 0;
          if (!runs) return;
          // It runs: the decision on the final state allows it with exactly the approvals it has.
          expect(now.effect).not.toBe("deny");
          if (now.effect === "needs_approval") {
            expect(approvers.length).toBeGreaterThanOrEqual(now.approval.minApprovals);
            for (const u of approvers) {
              expect(
                canApprove(now.approval, { userId: u, groups: groupsOf(groupsAfter, u) }, requester).ok,
              ).toBe(true);
            }
          }
        },
      ),
      { numRuns: 2_000 },
    );
  });
});
