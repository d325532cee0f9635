import { Cron } from "croner";
import { type ZoneClock, zoneClock } from "../schedule/zone-clock.js";
import type { Calendar, CalendarEventSpec, CalendarKind, CalendarOccurrence } from "./calendar-types.js";

/*
 * One home for when a recurring event is in force: `findActiveOccurrence` and `findNextOccurrences` both walk the
 * same enumeration of starts (`occurrencesOf`), so what `/ops calendar` lists is exactly what a decision sees.
 *
 * The cron is read on the zone's wall clock (evaluated on "naive" readings, as the file's overlap check does),
 * and each reading is turned into instants here, not by croner: croner's own zone handling skips a day when a
 * search starts inside a repeated or skipped hour, and resolves a repeated hour differently by zone.
 */

type Recurring = Extract<CalendarEventSpec, { kind: "recurring" }>;
type Span = { start: number; end: number };

const HOUR = 3_600_000;
/**
 * How far around `at` the zone's offsets are compared to bound the search for a start still in force: more than
 * any change of offset there is (a day, where a zone moved across the date line).
 */
const CHANGE_MARGIN_MS = 30 * HOUR;
/** Starts looked at per search, at most: only stops a cron croner cannot bound (a search takes a handful). */
const MAX_STARTS = 10_000;

/**
 * The span one start of a recurring event covers, from the clock reading `naive` it starts at, for `durationMs`.
 * On an ordinary day both kinds are the same: from the instant the clock reads the start, for the duration. On a
 * night the clocks change, the kinds part so that neither is ever more permissive than written:
 *
 * - A freeze is in force whenever any reading of it would be: from the first moment the clock reads its start
 *   (a start the clocks skip, e.g. 02:30 on a 02:00 → 03:00 night: from 03:00), until the later of the duration
 *   after the latest reading of the start (skipped: 03:30 for 02:30; repeated: its second coming) and the last
 *   moment the clock reads its end. It is never shorter than written, by the clock or by the duration: a 1h freeze
 *   at 02:30 New York on 14 Mar 2027 is in force 03:00–04:30 EDT; a 2h freeze at 02:00 Berlin on 31 Oct 2027
 *   (02:00–03:00 comes twice) from 02:00 summer time to 04:00 winter time, three hours.
 * - A maintenance window (it opens the bot to changes) is open only while the clock reads inside it as written, for
 *   at most its duration: from the first moment the clock reads its start, until the duration, the clock reading
 *   its end, or a change taking the clock back before its start or forward past its end, whichever comes first; it
 *   does not reopen when the clocks going back bring its readings again (see `windowSpan`).
 *
 * Undefined when nothing is left (a window wholly skipped).
 */
function spanOf(kind: CalendarKind, clock: ZoneClock, naive: number, durationMs: number): Span | undefined {
  if (kind === "window") return windowSpan(clock, naive, durationMs);
  const start = clock.reading(naive);
  const end = clock.reading(naive + durationMs);
  return { start: start.reached, end: Math.max(start.latest + durationMs, end.lastReached) };
}

/**
 * The one span a maintenance window is open, from the clock reading `naive`, for `durationMs`: from the first
 * moment the clock reads its start (a start the clocks skip: the change, if the clock then reads before its end),
 * for as long as the clock reads a time from its start to before its end, at most the duration. It closes at the
 * first of: the duration; the clock reading its end; a change that takes the clock back before its start or
 * forward to its end or past. So at every instant it is open, the clock reads inside it as written. Once closed it
 * stays closed that night, even when the clocks going back bring its readings again: one span per start, so what
 * `/ops calendar` lists is exactly what a decision sees.
 *
 * For example, 01:30–02:30 London on 31 Oct 2027 (02:00 BST → 01:00 GMT at 01:00Z) is open 00:30Z–01:00Z, not
 * while the clock reads 01:00–01:29 GMT; 02:30 for 1h on a 02:00 → 03:00 night is open 03:00–03:30 (the part of
 * 02:30–03:30 the clock shows); one wholly inside the skipped hour does not open.
 */
function windowSpan(clock: ZoneClock, naive: number, durationMs: number): Span | undefined {
  const end = naive + durationMs;
  const open = clock.reading(naive).reached;
  let close = open + durationMs;
  let offset = clock.offset(open);
  for (const change of clock.changesBetween(open, close)) {
    // Until the change the clock runs on `offset`, reaching the window's end at `end - offset`.
    if (end - offset <= change) break;
    const after = clock.offset(change);
    if (change + after < naive || change + after >= end) {
      close = change;
      break;
    }
    offset = after;
  }
  close = Math.min(close, end - offset);
  return close > open ? { start: open, end: close } : undefined;
}

