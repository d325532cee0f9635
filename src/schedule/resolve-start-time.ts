import { Cron } from "croner";
import type { RequestSchedule } from "../approvals/approval-request.js";
import { findNextOccurrences } from "../calendars/find-calendar-occurrences.js";
import { suggestClosest } from "../config/suggest-closest.js";
import type { Policy } from "../policy/types.js";
import type { ScheduleFlags } from "./take-schedule-flags.js";

/** How late an `--at` change may still start (every replica was down at its time): then it does not run. */
export const AT_START_GRACE_MS = 15 * 60_000;
/** How far ahead a change can be scheduled: no approval outlives a month (see `MAX_EXPIRES_IN_MS`). */
export const MAX_SCHEDULE_AHEAD_MS = 30 * 86_400_000;

export type StartTimeResult = { ok: true; schedule: RequestSchedule } | { ok: false; message: string };

export interface StartTimeContext {
  now: number;
  policy: Policy;
  /** The requester's IANA time zone (Slack profile), read only when the time is local (`HH:MM`). */
  timeZone: () => Promise<string>;
}

/**
 * When a scheduled change starts: `--at` an ISO date-time with offset, a local date-time (`2026-12-08T22:30`)
 * or `HH:MM` (the next such time) in the requester's time zone; `--window <name>` the next opening of that
 * maintenance window (one open now is not used: approval must be complete before the start). The result says
 * until when it may start. Bad input is a message, never a throw.
 */
export async function resolveStartTime(
  flags: ScheduleFlags,
  ctx: StartTimeContext,
): Promise<StartTimeResult> {
  if (flags.window !== undefined) return windowStart(flags.window, ctx);
  const text = flags.at ?? "";
  let runAt: number | undefined;
  if (/^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d)?(\.\d+)?(Z|[+-]\d\d:\d\d)$/i.test(text)) runAt = Date.parse(text);
  else {
    const local = /^(?:(\d{4})-(\d\d)-(\d\d)T)?(\d{1,2}):(\d\d)$/.exec(text);
    if (local === null)
      return {
        ok: false,
        message: `\`--at ${text}\` is not a time; write \`--at 22:30\` (the next 22:30 in your time zone) or \`--at 2026-12-08T22:30+01:00\``,
      };
    const [, year, month, day, hour, minute] = local;
    if (Number(hour) > 23 || Number(minute) > 59)
      return { ok: false, message: `\`--at ${text}\` is not a time of day (00:00 to 23:59)` };
    let zone: string;
    try {
      zone = await ctx.timeZone();
    } catch (error) {
      return {
        ok: false,
        message: `I could not read your time zone from Slack (${(error as Error).message}); give the time with its offset, e.g. \`--at 2026-12-08T22:30+01:00\``,
      };
    }
    // The next wall-clock match in the zone, daylight saving included; a date must come out as that date.
    const pattern = `${Number(minute)} ${Number(hour)} ${day ? Number(day) : "*"} ${month ? Number(month) : "*"} *`;
    const next = new Cron(pattern, { paused: true, timezone: zone }).nextRun(new Date(ctx.now))?.getTime();
    if (next === undefined || (year !== undefined && !localDateIs(next, zone, `${year}-${month}-${day}`)))
      return { ok: false, message: `\`--at ${text}\` is in the past; give a time to come` };
    runAt = next;
  }
  if (Number.isNaN(runAt)) return { ok: false, message: `\`--at ${text}\` is not a valid date-time` };
  if (runAt <= ctx.now) return { ok: false, message: `\`--at ${text}\` is in the past; give a time to come` };
  if (runAt - ctx.now > MAX_SCHEDULE_AHEAD_MS)
    return {
      ok: false,
      message: `\`--at ${text}\` is more than 30 days ahead; schedule it closer to the time`,
    };
  return { ok: true, schedule: { runAt, startBy: runAt + AT_START_GRACE_MS } };
}

function windowStart(name: string, ctx: StartTimeContext): StartTimeResult {
  const calendars = ctx.policy.calendars ?? [];
  const windows = calendars.filter((c) => c.kind === "window");
  const calendar = calendars.find((c) => c.name === name);
  if (calendar === undefined || calendar.kind !== "window") {
    const guess = suggestClosest(
      name,
      windows.map((w) => w.name),
    );
    const known =
      windows.length > 0
        ? `the maintenance windows are ${windows.map((w) => `\`${w.name}\``).join(", ")}`
        : "the policy defines none";
    const what =
      calendar !== undefined
        ? `\`${name}\` is a freeze, not a maintenance window`
        : `there is no maintenance window \`${name}\``;
    return {
      ok: false,
      message: `${what}${guess !== undefined && guess !== name ? ` (did you mean \`${guess}\`?)` : ""}; ${known} (see \`/ops calendar\`)`,
    };
  }
  const next = findNextOccurrences(calendar, ctx.now, 1)[0];
  if (next === undefined || next.start - ctx.now > MAX_SCHEDULE_AHEAD_MS)
    return { ok: false, message: `the maintenance window \`${name}\` does not open in the next 30 days` };
  return { ok: true, schedule: { runAt: next.start, startBy: next.end, window: name } };
}

function localDateIs(at: number, zone: string, ymd: string): boolean {
  const parts = new Intl.DateTimeFormat("en-CA", {
    timeZone: zone,
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
  }).format(new Date(at));
  return parts === ymd;
}

/** Whether a scheduled change may start now: not yet, yes, or never (its time has passed). */
export function judgeScheduledStart(schedule: RequestSchedule, now: number): "wait" | "start" | "missed" {
  if (now < schedule.runAt) return "wait";
  return now < schedule.startBy ? "start" : "missed";
}
