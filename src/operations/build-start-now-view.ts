import type { RequestSchedule } from "../approvals/approval-request.js";
import { code, localTime, md, type Span, section } from "../render/message-model.js";
import { describeSchedule } from "../views/build-schedule-views.js";
import type { StartNow } from "./judge-start-now.js";

/**
 * When a scheduled change runs, as judged now (`judgeStartNow`), in each reader's time zone: as asked
 * (`describeSchedule`) while that still holds; "Runs 8 Dec 23:00, when the maintenance window `maint` opens: the
 * window moved, it was to open 22:00 (…)" once the calendar moved the window within the approved span; "Will
 * not run: …" once it moved out of it or was removed (the gate ends it at its time, nothing done). The card,
 * `/ops approvals` and the Home tab say it so. `start` absent: not judged, as asked.
 */
export function describeScheduleNow(schedule: RequestSchedule, start: StartNow | undefined): Span[] {
  if (start === undefined || (start.kind === "runs" && start.at === schedule.runAt))
    return describeSchedule(schedule);
  const until = md`(it must start before ${localTime(schedule.startBy, "time")})`;
  if (start.kind === "runs") {
    const window = schedule.window;
    return window === undefined
      ? md`Runs ${localTime(start.at)} ${until}`
      : md`Runs ${localTime(start.at)}, when the maintenance window ${code(window)} opens: the window moved, it was to open ${localTime(schedule.runAt)} ${until}`;
  }
  const check = start.check;
  const why =
    check.kind === "window_moved"
      ? md`the maintenance window ${code(check.window)} moved or was removed: it does not open before ${localTime(schedule.startBy)}, the end of the approved span (see ${code("/ops calendar")})`
      : check.kind === "window_closed"
        ? md`the maintenance window ${code(check.window)} closed at ${localTime(check.closedAt)}`
        : check.kind === "approved_late"
          ? md`its approval was complete only at ${localTime(check.approvedAt)}, after its start time ${localTime(check.runAt)}`
          : md`its start time passed (it could start until ${localTime(check.startBy)})`;
  return md`Will not run: ${why}. It ends at ${localTime(schedule.runAt)}, nothing done, unless the calendar changes back before then`;
}

/** The card's line of when a scheduled change runs, as judged now (see {@link describeScheduleNow}). */
export function scheduleNowSection(
  schedule: RequestSchedule,
  start: StartNow | undefined,
): ReturnType<typeof section> {
  const icon = start?.kind === "never" ? md`:no_entry_sign:` : md`:calendar:`;
  return section({ text: md`${icon} ${describeScheduleNow(schedule, start)}.` });
}
