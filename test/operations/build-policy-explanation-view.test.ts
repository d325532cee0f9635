/**
 * `/ops policy explain` on an `allow` that another rule's approval always overrides (the admin wrote it to let
 * SRE stop prod without approval): the allow is listed with why it lifts nothing, the approval rule is not.
 * Golden in `golden/policy-explanation-allow-overruled.json`.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { formatConfigErrors } from "../../src/config/load-yaml-config.js";
import { buildPolicyExplanationView } from "../../src/operations/build-policy-explanation-view.js";
import { evaluatePolicy } from "../../src/policy/evaluate-policy.js";
import { explainDecision } from "../../src/policy/explain-decision.js";
import { parsePolicy } from "../../src/policy/load-policy.js";
import { renderBlockKit } from "../../src/render/render-block-kit.js";
import { collectMrkdwn, expectValidBlockKit, toGoldenJson } from "../render/block-kit-test-helpers.js";

const SRE_STOP_FREE = `
  - id: sre-prod-stop-free
    description: SRE may stop prod without approval.
    actions: [ecs:cloudServers:stop]
    match: { requesters: { groups: [sre] }, targets: { tags: { env: prod } } }
    effect: allow
`;

const web01 = { id: "i-1", name: "web-01", tags: { env: "prod", team: "platform" } };

function explainStop(extraRules: string) {
  const loaded = parsePolicy(`${readFileSync("flows/policy.yml", "utf8")}${extraRules}`, "flows/policy.yml", {
    checkRules: true,
  });
  if (!loaded.ok) throw new Error(formatConfigErrors(loaded.errors));
  const decision = evaluatePolicy(loaded.policy, {
    action: "ecs:cloudServers:stop",
    requester: { userId: "U_SRE", groups: ["sre"] },
    channel: { id: "C_OPS", name: "ops" },
    targets: [web01],
    flags: { hard: false },
  });
  return {
    decision,
    message: buildPolicyExplanationView({
      commandLine: "/ecs stop web-01",
      action: "ecs:cloudServers:stop",
      explanation: explainDecision(decision),
      servers: [web01],
      unresolved: [],
    }),
  };
}

describe("buildPolicyExplanationView", () => {
  it("says an allow another rule's approval overrides lifts nothing (golden)", async () => {
    const { decision, message } = explainStop(SRE_STOP_FREE);
    expect(decision.effect).toBe("needs_approval");
    const kit = renderBlockKit(message);
    expectValidBlockKit(kit);
    const text = collectMrkdwn(kit).join("\n");
    // The note is the line after the rule's.
    const lines = text.split("\n");
    const line = (id: string) => lines[lines.findIndex((l) => l.includes(`${id}:`)) + 1] ?? "";
    expect(line("sre-prod-stop-free")).toContain(
      "Its allow is overridden here:_ `prod-needs-one-more` asks for approval, and when rules match the strictest outcome wins (deny, then too many targets, then approval, then allow)",
    );
    expect(line("soft-power")).toContain("Its allow is overridden here:");
    expect(line("prod-needs-one-more")).not.toContain("overridden");
    await expect(toGoldenJson(kit)).toMatchFileSnapshot("golden/policy-explanation-allow-overruled.json");
  });

  it("adds nothing to an allow that decides", () => {
    const { decision, message } = explainStop("");
    expect(decision.effect).toBe("needs_approval");
    const dev = explainDecision(
      evaluatePolicy(
        (() => {
          const p = parsePolicy(readFileSync("flows/policy.yml", "utf8"), "flows/policy.yml");
          if (!p.ok) throw new Error("shipped policy");
          return p.policy;
        })(),
        {
          action: "ecs:cloudServers:stop",
          requester: { userId: "U_SRE", groups: ["sre"] },
          channel: { id: "C_OPS", name: "ops" },
          targets: [{ id: "i-2", name: "web-03", tags: { env: "staging" } }],
          flags: { hard: false },
        },
      ),
    );
    expect(dev.effect).toBe("allow");
    expect(dev.overruledAllows).toBeUndefined();
    expect(collectMrkdwn(renderBlockKit(message)).join("\n")).toContain("soft-power:");
  });
});
