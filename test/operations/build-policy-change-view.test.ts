import { describe, expect, it } from "vitest";
import { buildPolicyChangedReply, policyChangeText } from "../../src/operations/build-policy-change-view.js";
import { buildRequestCard } from "../../src/operations/build-request-card.js";
import type { PolicyTightening } from "../../src/policy/compare-decisions.js";
import { renderBlockKit } from "../../src/render/render-block-kit.js";
import { expectValidBlockKit, toGoldenJson } from "../render/block-kit-test-helpers.js";
import { makeDetails, makeRequest, T0 } from "./fixtures.js";

const rule = { id: "prod-needs-one-more", description: "prod", source: "flows/policy.yml:120" };
const tightenings: PolicyTightening[] = [
  { kind: "more_approvals", before: 2, after: 3, rules: [rule] },
  { kind: "new_rule", rule },
  { kind: "approver_not_accepted", userId: "U_BOB", reason: "not_an_approver" },
  { kind: "lower_cap", before: 10, after: 5 },
];
const change = {
  changes: [
    { serverId: "s3", name: "web-03", kind: "tags" as const, added: ["env=prod"], removed: ["env=staging"] },
    { serverId: "s4", name: "<!channel> *x*", kind: "renamed" as const, actual: "<@U123>" },
  ],
  tightenings,
};

describe("policy change views", () => {
  it("the thread reply says what changed, mentions the requester and how to ask again; untrusted text is inert", async () => {
    const request = makeRequest();
    const kit = renderBlockKit(buildPolicyChangedReply(request, change));
    expectValidBlockKit(kit);
    const text = JSON.stringify(kit);
    expect(text).toContain("web-03: now tagged env=prod; no longer tagged env=staging");
    expect(text).toContain("this delete now needs 3 approvals, it had 2");
    // People read the rule's ID and description; where it is written is for the audit (below).
    expect(text).toContain("the rule `prod-needs-one-more` applies now: prod");
    expect(text).not.toContain("policy.yml");
    expect(text).toContain(
      "the approval of <@U_BOB> no longer counts: they are no longer among its approvers (it asked `@ops-approvers`)",
    );
    expect(text).toContain("the limit per request is 5 servers now, it was 10");
    expect(text).toContain("<@U_ALICE> nothing was done");
    expect(text).not.toContain("<@U123>");
    expect(text).not.toContain("<!channel>");
    await expect(toGoldenJson(kit)).toMatchFileSnapshot("golden/policy-changed-reply.json");
  });

  it("plain text for the audit record carries no markup", () => {
    const lines = policyChangeText(change, "ecs:cloudServers:delete");
    expect(lines[0]).toBe("web-03: now tagged env=prod; no longer tagged env=staging");
    expect(lines).toContain("this delete now needs 3 approvals, it had 2");
    expect(lines).toContain("the rule prod-needs-one-more applies now (flows/policy.yml:120)");
  });

  it("the card of a revoked request says it did not run, why, and how to ask again; only Details", () => {
    const request = makeRequest({
      status: "revoked",
      approvals: [
        { userId: "U_BOB", at: T0 + 1 },
        { userId: "U_CAROL", at: T0 + 2 },
      ],
      revocation: { at: T0 + 3, reasons: policyChangeText(change, "ecs:cloudServers:delete") },
    });
    const kit = renderBlockKit(buildRequestCard({ request, details: makeDetails() }));
    expectValidBlockKit(kit);
    const text = JSON.stringify(kit);
    expect(text).not.toContain("<@U123>");
    expect(text).not.toContain("<!channel>");
    expect(text).toContain("Not run, the policy changed");
    expect(text).toContain("this delete now needs 3 approvals, it had 2");
    expect(text).toContain("Ask again to get the approvals it needs now");
    // Only Details: nothing to approve any more.
    const buttons = kit.blocks.flatMap((b) =>
      b.type === "actions" ? (b.elements as { action_id: string }[]) : [],
    );
    expect(buttons.map((b) => b.action_id)).toEqual(["ops.request.details"]);
  });
});
