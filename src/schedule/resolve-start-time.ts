import type { RequestSchedule } from "../approvals/approval-request.js";
import { findActiveOccurrence, findNextOccurrences } from "../calendars/find-calendar-occurrences.js";
import { suggestClosest } from "../config/suggest-closest.js";
import type { Policy } from "../policy/types.js";
import { type AtRefusal, describeAtRefusal } from "../views/build-schedule-views.js";
import type { Schedule } from "./approval-deadline.js";
import {
  formatWallTime,
  instantsOf,
  isCalendarDate,
  nextTimeOfDay,
  type WallTime,
  wallTimeOf,
} from "./local-wall-time.js";
import type { ScheduleFlags } from "./take-schedule-flags.js";

/** How late an `--at` change may still start (every replica was down at its time): then it does not run. */
export const AT_START_GRACE_MS = 15 * 60_000;
/** How far ahead a change can be scheduled: no approval outlives a month (see `MAX_EXPIRES_IN_MS`). */
export const MAX_SCHEDULE_AHEAD_MS = 30 * 86_400_000;
/**
 * How much of a window open now must be left for `--window` to mean this opening rather than the next: a change
 * needs time to be approved and to start, and one that lapses must be asked again, which would then take the
 * next opening anyway. The same quarter hour an `--at` change has to start.
 */
export const MIN_WINDOW_LEFT_MS = 15 * 60_000;

/** A refusal's `message` is operator text (a `--window` one has no `refusal`: it is said as it is). */
export type StartTimeResult =
  | { ok: true; schedule: Schedule }
  | { ok: false; message: string; refusal?: AtRefusal };

export interface StartTimeContext {
  now: number;
  policy: Policy;
  /** The requester's IANA time zone (Slack profile), read only for a local time (`HH:MM`, a date-time without offset). */
  timeZone: () => Promise<string>;
}

/**
 * When a scheduled change starts: `--at` an ISO date-time with offset, a local date-time (`2026-12-08T22:30`)
 * or `HH:MM` (the next such time) in the requester's time zone; `--window <name>` that maintenance window: the
 * opening in progress when at least `MIN_WINDOW_LEFT_MS` of it is left (then the change starts once approved,
 * approval complete before the window closes: `openWhenAsked`), else its next opening (approval complete before
 * it opens). The result says until when it may start. Bad input is a message, never a throw.
 */
export async function resolveStartTime(
  flags: ScheduleFlags,
  ctx: StartTimeContext,
): Promise<StartTimeResult> {
  if (flags.window !== undefined) return windowStart(flags.window, ctx);
  const resolved = await resolveAt(flags.at ?? "", ctx);
  if (!resolved.ok)
    return { ok: false, message: describeAtRefusal(resolved.refusal), refusal: resolved.refusal };
  return { ok: true, schedule: { runAt: resolved.at, startBy: resolved.at + AT_START_GRACE_MS } };
}

/** The instant an `--at` value names, or why it names none that can be scheduled. */
export type AtResult = { ok: true; at: number } | { ok: false; refusal: AtRefusal };

const ISO_WITH_OFFSET =
  /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d)(?::(\d\d)(?:\.(\d+))?)?(?:(Z)|([+-])(\d\d):(\d\d))$/i;
const LOCAL = /^(?:(\d{4})-(\d\d)-(\d\d)T)?(\d{1,2}):(\d\d)$/;
/** The widest offsets from UTC in use (Baker Island, the Line Islands). */
const MIN_OFFSET_MINUTES = -12 * 60;
const MAX_OFFSET_MINUTES = 14 * 60;

/**
 * Resolves `--at` in steps, each with its own answer: the form (a time at all?), the parts (a time of day, a
 * date of the calendar, an offset in use), the local time in the requester's zone (explicitly, both ways
 * around a daylight-saving change: a time the clocks skip is refused, never moved; a time that comes twice is
 * taken at its next coming), then in the past, then too far ahead.
 */
