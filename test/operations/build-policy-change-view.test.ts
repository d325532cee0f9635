import { describe, expect, it } from "vitest";
import {
  buildPolicyChangedReply,
  type ExplainedTightening,
  policyChangeCause,
  policyChangeText,
} from "../../src/operations/build-policy-change-view.js";
import { buildRequestCard } from "../../src/operations/build-request-card.js";
import { fallbackLead, headline, outcome } from "../../src/operations/request-card-outcome.js";
import type { PolicyTightening } from "../../src/policy/compare-decisions.js";
import { renderBlockKit } from "../../src/render/render-block-kit.js";
import { renderMrkdwn } from "../../src/render/render-mrkdwn.js";
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
    // Recorded before the re-decision said why: no claim about their groups.
    expect(text).toContain(
      "<@U_BOB>'s approval no longer counts: they are no longer among its approvers (it asked `@ops-approvers`)",
    );
    // The servers changed: the header says so, not that the policy did.
    expect(text).toContain(":no_entry: *Not run — the servers changed.* Checked again just before running:");
    expect(text).toContain("the limit per request is 5 servers now, it was 10");
    expect(text).toContain("<@U_ALICE>, nothing was done");
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
    expect(text).not.toContain("the policy changed");
    expect(text).toContain("this delete now needs 3 approvals, it had 2");
    expect(text).toContain("Ask again to get the approvals it needs now");
    // Only Details: nothing to approve any more.
    const buttons = kit.blocks.flatMap((b) =>
      b.type === "actions" ? (b.elements as { action_id: string }[]) : [],
    );
    expect(buttons.map((b) => b.action_id)).toEqual(["ops.request.details"]);
  });

  describe("says what changed, not that the policy did", () => {
    const FREEZE_END = T0 + 3_600_000;
    const left: ExplainedTightening = {
      kind: "approver_not_accepted",
      userId: "U_BOB",
      reason: "not_an_approver",
      approver: "left",
    };
    const frozen: ExplainedTightening = {
      kind: "denied",
      reasons: ["Changes are frozen."],
      rules: [{ id: "freeze-denies-power", description: "No power changes.", source: "policy.yml:9" }],
      calendars: [
        {
          ruleId: "freeze-denies-power",
          calendar: "test-freeze",
          kind: "freeze",
          description: "A test freeze.",
          relation: "during",
          until: FREEZE_END,
        },
      ],
    };
    const revoked = (reasons: string[]) =>
      makeRequest({
        status: "revoked",
        approvals: [{ userId: "U_BOB", at: T0 + 1 }],
        revocation: { at: T0 + 3, reasons },
      });

    it("an approver left the group it asked: named with the group, in the thread, the card and the audit", async () => {
      const change = { changes: [], tightenings: [left] };
      const kit = renderBlockKit(buildPolicyChangedReply(makeRequest(), change));
      expectValidBlockKit(kit);
      expect(kit.text).toBe("Not run: <@U_BOB>'s approval no longer counts (no longer in `@ops-approvers`)");
      const text = JSON.stringify(kit);
      expect(text).toContain(":no_entry: *Not run — an approver's groups changed.*");
      expect(text).not.toContain("policy");
      await expect(toGoldenJson(kit)).toMatchFileSnapshot("golden/policy-changed-reply-approver-left.json");

      const reasons = policyChangeText(change, "ecs:cloudServers:delete");
      expect(reasons).toEqual(["@U_BOB's approval no longer counts: they are not among its approvers now"]);
      expect(policyChangeCause(change)).toBe("an approver's groups changed");

      const request = revoked(reasons);
      expect(renderMrkdwn(headline(request, false, undefined, false, change))).toContain(
        "*Not run — an approver's groups changed:*",
      );
      expect(renderMrkdwn(fallbackLead(request, false, undefined, false, change))).toBe(
        "Not run — an approver's groups changed:",
      );
      const said = renderMrkdwn(outcome(request, makeDetails({ redecision: change }))!);
      expect(said).toContain("<@U_BOB>'s approval no longer counts (no longer in `@ops-approvers`)");
      expect(said).toContain("Ask again to get the approvals it needs now");
    });

    it("an approver still in the group: the policy's approvers changed", () => {
      const change = { changes: [], tightenings: [{ ...left, approver: "policy" as const }] };
      const text = JSON.stringify(renderBlockKit(buildPolicyChangedReply(makeRequest(), change)));
      expect(text).toContain(
        "<@U_BOB>'s approval no longer counts: the policy's approvers for it changed (it asked `@ops-approvers`)",
      );
      expect(text).toContain("*Not run — the policy is stricter now.*");
    });

    it("a freeze: named with its end; asking again is denied until then, so it says when to ask", async () => {
      const change = { changes: [], tightenings: [frozen] };
      const kit = renderBlockKit(buildPolicyChangedReply(makeRequest(), change));
      expectValidBlockKit(kit);
      const text = JSON.stringify(kit);
      const end = `<!date^${String(FREEZE_END / 1000)}^`;
      expect(text).toContain(":no_entry: *Not run — the freeze `test-freeze` is in force.*");
      expect(text).toContain(
        `this delete is not allowed during the freeze \`test-freeze\` (in force until ${end}`,
      );
      expect(text).toContain(`Asking again is denied until the freeze ends ${end}`);
      expect(text).toContain("schedule it for after then with `--at`");
      expect(text).not.toContain("Ask again to get the approvals");
      await expect(toGoldenJson(kit)).toMatchFileSnapshot("golden/policy-changed-reply-freeze.json");

      const reasons = policyChangeText(change, "ecs:cloudServers:delete");
      expect(reasons[0]).toMatch(
        /^this delete is not allowed during the freeze test-freeze \(in force until /,
      );
      const request = revoked(reasons);
      expect(renderMrkdwn(headline(request, false, undefined, false, change))).toContain(
        "*Not run — the freeze `test-freeze` is in force:*",
      );
      const said = renderMrkdwn(outcome(request, makeDetails({ redecision: change }))!);
      expect(said).toContain(`Asking again is denied until the freeze ends ${end}`);
    });

    it("a deny rule that is not a freeze: asking again is denied too, and explain says why", () => {
      const change = { changes: [], tightenings: [{ ...frozen, calendars: [] }] };
      const text = JSON.stringify(renderBlockKit(buildPolicyChangedReply(makeRequest(), change)));
      expect(text).toContain("this delete is not allowed any more: Changes are frozen.");
      expect(text).toContain(
        "Asking again is denied too while this holds; `/ops policy explain /ecs delete web-03 web-04`",
      );
    });
  });
});
