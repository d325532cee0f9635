/**
 * The approval state machine, pure: no I/O, no clock (times come in the events). The service applies it
 * inside a store CAS, so every transition is judged on the freshest record and commits atomically.
 *
 *   pending ──approve (k-th distinct)──▶ approved ──start_execution──▶ executing ──finish──▶ succeeded
 *      │──reject──▶ rejected                    │                                  ├──▶ failed
 *      │──cancel──▶ cancelled                   └──revoke──▶ revoked               └──▶ outcome_unknown
 *      └──expire / any click at or after expiresAt──▶ expired
 *
 * `revoke`: the policy, decided again just before execution on the servers as they are then, is stricter
 * than what the request was approved under; nothing runs and the requester asks again.
 */
import { applyApproval } from "./apply-approval.js";
import {
  type ApplyResult,
  type ApprovalEffect,
  change,
  describeStatus,
  expiredByClick,
  iso,
  refuse,
  unchanged,
} from "./apply-result.js";
import { mention, type Notice, say } from "./approval-notice.js";
import type { ApprovalRequest } from "./approval-request.js";
import type { ExecutionOutcome } from "./approval-statuses.js";
import { verifyBinding } from "./compute-binding-hash.js";
import { currentStage } from "./current-stage.js";

export type { ApplyResult, ApprovalEffect, RefusalCode } from "./apply-result.js";
export { describeStatus } from "./apply-result.js";

/** The break-glass request that superseded a cancelled one (see `ApprovalRequest.cancellation`). */
export type Supersession = NonNullable<NonNullable<ApprovalRequest["cancellation"]>["supersededBy"]>;

export type ApprovalEvent =
  | { type: "approve"; userId: string; at: number }
  | { type: "reject"; userId: string; reason?: string; at: number }
  /** `supersededBy`: the break-glass request of the same change that closes this one (see `cancellation`). */
  | { type: "cancel"; userId: string; at: number; supersededBy?: Supersession }
  | { type: "expire"; at: number }
  | { type: "start_execution"; executionId: string; at: number }
  | { type: "revoke"; reasons: string[]; at: number; lapsed?: true }
  | { type: "finish"; executionId: string; outcome: ExecutionOutcome; error?: string; at: number };

/** Event constructors, for readability at call sites. */
export const approvalEvents = {
  approve: (userId: string, at: number): ApprovalEvent => ({ type: "approve", userId, at }),
  reject: (userId: string, reason: string | undefined, at: number): ApprovalEvent =>
    reason === undefined ? { type: "reject", userId, at } : { type: "reject", userId, reason, at },
  cancel: (userId: string, at: number): ApprovalEvent => ({ type: "cancel", userId, at }),
  expire: (at: number): ApprovalEvent => ({ type: "expire", at }),
  startExecution: (executionId: string, at: number): ApprovalEvent => ({
    type: "start_execution",
    executionId,
    at,
  }),
  finish: (executionId: string, outcome: ExecutionOutcome, at: number, error?: string): ApprovalEvent =>
    error === undefined
      ? { type: "finish", executionId, outcome, at }
      : { type: "finish", executionId, outcome, error, at },
};

/** Authorization of the clicking user, computed by the caller at click time (groups resolved there). */
export interface ClickAuthz {
  /** The user is in `requirement.approvers` (by user ID or group membership). */
  isApprover: boolean;
  /** Staged requests: the names of the stages whose approvers the user is among, now. */
  stages?: readonly string[];
  /**
   * The approvers who approved before, by user ID, authorized as a click of theirs would be now (their groups
   * read at this click). The approval that would complete the count (or a stage) judges every counted approval
   * again with them (`mayCount`, `apply-approval.ts`); one that no longer qualifies stops counting and the
   * request keeps waiting. An approver missing here is asked for (`approvals_unjudged`). Absent: nothing is
   * judged again (a `system:` approval, which has no approvals before it).
   */
  approversNow?: Readonly<Record<string, ClickAuthz>>;
}

