/**
 * The denial a requester gets, on decisions the policy really makes: a rule-less denial says only what its
 * reason says (no rule grants it, the channel is not on the allow-list, break-glass was refused) and never
 * claims "no rule allows it" when a rule does, with approval; a refused break-glass says how to ask without it.
 * Goldens in `golden/denial-*.json`.
 */
import { describe, expect, it } from "vitest";
import { buildDenialView, type DenialViewInput } from "../../src/operations/build-denial-view.js";
import { applyBreakGlass } from "../../src/policy/apply-break-glass.js";
import { evaluatePolicy } from "../../src/policy/evaluate-policy.js";
import { parsePolicy } from "../../src/policy/load-policy.js";
import { requireEnoughApprovers } from "../../src/policy/require-enough-approvers.js";
import type { Policy, PolicyDecision, PolicyRequest } from "../../src/policy/types.js";
import { renderBlockKit } from "../../src/render/render-block-kit.js";
import { collectMrkdwn, expectValidBlockKit, toGoldenJson } from "../render/block-kit-test-helpers.js";

function policyOf(extra = ""): Policy {
  const loaded = parsePolicy(
    `
version: 1
defaults:
  approvers: { groups: [ops-approvers] }
break_glass: { groups: [sre], alert_channel: C_PROD }
${extra}
rules:
  - id: hard-power-needs-approval
    description: A hard reboot needs one approval.
    actions: [ecs:cloudServers:reboot]
    match: { flags: { hard: true } }
    effect: { require_approval: { min_approvals: 1 } }
  - id: deletes-capped
    description: At most two deletes per request.
    actions: [ecs:cloudServers:delete]
    effect: { require_approval: { min_approvals: 2 }, max_targets: 2 }
`,
    "flows/policy.yml",
  );
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.errors));
  return loaded.policy;
}

function ask(extra: Partial<PolicyRequest> = {}): PolicyRequest {
  return {
    action: "ecs:cloudServers:reboot",
    requester: { userId: "U_DAVE", groups: [] },
    channel: { id: "C_OPS", name: "ops" },
    targets: [{ id: "i-4", name: "web-04", tags: {} }],
    flags: { hard: true },
    ...extra,
  };
}

function denied(decision: PolicyDecision): { reasons: string[]; rules: PolicyDecision["rules"] } {
  if (decision.effect !== "deny") throw new Error(`not a denial: ${JSON.stringify(decision)}`);
  return { reasons: decision.reasons, rules: decision.rules };
}

const REASON = "web tier down, INC-4711 rollback";
const policy = policyOf();
const breakGlass = applyBreakGlass(
  policy,
  evaluatePolicy(policy, ask()),
  { userId: "U_DAVE", groups: [] },
  REASON,
);
if (breakGlass.ok) throw new Error("break-glass should be refused");

const CASES: [string, DenialViewInput][] = [
  [
    "no-rule",
    {
      commandLine: "/ecs start web-04",
      ...denied(evaluatePolicy(policy, ask({ action: "ecs:cloudServers:start" }))),
    },
  ],
  [
    "rule-does-not-apply",
    {
      commandLine: "/ecs reboot web-04",
      ...denied(evaluatePolicy(policy, ask({ flags: {} }))),
    },
  ],
  [
    "channel",
    {
      commandLine: "/ecs reboot web-04 --hard",
      ...denied(evaluatePolicy(policyOf("allowed_channels: { names: [prod-ops] }"), ask())),
    },
  ],
  [
    "break-glass-refused",
    {
      commandLine: "/ecs reboot web-04 --hard",
      reasons: [breakGlass.reason],
      rules: [],
      breakGlassRefused: true,
    },
  ],
  [
    "unknown-approver-group",
    {
      commandLine: "/ecs delete web-04",
      ...(() => {
        const decision = requireEnoughApprovers(
          evaluatePolicy(policyOf(), ask({ action: "ecs:cloudServers:delete", flags: {} })),
          "U_DAVE",
          new Map([["sre", ["U_BOB"]]]),
        );
        if (decision.effect !== "deny") throw new Error("not a denial");
        return {
          reasons: decision.reasons,
          rules: decision.rules,
          tooFewApprovers: true,
          unknownApproverGroups: decision.unknownApproverGroups ?? [],
        };
      })(),
    },
  ],
  [
    "cap-split",
    {
      commandLine: "/ecs delete a b c",
      ...denied(
        evaluatePolicy(
          policy,
          ask({
            action: "ecs:cloudServers:delete",
            flags: {},
            targets: ["a", "b", "c"].map((n) => ({ id: n, name: n, tags: {} })),
          }),
        ),
      ),
      split: { cap: 2, commands: ["/ecs delete a b", "/ecs delete c"] },
    },
  ],
];

function textOf(input: DenialViewInput): string {
  const kit = renderBlockKit(buildDenialView(input));
  expectValidBlockKit(kit);
  return collectMrkdwn(kit).join("\n");
}

describe("buildDenialView", () => {
  it.each(CASES)("%s (golden)", async (name, input) => {
    const kit = renderBlockKit(buildDenialView(input));
    expectValidBlockKit(kit);
    await expect(toGoldenJson(kit)).toMatchFileSnapshot(`golden/denial-${name}.json`);
  });

  it("says no rule allows it only when no rule grants the request, once", () => {
    const texts = Object.fromEntries(CASES.map(([name, input]) => [name, textOf(input)]));
    expect(texts["no-rule"]).toContain("no rule of the policy allows it");
    // Said once in what the requester reads (the blocks), by the reason itself.
    const blocks = JSON.stringify(renderBlockKit(buildDenialView(CASES[0]?.[1] as DenialViewInput)).blocks);
    expect(blocks.match(/not allowed is denied|does not allow is denied/g)).toHaveLength(1);
    expect(texts["rule-does-not-apply"]).toContain(
      "the only rule for this action, `hard-power-needs-approval` (A hard reboot needs one approval), does not cover this request",
    );
    for (const name of ["channel", "break-glass-refused", "cap-split"])
      expect(texts[name], name).not.toMatch(/no rule (of the policy )?allows it/i);
    expect(texts.channel).toContain("I only act in #prod-ops");
  });

  it("a refused break-glass says to ask without it; other denials do not", () => {
    const texts = Object.fromEntries(CASES.map(([name, input]) => [name, textOf(input)]));
    expect(texts["break-glass-refused"]).toContain("break-glass is only for members of @sre");
    expect(texts["break-glass-refused"]).toContain(
      "Only break-glass was refused: the same command without `--break-glass` is decided as usual",
    );
    for (const name of ["no-rule", "channel", "cap-split"])
      expect(texts[name], name).not.toContain("Only break-glass was refused");
  });

  it("an approver group Slack does not have: the policy's owners must fix its name, not a Slack admin add people", () => {
    const text = textOf(CASES.find(([name]) => name === "unknown-approver-group")?.[1] as DenialViewInput);
    expect(text).toContain(
      "Slack has no enabled user group @ops-approvers, so the policy's owners must fix the name",
    );
    expect(text).toContain(
      "the policy's owners fix the approver group @ops-approvers, which Slack does not have",
    );
    expect(text).not.toContain("a Slack admin can add people");
  });

  it("lists the rules that denied it, and how to split a capped request", () => {
    const text = textOf(CASES.find(([name]) => name === "cap-split")?.[1] as DenialViewInput);
    expect(text).toContain("at most 2 per request");
    expect(text).toContain("`deletes-capped` At most two deletes per request. (flows/policy.yml:");
    expect(text).toContain("`/ecs delete a b`");
    expect(text).toContain("`/ecs delete c`");
  });
});
