import type { ApprovedTerms } from "../policy/compare-decisions.js";
import { termsOf } from "../policy/compare-decisions.js";
import type { PolicyDecision } from "../policy/types.js";

type Proceeding = Exclude<PolicyDecision, { effect: "deny" }>;

/**
 * The decision on a schedule's creation: the stricter of the policy's rule for `ops:schedule:create` and its
 * command's own decision for the owner. A deny on either side denies (with both sides' reasons). Otherwise the
 * side needing more approvals sets who approves and how many (the schedule rule's on a tie); reasons are
 * required and self-approval refused if either side says so; the shorter expiry wins. Pure.
 */
export function combineDecisions(schedule: PolicyDecision, command: PolicyDecision): PolicyDecision {
  const rules = [
    ...schedule.rules,
    ...command.rules.filter((r) => !schedule.rules.some((s) => s.id === r.id)),
  ];
  if (schedule.effect === "deny" || command.effect === "deny") {
    const reasons = [
      ...(schedule.effect === "deny" ? schedule.reasons : []),
      ...(command.effect === "deny" ? command.reasons : []),
    ];
    return { effect: "deny", rules, reasons };
  }
  const maxTargets = minOf(schedule.maxTargets, command.maxTargets);
  const caps = maxTargets === undefined ? {} : { maxTargets };
  if (schedule.effect === "allow" && command.effect === "allow") return { effect: "allow", rules, ...caps };
  const needing = [schedule, command].filter((d) => d.effect === "needs_approval");
  const [first, second] = needing as Extract<Proceeding, { effect: "needs_approval" }>[];
  if (first === undefined) throw new Error("unreachable: one side needs approval");
  const lead =
    second !== undefined && second.approval.minApprovals > first.approval.minApprovals ? second : first;
  const other = lead === first ? second : first;
  const approval = { ...lead.approval };
  if (other !== undefined) {
    approval.reasonRequired = lead.approval.reasonRequired || other.approval.reasonRequired;
    approval.allowSelfApproval = lead.approval.allowSelfApproval && other.approval.allowSelfApproval;
    approval.expiresInMs = Math.min(lead.approval.expiresInMs, other.approval.expiresInMs);
  }
  const approvalRuleIds = [...new Set(needing.flatMap((d) => d.approvalRuleIds))];
  return {
    effect: "needs_approval",
    rules,
    approval,
    approvalRuleIds,
    ...caps,
    ...(lead.eligibleApprovers !== undefined && { eligibleApprovers: lead.eligibleApprovers }),
  };
}

/** The terms a schedule's request is approved under (what its re-decision before activation compares to). */
export function combinedTermsOf(decision: Proceeding): ApprovedTerms {
  return termsOf(decision);
}

function minOf(a: number | undefined, b: number | undefined): number | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return Math.min(a, b);
}
