import { canApprove } from "./can-approve.js";
import type { PolicyDecision, RuleRef } from "./types.js";

/** What a request was approved under: enough to tell later whether the policy became stricter. */
export interface ApprovedTerms {
  effect: "allow" | "needs_approval";
  /** 0 for a request the policy allowed outright. */
  minApprovals: number;
  /** The rules whose approval terms applied (empty when allowed outright). */
  approvalRuleIds: string[];
  /** The tightest `max_targets` that applied, if any. */
  maxTargets?: number;
  /** Staged approvals: each stage's name and count, in order. */
  stages?: { name: string; minApprovals: number }[];
  /** Approval was skipped by break-glass: compared as allowed, re-decided with break-glass again. */
  breakGlass?: boolean;
}

/** The terms of a decision that let a request proceed (allow or needs approval). */
export function termsOf(decision: Exclude<PolicyDecision, { effect: "deny" }>): ApprovedTerms {
  return decision.effect === "allow"
    ? {
        effect: "allow",
        minApprovals: 0,
        approvalRuleIds: [],
        ...(decision.maxTargets !== undefined && { maxTargets: decision.maxTargets }),
      }
    : {
        effect: "needs_approval",
        minApprovals: decision.approval.minApprovals,
        approvalRuleIds: [...decision.approvalRuleIds],
        ...(decision.maxTargets !== undefined && { maxTargets: decision.maxTargets }),
        ...(decision.approval.stages !== undefined && {
          stages: decision.approval.stages.map((s) => ({ name: s.name, minApprovals: s.minApprovals })),
        }),
      };
}

/** One way the policy's decision now is stricter than what a request was approved under. */
export type PolicyTightening =
  /** The request would now be denied. */
  | { kind: "denied"; reasons: string[]; rules: RuleRef[] }
  /** It was allowed outright and would now need approval. */
  | { kind: "approval_needed"; minApprovals: number; rules: RuleRef[] }
  /** It needs more approvals than it was approved with. */
  | { kind: "more_approvals"; before: number; after: number; rules: RuleRef[] }
  /** Someone whose approval counted could not approve it now. */
  | { kind: "approver_not_accepted"; userId: string; reason: "not_an_approver" | "self_approval" }
  /** A lower `max_targets` cap applies now (still met, or the request would be denied). */
  | { kind: "lower_cap"; before?: number; after: number }
  /** A rule whose approval terms did not apply before applies now. */
  | { kind: "new_rule"; rule: RuleRef }
  /** An approval stage the request did not go through is required now. */
  | { kind: "stage_added"; stage: string }
  /** A stage it went through needs more approvals now. */
  | { kind: "stage_more_approvals"; stage: string; before: number; after: number };

/**
 * Compares the decision the policy makes now (on the servers as they are, with the requester, channel and
 * flags of the request) with the terms the request was approved under, and lists every way it is stricter.
 * Empty: the decision is the same or laxer, and the request may run as approved. `approvers` are the people
 * whose approvals counted, with the groups they belong to now. Pure.
 */
export function compareDecisions(
  approved: ApprovedTerms,
  now: PolicyDecision,
  approvers: readonly { userId: string; groups: readonly string[]; stage?: string }[],
  requesterId: string,
): PolicyTightening[] {
  if (now.effect === "deny") return [{ kind: "denied", reasons: [...now.reasons], rules: now.rules }];
  const out: PolicyTightening[] = [];
  if (now.effect === "needs_approval") {
    const approvalRules = now.rules.filter((r) => now.approvalRuleIds.includes(r.id));
    if (approved.effect === "allow") {
      out.push({ kind: "approval_needed", minApprovals: now.approval.minApprovals, rules: approvalRules });
    } else {
      if (now.approval.minApprovals > approved.minApprovals) {
        out.push({
          kind: "more_approvals",
          before: approved.minApprovals,
          after: now.approval.minApprovals,
          rules: approvalRules,
        });
      }
      const nowStages = now.approval.stages;
      if (nowStages !== undefined) {
        const before = new Map((approved.stages ?? []).map((s) => [s.name.toLowerCase(), s.minApprovals]));
        for (const stage of nowStages) {
          const had = before.get(stage.name.toLowerCase());
          if (had === undefined) out.push({ kind: "stage_added", stage: stage.name });
          else if (stage.minApprovals > had)
            out.push({
              kind: "stage_more_approvals",
              stage: stage.name,
              before: had,
              after: stage.minApprovals,
            });
        }
      }
      for (const approver of approvers) {
        // A staged approval is judged by the stage it was given for; a stage dropped since asks nothing.
        const stage =
          nowStages === undefined
            ? now.approval
            : nowStages.find((s) => s.name.toLowerCase() === approver.stage?.toLowerCase());
        if (stage === undefined) continue;
        const verdict = canApprove(stage, approver, requesterId);
        if (!verdict.ok)
          out.push({ kind: "approver_not_accepted", userId: approver.userId, reason: verdict.reason });
      }
      for (const rule of approvalRules) {
        if (!approved.approvalRuleIds.includes(rule.id)) out.push({ kind: "new_rule", rule });
      }
    }
  }
  if (
    now.maxTargets !== undefined &&
    (approved.maxTargets === undefined || now.maxTargets < approved.maxTargets)
  ) {
    out.push({
      kind: "lower_cap",
      after: now.maxTargets,
      ...(approved.maxTargets !== undefined && { before: approved.maxTargets }),
    });
  }
  return out;
}
