import { formatDuration } from "../config/parse-duration.js";
import type { WaveRequirement } from "./require-waves.js";
import type { PolicyDecision } from "./types.js";

/** A policy decision as plain strings, for `/ops policy explain`; the Slack layer decides how to render it. */
export interface DecisionExplanation {
  effect: PolicyDecision["effect"];
  /** One line: "Allowed", "Denied", "Needs 2 approvals". */
  headline: string;
  /** Reasons for a denial, or the terms of the approval. */
  details: string[];
  /** The rules that produced the decision: "`id`: description (file:line)". */
  rules: string[];
  /**
   * Of the rules of a decision that needs approval, the `allow` rules (ids), which lift nothing: when rules
   * match the strictest outcome wins, so `by` (the rules asking for approval) decide. Absent otherwise.
   */
  overruledAllows?: { ruleIds: string[]; by: string[] };
}

export function explainDecision(decision: PolicyDecision): DecisionExplanation {
  const rules = decision.rules.map((r) => `${r.id}: ${r.description} (${r.source})`);
  const by = decision.effect === "needs_approval" ? decision.approvalRuleIds : [];
  const allows = decision.rules.filter((r) => by.length > 0 && !by.includes(r.id)).map((r) => r.id);
  const overruled = allows.length > 0 ? { overruledAllows: { ruleIds: allows, by } } : {};
  switch (decision.effect) {
    case "allow":
      return { effect: "allow", headline: "Allowed", details: wavesDetails(decision.waves), rules };
    case "deny":
      return { effect: "deny", headline: "Denied", details: [...decision.reasons], rules };
    case "needs_approval": {
      const a = decision.approval;
      const who = [
        ...a.approvers.groups.map((g) => `members of user group ${g}`),
        ...(a.approvers.users.length > 0 ? [`users ${a.approvers.users.join(", ")}`] : []),
      ].join("; ");
      const plural = a.minApprovals === 1 ? "approval" : "approvals";
      if (a.stages !== undefined) {
        return {
          effect: "needs_approval",
          headline: `Needs ${a.minApprovals} ${plural} in ${a.stages.length} stages, in order`,
          details: [
            ...a.stages.map((s, i) => {
              const by = [
                ...s.approvers.groups.map((g) => `members of user group ${g}`),
                ...(s.approvers.users.length > 0 ? [`users ${s.approvers.users.join(", ")}`] : []),
              ].join("; ");
              const terms = [
                `${s.minApprovals} of ${by}`,
                s.allowSelfApproval ? "the requester may approve" : "not the requester",
                `expires ${formatDuration(s.expiresInMs)} after the stage is reached`,
                // Said only when it binds, like on the card.
                ...(s.reasonRequired ? ["rejecting needs a reason"] : []),
              ];
              return `Stage ${i + 1}, ${s.name}: ${terms.join(", ")}`;
            }),
            "An approval counts only for the stage the request waits on; each person approves one stage",
            ...(decision.eligibleApprovers !== undefined
              ? [
                  `${decision.eligibleApprovers} ${decision.eligibleApprovers === 1 ? "person" : "people"} could approve it now`,
                ]
              : []),
            ...wavesDetails(decision.waves),
          ],
          rules,
          ...overruled,
        };
      }
      return {
        effect: "needs_approval",
        headline: `Needs ${a.minApprovals} ${plural}`,
        details: [
          `Approvers: ${who}`,
          `${a.minApprovals} distinct ${a.minApprovals === 1 ? "person" : "people"} must approve`,
          ...(decision.eligibleApprovers !== undefined
            ? [
                `${decision.eligibleApprovers} ${decision.eligibleApprovers === 1 ? "person" : "people"} could approve it now`,
              ]
            : []),
          a.allowSelfApproval
            ? "The requester may approve their own request"
            : "The requester cannot approve their own request",
          `The request expires ${formatDuration(a.expiresInMs)} after it is made`,
          ...(a.reasonRequired ? ["Rejecting needs a reason"] : []),
          ...wavesDetails(decision.waves),
        ],
        rules,
        ...overruled,
      };
    }
  }
}

/** `require_waves`: what the request must (and does) meet, and which rules ask for it. */
function wavesDetails(waves: WaveRequirement | undefined): string[] {
  if (waves === undefined) return [];
  const ids = waves.ruleIds.map((id) => `\`${id}\``).join(", ");
  return [
    `Runs in at least ${waves.minWaves} waves, stopping once ${waves.maxFailures} ${waves.maxFailures === 1 ? "server fails" : "servers fail"} (${waves.maxFailuresText}; ${waves.ruleIds.length === 1 ? "rule" : "rules"} ${ids})`,
  ];
}
