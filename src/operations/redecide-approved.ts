import type { ApprovalRequest } from "../approvals/approval-request.js";
import { explainCalendarConditions } from "../calendars/explain-calendar-conditions.js";
import { applyBreakGlass } from "../policy/apply-break-glass.js";
import { canApprove } from "../policy/can-approve.js";
import { type ApprovedTerms, compareDecisions, type PolicyTightening } from "../policy/compare-decisions.js";
import { evaluatePolicy } from "../policy/evaluate-policy.js";
import type { Policy, PolicyDecision, PolicyTarget, RuleRef } from "../policy/types.js";
import { boundPolicyFacts } from "./bound-policy-facts.js";
import type { ExplainedTightening } from "./build-policy-change-view.js";
import { isPolicyAllowed, POLICY_ACTOR } from "./describe-request.js";

/** What an approved request is decided on again: its servers, people's groups, its channel and the time. */
export interface RedecisionFacts {
  /** Its servers as the policy sees them (as just read before a run; as approved for `/ops jobs`). */
  targets: PolicyTarget[];
  /** The groups a person belongs to, as recently read from the chat platform. */
  groupsOf: (userId: string) => string[];
  channelName: string | undefined;
  /** The time the calendar conditions (freezes, windows) are judged at; absent: judged fail-closed. */
  at: number | undefined;
}

/** The decision the policy makes on an approved request now, and every way it is stricter than approved. */
export interface Redecided {
  decision: PolicyDecision;
  /** Each with what made it (`explainTightening`): an approver's groups, a freeze in force at `at`. */
  tightenings: ExplainedTightening[];
}

/**
 * Decides the policy again on an approved request: the rules evaluated on `facts` with the request's
 * requester, channel and flags, break-glass applied again (it skips approval again, and only approval: a deny
 * rule or a cap still stops it, and so does the requester having left the break-glass groups since), and the
 * people whose approvals counted judged with their groups now. The result is compared with the terms the
 * request was approved under (`compareDecisions`). The gate's re-decision before a run and `/ops jobs`' outlook
 * of a scheduled change both decide through here, so what the list says is what the gate will do. Pure.
 */
export function redecideApproved(
  policy: Policy,
  request: ApprovalRequest,
  facts: RedecisionFacts,
): Redecided {
  const requesterId = request.requester.userId;
  const requester = { userId: requesterId, groups: facts.groupsOf(requesterId) };
  const ruled = evaluatePolicy(policy, {
    action: request.action,
    requester,
    channel: { id: request.channel, ...(facts.channelName !== undefined && { name: facts.channelName }) },
    targets: facts.targets,
    ...boundPolicyFacts(request),
    ...(facts.at !== undefined && { at: facts.at }),
  });
  const glass = request.breakGlass;
  const verdict = glass === undefined ? undefined : applyBreakGlass(policy, ruled, requester, glass.reason);
  const decision: PolicyDecision =
    verdict === undefined
      ? ruled
      : verdict.ok
        ? verdict.decision
        : { effect: "deny", rules: [], reasons: [verdict.reason] };
  const approvers = request.approvals
    .filter((a) => a.userId !== POLICY_ACTOR)
    .map((a) => ({
      userId: a.userId,
      groups: facts.groupsOf(a.userId),
      ...(a.stage !== undefined && { stage: a.stage }),
    }));
  const tightenings = compareDecisions(approvedTermsOf(request), decision, approvers, requesterId).map((t) =>
    explainTightening(t, request, policy, facts.at, facts.groupsOf),
  );
  return { decision, tightenings };
}

/**
 * A tightening with what made it, for its words (`ExplainedTightening`): whether an approver who no longer
 * counts left the groups the request asked for their approval (else the policy's approvers changed), and the
 * calendars its rules look at as of `at` (a freeze in force, until when; unknown without a time).
 */
function explainTightening(
  t: PolicyTightening,
  request: ApprovalRequest,
  policy: Policy,
  at: number | undefined,
  groupsOf: (userId: string) => string[],
): ExplainedTightening {
  if (t.kind === "approver_not_accepted") {
    if (t.reason !== "not_an_approver") return t;
    const stage = request.approvals.find((a) => a.userId === t.userId)?.stage;
    const asked =
      request.requirement.stages?.find((s) => s.name === stage)?.approvers ?? request.requirement.approvers;
    const still = canApprove(
      { approvers: asked, allowSelfApproval: true },
      { userId: t.userId, groups: groupsOf(t.userId) },
      request.requester.userId,
    ).ok;
    return { ...t, approver: still ? "policy" : "left" };
  }
  const rules: readonly RuleRef[] = t.kind === "new_rule" ? [t.rule] : "rules" in t ? t.rules : [];
  if (at === undefined || rules.length === 0) return t;
  const calendars = explainCalendarConditions(policy, rules, at);
  return calendars.length > 0 ? { ...t, calendars } : t;
}

/** The terms a request was approved under; requests recorded before terms were kept get them from the record. */
export function approvedTermsOf(request: ApprovalRequest): ApprovedTerms {
  if (request.terms !== undefined) return request.terms;
  return isPolicyAllowed(request)
    ? { effect: "allow", minApprovals: 0, approvalRuleIds: [] }
    : {
        effect: "needs_approval",
        minApprovals: request.requirement.minApprovals,
        approvalRuleIds: [...request.ruleIds],
      };
}
