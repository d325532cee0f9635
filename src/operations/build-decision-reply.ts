import type { ApprovalRequest } from "../approvals/approval-request.js";
import type { ApprovalEffect } from "../approvals/approval-state.js";
import { currentStage } from "../approvals/current-stage.js";
import {
  link,
  localTime,
  type Message,
  md,
  type Span,
  section,
  userMention,
} from "../render/message-model.js";
import { approvalDeadline } from "../schedule/approval-deadline.js";
import { buildScheduleLapsedLine, describeSchedule } from "../views/build-schedule-views.js";
import { describeApprovers, describeExpiry, type GroupIds, POLICY_ACTOR } from "./describe-request.js";
import { notifies } from "./notify-approvers.js";

/**
 * The reply in a request's thread for the decisions one transition made: "@bob approved (1 of 2)",
 * "@carol approved (2 of 2): approved, it runs now" (mentioning the requester), "@carol rejected: <reason>",
 * "cancelled by @alice", "expired after 30 min". Undefined when there is nothing to say (execution effects
 * are reported by the run itself; a policy-allowed request needs no reply). The reason is untrusted text.
 */
export function buildDecisionReply(
  request: Pick<ApprovalRequest, "requester" | "requirement" | "createdAt" | "approvals"> &
    Partial<Pick<ApprovalRequest, "schedule" | "expiresAt">> & { action?: string },
  effects: readonly ApprovalEffect[],
  /**
   * User-group IDs by handle: a staged request's next stage, reached by these effects, has its approvers
   * mentioned with them (`notify_approvers: mention`); a handle without an ID is named, not mentioned.
   */
  groupIds: GroupIds = {},
  /** `nextStage: false` leaves the next stage's turn unsaid (the request no longer waits: cancelled since). */
  options: { nextStage?: boolean } = {},
): Message | undefined {
  const requester = userMention(request.requester.userId);
  // A recurring schedule's creation runs nothing now: approving it makes it active.
  const outcome =
    request.action === "ops:schedule:create"
      ? md`your schedule is approved and active: it runs at its next slot.`
      : md`your request is approved and runs now.`;
  const lines: Span[][] = [];
  const approved = effects.find((e) => e.type === "approved");
  for (const effect of effects) {
    switch (effect.type) {
      case "approval_recorded":
        if (effect.userId === POLICY_ACTOR) break;
        lines.push(
          approved !== undefined && request.schedule !== undefined
            ? md`:white_check_mark: ${userMention(effect.userId)} approved (${String(effect.count)} of ${String(effect.required)}): ${requester}, your request is approved. ${describeSchedule(request.schedule)}.`
            : approved !== undefined
              ? md`:white_check_mark: ${userMention(effect.userId)} approved (${String(effect.count)} of ${String(effect.required)}): ${requester}, ${outcome}`
              : effect.stage !== undefined
                ? md`:ballot_box_with_check: ${userMention(effect.userId)} approved for ${effect.stage}${effect.stageComplete === true ? md`, which is complete` : md``} (${String(effect.count)} of ${String(effect.required)}).${
                    effect.stageComplete === true && options.nextStage !== false
                      ? nextStageLine(request, groupIds)
                      : md``
                  }`
                : md`:ballot_box_with_check: ${userMention(effect.userId)} approved (${String(effect.count)} of ${String(effect.required)}).`,
        );
        // Approvals judged again at this one that no longer qualify: they stopped counting (the card says why).
        for (const lapsed of effect.lapsed ?? [])
          lines.push(
            md`:warning: The approval of ${userMention(lapsed.userId)}${lapsed.stage !== undefined ? md` for ${lapsed.stage}` : md``} no longer counts: they are no longer among its approvers. Nothing runs until enough approvers approve.`,
          );
        break;
      case "rejected":
        lines.push(
          effect.reason !== undefined
            ? md`:no_entry_sign: ${userMention(effect.userId)} rejected: ${effect.reason}\n${requester}, nothing was done.`
            : md`:no_entry_sign: ${userMention(effect.userId)} rejected. ${requester}, nothing was done.`,
        );
        break;
      case "cancelled":
        lines.push(
          effect.supersededBy !== undefined
            ? md`:fast_forward: Superseded: ${userMention(effect.userId)} ran the same change with break-glass; nothing will run from this request.`
            : md`:heavy_multiplication_x: Cancelled by ${userMention(effect.userId)}. Nothing was done.`,
        );
        break;
      case "expired":
        // A scheduled change expires at its start time at the latest: it lapsed without its approvals.
        if (
          request.schedule !== undefined &&
          request.expiresAt !== undefined &&
          request.expiresAt >= approvalDeadline(request.schedule)
        ) {
          lines.push(buildScheduleLapsedLine(request, request.schedule));
          break;
        }
        lines.push(expiredLine(request));
        break;
      default:
        break;
    }
  }
  if (lines.length === 0) return undefined;
  const text = lines.flatMap((line, i) => (i === 0 ? line : [...md`\n`, ...line]));
  return { text, blocks: [section({ text })] };
}

/**
 * ` Now stage *security* (2 of 2): @sre, your approval is wanted (1 needed, until <time>).` after the approval
 * that completed the stage before it: the next stage's approvers are told it is their turn, mentioned when their
 * rule notifies by mention (Slack notifies on this new message), named otherwise (they get a direct message).
 */
function nextStageLine(
  request: Pick<ApprovalRequest, "requirement" | "approvals"> & Partial<Pick<ApprovalRequest, "expiresAt">>,
  groupIds: GroupIds,
): Span[] {
  const next = currentStage(request);
  if (next === undefined) return md``;
  const mentioned = notifies(request.requirement, "mention") ? groupIds : {};
  const until = request.expiresAt !== undefined ? md`, until ${localTime(request.expiresAt)}` : md``;
  return md`\nNow stage *${next.stage.name}* (${String(next.index + 1)} of ${String(next.total)}): ${describeApprovers(
    next.stage,
    mentioned,
  )}, your approval is wanted (${String(next.stage.minApprovals - next.count)} needed${until}).`;
}

/** `Expired after 30m with 0 of 2 approvals.`, or at which stage (`describeExpiry`), and what to do next. */
function expiredLine(
  request: Pick<ApprovalRequest, "requester" | "requirement" | "createdAt" | "approvals"> &
    Partial<Pick<ApprovalRequest, "expiresAt">>,
): Span[] {
  const requester = userMention(request.requester.userId);
  return md`:stopwatch: Expired ${describeExpiry(request)}. ${requester}, nothing was done; ask again if it is still needed.`;
}

/**
 * The reply in a request's thread when a break-glass run of the same change closed it: who ran it, a link to
 * its thread, and that nothing will run from this request (its card says it was superseded).
 */
export function buildSupersededReply(byUserId: string, glassThread: string | undefined): Message {
  const where = glassThread !== undefined ? md` (${link(glassThread, "its thread")})` : md``;
  const text = md`:fast_forward: Superseded: ${userMention(byUserId)} ran the same change with break-glass${where}; nothing will run from this request.`;
  return { text, blocks: [section({ text })] };
}
