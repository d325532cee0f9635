/**
 * `requesterGroupsMatter`: a caller may skip reading the requester's user groups exactly when no rule for the
 * action names requester groups, because then the decision is the same whatever the groups are.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { KNOWN_ACTIONS } from "../../src/policy/actions.js";
import { evaluatePolicy, requesterGroupsMatter } from "../../src/policy/evaluate-policy.js";
import { loadPolicy, parsePolicy } from "../../src/policy/load-policy.js";
import type { Policy } from "../../src/policy/types.js";

function policyOf(yaml: string): Policy {
  const loaded = parsePolicy(yaml, "test-policy.yml");
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.errors));
  return loaded.policy;
}

describe("requesterGroupsMatter", () => {
  it("on the shipped policy: listing and showing never depend on groups, the console log does", async () => {
    const loaded = await loadPolicy("flows/policy.yml");
    if (!loaded.ok) throw new Error("flows/policy.yml does not load");
    const shipped = loaded.policy;
    expect(requesterGroupsMatter(shipped, "ecs:servers:list")).toBe(false);
    expect(requesterGroupsMatter(shipped, "ecs:servers:get")).toBe(false);
    expect(requesterGroupsMatter(shipped, "ecs:cloudServers:stop")).toBe(false);
    expect(requesterGroupsMatter(shipped, "ecs:servers:getConsoleOutput")).toBe(true);
    // Any action (help describes them all): the console log's rule names a group.
    expect(requesterGroupsMatter(shipped)).toBe(true);
  });

  it("follows action patterns: a rule on `ecs:*:get` for a group matters to gets only", () => {
    const policy = policyOf(`
version: 1
rules:
  - id: gets-for-sre
    description: Only SRE reads single servers.
    actions: ["ecs:*:get"]
    match: { requesters: { groups: [sre] } }
    effect: allow
  - id: lists-for-everyone
    description: Anyone lists.
    actions: ["ecs:*:list"]
    effect: allow
  - id: alice-stops
    description: Alice stops, by user ID (no group).
    actions: [ecs:cloudServers:stop]
    match: { requesters: { users: [U_ALICE] } }
    effect: allow
`);
    expect(requesterGroupsMatter(policy, "ecs:servers:get")).toBe(true);
    expect(requesterGroupsMatter(policy, "ecs:servers:list")).toBe(false);
    expect(requesterGroupsMatter(policy, "ecs:cloudServers:stop")).toBe(false);
    expect(requesterGroupsMatter(policy, "ecs:cloudServers:delete")).toBe(false);
    expect(requesterGroupsMatter(policy)).toBe(true);
    expect(
      requesterGroupsMatter(
        policyOf(`
version: 1
rules:
  - id: lists-for-everyone
    description: Anyone lists.
    actions: ["ecs:*:list"]
    effect: allow
`),
      ),
    ).toBe(false);
  });

  // Rules built from parts: an action pattern, requester conditions with or without groups, an effect.
  const patterns = [
    "*",
    "ecs:*:list",
    "ecs:*:get",
    "ecs:cloudServers:*",
    "ecs:cloudServers:stop",
    "hss:*:list",
  ];
  const requesters = [
    "",
    "match: { requesters: { groups: [sre] } }",
    "match: { requesters: { groups: [ops, sre] } }",
    "match: { requesters: { users: [U_ALICE] } }",
    "match: { requesters: { users: [U_BOB], groups: [ops] } }",
  ];
  const effects = [
    "allow",
    '{ deny: "refused" }',
    "{ require_approval: { min_approvals: 1, approvers: { users: [U_CAROL] } } }",
  ];
  const rule = fc.record({
    pattern: fc.constantFrom(...patterns),
    requesters: fc.constantFrom(...requesters),
    effect: fc.constantFrom(...effects),
  });
  const groups = fc.subarray(["sre", "ops", "dev", "security"]);

  it("when it says no, any groups give the same decision (property)", () => {
    fc.assert(
      fc.property(
        fc.array(rule, { minLength: 1, maxLength: 5 }),
        fc.constantFrom(...KNOWN_ACTIONS),
        fc.constantFrom("U_ALICE", "U_BOB", "U_DAVE"),
        groups,
        groups,
        (rules, action, userId, some, other) => {
          const policy = policyOf(
            `version: 1\nrules:\n${rules
              .map(
                (r, i) =>
                  `  - id: r${i}\n    description: Rule ${i}.\n    actions: ["${r.pattern}"]\n${r.requesters ? `    ${r.requesters}\n` : ""}    effect: ${r.effect}\n`,
              )
              .join("")}`,
          );
          const decide = (g: string[]) =>
            evaluatePolicy(policy, {
              action,
              requester: { userId, groups: g },
              channel: { id: "C1", name: "ops" },
              targets: [],
              flags: {},
            });
          if (!requesterGroupsMatter(policy, action)) expect(decide(some)).toEqual(decide(other));
          // It says yes only where some rule names groups: a policy without any never has them read.
          else expect(rules.some((r) => r.requesters.includes("groups"))).toBe(true);
        },
      ),
      { numRuns: 500 },
    );
  });
});
