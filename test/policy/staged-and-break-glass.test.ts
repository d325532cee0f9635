/**
 * Staged approvals in the policy (how stages combine with other matching rules, validation) and
 * break-glass (who may, what it skips, what it never skips), on policies parsed from YAML.
 */
import { describe, expect, it } from "vitest";
import { applyBreakGlass } from "../../src/policy/apply-break-glass.js";
import { compareDecisions, termsOf } from "../../src/policy/compare-decisions.js";
import { evaluatePolicy } from "../../src/policy/evaluate-policy.js";
import { parsePolicy } from "../../src/policy/load-policy.js";
import { requireEnoughApprovers } from "../../src/policy/require-enough-approvers.js";
import type { Policy, PolicyDecision, PolicyRequest } from "../../src/policy/types.js";

const HEAD = `
version: 1
defaults:
  approvers: { groups: [ops-approvers] }
  expires_in: 30m
`;
const STAGED_RULE = `
  - id: prod-resize-in-stages
    description: A prod resize is approved by a team lead, then security.
    actions: [ecs:cloudServers:resize]
    match: { targets: { tags: { env: prod } } }
    effect:
      require_approval:
        stages:
          - { name: team lead, approvers: { groups: [leads] }, min_approvals: 1 }
          - { name: security, approvers: { groups: [security] }, min_approvals: 1, expires_in: 10m }
`;

function policyOf(yaml: string): Policy {
  const parsed = parsePolicy(yaml);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  return parsed.policy;
}

function ask(extra: Partial<PolicyRequest> = {}): PolicyRequest {
  return {
    action: "ecs:cloudServers:resize",
    requester: { userId: "U0DAVE", groups: [] },
    channel: { id: "C0OPS", name: "ops" },
    targets: [{ id: "i-1", name: "web-01", tags: { env: "prod" } }],
    flags: {},
    ...extra,
  };
}

function stagesOf(decision: PolicyDecision) {
  if (decision.effect !== "needs_approval") throw new Error(`not an approval: ${JSON.stringify(decision)}`);
  return decision.approval.stages?.map((s) => [s.name, s.minApprovals, [...s.approvers.groups]]);
}

