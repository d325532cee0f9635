import type { ApprovalRequest, RequestSchedule } from "../approvals/approval-request.js";
import { plural } from "../render/escape-mrkdwn.js";
import {
  code,
  localTime,
  type Message,
  md,
  type Span,
  section,
  userMention,
} from "../render/message-model.js";
import { buildNoticeView } from "./build-notice-view.js";
import { withInlineCode } from "./format-values.js";

/** When a scheduled change runs, in each reader's time zone: "Runs 8 Dec 22:00, in the window `maint` (until 02:00)". */
export function describeSchedule(schedule: RequestSchedule): Span[] {
  return schedule.window !== undefined
    ? md`Runs ${localTime(schedule.runAt)}, when the maintenance window ${code(schedule.window)} opens (it must start before ${localTime(schedule.startBy, "time")})`
    : md`Runs ${localTime(schedule.runAt)}`;
}

/** `--at` / `--window` that cannot be scheduled (bad time, unknown window): nothing was requested. */
export function buildScheduleRefusalView(commandLine: string, message: string): Message {
  return buildNoticeView(
    ":warning:",
    md`${code(commandLine)} was not requested: ${withInlineCode(message)}.`,
  );
}

/**
 * To the requester: the scheduled change is posted; it runs at its time (once approved, when it needs
 * approval). `approval.by` is the request's expiry: the policy's time limit for approving, or the start time
 * when that comes first.
 */
export function buildScheduledNoticeView(
  schedule: RequestSchedule,
  approval: { minApprovals: number; by: number } | undefined,
): Message {
  if (approval === undefined)
    return buildNoticeView(
      ":calendar:",
      md`Scheduled: ${describeSchedule(schedule)}. I posted it in the channel; you or an approver can cancel it until then.`,
    );
  const needs = plural(approval.minApprovals, "approval");
  return buildNoticeView(
    ":calendar:",
    approval.by < schedule.runAt
      ? md`Your change needs ${needs} before ${localTime(approval.by)} (the policy's time limit for approving), or it expires; I posted it in the channel. ${describeSchedule(schedule)}.`
      : md`Your change needs ${needs} before ${localTime(schedule.runAt)}, or it lapses; I posted it in the channel. ${describeSchedule(schedule)}.`,
  );
}

/** Why a scheduled change did not run (kept with the request; shown on the card). */
export function scheduleMissedReason(schedule: RequestSchedule): string {
  return schedule.window !== undefined
    ? `the maintenance window ${schedule.window} closed before the change could start`
    : "its start time passed while no replica of the bot could start it";
}

/** In the thread: the scheduled change was not started in time, so nothing ran. */
export function buildScheduleMissedReply(
  request: Pick<ApprovalRequest, "requester" | "commandText">,
  schedule: RequestSchedule,
): Message {
  const why =
    schedule.window !== undefined
      ? md`the maintenance window ${code(schedule.window)} closed at ${localTime(schedule.startBy)} before the change could start`
      : md`it could not start between ${localTime(schedule.runAt)} and ${localTime(schedule.startBy, "time")}`;
  return buildNoticeView(
    ":hourglass:",
    md`Not run: ${why}. ${userMention(request.requester.userId)} nothing was done; schedule it again if it is still needed.`,
  );
}

/** In the thread: approval was not complete before the start time, so the request lapsed. */
export function buildScheduleLapsedLine(
  request: Pick<ApprovalRequest, "requester" | "requirement" | "approvals">,
  schedule: RequestSchedule,
): Span[] {
  return md`:hourglass: Lapsed: approval was not complete before its start time ${localTime(schedule.runAt)} (${String(request.approvals.length)} of ${String(request.requirement.minApprovals)} approvals). ${userMention(request.requester.userId)} nothing was done; schedule it again if it is still needed.`;
}

/** The answer to a section-text request for a scheduled card. */
export function scheduleSection(schedule: RequestSchedule): ReturnType<typeof section> {
  return section({ text: md`:calendar: ${describeSchedule(schedule)}.` });
}