/**
 * Whether people approve the request: one the policy allowed outright is approved by a `system:` actor alone
 * (its requirement names no person or group).
 */
function hasApprovers(request: ApprovalRequest): boolean {
  const { users, groups } = request.requirement.approvers;
  return groups.length > 0 || users.some((u) => !u.startsWith("system:"));
}

/**
 * Applies one event to a request. Pure and total: refusals are returned, never thrown. Judged in this
 * order for clicks: not pending (idempotent repeats of the decisive click are `changed: false`) → expired →
 * who may act → the action itself.
 */
export function applyEvent(
  request: ApprovalRequest,
  event: ApprovalEvent,
  authz: ClickAuthz = { isApprover: false },
): ApplyResult {
  const { requirement } = request;
  const isPending = request.status === "pending";
  const timeIsUp = event.at >= request.expiresAt;

  switch (event.type) {
    case "approve":
      return applyApproval(request, event, authz);

    case "reject": {
      if (!isPending) {
        if (request.status === "rejected" && request.rejection?.userId === event.userId) {
          return unchanged(request, say`You already rejected this request.`);
        }
        return refuse("not_pending", say`This request was ${describeStatus(request)}.`);
      }
      if (timeIsUp) return expiredByClick(request, event.at);
      if (!authz.isApprover) {
        return refuse(
          "not_an_approver",
          event.userId === request.requester.userId
            ? say`Only approvers can reject; use Cancel to withdraw your own request.`
            : say`You are not an approver for this request.`,
        );
      }
      const reason = event.reason?.trim();
      // Staged: the reason rule of the stage the request waits on.
      const reasonRequired = currentStage(request)?.stage.reasonRequired ?? requirement.reasonRequired;
      if (reasonRequired && !reason) {
        return refuse("reason_required", say`A reason is required to reject this request.`);
      }
      const rejection = reason
        ? { userId: event.userId, reason, at: event.at }
        : { userId: event.userId, at: event.at };
      return change(
        request,
        { status: "rejected", rejection },
        [{ type: "rejected", ...rejection }],
        reason ? say`Rejected: ${reason}` : say`Rejected.`,
      );
    }

    case "cancel": {
      if (request.status === "approved" && request.schedule !== undefined) {
        // A scheduled change waits approved until its time: the requester or an approver may still call it off.
        if (event.userId !== request.requester.userId && !authz.isApprover) {
          return refuse(
            "only_requester_can_cancel",
            hasApprovers(request)
              ? say`Only the requester (${mention(request.requester.userId)}) or an approver can cancel a scheduled change.`
              : say`Only the requester (${mention(request.requester.userId)}) can cancel this scheduled change: the policy allowed it without approval, so it has no approvers.`,
          );
        }
        return cancelRequest(request, event, {
          superseded: say`Superseded by a break-glass run of the same change: the scheduled change will not run.`,
          cancelled: say`Cancelled: the scheduled change will not run.`,
        });
      }
      if (!isPending) {
        if (request.status === "cancelled" && request.cancellation?.userId === event.userId) {
          return unchanged(request, say`You already cancelled this request.`);
        }
        return refuse("not_pending", say`This request was ${describeStatus(request)}.`);
      }
      if (timeIsUp) return expiredByClick(request, event.at);
      if (event.userId !== request.requester.userId) {
        return refuse(
          "only_requester_can_cancel",
          say`Only the requester (${mention(request.requester.userId)}) can cancel.`,
        );
      }
      return cancelRequest(request, event, {
        superseded: say`Superseded by a break-glass run of the same change: nothing will run from this request.`,
        cancelled: say`Cancelled.`,
      });
    }

    case "expire": {
      if (!isPending) return refuse("not_pending", say`This request was ${describeStatus(request)}.`);
      if (!timeIsUp) return refuse("not_due", say`This request expires at ${iso(request.expiresAt)}.`);
      return change(
        request,
        { status: "expired", expiredAt: event.at },
        [{ type: "expired", at: event.at }],
        say`Expired at ${iso(event.at)}.`,
      );
    }

    case "start_execution": {
      if (request.status !== "approved") {
        const holder = request.execution ? ` (execution ${request.execution.executionId})` : "";
        return refuse("not_approved", say`Cannot execute: the request is ${request.status}${holder}.`);
      }
      if (!verifyBinding(request)) {
        return refuse(
          "binding_mismatch",
          say`Cannot execute: the request no longer matches what was approved.`,
        );
      }
      return change(
        request,
        { status: "executing", execution: { executionId: event.executionId, startedAt: event.at } },
        [{ type: "execution_started", executionId: event.executionId, at: event.at }],
        say`Executing.`,
      );
    }

    case "revoke": {
      if (request.status !== "approved") {
        if (request.status === "revoked")
          return unchanged(request, say`Already not run (the policy changed).`);
        return refuse("not_approved", say`Cannot withdraw: the request is ${request.status}.`);
      }
      const revocation = {
        at: event.at,
        reasons: [...event.reasons],
        ...(event.lapsed === true && { lapsed: true as const }),
      };
      return change(
        request,
        { status: "revoked", revocation },
        [{ type: "revoked", ...revocation }],
        event.lapsed === true
          ? say`Not run: its time has passed.`
          : say`Not run: the policy is stricter now.`,
      );
    }

    case "finish": {
      const execution = request.execution;
      if (request.status !== "executing") {
        if (execution?.executionId === event.executionId && execution.outcome === event.outcome) {
          return unchanged(request, say`Execution already finished (${event.outcome}).`);
        }
        return refuse("not_executing", say`Cannot finish: the request is ${request.status}.`);
      }
      if (execution?.executionId !== event.executionId) {
        return refuse(
          "execution_mismatch",
          say`Cannot finish: the request is being executed by ${execution?.executionId ?? "nobody"}.`,
        );
      }
      const finished = {
        ...execution,
        finishedAt: event.at,
        outcome: event.outcome,
        ...(event.error !== undefined && { error: event.error }),
      };
      return change(
        request,
        { status: event.outcome, execution: finished },
        [
          {
            type: "execution_finished",
            executionId: event.executionId,
            outcome: event.outcome,
            at: event.at,
            ...(event.error !== undefined && { error: event.error }),
          },
        ],
        say`Execution ${event.outcome.replace("_", " ")}.`,
      );
    }
  }
}

