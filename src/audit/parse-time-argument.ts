import { parseDuration } from "../config/parse-duration.js";
import { calendarDateProblem } from "../schedule/local-wall-time.js";

/** Result of {@link parseTimeArgument}: the instant in epoch milliseconds, or what is wrong, for the operator. */
export type TimeArgumentResult = { ok: true; at: number } | { ok: false; error: string };

const FORMS =
  "use an ISO date or time (2025-01-31, 2025-01-31T12:00:00Z) or an age (90d); a time without Z or an offset is read in this host's time zone";

/**
 * Shaped like an ISO date or time, whatever its numbers: they are checked one by one afterwards, so that
 * `2025-02-30` is refused by name instead of being rolled over to 2 March by `Date.parse`. The hour may have
 * one digit after a space (`2025-01-31 9:00`), which `Date.parse` has always accepted there.
 */
const DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})(?:(?:T(\d{2})|[ ](\d{1,2})):(\d{2})(?::(\d{2})(?:\.(\d+))?)?(Z|([+-])(\d{2}):?(\d{2}))?)?$/;

/**
 * Reads a time argument of the audit CLI (`--since`, `--before`): `2025-01-31` (midnight UTC),
 * `2025-01-31T12:00:00Z` (or with an offset, `+01:00`; without one, local time, as `Date.parse` reads it), or
 * an age (`90d`) before `now`. A date or time that does not exist (`2025-02-30`, month 13, hour 25, a UTC
 * offset past ±23:59) is refused, naming the part that is wrong.
 */
export function parseTimeArgument(text: string, now: number): TimeArgumentResult {
  const age = parseDuration(text);
  if (age.ok) return { ok: true, at: now - age.ms };
  const match = DATE_TIME.exec(text);
  if (match === null) return { ok: false, error: `\`${text}\` is not a time; ${FORMS}` };
  const [
    ,
    year = "",
    month = "",
    day = "",
    isoHour,
    spacedHour,
    minute,
    second,
    fraction,
    zone,
    sign,
    zoneHour,
    zoneMinute,
  ] = match;
  const dateProblem = calendarDateProblem(Number(year), Number(month), Number(day));
  if (dateProblem !== undefined)
    return { ok: false, error: `\`${text}\` is not a real date: ${dateProblem}` };
  const hour = isoHour ?? spacedHour;
  if (hour === undefined || minute === undefined) return utcMidnight(text, `${year}-${month}-${day}`);
  const timeProblem =
    clockTimeProblem(hour.padStart(2, "0"), minute, second ?? "00", fraction ?? "") ??
    (sign === undefined ? undefined : offsetProblem(zone ?? "", zoneHour, zoneMinute));
  if (timeProblem !== undefined)
    return { ok: false, error: `\`${text}\` is not a real time: ${timeProblem}` };
  // Rewritten in ISO form (`T`, two-digit hour) so that `Date.parse` reads it as ISO 8601, never by its
  // implementation-defined fallback; every part is known to exist, so nothing rolls over.
  const iso = `${year}-${month}-${day}T${hour.padStart(2, "0")}:${minute}${second === undefined ? "" : `:${second}`}${fraction === undefined ? "" : `.${fraction}`}${zone ?? ""}`;
  return instant(text, Date.parse(iso));
}

function utcMidnight(text: string, date: string): TimeArgumentResult {
  return instant(text, Date.parse(`${date}T00:00:00Z`));
}

function instant(text: string, at: number): TimeArgumentResult {
  return Number.isFinite(at) ? { ok: true, at } : { ok: false, error: `\`${text}\` is not a time; ${FORMS}` };
}

function clockTimeProblem(
  hour: string,
  minute: string,
  second: string,
  fraction: string,
): string | undefined {
  // ISO 8601's 24:00 is the midnight that ends the day; it is the next day's 00:00, as `Date.parse` reads it.
  if (hour === "24" && /^0*$/.test(`${minute}${second}${fraction}`)) return undefined;
  if (hour === "24")
    return "after 24:00 comes the next day (hours run 00 to 23; 24:00 is the end of the day)";
  if (Number(hour) > 23) return `there is no hour ${hour} (hours run 00 to 23)`;
  if (Number(minute) > 59) return `there is no minute ${minute} (minutes run 00 to 59)`;
  if (Number(second) > 59) return `there is no second ${second} (seconds run 00 to 59)`;
  return undefined;
}

function offsetProblem(offset: string, hours = "", minutes = ""): string | undefined {
  return Number(hours) > 23 || Number(minutes) > 59
    ? `${offset} is not a UTC offset (at most -23:59 to +23:59)`
    : undefined;
}