const crons = new Map<string, Cron>();

/** The cron of a pattern, kept (the policy's patterns are few; croner takes a while to parse one). */
function cronOf(pattern: string): Cron {
  let cron = crons.get(pattern);
  if (cron === undefined) {
    if (crons.size >= 1000) crons.clear();
    // A fixed offset, not `timezone`: the cron is matched against the wall clock itself (see `zoneClock`).
    cron = new Cron(pattern, { paused: true, utcOffset: 0 });
    crons.set(pattern, cron);
  }
  return cron;
}

/**
 * The spans of a recurring event whose start the clock reads after `fromNaive`, in order of start (starts never
 * go backwards: each is the first moment the clock reads a later time); the same span twice is given once.
 */
function* occurrencesOf(spec: Recurring, kind: CalendarKind, clock: ZoneClock, fromNaive: number) {
  const cron = cronOf(spec.cron);
  let previous: Span | undefined;
  let from = new Date(fromNaive);
  for (let n = 0; n < MAX_STARTS; n++) {
    const next = cron.nextRun(from);
    if (next === null) return;
    from = next;
    const span = spanOf(kind, clock, next.getTime(), spec.durationMs);
    if (span === undefined || (span.start === previous?.start && span.end === previous.end)) continue;
    previous = span;
    yield span;
  }
}

/** The occurrence of one event in force at `at` (start ≤ at < end), the one ending last if several are. */
function activeOf(spec: CalendarEventSpec, kind: CalendarKind, at: number): Span | undefined {
  if (spec.kind === "absolute") return spec.start <= at && at < spec.end ? spec : undefined;
  const clock = zoneClock(spec.timeZone);
  // A start still in force at `at` is read at most its duration, and the zone's changes of offset around, before
  // `at`'s reading: every span ends at most that long after its reading on the zone's smallest offset.
  const spread = clock.spread(at - spec.durationMs - CHANGE_MARGIN_MS, at + CHANGE_MARGIN_MS);
  const from = at + clock.offset(at) - spec.durationMs - spread - 1000;
  let found: Span | undefined;
  for (const span of occurrencesOf(spec, kind, clock, from)) {
    if (span.start > at) break;
    if (at < span.end && (found === undefined || span.end > found.end)) found = span;
  }
  return found;
}

/**
 * The occurrence of `calendar` in force at `at`, if any; when several of its events overlap, the one that ends
 * last (what "in force until" means to a reader). Exactly when one of the occurrences `findNextOccurrences` lists
 * covers `at`; on nights the clocks change, see `spanOf` for how freezes and windows are read. Pure.
 */
/** The maintenance window calendar `name` among `calendars` (a freeze of that name is not one). */
export function findWindowCalendar(
  calendars: readonly Calendar[] | undefined,
  name: string | undefined,
): Calendar | undefined {
  return calendars?.find((c) => c.name === name && c.kind === "window");
}

export function findActiveOccurrence(calendar: Calendar, at: number): CalendarOccurrence | undefined {
  let found: Span | undefined;
  for (const spec of calendar.events) {
    const active = activeOf(spec, calendar.kind, at);
    if (active !== undefined && (found === undefined || active.end > found.end)) found = active;
  }
  return found && { calendar: calendar.name, kind: calendar.kind, start: found.start, end: found.end };
}

/**
 * The next `count` occurrences of `calendar` that start after `at`, in order of start. On nights the clocks
 * change, a freeze may last longer and a window less long than written (see `spanOf`). Pure.
 */
export function findNextOccurrences(calendar: Calendar, at: number, count: number): CalendarOccurrence[] {
  const starts: Span[] = [];
  for (const spec of calendar.events) {
    if (spec.kind === "absolute") {
      if (spec.start > at) starts.push(spec);
      continue;
    }
    if (count <= 0) continue;
    const clock = zoneClock(spec.timeZone);
    let n = 0;
    // A start read after `at`'s reading may still be reached by `at` (the clocks went back); one read before it
    // always is (see `occurrencesOf`).
    for (const span of occurrencesOf(spec, calendar.kind, clock, at + clock.offset(at))) {
      if (span.start <= at) continue;
      starts.push(span);
      if (++n >= count) break;
    }
  }
  return starts
    .sort((a, b) => a.start - b.start || a.end - b.end)
    .slice(0, count)
    .map((o) => ({ calendar: calendar.name, kind: calendar.kind, start: o.start, end: o.end }));
}
