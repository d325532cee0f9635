import { Cron } from "croner";
import * as z from "zod";
import { cronProblem, timeZoneSchema } from "../config/check-cron-and-time-zone.js";
import { generatedMessage } from "../config/describe-config-issues.js";
import { boundedDurationSchema, formatDuration } from "../config/parse-duration.js";
import { valueIssue } from "../config/value-issue.js";
import { isCalendarDate } from "../schedule/local-wall-time.js";

// The on-disk shape of `calendars:` in flows/policy.yml; `compileCalendars` turns it into `Calendar`s.

/** Longest event: a fortnight. A longer "window" is no window, and huge values overflow dates. */
export const MAX_EVENT_DURATION_MS = 14 * 86_400_000;

const calendarName = z.string().refine((s) => /^[a-z0-9][a-z0-9_-]*$/.test(s), {
  params: { predicate: "is not a calendar name; use lower-case letters, digits, `-` and `_`" },
});

const timeZone = timeZoneSchema;

const cron = z.string().superRefine((value, ctx) => {
  const problem = cronProblem(value);
  if (problem !== undefined)
    ctx.addIssue({
      code: "custom",
      message: `\`${value}\` is not a cron expression (${problem}); write e.g. "0 22 * * 2" (Tuesdays 22:00)`,
    });
});

/** Whether the year-month-day of an ISO date-time names a day that exists (not `2026-02-30`). */
function namesCalendarDate(value: string): boolean {
  const [year, month, day] = value.slice(0, 10).split("-").map(Number) as [number, number, number];
  return isCalendarDate(year, month, day);
}

/** An ISO date-time with its offset (`2026-12-20T00:00:00+01:00` or `…Z`): a zone-less time would be ambiguous. */
const instant = z.union([z.string(), z.date()]).transform((value, ctx): number => {
  if (value instanceof Date) return value.getTime();
  const ms = /^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:\d\d)$/.test(value)
    ? Date.parse(value)
    : Number.NaN;
  if (!Number.isNaN(ms) && !namesCalendarDate(value)) {
    // Date.parse rolls 30 February over to 2 March: a freeze would start on another day than written.
    ctx.addIssue({
      code: "custom",
      message: `\`${value}\` is not a date of the calendar (that day does not exist)`,
    });
    return z.NEVER;
  }
  if (Number.isNaN(ms)) {
    ctx.addIssue({
      code: "custom",
      message: `\`${value}\` is not a date-time with an offset; write e.g. 2026-12-20T00:00:00+01:00 or 2026-12-20T00:00:00Z`,
    });
    return z.NEVER;
  }
  return ms;
});

/** Where the search for the closest two starts of a cron begins: a fixed day, so a file is judged the same any day. */
const GAP_SEARCH_FROM = Date.UTC(2026, 0, 1);
/**
 * How far, and through how many starts, it looks: a year shows every gap of a weekly or monthly pattern, and
 * 2,000 starts a week of a cron that starts every 5 minutes.
 */
const GAP_SEARCH_SPAN_MS = 400 * 86_400_000;
const GAP_SEARCH_MAX_STARTS = 2_000;

/**
 * The shortest time between two consecutive starts of `cron` (wall-clock time: evaluated in UTC, so a daylight
 * saving change does not make a daily 24h event overlap itself once a year), and the two starts; undefined for
 * a cron that does not parse (reported on its own) or starts once at most.
 */
function shortestGap(cron: string): { gapMs: number; from: Date; to: Date } | undefined {
  let shortest: { gapMs: number; from: Date; to: Date } | undefined;
  try {
    // A fixed offset, not `timezone: "UTC"`: the same times, without a time zone lookup per start (50× faster).
    const job = new Cron(cron, { paused: true, utcOffset: 0 });
    let previous = job.nextRun(new Date(GAP_SEARCH_FROM));
    for (let n = 0; previous !== null && n < GAP_SEARCH_MAX_STARTS; n++) {
      const next = job.nextRun(previous);
      if (next === null || next.getTime() - GAP_SEARCH_FROM > GAP_SEARCH_SPAN_MS) break;
      const gapMs = next.getTime() - previous.getTime();
      if (shortest === undefined || gapMs < shortest.gapMs) shortest = { gapMs, from: previous, to: next };
      previous = next;
    }
  } catch {
    // croner gave up on this cron: nothing is judged (a cron it cannot search is reported on its own).
  }
  return shortest;
}

/** `Tue 22:00` (wall-clock, as the cron is written). */
function wallClock(date: Date): string {
  const day = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"][date.getUTCDay()];
  return `${day} ${date.toISOString().slice(11, 16)}`;
}

/**
 * A recurring event lasts at most until its cron starts the next one. A longer event overlaps the next: the
 * calendar is in force nearly all the time (a Tue/Thu window of `4d` is open from Tuesday to Monday), which is
 * never what the file says, and "in force until" would name the wrong end. Refused, not warned: nothing
 * written that way means anything an event that fits cannot say (a calendar always in force is one long
 * `start`/`end` event, or a rule without `during`).
 */
const recurring = z
  .strictObject({
    cron,
    duration: boundedDurationSchema({ minMs: 60_000, maxMs: MAX_EVENT_DURATION_MS, example: "4h" }),
    time_zone: timeZone,
  })
  .superRefine((e, ctx) => {
    // A cron that is wrong or never matches is reported on its own (croner's search overflows on the latter).
    if (typeof e.duration !== "number" || typeof e.cron !== "string" || cronProblem(e.cron) !== undefined)
      return;
    const gap = shortestGap(e.cron);
    if (gap === undefined || e.duration <= gap.gapMs) return;
    ctx.addIssue({
      ...valueIssue(
        e.duration,
        `is longer than the ${formatDuration(gap.gapMs)} between two starts of \`${e.cron}\` (${wallClock(gap.from)}, then ${wallClock(gap.to)}): each event would run into the next, so the calendar would be in force almost all the time; make \`duration\` at most ${formatDuration(gap.gapMs)}, or start events less often`,
      ),
      path: ["duration"],
    });
  });

const absolute = z
  .strictObject({ start: instant, end: instant })
  .refine((e) => e.end > e.start, { message: "`end` must be after `start`", path: ["end"] });

type EventFile = z.output<typeof recurring> | z.output<typeof absolute>;

/** Recurring when it has `cron`, else absolute: each shape's own messages, not a union's "matches neither". */
const event = z.unknown().transform((value, ctx): EventFile => {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    ctx.addIssue({
      code: "custom",
      message:
        "an event is `{ cron, duration, time_zone }` (recurring) or `{ start, end }` (once, ISO date-times with an offset)",
    });
    return z.NEVER;
  }
  // Parsed as the file is (our error map, inputs kept), so its issues read like the rest: did-you-mean and all.
  const options = { reportInput: true, error: generatedMessage } as const;
  const parsed = "cron" in value ? recurring.safeParse(value, options) : absolute.safeParse(value, options);
  if (parsed.success) return parsed.data;
  for (const issue of parsed.error.issues)
    ctx.addIssue({ ...issue, path: [...issue.path] as PropertyKey[] } as z.core.$ZodRawIssue);
  return z.NEVER;
});

const calendar = z.strictObject({
  kind: z.enum(["freeze", "window"], { error: "`kind` must be `freeze` or `window`" }),
  description: z.string().trim().min(1),
  events: z.array(event).min(1),
});

/** `calendars:` — calendar name → its kind, description and events. */
export const calendarsSchema = z.record(calendarName, calendar);

export type CalendarsFile = z.output<typeof calendarsSchema>;
