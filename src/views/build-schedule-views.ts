import type { ApprovalRequest } from "../approvals/approval-request.js";
import { describeApprovers, describeWhat } from "../operations/describe-request.js";
import type { Principals } from "../policy/types.js";
import { plural } from "../render/escape-mrkdwn.js";
import { code, link, localTime, type Message, md, type Span, userMention } from "../render/message-model.js";
import type { Schedule } from "../schedule/approval-deadline.js";
import { calendarDateProblem, MONTH_NAMES } from "../schedule/local-wall-time.js";
import type { DirectConversationKind } from "./build-direct-message-refusal-view.js";
import { buildNoticeView } from "./build-notice-view.js";
import { withInlineCode } from "./format-values.js";

/**
 * When a scheduled change runs, in each reader's time zone: "Runs 8 Dec 22:00, when the maintenance window
 * `maint` opens (it must start before 02:00)"; asked while the window was open, it runs once approved. Read at
 * any time after it was asked (the card, the thread, `/ops approvals`), so it never says "now".
 */
export function describeSchedule(schedule: Schedule): Span[] {
  if (schedule.window === undefined) return md`Runs ${localTime(schedule.runAt)}`;
  return schedule.openWhenAsked === true
    ? md`Runs once approved, in the maintenance window ${code(schedule.window)}, open since ${localTime(schedule.runAt)} (it must start before ${localTime(schedule.startBy, "time")})`
    : md`Runs ${localTime(schedule.runAt)}, when the maintenance window ${code(schedule.window)} opens (it must start before ${localTime(schedule.startBy, "time")})`;
}

/**
 * Why `--break-glass` is refused with `--at` / `--window` (`flag`: the one given), for the parse error (code
 * spans in backticks): break-glass skips approval to act now, in an emergency; a
 * change for later has the time to be approved.
 */
export function describeBreakGlassScheduleRefusal(flag: "--at" | "--window"): string {
  return `\`--break-glass\` acts now, without approval, in an emergency; a change for later (\`${flag}\`) has time to be approved, so it asks for approval. Drop \`--break-glass\` to schedule it, or drop \`${flag}\` to act now.`;
}

/** `--at` / `--window` that cannot be scheduled (bad time, unknown window): nothing was requested. */
export function buildScheduleRefusalView(commandLine: string, message: string): Message {
  return buildNoticeView(
    ":warning:",
    md`${code(commandLine)} was not requested: ${withInlineCode(message)}.`,
  );
}

/**
 * Why an `--at <time>` cannot be scheduled (the view's own shape; `text` is the value as typed). `skipped`: the
 * local `time` (`HH:MM`) does not exist on `date` (`YYYY-MM-DD`) in `zone`, the clocks going forward from `from`
 * to `to` (`dated`: the date was typed, not the next such time).
 */
export type AtRefusal =
  | { kind: "not_a_time"; text: string }
  | { kind: "not_a_time_of_day"; text: string }
  | { kind: "not_a_date"; text: string; year: number; month: number; day: number }
  | { kind: "bad_offset"; text: string }
  | { kind: "no_time_zone"; text: string; error: string }
  | {
      kind: "skipped";
      text: string;
      zone: string;
      date: string;
      time: string;
      from: string;
      to: string;
      dated: boolean;
    }
  /** `now`: the time it is (`YYYY-MM-DDTHH:MM`) in `zone`, where the typed time was read (a zone or `UTC+01:00`). */
  | { kind: "past"; text: string; now: string; zone: string }
  | { kind: "too_far"; text: string; maxAheadDays: number };

