import type { ApprovalRequest } from "../approvals/approval-request.js";
import type { ApprovalEffect } from "../approvals/approval-state.js";
import { formatDuration } from "../config/parse-duration.js";
import { type Message, md, type Span, section, userMention } from "../render/message-model.js";
import { buildScheduleLapsedLine, describeSchedule } from "../views/build-schedule-views.js";
import { POLICY_ACTOR } from "./describe-request.js";

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
            ? md`:white_check_mark: ${userMention(effect.userId)} approved (${String(effect.count)} of ${String(effect.required)}): ${requester} your request is approved. ${describeSchedule(request.schedule)}.`
            : approved !== undefined
              ? md`:white_check_mark: ${userMention(effect.userId)} approved (${String(effect.count)} of ${String(effect.required)}): ${requester} ${outcome}`
              : effect.stage !== undefined
                ? md`:ballot_box_with_check: ${userMention(effect.userId)} approved for ${effect.stage}${effect.stageComplete === true ? md`, which is complete` : md``} (${String(effect.count)} of ${String(effect.required)}).`
                : md`:ballot_box_with_check: ${userMention(effect.userId)} approved (${String(effect.count)} of ${String(effect.required)}).`,
        );
        break;
      case "rejected":
        lines.push(
          effect.reason !== undefined
            ? md`:no_entry_sign: ${userMention(effect.userId)} rejected: ${effect.reason}\n${requester} nothing was done.`
            : md`:no_entry_sign: ${userMention(effect.userId)} rejected. ${requester} nothing was done.`,
        );
        break;
      case "cancelled":
        lines.push(
          md`:heavy_multiplication_x: Cancelled by ${userMention(effect.userId)}. Nothing was done.`,
        );
        break;
      case "expired":
        // A scheduled change expires at its start time at the latest: it lapsed without its approvals.
        if (
          request.schedule !== undefined &&
          request.expiresAt !== undefined &&
          request.expiresAt >= request.schedule.runAt
        ) {
          lines.push(buildScheduleLapsedLine(request, request.schedule));
          break;
        }
        lines.push(
          md`:hourglass: Expired after ${formatDuration(request.requirement.expiresInMs)} with ${String(request.approvals.length)} of ${String(request.requirement.minApprovals)} approvals. ${requester} nothing was done; ask again if it is still needed.`,
        );
        break;
      default:
        break;
    }
  }
  if (lines.length === 0) return undefined;
  const text = lines.flatMap((line, i) => (i === 0 ? line : [...md`\n`, ...line]));
  return { text, blocks: [section({ text })] };
}
