import type { ScheduleSummary } from "../views/build-recurring-schedule-views.js";
import { describeCron } from "./describe-cron.js";
import { nextSlots } from "./parse-schedule-timing.js";
import type { Schedule } from "./schedule-record.js";

/** How many next runs a card and a list line show. */
export const NEXT_RUNS_SHOWN = 3;

/** A schedule as its views show it, with its next runs after `now`. */
export function summarizeSchedule(schedule: Schedule, now: number): ScheduleSummary {
  const words = describeCron(schedule.cron);
  return {
    id: schedule.id,
    status: schedule.status,
    cron: schedule.cron,
    ...(words !== undefined && { cronWords: words }),
    timeZone: schedule.timeZone,
    commandLine: schedule.commandLine,
    ownerId: schedule.owner.userId,
    maxTargets: schedule.maxTargets,
    nextRuns: nextSlots(schedule, now, NEXT_RUNS_SHOWN),
    ...(schedule.lastRun !== undefined && { lastRun: schedule.lastRun }),
  };
}
