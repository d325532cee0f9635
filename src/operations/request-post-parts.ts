import type { ApprovalRequest } from "../approvals/approval-request.js";
import type { Target } from "../intents/index.js";
import type { ApprovalRequirement, PolicyDecision } from "../policy/types.js";
import type { Message } from "../render/message-model.js";
import type { FlowTarget } from "../workflow/types.js";
import { buildPreparingView } from "./build-preflight-views.js";
import { describeApprovers, POLICY_ACTOR } from "./describe-request.js";
import { askedNow, notifies } from "./notify-approvers.js";

/*
 * The parts of a request that a command (`handle-mutation-request.ts`) and a recurring schedule
 * (`src/recurring`) record and post alike.
 */

/**
 * The requirement recorded for a request the policy allowed: it is approved at once by `system:policy`, so
 * it goes through the same record, claim and audit trail as an approved one (one record per execution).
 */
export const POLICY_ALLOWED_REQUIREMENT: ApprovalRequirement = {
  approvers: { users: [POLICY_ACTOR], groups: [] },
  minApprovals: 1,
  allowSelfApproval: false,
  expiresInMs: 10 * 60_000,
  reasonRequired: false,
};

/**
 * The first post of a request, before its card: it mentions the approvers when the request needs approval and
 * its rule notifies by mention (Slack notifies on a new message, not on the edit that turns it into the card).
 */
export function preparingViewFor(
  commandLine: string,
  decision: PolicyDecision,
  groupIds: Readonly<Record<string, string>>,
  requesterId: string,
): Message {
  return buildPreparingView(
    commandLine,
    decision.effect === "needs_approval" && mentionsApprovers(decision)
      ? {
          requesterId,
          minApprovals: askedNow({ requirement: decision.approval, approvals: [] }).minApprovals,
          approvers: describeApprovers(askedNow({ requirement: decision.approval, approvals: [] }), groupIds),
        }
      : undefined,
  );
}

/** Whether the request's approvers are mentioned (it needs approval and its rule notifies by mention). */
export function mentionsApprovers(decision: PolicyDecision): boolean {
  return decision.effect === "needs_approval" && notifies(decision.approval, "mention");
}

/** The IDs of the groups asked now (a staged request's first stage): the others are named, not mentioned. */
export function idsOfAskedNow(
  request: Pick<ApprovalRequest, "requirement" | "approvals">,
  groupIds: Readonly<Record<string, string>>,
): Record<string, string> {
  const asked = new Set(askedNow(request).approvers.groups);
  return Object.fromEntries(Object.entries(groupIds).filter(([handle]) => asked.has(handle)));
}

/**
 * The approved targets with the command's tag selectors that chose each one (`key=value`), so a server
 * that loses the tag before execution is drift. A server named explicitly and also carrying a selector's tag
 * is bound to it as well: the stricter reading.
 */
export function withSelectors(snapshot: readonly FlowTarget[], targets: readonly Target[]): FlowTarget[] {
  const selectors = targets.flatMap((t) =>
    t.kind === "tag" ? [{ key: t.key.trim(), value: t.value.trim() }] : [],
  );
  return snapshot.map((t) => {
    const selectedBy = selectors.filter((s) => t.tags?.[s.key] === s.value).map((s) => `${s.key}=${s.value}`);
    return selectedBy.length > 0 ? { ...t, selectedBy } : { ...t };
  });
}
