/** The audit trail of approval requests: the entry each transition and each refusal writes. */
import { type AuditEntryInput, EXECUTOR_ACTOR } from "../audit/audit-entry.js";
import type { ApprovalRequest } from "./approval-request.js";
import type { ApprovalEffect, ApprovalEvent, RefusalCode } from "./approval-state.js";
import { currentStage } from "./current-stage.js";

/** Actor IDs of transitions no user caused. */
const EXPIRY_ACTOR = "system:expiry";
/** The re-decision of the policy just before execution. */
const POLICY_REDECIDER = "system:policy";

/** Fields every audit record of a request carries. */
export function auditContext(request: ApprovalRequest) {
  return {
    requestId: request.id,
    requesterId: request.requester.userId,
    teamId: request.requester.teamId,
    action: request.action,
    serverIds: request.targets.map((t) => t.id),
    // The names then: a server deleted or renamed since is still named by the export alone.
    serverNames: Object.fromEntries(request.targets.map((t) => [t.id, t.name])),
    ruleIds: request.ruleIds,
    bindingHash: request.bindingHash,
  };
}

/**
 * The audit entry of a transition's effect. Every entry of a break-glass request says so
 * (`detail.breakGlass`), so the trail shows approval was skipped.
 */
export function auditEntryFor(
  request: ApprovalRequest,
  effect: ApprovalEffect,
  observedBy?: string,
): AuditEntryInput {
  const entry = plainEntryFor(request, effect, observedBy);
  if (request.breakGlass === undefined) return entry;
  return { ...entry, detail: { ...(entry.detail ?? {}), breakGlass: true } };
}

function plainEntryFor(
  request: ApprovalRequest,
  effect: ApprovalEffect,
  observedBy?: string,
): AuditEntryInput {
  const base = { ...auditContext(request), at: effect.at };
  switch (effect.type) {
    case "approval_recorded":
      return {
        ...base,
        type: "approval.recorded",
        actorId: effect.userId,
        detail: {
          count: effect.count,
          required: effect.required,
          ...(effect.stage !== undefined && { stage: effect.stage, stageComplete: effect.stageComplete }),
          // Approvals judged again at this one that stopped counting: who, for which stage, and why.
          ...(effect.lapsed !== undefined &&
            effect.lapsed.length > 0 && {
              lapsed: effect.lapsed.map((l) => ({
                userId: l.userId,
                approvedAt: l.at,
                reason: l.reason,
                ...(l.stage !== undefined && { stage: l.stage }),
              })),
            }),
        },
      };
    case "approved":
      return {
        ...base,
        type: "request.approved",
        actorId: effect.userId,
        detail: { approvers: effect.approvers },
      };
    case "rejected":
      return {
        ...base,
        type: "request.rejected",
        actorId: effect.userId,
        ...(effect.reason !== undefined && { detail: { reason: effect.reason } }),
      };
    case "cancelled":
      // Superseded by a break-glass run of the same change: still this request's cancellation (by its requester,
      // nothing ran from it), so the same entry, carrying the request the change ran from (as a revocation's
      // entry carries `lapsed`). The message says it in words for `/ops audit`; the ID stays out of it, where
      // escaping as words could defuse its underscores.
      if (effect.supersededBy !== undefined)
        return {
          ...base,
          type: "request.cancelled",
          actorId: effect.userId,
          message: "superseded: the same change ran with break-glass",
          detail: { supersededBy: effect.supersededBy },
        };
      return { ...base, type: "request.cancelled", actorId: effect.userId };
    case "expired":
      return {
        ...base,
        type: "request.expired",
        actorId: EXPIRY_ACTOR,
        detail: {
          expiresAt: request.expiresAt,
          ...(observedBy !== undefined && { observedBy }),
          // Where it stood: the auditor reads how far it got (and on which stage) without the card.
          ...expiredAt(request),
        },
      };
    case "revoked":
      return {
        ...base,
        type: "request.revoked",
        actorId: POLICY_REDECIDER,
        message: effect.reasons.join("; "),
        detail: { reasons: effect.reasons, ...(effect.lapsed === true && { lapsed: true }) },
      };
    case "execution_started":
      return {
        ...base,
        type: "execution.started",
        actorId: EXECUTOR_ACTOR,
        executionId: effect.executionId,
      };
    case "execution_finished":
      return {
        ...base,
        type: "execution.finished",
        actorId: EXECUTOR_ACTOR,
        executionId: effect.executionId,
        outcome: effect.outcome,
        ...(effect.error !== undefined && { detail: { error: effect.error } }),
      };
  }
}

/** The audit entry of a refused click or event: what was refused, and the request's status then. */
export function refusalEntry(
  request: ApprovalRequest,
  event: ApprovalEvent,
  code: RefusalCode,
): AuditEntryInput {
  return {
    ...auditContext(request),
    at: event.at,
    type: "click.refused",
    actorId: "userId" in event ? event.userId : EXPIRY_ACTOR,
    message: code,
    detail: { code, event: event.type, status: request.status },
  };
}

/** How many approvals a request had when it expired, of how many, and the stage it waited on (staged). */
function expiredAt(request: ApprovalRequest): Record<string, string | number> {
  const position = currentStage(request);
  if (position === undefined)
    return { count: request.approvals.length, required: request.requirement.minApprovals };
  return {
    count: position.count,
    required: position.stage.minApprovals,
    stage: position.stage.name,
    stageIndex: position.index + 1,
    stages: position.total,
  };
}