/**
 * A cancel that may happen: the request cancelled, said with `superseded` when a break-glass request
 * supersedes it, else with `cancelled`.
 */
function cancelRequest(
  request: ApprovalRequest,
  event: Extract<ApprovalEvent, { type: "cancel" }>,
  said: { superseded: Notice; cancelled: Notice },
): ApplyResult {
  const cancellation = cancellationOf(event);
  return change(
    request,
    { status: "cancelled", cancellation },
    [cancelledEffect(cancellation)],
    cancellation.supersededBy !== undefined ? said.superseded : said.cancelled,
  );
}

/** The request's `cancellation` from a cancel event: who, when, and the break-glass request superseding it. */
function cancellationOf(
  event: Extract<ApprovalEvent, { type: "cancel" }>,
): NonNullable<ApprovalRequest["cancellation"]> {
  return {
    userId: event.userId,
    at: event.at,
    ...(event.supersededBy !== undefined && { supersededBy: event.supersededBy }),
  };
}

/** The effect of a cancel (audited): the superseding request by ID only (its link is for the card). */
function cancelledEffect(cancellation: NonNullable<ApprovalRequest["cancellation"]>): ApprovalEffect {
  return {
    type: "cancelled",
    userId: cancellation.userId,
    at: cancellation.at,
    ...(cancellation.supersededBy !== undefined && { supersededBy: cancellation.supersededBy.requestId }),
  };
}