/** `--at` as typed, inside backticks: bounded, without backticks. */
function typedAt(text: string): string {
  const flat = text.replace(/[`\n\r]/g, "'");
  return `\`--at ${flat.length > 40 ? `${flat.slice(0, 39)}…` : flat}\``;
}

/** `Sunday 28 March 2027` from `2027-03-28` (a calendar date: no zone involved). */
function longDate(ymd: string): string {
  const [y, m, d] = ymd.split("-").map(Number);
  const at = new Date(0);
  at.setUTCFullYear(y ?? 1970, (m ?? 1) - 1, d ?? 1);
  const weekday = at.toLocaleDateString("en-GB", { weekday: "long", timeZone: "UTC" });
  return `${weekday} ${String(d)} ${MONTH_NAMES[(m ?? 1) - 1] ?? ""} ${String(y)}`;
}

/**
 * The reason an `--at` time is refused, as one line for {@link buildScheduleRefusalView} (code spans in
 * backticks, no final period). Each case says what is wrong and what to give instead.
 */
export function describeAtRefusal(refusal: AtRefusal): string {
  const at = typedAt(refusal.text);
  switch (refusal.kind) {
    case "not_a_time": {
      // The near misses people type most: a date and time apart (a space, not a `T`), or a date alone.
      const apart = /^(\d{4}-\d\d-\d\d)\s+(\d{1,2}:\d\d)$/.exec(refusal.text.trim());
      if (apart !== null)
        return `${at} is not a time I can read: join the date and the time with a \`T\`, e.g. ${span(`--at ${apart[1]}T${apart[2]}`)}`;
      const dateOnly = /^(\d{4}-\d\d-\d\d)$/.exec(refusal.text.trim());
      if (dateOnly !== null)
        return `${at} names a day but no time: add the time after a \`T\`, e.g. ${span(`--at ${dateOnly[1]}T22:30`)}`;
      return `${at} is not a time I can read; write ${AT_FORMS}`;
    }
    case "not_a_time_of_day":
      return `${at} is not a time of day: hours go from 00 to 23 and minutes from 00 to 59, e.g. \`--at 22:30\``;
    case "not_a_date": {
      const { year, month, day } = refusal;
      return `${at} is not a date: ${calendarDateProblem(year, month, day) ?? "that day does not exist"}`;
    }
    case "bad_offset":
      return `${at} has no valid offset from UTC; offsets go from \`-12:00\` to \`+14:00\`, e.g. \`--at 2026-12-08T22:30+01:00\``;
    case "no_time_zone":
      return `I could not read your time zone from Slack (${refusal.error.replace(/`/g, "'")}); give the time with its offset, e.g. \`--at 2026-12-08T22:30+01:00\``;
    case "skipped": {
      const { date, time, from, to } = refusal;
      const instead = refusal.dated
        ? span(`--at ${date}T${to}`)
        : `${span(`--at ${to}`)}, or ${span(`--at ${dayAfter(date)}T${time}`)} for the night after`;
      return `${at} names a time that does not exist: on ${longDate(date)} the clocks in ${refusal.zone} go forward from ${from} to ${to}, so there is no ${time} that night. Give a time ${
        // Where the clocks jump at midnight, "before 00:00" would be the day before.
        from === "00:00" ? `from ${to}` : `before ${from} or from ${to}`
      } (e.g. ${instead})`;
    }
    case "past": {
      // A local date-time in the past: its time of day alone names the next such time.
      const time = /^\d{4}-\d\d-\d\dT(\d{1,2}:\d\d)$/.exec(refusal.text.trim())?.[1];
      const instead = time === undefined ? "" : ` (e.g. ${span(`--at ${time}`)} for the next ${time})`;
      return `${at} is in the past: it is now ${refusal.now.slice(11)} on ${longDate(refusal.now.slice(0, 10))} in ${refusal.zone}; give a time to come${instead}`;
    }
    case "too_far":
      return `${at} is more than ${String(refusal.maxAheadDays)} days ahead; a change is scheduled at most ${String(refusal.maxAheadDays)} days ahead, so ask again closer to the time`;
  }
}

/** Every form `--at` takes (see `resolveAt`), each with what it means. */
const AT_FORMS =
  "`--at 22:30` (the next 22:30 in your time zone), `--at 2026-12-08T22:30` (that day, in your time zone) or `--at 2026-12-08T22:30+01:00` (with its offset from UTC)";

