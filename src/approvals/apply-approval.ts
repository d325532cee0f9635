import { approvalDeadline } from "../schedule/approval-deadline.js";
import {
  type ApplyResult,
  type ApprovalEffect,
  change,
  describeStatus,
  expiredByClick,
  type LapsedApproval,
  refuse,
  unchanged,
} from "./apply-result.js";
import { listMentions, mention, type Notice, say } from "./approval-notice.js";
import type { ApprovalRequest } from "./approval-request.js";
import type { ApprovalEvent, ClickAuthz } from "./approval-state.js";
import { approvalsFor, currentStage } from "./current-stage.js";

type Stage = NonNullable<ApprovalRequest["requirement"]["stages"]>[number];
type ApprovalRecorded = Extract<ApprovalEffect, { type: "approval_recorded" }>;

/**
 * The effect of an approval that counts: `approvals`, the request's approvals with it; `more`, the stage of a
 * staged request and the approvals that lapsed at it, when any.
 */
function approvalRecorded(
  request: ApprovalRequest,
  event: Extract<ApprovalEvent, { type: "approve" }>,
  approvals: readonly unknown[],
  more: Pick<ApprovalRecorded, "stage" | "stageComplete" | "lapsed"> = {},
): ApprovalRecorded {
  return {
    type: "approval_recorded",
    userId: event.userId,
    at: event.at,
    count: approvals.length,
    required: request.requirement.minApprovals,
    ...more,
  };
}

/**
 * Whether an approval by `userId` may count, for `stage` of a staged request (else for the request): the one
 * judgement of a click and of the approvals judged again when the count completes. Undefined: it may; else the
 * refusal. `authz` is the user's, computed at click time.
 */
export function mayCount(
  request: Pick<ApprovalRequest, "requester" | "requirement">,
  userId: string,
  authz: ClickAuthz,
  stage?: Stage,
): "self_approval" | "not_an_approver" | undefined {
  const rule = stage ?? request.requirement;
  if (userId === request.requester.userId && !rule.allowSelfApproval) return "self_approval";
  const listed = stage === undefined ? authz.isApprover : (authz.stages ?? []).includes(stage.name);
  return listed ? undefined : "not_an_approver";
}

/**
 * The counted approvals judged again, on the approvers as they are now (`authz.approversNow`), for the click
 * that would complete the count or a stage: the ones that no longer qualify, or the approvers not judged yet.
 * A staged approval is judged for the stage it counted for.
 */
function judgeAgain(
  request: ApprovalRequest,
  authz: ClickAuthz,
  at: number,
): { unjudged: string[] } | { lapsed: LapsedApproval[] } {
  const now = authz.approversNow;
  if (now === undefined) return { lapsed: [] };
  const unjudged = request.approvals.map((a) => a.userId).filter((u) => now[u] === undefined);
  if (unjudged.length > 0) return { unjudged };
  const lapsed: LapsedApproval[] = [];
  for (const approval of request.approvals) {
    const stage =
      request.requirement.stages === undefined
        ? undefined
        : request.requirement.stages.find((s) => s.name === approval.stage);
    // A staged approval whose stage is gone from the requirement counts for nothing.
    const reason =
      request.requirement.stages !== undefined && stage === undefined
        ? "not_an_approver"
        : mayCount(request, approval.userId, now[approval.userId] ?? { isApprover: false }, stage);
    if (reason !== undefined) lapsed.push({ ...approval, lapsedAt: at, reason });
  }
  return { lapsed };
}

/** The refusal that asks the service to judge these approvers again and apply the click once more. */
function askToJudge(unjudged: readonly string[]): ApplyResult {
  return {
    ok: false,
    code: "approvals_unjudged",
    message: say`The approvals given before are being checked again.`,
    unjudged,
  };
}

/** `the approval of <@bob> no longer counts` / `the approvals of <@bob>, <@carol> no longer count`. */
function noLongerCount(lapsed: readonly LapsedApproval[]): Notice {
  const [only] = lapsed;
  return lapsed.length === 1 && only !== undefined
    ? say`the approval of ${mention(only.userId)} no longer counts`
    : say`the approvals of ${listMentions(lapsed.map((l) => l.userId))} no longer count`;
}