describe("staged approvals", () => {
  it("a staged rule alone: its stages in order, the sum, every stage's approvers, the first stage's expiry", () => {
    const decision = evaluatePolicy(policyOf(`${HEAD}rules:${STAGED_RULE}`), ask());
    expect(stagesOf(decision)).toEqual([
      ["team lead", 1, ["leads"]],
      ["security", 1, ["security"]],
    ]);
    if (decision.effect !== "needs_approval") return;
    expect(decision.approval).toMatchObject({
      minApprovals: 2,
      approvers: { groups: ["leads", "security"] },
      expiresInMs: 30 * 60_000,
    });
    expect(decision.approval.stages?.[1]?.expiresInMs).toBe(10 * 60_000);
  });

  it("with a plain approval rule: that rule becomes a first stage `approval`; additions go to the last stage", () => {
    const policy = policyOf(`${HEAD}rules:
  - id: resize-needs-approval
    description: Resizing needs one approval.
    actions: [ecs:cloudServers:resize]
    effect: { require_approval: { min_approvals: 1 } }
  - id: prod-needs-one-more
    description: One more for prod.
    actions: [ecs:cloudServers:resize]
    match: { targets: { tags: { env: prod } } }
    effect: { require_approval: { additional_approvals: 1 } }
${STAGED_RULE}`);
    expect(stagesOf(evaluatePolicy(policy, ask()))).toEqual([
      ["approval", 1, ["ops-approvers"]],
      ["team lead", 1, ["leads"]],
      ["security", 2, ["security"]],
    ]);
    // A staging server: only the plain rule applies, no stages.
    const staging = evaluatePolicy(
      policy,
      ask({ targets: [{ id: "i-2", name: "web-03", tags: { env: "staging" } }] }),
    );
    expect(staging).toMatchObject({ effect: "needs_approval", approval: { minApprovals: 1 } });
    if (staging.effect === "needs_approval") expect(staging.approval.stages).toBeUndefined();
  });

  it("two staged rules: stages of the same name merge (highest count, intersected approvers), others append", () => {
    const policy = policyOf(`${HEAD}rules:${STAGED_RULE}
  - id: big-resizes-need-the-board
    description: Large resizes also need the change board, and two from security.
    actions: [ecs:cloudServers:resize]
    effect:
      require_approval:
        stages:
          - { name: Security, approvers: { groups: [security, ciso] }, min_approvals: 2 }
          - { name: change board, approvers: { users: [U0CAB01] } }
`);
    expect(stagesOf(evaluatePolicy(policy, ask()))).toEqual([
      ["team lead", 1, ["leads"]],
      ["security", 2, ["security"]],
      ["change board", 1, []],
    ]);
  });

  it("a stage whose merged approvers are empty denies, naming the stage", () => {
    const policy = policyOf(`${HEAD}rules:${STAGED_RULE}
  - id: other-security
    description: Another security team.
    actions: [ecs:cloudServers:resize]
    effect:
      require_approval:
        stages: [{ name: security, approvers: { groups: [secops] } }]
`);
    const decision = evaluatePolicy(policy, ask());
    expect(decision.effect).toBe("deny");
    if (decision.effect === "deny") expect(decision.reasons[0]).toContain("stage `security`");
  });

  it("nobody-could-approve is judged per stage with the groups as they are", () => {
    const decision = evaluatePolicy(policyOf(`${HEAD}rules:${STAGED_RULE}`), ask());
    const members = new Map([
      ["leads", ["U0BOB"]],
      ["security", ["U0DAVE"]],
    ]);
    const judged = requireEnoughApprovers(decision, "U0DAVE", members);
    expect(judged.effect).toBe("deny");
    if (judged.effect === "deny")
      expect(judged.reasons[0]).toContain("nobody could approve stage 2 (security), and it needs 1 approval");
    const ok = requireEnoughApprovers(decision, "U0DAVE", new Map([...members, ["security", ["U0ERIN"]]]));
    expect(ok.effect).toBe("needs_approval");
  });

  it("a stricter stage set at execution is stricter; the same one is not; an approval is judged by its stage", () => {
    const before = evaluatePolicy(policyOf(`${HEAD}rules:${STAGED_RULE}`), ask());
    if (before.effect === "deny") throw new Error("denied");
    const terms = termsOf(before);
    const approvers = [
      { userId: "U0BOB", groups: ["leads"], stage: "team lead" },
      { userId: "U0ERIN", groups: ["security"], stage: "security" },
    ];
    expect(compareDecisions(terms, before, approvers, "U0DAVE")).toEqual([]);
    const stricter = evaluatePolicy(
      policyOf(
        `${HEAD}rules:${STAGED_RULE.replace("min_approvals: 1, expires_in: 10m", "min_approvals: 2, expires_in: 10m")}`,
      ),
      ask(),
    );
    expect(compareDecisions(terms, stricter, approvers, "U0DAVE").map((t) => t.kind)).toEqual([
      "more_approvals",
      "stage_more_approvals",
    ]);
    const left = [{ ...approvers[0]!, groups: [] }, approvers[1]!];
    expect(compareDecisions(terms, before, left, "U0DAVE")).toEqual([
      { kind: "approver_not_accepted", userId: "U0BOB", reason: "not_an_approver" },
    ]);
    // A plain approval at first, stages now: every stage is new.
    const plain = {
      effect: "needs_approval" as const,
      minApprovals: 1,
      approvalRuleIds: ["prod-resize-in-stages"],
    };
    expect(compareDecisions(plain, before, [], "U0DAVE").map((t) => t.kind)).toContain("stage_added");
  });

  it("invalid stage files stop with a clear message", () => {
    const bad = (effect: string) =>
      parsePolicy(`${HEAD}rules:
  - id: r
    description: d
    actions: [ecs:cloudServers:resize]
    effect:
${effect}`);
    const messages = (r: ReturnType<typeof parsePolicy>) =>
      (r.ok ? [] : r.errors.map((e) => e.message)).join("\n");
    expect(messages(bad("      require_approval: { min_approvals: 2, stages: [{ name: a }] }"))).toContain(
      "each stage sets its own `min_approvals`",
    );
    expect(messages(bad("      require_approval: { stages: [{ name: a }, { name: A }] }"))).toContain(
      "stage name `A` is already used",
    );
    expect(
      messages(
        bad(
          "      require_approval: { stages: [{ name: a, approvers: { users: [U0BOB] }, min_approvals: 2 }] }",
        ),
      ),
    ).toContain("can never be met");
  });
});

