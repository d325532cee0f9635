import type { ApprovalRequest, RequestSchedule } from "../approvals/approval-request.js";
import {
  findActiveOccurrence,
  findNextOccurrences,
  findWindowCalendar,
} from "../calendars/find-calendar-occurrences.js";
import type { Policy } from "../policy/types.js";
import { approvalDeadline } from "../schedule/approval-deadline.js";
import { judgeScheduledStart } from "../schedule/resolve-start-time.js";
import type { StartCheck } from "./build-start-check-view.js";

/**
 * When an approved scheduled change starts, judged now as the execution gate will judge it: at `at` (its time,
 * or its window's new opening when the calendar moved the window within the approved span), or never (`check`:
 * the window moved out of the approved span or was removed, its approval came after its start, its time
 * passed).
 */
export type StartNow =
  | { kind: "runs"; at: number }
  | { kind: "never"; check: StartCheck | { kind: "missed"; startBy: number } };

/**
 * The one home of "when does this scheduled change start now": the gate's checks at the change's time
 * (`judgeScheduledStart`, `judgeApprovalTime`, `judgeWindow`, judged no sooner than its `runAt`: the gate starts
 * nothing before it) on the calendars as they are now. A window open then: the change starts at its time, or at
 * the opening if the window opened later than that (a stable instant, not "now", so that a caller comparing it
 * with what it showed before sees a change only when the calendar moved). A window that opens later within the
 * approved span: its next opening. The card, `/ops approvals`, `/ops jobs` and the heads-up before the start all
 * say this time. Undefined without a schedule. Pure.
 */
export function judgeStartNow(
  request: Pick<ApprovalRequest, "approvals" | "schedule">,
  policy: Pick<Policy, "calendars">,
  now: number,
): StartNow | undefined {
  const { schedule } = request;
  if (schedule === undefined) return undefined;
  // The gate looks no sooner than the change's time.
  const from = Math.max(now, schedule.runAt);
  if (judgeScheduledStart(schedule, from) === "missed")
    return { kind: "never", check: { kind: "missed", startBy: schedule.startBy } };
  const late = judgeApprovalTime(request, schedule);
  if (late !== undefined) return { kind: "never", check: late };
  const window = judgeWindow(schedule, policy, from);
  if (window !== "open" && window !== "later") return { kind: "never", check: window };
  if (window === "open" && (schedule.window === undefined || from === schedule.runAt))
    return { kind: "runs", at: schedule.runAt };
  const calendar = findWindowCalendar(policy.calendars, schedule.window);
  // `judgeWindow` found the window's calendar: a window not open then or not open at `runAt` has one.
  if (calendar === undefined) return { kind: "runs", at: schedule.runAt };
  if (window === "open") {
    const opened = findActiveOccurrence(calendar, from)?.start ?? from;
    return { kind: "runs", at: Math.max(schedule.runAt, opened) };
  }
  const next = findNextOccurrences(calendar, from, 1)[0];
  // "later" means an opening within the approved span was found: the same one.
  return { kind: "runs", at: next?.start ?? schedule.runAt };
}

/**
 * A stable key of a judged start (`StartNow`) for comparing what a card shows with what is judged now: equal
 * keys, the same words.
 */
export function startNowKey(start: StartNow): string {
  return start.kind === "runs" ? `runs:${String(start.at)}` : `never:${start.check.kind}`;
}

/**
 * A scheduled change whose approval was complete only at or after its start time (a stage completed late in
 * a record kept from before stages' expiries were capped at the start time): it never runs.
 */
export function judgeApprovalTime(
  request: Pick<ApprovalRequest, "approvals">,
  schedule: RequestSchedule,
): StartCheck | undefined {
  const approvedAt = Math.max(...request.approvals.map((a) => a.at));
  // Asked while its window was open, it may be approved until the window closes (`approvalDeadline`).
  const deadline = approvalDeadline(schedule);
  return approvedAt >= deadline ? { kind: "approved_late", runAt: deadline, approvedAt } : undefined;
}

/**
 * Whether a change scheduled in a maintenance window may start (or run its next wave) now, judged on the
 * calendar as it is now, not as it was when the change was approved: `open` in the window's approved span
 * (`startBy` is its end) and the window open now; `later` when the window is not open now but opens again
 * before the approved end (the change may start then, as approved); else why it never will. A change
 * without a window: `open`. Pure.
 */
export function judgeWindow(
  schedule: RequestSchedule,
  policy: Pick<Policy, "calendars">,
  now: number,
): "open" | "later" | StartCheck {
  const name = schedule.window;
  if (name === undefined) return "open";
  if (now >= schedule.startBy) return { kind: "window_closed", window: name, closedAt: schedule.startBy };
  const calendar = findWindowCalendar(policy.calendars, name);
  if (calendar === undefined) return { kind: "window_moved", window: name };
  if (findActiveOccurrence(calendar, now) !== undefined) return "open";
  const next = findNextOccurrences(calendar, now, 1)[0];
  return next !== undefined && next.start < schedule.startBy
    ? "later"
    : { kind: "window_moved", window: name };
}