/**
 * An approval of a staged request: it counts for the stage the request waits on, and only from that
 * stage's approvers (an approver of a later stage is told to wait). One person approves one stage. When a
 * stage completes, the request's expiry moves to the next stage's (its clock starts now), but never past a
 * scheduled change's start time: approval must be complete before it starts, whatever the stage's expiry.
 */
function approveStage(
  request: ApprovalRequest,
  event: Extract<ApprovalEvent, { type: "approve" }>,
  authz: ClickAuthz,
): ApplyResult {
  const position = currentStage(request);
  const stages = request.requirement.stages ?? [];
  if (position === undefined) return refuse("not_pending", say`This request was ${describeStatus(request)}.`);
  const { stage, index } = position;
  const label = `${stage.name} (stage ${index + 1} of ${stages.length})`;
  const given = request.approvals.find((a) => a.userId === event.userId);
  if (given !== undefined) {
    return unchanged(
      request,
      say`You already approved this request${given.stage !== undefined ? ` for ${given.stage}` : ""}; each person approves one stage. It waits on ${label}.`,
    );
  }
  const mine = authz.stages ?? [];
  const listed = mine.includes(stage.name);
  const verdict = mayCount(request, event.userId, authz, stage);
  if (!listed) {
    const later = stages.slice(index + 1).find((s) => mine.includes(s.name));
    if (later !== undefined) {
      return refuse(
        "stage_not_reached",
        say`Not yet: this request waits on ${label}. Your approval counts for ${later.name}, which comes after; approve once ${stage.name} is complete.`,
      );
    }
  }
  if (verdict === "self_approval") {
    return refuse(
      "self_approval",
      listed
        ? say`You cannot approve your own request at ${label}; another approver must.`
        : say`You cannot approve your own request; another approver must.`,
    );
  }
  if (verdict === "not_an_approver")
    return refuse("not_an_approver", say`You are not an approver for ${label}.`);
  const approvals = [...request.approvals, { userId: event.userId, at: event.at, stage: stage.name }];
  const count = position.count + 1;
  const stageComplete = count >= stage.minApprovals;
  if (stageComplete) {
    // The approval that completes a stage judges every counted approval again (every stage's, each for its own).
    const judged = judgeAgain(request, authz, event.at);
    if ("unjudged" in judged) return askToJudge(judged.unjudged);
    if (judged.lapsed.length > 0) return stageWithLapses(request, event, stage, index, judged.lapsed);
  }
  const recorded = approvalRecorded(request, event, approvals, { stage: stage.name, stageComplete });
  // The first stage still short of approvals after this one: a later stage may be complete already (its
  // approvals were kept when an earlier stage lost approvals judged again).
  const next = currentStage({ ...request, approvals });
  if (!stageComplete) {
    return change(
      request,
      { approvals },
      [recorded],
      say`Approval recorded for ${label}: ${count} of ${stage.minApprovals}.`,
    );
  }
  if (next !== undefined) {
    return change(
      request,
      {
        approvals,
        expiresAt: Math.min(
          event.at + next.stage.expiresInMs,
          request.schedule !== undefined ? approvalDeadline(request.schedule) : Number.POSITIVE_INFINITY,
        ),
      },
      [recorded],
      say`Approval recorded: ${stage.name} is complete. Next: ${next.stage.name} (stage ${next.index + 1} of ${stages.length}).`,
    );
  }
  const approvers = approvals.map((a) => a.userId);
  return change(
    request,
    { approvals, status: "approved" },
    [recorded, { type: "approved", userId: event.userId, at: event.at, approvers }],
    say`Approved: every stage is complete (${stages.map((s) => s.name).join(", ")}).`,
  );
}

/**
 * The approval that completed its stage, when approvals counted before no longer qualify: they stop counting,
 * and the request waits on the first stage short of approvals again (this one or an earlier one; its expiry
 * stays as it is). Nothing is approved: a stage that lost approvals is never passed.
 */
