import * as z from "zod";
import { cronProblem, isTimeZone } from "../config/check-cron-and-time-zone.js";
import { generatedMessage } from "../config/describe-config-issues.js";
import { boundedDurationSchema } from "../config/parse-duration.js";
import { isCalendarDate } from "../schedule/local-wall-time.js";

// The on-disk shape of `calendars:` in flows/policy.yml; `compileCalendars` turns it into `Calendar`s.

/** Longest event: a fortnight. A longer "window" is no window, and huge values overflow dates. */
export const MAX_EVENT_DURATION_MS = 14 * 86_400_000;

const calendarName = z.string().refine((s) => /^[a-z0-9][a-z0-9_-]*$/.test(s), {
  params: { predicate: "is not a calendar name; use lower-case letters, digits, `-` and `_`" },
});

const timeZone = z.string().superRefine((value, ctx) => {
  if (!isTimeZone(value))
    ctx.addIssue({
      code: "custom",
      message: `\`${value}\` is not an IANA time zone; write e.g. Europe/Berlin, Asia/Shanghai or UTC`,
    });
});

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

const recurring = z.strictObject({
  cron,
  duration: boundedDurationSchema({ minMs: 60_000, maxMs: MAX_EVENT_DURATION_MS, example: "4h" }),
  time_zone: timeZone,
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
