/**
 * Wall-clock times in an IANA time zone, computed explicitly (no cron library): which instants a local date and
 * time names (none on the night the clocks go forward, two on the night they go back), and the next instant a
 * local time of day comes. Pure (the zone rules come from the runtime's `Intl`, read through `zone-clock.ts`).
 */

import { clockOf, offsetAt, zoneClock } from "./zone-clock.js";

/** A local date and time, as read on a clock in some zone (month 1 to 12). */
export interface WallTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
}

/** What a local date and time names in a zone. */
export type WallTimeInstants =
  /** One instant, or two (earlier first) when the clocks go back over it. */
  | { kind: "exists"; instants: number[] }
  /**
   * None: the clocks skip it (they go forward at `transition`, from `from` to `to`, both `HH:MM` local).
   * `pushed` is the instant the same clock reading would have on the offset in force before the change, which
   * is where a clock that skipped the gap would show it (02:30 on a 02:00 → 03:00 night: 03:30).
   */
  | { kind: "skipped"; transition: number; from: string; to: string; pushed: number };

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** The local date and time of an instant in a zone. */
export function wallTimeOf(at: number, zone: string): WallTime {
  const d = new Date(clockOf(at, zone));
  return {
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    hour: d.getUTCHours(),
    minute: d.getUTCMinutes(),
  };
}

/** A wall time as UTC milliseconds of the same reading (the "naive" time, for arithmetic on readings). */
function naiveOf(w: WallTime): number {
  const d = new Date(0);
  d.setUTCFullYear(w.year, w.month - 1, w.day);
  d.setUTCHours(w.hour, w.minute, 0, 0);
  return d.getTime();
}

/** The months' names, January first. */
export const MONTH_NAMES = [
  "January",
  "February",
  "March",
  "April",
  "May",
  "June",
  "July",
  "August",
  "September",
  "October",
  "November",
  "December",
] as const;

/**
 * What makes year-month-day not a date of the calendar (proleptic Gregorian, as `Date` counts), in words for
 * the person who typed it ("February 2026 has 28 days"), or undefined when it is one.
 */
export function calendarDateProblem(year: number, month: number, day: number): string | undefined {
  const pad = (n: number) => String(n).padStart(2, "0");
  const name = MONTH_NAMES[month - 1];
  if (name === undefined) return `there is no month ${pad(month)} (months run 01 to 12)`;
  if (day < 1) return `there is no day ${pad(day)} (days start at 01)`;
  const days = daysInMonth(year, month);
  return day > days ? `${name} ${year} has ${days} days` : undefined;
}

/** The number of days in a month (1 to 12) of a year, leap years included. */
export function daysInMonth(year: number, month: number): number {
  const d = new Date(0);
  d.setUTCFullYear(year, month, 0);
  return d.getUTCDate();
}

/** Whether year-month-day is a date of the calendar (no 30 February, no month 13). */
export function isCalendarDate(year: number, month: number, day: number): boolean {
  return month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month);
}

/** The date `days` after a wall time's date, same time of day. */
export function addDays(w: WallTime, days: number): WallTime {
  const d = new Date(naiveOf(w) + days * DAY);
  return { ...w, year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}

function hhmm(naive: number): string {
  const d = new Date(naive);
  return `${String(d.getUTCHours()).padStart(2, "0")}:${String(d.getUTCMinutes()).padStart(2, "0")}`;
}

/**
 * The instants a local date and time names in a zone, read on the zone's kept clock (`zoneClock`, which the
 * calendars read too): one, two when the clocks go back over it, none when they skip it.
 */
export function instantsOf(w: WallTime, zone: string): WallTimeInstants {
  const naive = naiveOf(w);
  const clock = zoneClock(zone);
  const { reached, lastReached, latest } = clock.reading(naive);
  if (clock.offset(reached) === naive - reached)
    return { kind: "exists", instants: reached === lastReached ? [reached] : [reached, lastReached] };
  // Skipped: the clocks go forward at `reached`; `latest` is the reading on the offset before the change.
  return {
    kind: "skipped",
    transition: reached,
    from: hhmm(reached + naive - latest),
    to: hhmm(reached + clock.offset(reached)),
    pushed: latest,
  };
}

/** The next time a local time of day comes in a zone. */
export type NextTimeOfDay =
  /** The first instant after `now` the zone's clock reads that time (the earlier of two when it repeats). */
  | { kind: "next"; at: number }
  /** It would come next on `date`, but the clocks skip it that night (see {@link WallTimeInstants}). */
  | { kind: "skipped"; date: WallTime; transition: number; from: string; to: string };

/**
 * The next `hour:minute` after `now` in a zone. On the night the clocks go back, a time that comes twice is
 * taken at its next coming (at 02:45 summer time, 02:30 is the one 45 minutes later, in winter time). On the
 * night they go forward, a skipped time that would otherwise have come next (the change is still to come) is
 * reported as skipped, never moved silently; once the change has passed, that night's time is gone and the next
 * day's is taken.
 */
export function nextTimeOfDay(hour: number, minute: number, now: number, zone: string): NextTimeOfDay {
  const today = { ...wallTimeOf(now, zone), hour, minute };
  for (let i = 0; i < 4; i++) {
    const date = addDays(today, i);
    const found = instantsOf(date, zone);
    if (found.kind === "exists") {
      const at = found.instants.find((t) => t > now);
      if (at !== undefined) return { kind: "next", at };
    } else if (found.transition > now) {
      return { kind: "skipped", date, transition: found.transition, from: found.from, to: found.to };
    }
  }
  // Unreachable with real zones (every day has each time at most a day apart); answered anyway.
  const d = addDays(today, 1);
  return { kind: "next", at: naiveOf(d) - offsetAt(naiveOf(d), zone) };
}

/** A wall time as typed in `--at` (`2027-03-28T02:30`), for messages. */
export function formatWallTime(w: WallTime): string {
  const p = (n: number) => String(n).padStart(2, "0");
  return `${String(w.year).padStart(4, "0")}-${p(w.month)}-${p(w.day)}T${p(w.hour)}:${p(w.minute)}`;
}
