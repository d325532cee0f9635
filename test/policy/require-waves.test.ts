import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { evaluatePolicy } from "../../src/policy/evaluate-policy.js";
import { explainDecision } from "../../src/policy/explain-decision.js";
import { parsePolicy } from "../../src/policy/load-policy.js";
import type { Policy, PolicyRequest } from "../../src/policy/types.js";

const POLICY = `
version: 1
rules:
  - id: soft-power
    description: Anyone may reboot.
    actions: [ecs:cloudServers:reboot]
    effect: allow
  - id: big-reboots-in-waves
    description: Reboots of more than ten servers go in waves.
    actions: [ecs:cloudServers:reboot]
    match:
      target_count: { min: 11 }
    effect:
      require_waves: { min_waves: 3, max_failures: "10%" }
  - id: prod-in-more-waves
    description: Prod reboots go in at least five waves, stopping at two failures.
    actions: [ecs:cloudServers:reboot]
    match:
      targets: { tags: { env: prod } }
    effect:
      require_waves: { min_waves: 5, max_failures: 2 }
`;

function load(text = POLICY): Policy {
  const loaded = parsePolicy(text);
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.errors));
  return loaded.policy;
}

function request(n: number, waves?: { count: number; maxFailures: number }, env = "dev"): PolicyRequest {
  return {
    action: "ecs:cloudServers:reboot",
    requester: { userId: "U_ALICE", groups: [] },
    channel: { id: "C1" },
    targets: Array.from({ length: n }, (_, i) => ({ id: `id-${i}`, name: `s-${i}`, tags: { env } })),
    flags: {},
    ...(waves !== undefined && { waves }),
  };
}

describe("require_waves", () => {
  const policy = load();

  it("does not apply below the target count", () => {
    expect(evaluatePolicy(policy, request(10))).toMatchObject({ effect: "allow" });
    expect(
      evaluatePolicy(policy, request(10)).effect === "allow" &&
        "waves" in evaluatePolicy(policy, request(10)),
    ).toBe(false);
  });

  it("refuses a request without waves, saying what to add", () => {
    const decision = evaluatePolicy(policy, request(20));
    expect(decision).toEqual({
      effect: "deny",
      rules: [expect.objectContaining({ id: "big-reboots-in-waves" })],
      reasons: [
        "this request must run in at least 3 waves stopping at 10% failed servers: add `--waves 3 --max-failures 10%` (or fewer failures)",
      ],
    });
  });

  it("refuses too few waves or too high a threshold, naming each", () => {
    const decision = evaluatePolicy(policy, request(20, { count: 2, maxFailures: 5 }));
    expect(decision.effect === "deny" && decision.reasons[0]).toBe(
      "2 waves planned, at least 3 needed; it would stop only after 5 failed servers, at most 2 (10%) allowed: add `--waves 3 --max-failures 10%` (or fewer failures)",
    );
  });

  it("allows compliant waves and carries the requirement for explain", () => {
    const decision = evaluatePolicy(policy, request(20, { count: 4, maxFailures: 1 }));
    expect(decision).toMatchObject({
      effect: "allow",
      waves: { minWaves: 3, maxFailures: 2, maxFailuresText: "10%", ruleIds: ["big-reboots-in-waves"] },
    });
    expect(explainDecision(decision).details).toEqual([
      "Runs in at least 3 waves, stopping once 2 servers fail (10%; rule `big-reboots-in-waves`)",
    ]);
  });

  it("combines rules: the most waves and the lowest threshold", () => {
    const decision = evaluatePolicy(policy, request(20, { count: 5, maxFailures: 2 }, "prod"));
    expect(decision).toMatchObject({
      effect: "allow",
      waves: { minWaves: 5, maxFailures: 2, ruleIds: ["big-reboots-in-waves", "prod-in-more-waves"] },
    });
    expect(evaluatePolicy(policy, request(20, { count: 4, maxFailures: 2 }, "prod")).effect).toBe("deny");
  });

  it("a malformed require_waves stops the policy at load with the line", () => {
    const bad = parsePolicy(`
version: 1
rules:
  - id: waves
    description: x
    actions: [ecs:cloudServers:reboot]
    effect:
      require_waves: { min_waves: 3, max_failures: "lots" }
`);
    expect(bad.ok).toBe(false);
    expect(JSON.stringify(bad)).toContain("is not a number of servers or a share");
    expect(JSON.stringify(bad)).toContain(":8");
    const missing = parsePolicy(`
version: 1
rules:
  - id: waves
    description: x
    actions: [ecs:cloudServers:reboot]
    effect:
      require_waves: { max_failures: 1 }
`);
    expect(missing.ok).toBe(false);
  });

  it("the shipped policy's commented example is a valid rule once uncommented", () => {
    const text = readFileSync("flows/policy.yml", "utf8");
    const at = text.indexOf("  # - id: big-power-in-waves");
    expect(at).toBeGreaterThan(0);
    // Only the rule's own block (up to the blank line): other commented examples follow it.
    const end = text.indexOf("\n\n", at);
    const uncommented = text.slice(0, at) + text.slice(at, end).replace(/^ {2}# /gm, "  ") + text.slice(end);
    const rule = load(uncommented).rules.find((r) => r.id === "big-power-in-waves");
    expect(rule?.effect.requireWaves).toEqual({ minWaves: 3, maxFailures: { kind: "percent", value: 10 } });
    // As shipped (commented), today's behaviour is unchanged.
    expect(load(text).rules.some((r) => r.effect.requireWaves !== undefined)).toBe(false);
  });
});
