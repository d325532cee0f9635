import type { RequestSchedule } from "../approvals/approval-request.js";

/**
 * A scheduled change as the schedule's readers see it. `openWhenAsked`: `--window` was asked while that window
 * was open (`runAt` is the opening of that occurrence, `startBy` its end): the change starts as soon as it is
 * approved, and approval may complete until the window closes. Written out here so that the readers compile
 * whether or not the stored schema names it yet; `RequestScheduleSchema` must accept it for it to be stored.
 */
export type Schedule = RequestSchedule & { openWhenAsked?: true };

/**
 * Until when a scheduled change's approval must be complete: its start time (it never starts late for an
 * approval), or, asked while its window was open, the window's end (it starts once approved). The one rule for
 * the request's expiry, each stage's, and the execution gate's check of when it was approved. Pure.
 */
export function approvalDeadline(schedule: Schedule): number {
  return schedule.openWhenAsked === true ? schedule.startBy : schedule.runAt;
}