/** A code span in a refusal line. */
function span(text: string): string {
  return `\`${text}\``;
}

/** The date after `YYYY-MM-DD`. */
function dayAfter(ymd: string): string {
  const [y, m, d] = ymd.split("-").map(Number);
  const at = new Date(0);
  at.setUTCFullYear(y ?? 1970, (m ?? 1) - 1, (d ?? 1) + 1);
  return at.toISOString().slice(0, 10);
}

/**
 * To the requester: the scheduled change is posted; it runs at its time (once approved, when it needs
 * approval). `approval.by` is the request's expiry: the policy's time limit for approving, or the start time
 * when that comes first. `postedIn`: where its card is, the conversation the change was asked in (a change
 * needing approval is never asked in a direct conversation: it is refused there).
 */
export function buildScheduledNoticeView(
  schedule: Schedule,
  approval: { minApprovals: number; by: number } | undefined,
  postedIn: "channel" | DirectConversationKind = "channel",
): Message {
  if (schedule.openWhenAsked === true && schedule.window !== undefined)
    return buildOpenWindowNoticeView(schedule, schedule.window, approval, postedIn);
  if (approval === undefined)
    return buildNoticeView(
      ":calendar:",
      // Allowed without approval, it needs no approvers; those the policy accepts for it may still call it off
      // from its card, where they can see it: not in someone else's direct conversation with the bot.
      postedIn === "channel"
        ? md`Scheduled: ${describeSchedule(schedule)}. I posted it in the channel; until then you, or an approver, can cancel it from its card.`
        : md`Scheduled: ${describeSchedule(schedule)}. I posted it here, in ${postedIn === "im" ? "our direct messages" : "this group conversation"}; until then you can cancel it from its card.`,
    );
  const needs = plural(approval.minApprovals, "approval");
  const posted = postedIn === "channel" ? "in the channel" : "here";
  return buildNoticeView(
    ":calendar:",
    approval.by < schedule.runAt
      ? md`Your change needs ${needs} before ${localTime(approval.by)} (the policy's time limit for approving), or it expires; I posted it ${posted}. ${describeSchedule(schedule)}.`
      : md`Your change needs ${needs} before ${localTime(schedule.runAt)}, or it lapses; I posted it ${posted}. ${describeSchedule(schedule)}.`,
  );
}

/**
 * The notice of a change asked with `--window` while that window is open: it is this opening, so the change
 * starts as soon as it is approved (allowed without approval: at once), provided it is approved before the
 * window closes or the policy's time limit for approving, whichever comes first.
 */
function buildOpenWindowNoticeView(
  schedule: Schedule,
  window: string,
  approval: { minApprovals: number; by: number } | undefined,
  postedIn: "channel" | DirectConversationKind,
): Message {
  const open = md`the maintenance window ${code(window)} is open now, until ${localTime(schedule.startBy, "time")}`;
  const posted =
    postedIn === "channel"
      ? "in the channel"
      : postedIn === "im"
        ? "here, in our direct messages"
        : "here, in this group conversation";
  if (approval === undefined)
    return buildNoticeView(
      ":calendar:",
      md`Scheduled: ${open}, so your change starts now. I posted it ${posted}.`,
    );
  const needs = plural(approval.minApprovals, "approval");
  return buildNoticeView(
    ":calendar:",
    approval.by < schedule.startBy
      ? md`Your change needs ${needs}: ${open}, and it runs once approved, if that is before ${localTime(approval.by)} (the policy's time limit for approving), or it expires. I posted it ${posted}.`
      : md`Your change needs ${needs}: ${open}, and it runs once approved, if that is before then, or it lapses. I posted it ${posted}.`,
  );
}