describe("break-glass", () => {
  const policy = policyOf(`${HEAD}
break_glass:
  groups: [sre]
  alert_channel: C0ALERTS
  remind_every: 2h
rules:
  - id: resize-needs-approval
    description: Resizing needs one approval.
    actions: [ecs:cloudServers:resize]
    effect: { require_approval: { min_approvals: 1 }, max_targets: 2 }
  - id: no-db
    description: No databases.
    actions: [ecs:cloudServers:resize]
    match: { targets: { names: ["db-*"] } }
    effect: { deny: "Databases are resized by the DBA team." }
`);
  const sre = { userId: "U0ALICE", groups: ["sre"] };
  const reason = "web tier down, INC-4711";

  it("loads with the default reviewers and the reminder period", () => {
    expect(policy.breakGlass).toEqual({
      groups: ["sre"],
      alertChannel: "C0ALERTS",
      remindEveryMs: 2 * 60 * 60_000,
      reviewers: { users: [], groups: ["ops-approvers"] },
      minReasonLength: 15,
    });
  });

  it("a member skips approval (the cap kept); a deny rule and a cap still deny", () => {
    const needs = evaluatePolicy(policy, ask());
    expect(applyBreakGlass(policy, needs, sre, reason)).toMatchObject({
      ok: true,
      skipped: true,
      decision: { effect: "allow", maxTargets: 2 },
    });
    const db = evaluatePolicy(policy, ask({ targets: [{ id: "i-9", name: "db-01", tags: {} }] }));
    expect(applyBreakGlass(policy, db, sre, reason)).toMatchObject({
      ok: true,
      decision: { effect: "deny" },
    });
    const three = evaluatePolicy(
      policy,
      ask({ targets: ["a", "b", "c"].map((n) => ({ id: n, name: `web-${n}`, tags: {} })) }),
    );
    expect(applyBreakGlass(policy, three, sre, reason)).toMatchObject({
      ok: true,
      decision: { effect: "deny" },
    });
  });

  it("a member skips approval keeping the waves `require_waves` asks for, as an approved request is bound by them", () => {
    const waved = policyOf(`${HEAD}
break_glass: { groups: [sre], alert_channel: C0ALERTS }
rules:
  - id: resize-needs-approval
    description: Resizing needs one approval.
    actions: [ecs:cloudServers:resize]
    effect: { require_approval: { min_approvals: 1 } }
  - id: big-in-waves
    description: Two or more servers go in waves.
    actions: [ecs:cloudServers:resize]
    match: { target_count: { min: 2 } }
    effect: { require_waves: { min_waves: 2, max_failures: 1 } }
`);
    const two = ask({
      targets: ["a", "b"].map((n) => ({ id: n, name: `web-${n}`, tags: {} })),
      waves: { count: 2, maxFailures: 1 },
    });
    const needs = evaluatePolicy(waved, two);
    expect(needs).toMatchObject({ effect: "needs_approval", waves: { minWaves: 2 } });
    if (needs.effect !== "needs_approval") return;
    expect(applyBreakGlass(waved, needs, sre, reason)).toEqual({
      ok: true,
      skipped: true,
      decision: { effect: "allow", rules: needs.rules, waves: needs.waves },
    });
  });

  it("refuses non-members, short reasons and a policy without break_glass, saying why", () => {
    const needs = evaluatePolicy(policy, ask());
    expect(applyBreakGlass(policy, needs, { userId: "U0DAVE", groups: ["ops-approvers"] }, reason)).toEqual({
      ok: false,
      reason: expect.stringContaining("only for members of @sre"),
    });
    expect(applyBreakGlass(policy, needs, sre, "  urgent fix   ")).toEqual({
      ok: false,
      reason: expect.stringContaining("at least 15 characters (yours has 10)"),
    });
    // Padding that nobody can read counts for nothing.
    expect(applyBreakGlass(policy, needs, sre, `urgent fix${"\u200B".repeat(20)}`)).toEqual({
      ok: false,
      reason: expect.stringContaining("at least 15 characters (yours has 10)"),
    });
    expect(applyBreakGlass({}, needs, sre, reason)).toEqual({
      ok: false,
      reason: expect.stringContaining("not set up"),
    });
  });

  it("a break_glass section without reviewers or default approvers stops the bot with a clear message", () => {
    const parsed = parsePolicy(
      "version: 1\nbreak_glass: { groups: [sre], alert_channel: C0ALERTS }\nrules: []\n",
    );
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.errors[0]?.message).toContain("`break_glass` needs `reviewers`");
  });
});

describe("flows/policy.yml", () => {
  it("its commented break-glass and staged examples load when uncommented, and decide as documented", async () => {
    const { readFile } = await import("node:fs/promises");
    const text = await readFile("flows/policy.yml", "utf8");
    const uncommented = text
      .replace(
        /^# (break_glass:| {2}groups: \[sre\]| {2}alert_channel: | {2}remind_every: | {2}reviewers: )/gm,
        "$1",
      )
      // Only the staged rule's own block: the file has other commented rules with the same keys.
      .replace(/^ {2}# - id: prod-resize-in-stages\n(?: {2}#.*\n)*/m, (block) =>
        block.replace(/^ {2}# /gm, "  "),
      );
    const policy = policyOf(uncommented);
    expect(policy.breakGlass?.groups).toEqual(["sre"]);
    expect(stagesOf(evaluatePolicy(policy, ask()))).toEqual([
      ["approval", 1, ["ops-approvers"]],
      ["team lead", 1, ["leads"]],
      ["security", 2, ["security"]],
    ]);
  });
});

describe("/ops policy explain of a staged decision", () => {
  it("lists each stage with its terms, in order", async () => {
    const { explainDecision } = await import("../../src/policy/explain-decision.js");
    const explained = explainDecision(evaluatePolicy(policyOf(`${HEAD}rules:${STAGED_RULE}`), ask()));
    expect(explained.headline).toBe("Needs 2 approvals in 2 stages, in order");
    expect(explained.details).toEqual([
      "Stage 1, team lead: 1 of members of user group leads, not the requester, expires 30m after the stage is reached",
      "Stage 2, security: 1 of members of user group security, not the requester, expires 10m after the stage is reached",
      "An approval counts only for the stage the request waits on; each person approves one stage",
    ]);
  });
});
