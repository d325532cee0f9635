import type { ChatPort } from "../app/ports.js";
import type { ApprovalRequest } from "../approvals/approval-request.js";
import type { IntentClaim } from "../approvals/claim-pending-intent.js";
import { currentStage } from "../approvals/current-stage.js";
import type { Message } from "../render/message-model.js";
import {
  buildDuplicateRequestView,
  type DuplicateRequestInput,
} from "../views/build-duplicate-request-view.js";
import { isPolicyAllowed } from "./describe-request.js";

type HeldClaim = Extract<IntentClaim, { ok: false }>;

/**
 * Whether a change asked now claims its intent before its card is posted: one that waits for approval, or one
 * scheduled for later (allowed outright, it still waits for its time and would run twice). One the policy allows
 * that runs now is not claimed: asked again, it is done again.
 */
export function claimsIntent(kind: "approval" | "allowed", scheduled: boolean): boolean {
  return kind === "approval" || scheduled;
}

/** The audit's reason for a change not requested because the same one is open (`request.refused`). */
export function duplicateRefusalReason(claim: HeldClaim): string {
  const request = claim.request;
  const state =
    request === undefined || request.status === "pending"
      ? "waiting for approval"
      : request.schedule !== undefined
        ? "approved and waiting for its time"
        : "approved and starting";
  return `the same change is already asked by ${claim.requestId}, ${state}`;
}

/**
 * The answer to a change asked again while the same request is open: who asked it and when, a link to its card,
 * and what it waits for (approval, or its time).
 */
export async function duplicateViewOf(
  claim: HeldClaim,
  asked: ApprovalRequest,
  channelId: string,
  chat: ChatPort,
  logger: { warn(obj: object, msg: string): void },
): Promise<Message> {
  const askedBy = claim.requesterId !== asked.requester.userId ? claim.requesterId : undefined;
  const common = { askedAt: claim.askedAt, ...(askedBy !== undefined && { askedBy }) };
  const held = claim.request;
  // Not recorded yet (its card is being posted): it waits for what this one, of the same intent, would.
  if (held === undefined)
    return buildDuplicateRequestView({
      ...common,
      channelId,
      state: isPolicyAllowed(asked) ? { kind: "posting" } : { kind: "posting", waiting: waitingOf(asked) },
    });
  let permalink: string | undefined;
  if (held.message !== undefined) {
    try {
      permalink = await chat.getPermalink(held.message);
    } catch (error) {
      logger.warn({ err: error, approval: held.id }, "no link to the card of the request asked again");
    }
  }
  const state: DuplicateRequestInput["state"] =
    held.status === "pending"
      ? { kind: "waiting", waiting: waitingOf(held) }
      : {
          kind: "approved",
          ...(held.schedule !== undefined && { schedule: held.schedule }),
          ...(isPolicyAllowed(held) && { byPolicy: true }),
        };
  return buildDuplicateRequestView({
    ...common,
    channelId: held.message?.channel ?? held.channel,
    ...(permalink !== undefined && { permalink }),
    state,
  });
}

/** The approvals a pending request still waits for: its current stage's, for a staged one. */
function waitingOf(request: Pick<ApprovalRequest, "approvals" | "requirement">): {
  approvals: number;
  stage?: string;
} {
  const stage = currentStage(request);
  return stage !== undefined
    ? { approvals: stage.stage.minApprovals - stage.count, stage: stage.stage.name }
    : { approvals: Math.max(1, request.requirement.minApprovals - request.approvals.length) };
}