/**
 * Why a scheduled change did not run (kept with the request; shown on the card): plain text where backticks
 * mark inline code, like the other stored reasons (a window's name in a code span, its own backticks and line
 * breaks taken out so it cannot end the span).
 */
export function scheduleMissedReason(schedule: Schedule): string {
  return schedule.window !== undefined
    ? `the maintenance window ${span(schedule.window.replace(/[`\n\r]/g, "'"))} closed before the change could start`
    : "its start time passed while no replica of the bot could start it";
}

/** In the thread: the scheduled change was not started in time, so nothing ran. */
export function buildScheduleMissedReply(
  request: Pick<ApprovalRequest, "requester" | "commandText">,
  schedule: Schedule,
): Message {
  const why =
    schedule.window !== undefined
      ? md`the maintenance window ${code(schedule.window)} closed at ${localTime(schedule.startBy)} before the change could start`
      : md`it could not start between ${localTime(schedule.runAt)} and ${localTime(schedule.startBy, "time")}`;
  return buildNoticeView(
    ":stopwatch:",
    md`Not run: ${why}. ${userMention(request.requester.userId)}, nothing was done; schedule it again if it is still needed.`,
  );
}

/**
 * In the thread: approval was not complete before the start time (asked while its window was open: before the
 * window closed), so the request lapsed.
 */
export function buildScheduleLapsedLine(
  request: Pick<ApprovalRequest, "requester" | "requirement" | "approvals">,
  schedule: Schedule,
): Span[] {
  const before =
    schedule.openWhenAsked === true && schedule.window !== undefined
      ? md`before the maintenance window ${code(schedule.window)} closed at ${localTime(schedule.startBy)}`
      : md`before its start time ${localTime(schedule.runAt)}`;
  return md`:stopwatch: Lapsed: approval was not complete ${before} (${String(request.approvals.length)} of ${String(request.requirement.minApprovals)} approvals). ${userMention(request.requester.userId)}, nothing was done; schedule it again if it is still needed.`;
}

/**
 * To someone who clicked Cancel on a scheduled change they may not cancel: who may. `approvers`: the people the
 * policy as it is now accepts as approvers of that action on those servers (see `cancelApproversOf`).
 */
export function buildCancelRefusedView(
  request: Pick<ApprovalRequest, "requester" | "action" | "targets">,
  approvers: Principals,
): Message {
  const requester = userMention(request.requester.userId);
  const what = describeWhat(request);
  if (approvers.users.length + approvers.groups.length === 0)
    return buildNoticeView(
      ":raised_hand:",
      md`Only the requester (${requester}) can cancel this scheduled change: the policy as it is now names nobody who could approve ${what}.`,
    );
  return buildNoticeView(
    ":raised_hand:",
    md`Only the requester (${requester}) or an approver can cancel this scheduled change: someone the policy as it is now accepts as an approver of ${what} (${describeApprovers({ approvers })}). You are neither, so it stays scheduled.`,
  );
}

/**
 * To the requester, by direct message: someone else cancelled their scheduled change before it ran, so nothing
 * will run. `permalink`: the card, when a link to it could be had.
 */
export function buildScheduleCancelledDm(
  request: Pick<ApprovalRequest, "commandText" | "schedule">,
  cancelledBy: string,
  permalink: string | undefined,
): Message {
  const schedule: Schedule | undefined = request.schedule;
  const when =
    schedule === undefined
      ? md``
      : schedule.openWhenAsked === true && schedule.window !== undefined
        ? md` (it was to run once approved, in the maintenance window ${code(schedule.window)} until ${localTime(schedule.startBy, "time")})`
        : md` (it was to run ${localTime(schedule.runAt)})`;
  const card = permalink !== undefined ? md` ${link(permalink, "See the request")}.` : md``;
  return buildNoticeView(
    ":heavy_multiplication_x:",
    md`${userMention(cancelledBy)} cancelled your scheduled change ${code(request.commandText)}${when}. It will not run; nothing was done.${card}`,
  );
}
