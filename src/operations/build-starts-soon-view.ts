import type { ApprovalRequest, RequestSchedule } from "../approvals/approval-request.js";
import { plural } from "../render/escape-mrkdwn.js";
import { code, localTime, type Message, md, userMention } from "../render/message-model.js";
import { buildNoticeView } from "../views/build-notice-view.js";
import { describeApprovals, describeWhat, isPolicyAllowed } from "./describe-request.js";

/**
 * In the thread, a little before an approved scheduled change starts: what starts when, who approved it, and
 * how to stop it (its card's Cancel, while it has not started). The requester is mentioned, so Slack tells them.
 * `schedule.runAt`: when it starts as judged now (`judgeStartNow`: a window the calendar moved, its new opening).
 * `now` only gives the minutes left; the time itself is each reader's own.
 */
export function buildStartsSoonReply(
  request: Pick<ApprovalRequest, "action" | "targets" | "requester" | "approvals" | "requirement">,
  schedule: Pick<RequestSchedule, "runAt" | "window">,
  now: number,
): Message {
  const minutes = Math.max(1, Math.round((schedule.runAt - now) / 60_000));
  const where =
    schedule.window !== undefined ? md` (the maintenance window ${code(schedule.window)} opens)` : md``;
  const approved = isPolicyAllowed(request)
    ? md`allowed by the policy without approval`
    : md`approved by ${describeApprovals(request)}`;
  return buildNoticeView(
    ":alarm_clock:",
    md`*Starts in ${plural(minutes, "minute")}*, at ${localTime(schedule.runAt, "time")}${where}: ${describeWhat(request)}, ${approved}. ${userMention(request.requester.userId)}: to stop it, cancel it on its card before then. When it starts, the policy is decided again on the servers as they are then.`,
  );
}