export async function resolveAt(
  text: string,
  ctx: Pick<StartTimeContext, "now" | "timeZone">,
): Promise<AtResult> {
  const refuse = (refusal: AtRefusal): AtResult => ({ ok: false, refusal });
  let at: number;
  /** Where the time was read (a zone, or the offset typed), for saying what time it is there now. */
  let nowThere: () => { now: string; zone: string };
  const iso = ISO_WITH_OFFSET.exec(text);
  const local = iso === null ? LOCAL.exec(text) : null;
  if (iso !== null) {
    const [, y, mo, d, h, mi, sec, fraction, zulu, sign, oh, om] = iso;
    const [year, month, day, hour, minute, second] = [y, mo, d, h, mi, sec ?? "0"].map(Number) as [
      number,
      number,
      number,
      number,
      number,
      number,
    ];
    if (hour > 23 || minute > 59 || second > 59) return refuse({ kind: "not_a_time_of_day", text });
    if (!isCalendarDate(year, month, day)) return refuse({ kind: "not_a_date", text, year, month, day });
    const offsetMinutes = zulu !== undefined ? 0 : (sign === "-" ? -1 : 1) * (Number(oh) * 60 + Number(om));
    if (Number(om) > 59 || offsetMinutes < MIN_OFFSET_MINUTES || offsetMinutes > MAX_OFFSET_MINUTES)
      return refuse({ kind: "bad_offset", text });
    const utc = new Date(0);
    utc.setUTCFullYear(year, month - 1, day);
    utc.setUTCHours(hour, minute, second, Math.round(Number(`0.${fraction ?? "0"}`) * 1000));
    at = utc.getTime() - offsetMinutes * 60_000;
    nowThere = () => ({
      now: formatWallTime(wallTimeOf(ctx.now + offsetMinutes * 60_000, "UTC")),
      zone: offsetMinutes === 0 ? "UTC" : `UTC${sign}${oh}:${om}`,
    });
  } else if (local !== null) {
    const [, y, mo, d, h, mi] = local;
    const hour = Number(h);
    const minute = Number(mi);
    if (hour > 23 || minute > 59) return refuse({ kind: "not_a_time_of_day", text });
    const date = y === undefined ? undefined : { year: Number(y), month: Number(mo), day: Number(d) };
    if (date !== undefined && !isCalendarDate(date.year, date.month, date.day))
      return refuse({ kind: "not_a_date", text, ...date });
    let zone: string;
    try {
      zone = await ctx.timeZone();
      // Slack's profile names a zone this runtime may not know: refused below like a zone not read at all.
      new Intl.DateTimeFormat("en", { timeZone: zone });
    } catch (error) {
      return refuse({ kind: "no_time_zone", text, error: (error as Error).message });
    }
    const time = `${String(hour).padStart(2, "0")}:${mi}`;
    nowThere = () => ({ now: formatWallTime(wallTimeOf(ctx.now, zone)), zone });
    const skipped = (on: WallTime, found: { from: string; to: string }): AtResult =>
      refuse({
        kind: "skipped",
        text,
        zone,
        date: formatWallTime(on).slice(0, 10),
        time,
        from: found.from,
        to: found.to,
        dated: date !== undefined,
      });
    if (date === undefined) {
      const next = nextTimeOfDay(hour, minute, ctx.now, zone);
      if (next.kind === "skipped") return skipped(next.date, next);
      at = next.at;
    } else {
      const wall = { ...date, hour, minute };
      const found = instantsOf(wall, zone);
      if (found.kind === "skipped") {
        // Once the clocks have gone forward, that night's time is simply past.
        if (found.transition <= ctx.now) return refuse({ kind: "past", text, ...nowThere() });
        return skipped(wall, found);
      }
      // Twice on the night the clocks go back: the next coming of it.
      at = found.instants.find((t) => t > ctx.now) ?? found.instants.at(-1) ?? 0;
    }
  } else return refuse({ kind: "not_a_time", text });
  if (at <= ctx.now) return refuse({ kind: "past", text, ...nowThere() });
  if (at - ctx.now > MAX_SCHEDULE_AHEAD_MS)
    return refuse({ kind: "too_far", text, maxAheadDays: MAX_SCHEDULE_AHEAD_MS / 86_400_000 });
  return { ok: true, at };
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
  const open = findActiveOccurrence(calendar, ctx.now);
  if (open !== undefined && open.end - ctx.now >= MIN_WINDOW_LEFT_MS) {
    // Its opening, not now: the same window asked twice while it is open is one schedule (one intent).
    const schedule: Schedule = { runAt: open.start, startBy: open.end, window: name, openWhenAsked: true };
    return { ok: true, schedule };
  }
  const next = findNextOccurrences(calendar, ctx.now, 1)[0];
  if (next === undefined || next.start - ctx.now > MAX_SCHEDULE_AHEAD_MS)
    return { ok: false, message: `the maintenance window \`${name}\` does not open in the next 30 days` };
  return { ok: true, schedule: { runAt: next.start, startBy: next.end, window: name } };
}

/** Whether a scheduled change may start now: not yet, yes, or never (its time has passed). */
export function judgeScheduledStart(schedule: RequestSchedule, now: number): "wait" | "start" | "missed" {
  if (now < schedule.runAt) return "wait";
  return now < schedule.startBy ? "start" : "missed";
}