function stageWithLapses(
  request: ApprovalRequest,
  event: Extract<ApprovalEvent, { type: "approve" }>,
  stage: Stage,
  index: number,
  lapsed: readonly LapsedApproval[],
): ApplyResult {
  const stages = request.requirement.stages ?? [];
  const gone = new Set(lapsed.map((l) => l.userId));
  const approvals = [
    ...request.approvals.filter((a) => !gone.has(a.userId)),
    { userId: event.userId, at: event.at, stage: stage.name },
  ];
  const next = { ...request, approvals };
  const count = approvalsFor(next, stage.name).length;
  const recorded = approvalRecorded(request, event, approvals, {
    stage: stage.name,
    stageComplete: count >= stage.minApprovals,
    lapsed: [...lapsed],
  });
  const waits = currentStage(next);
  const waitsOn =
    waits === undefined
      ? say``
      : say` It waits on ${waits.stage.name} (stage ${waits.index + 1} of ${stages.length}) again.`;
  return change(
    request,
    { approvals, lapsedApprovals: [...(request.lapsedApprovals ?? []), ...lapsed] },
    [recorded],
    say`Approval recorded for ${stage.name} (stage ${index + 1} of ${stages.length}), but nothing is approved yet: ${noLongerCount(lapsed)} (no longer among its approvers).${waitsOn}`,
  );
}

/**
 * An `approve` event, judged as `applyEvent` judges clicks: not pending (a repeat of the decisive approval is
 * `changed: false`) → expired → who may approve (for the stage the request waits on, when staged) → the count.
 * The approval that would complete the count (or a stage) judges the counted approvals again first.
 */
export function applyApproval(
  request: ApprovalRequest,
  event: Extract<ApprovalEvent, { type: "approve" }>,
  authz: ClickAuthz,
): ApplyResult {
  const { requirement } = request;
  const alreadyApproved = request.approvals.some((a) => a.userId === event.userId);
  if (request.status !== "pending") {
    if (alreadyApproved && request.approvals.length >= requirement.minApprovals) {
      return unchanged(request, say`You already approved this request; it is ${describeStatus(request)}.`);
    }
    return refuse("not_pending", say`This request was ${describeStatus(request)}.`);
  }
  if (event.at >= request.expiresAt) return expiredByClick(request, event.at);
  if (requirement.stages !== undefined) return approveStage(request, event, authz);
  const verdict = mayCount(request, event.userId, authz);
  if (verdict === "self_approval") {
    return refuse("self_approval", say`You cannot approve your own request; another approver must.`);
  }
  if (verdict === "not_an_approver")
    return refuse("not_an_approver", say`You are not an approver for this request.`);
  if (alreadyApproved) {
    return unchanged(
      request,
      say`You already approved this request (${request.approvals.length} of ${requirement.minApprovals} approvals).`,
    );
  }
  if (request.approvals.length + 1 >= requirement.minApprovals) {
    // The approval that completes the count judges every counted approval again, on the approvers as they
    // are now: one that no longer qualifies stops counting, and the request keeps waiting.
    const judged = judgeAgain(request, authz, event.at);
    if ("unjudged" in judged) return askToJudge(judged.unjudged);
    if (judged.lapsed.length > 0) {
      const gone = new Set(judged.lapsed.map((l) => l.userId));
      const approvals = [
        ...request.approvals.filter((a) => !gone.has(a.userId)),
        { userId: event.userId, at: event.at },
      ];
      const recorded = approvalRecorded(request, event, approvals, { lapsed: judged.lapsed });
      return change(
        request,
        { approvals, lapsedApprovals: [...(request.lapsedApprovals ?? []), ...judged.lapsed] },
        [recorded],
        say`Approval recorded (${approvals.length} of ${requirement.minApprovals}), but nothing is approved yet: ${noLongerCount(judged.lapsed)} (no longer among its approvers).`,
      );
    }
  }
  const approvals = [...request.approvals, { userId: event.userId, at: event.at }];
  const recorded = approvalRecorded(request, event, approvals);
  if (approvals.length < requirement.minApprovals) {
    return change(
      request,
      { approvals },
      [recorded],
      say`Approval recorded (${approvals.length} of ${requirement.minApprovals}).`,
    );
  }
  const approvers = approvals.map((a) => a.userId);
  return change(
    request,
    { approvals, status: "approved" },
    [recorded, { type: "approved", userId: event.userId, at: event.at, approvers }],
    say`Approved (${approvals.length} of ${requirement.minApprovals}).`,
  );
}
