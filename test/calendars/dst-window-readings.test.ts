/**
 * A maintenance window is open only while the zone's clock reads inside it as written, on every night the clocks
 * change, in zones that change by 30 minutes, an hour or two, at midnight or across it: a window in force at an
 * instant means the clock then reads from the start of that occurrence's date to before its end, and it lasts at
 * most its duration. When the clocks go back before its start it closes, and stays closed (one span per start).
 * Freezes keep their reading: in force whenever the clock reads inside them, never shorter than written.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Calendar, CalendarKind } from "../../src/calendars/calendar-types.js";
import { findActiveOccurrence, findNextOccurrences } from "../../src/calendars/find-calendar-occurrences.js";
import { offsetAt } from "../../src/schedule/zone-clock.js";

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const utc = (iso: string) => Date.parse(iso);
const iso = (at: number) => new Date(at).toISOString().replace(":00.000Z", "Z");

/** The reviewer's zones, then the ones dst-nights.test.ts already reads. */
const ZONES = [
  "Europe/London",
  "America/St_Johns",
  "Pacific/Chatham",
  "Asia/Gaza",
  "America/Scoresbysund",
  "Africa/Cairo",
  "America/Havana",
  "Asia/Beirut",
  "America/Santiago",
  "Antarctica/Troll",
  "Europe/Berlin",
  "America/New_York",
  "Australia/Sydney",
  "Australia/Lord_Howe",
];

type Change = { zone: string; at: number; before: number; after: number };

/** Every clock change of 2027 in `zone`, to the minute (sampled 6 hours apart, then halved down). */
function changesOf(zone: string): Change[] {
  const found: Change[] = [];
  for (let t = utc("2027-01-01T00:00:00Z"); t < utc("2028-01-01T00:00:00Z"); t += 6 * HOUR) {
    const before = offsetAt(t, zone);
    const after = offsetAt(t + 6 * HOUR, zone);
    if (before === after) continue;
    let lo = t;
    let hi = t + 6 * HOUR;
    while (hi - lo > MINUTE) {
      const mid = lo + Math.floor((hi - lo) / 2 / MINUTE) * MINUTE;
      if (offsetAt(mid, zone) === after) hi = mid;
      else lo = mid;
    }
    found.push({ zone, at: hi, before, after });
  }
  return found;
}

const CHANGES = ZONES.flatMap(changesOf);

function calendarOf(kind: CalendarKind, cron: string, durationMs: number, timeZone: string): Calendar {
  return {
    name: `nightly-${kind}`,
    kind,
    description: "",
    source: "policy.yml:1",
    events: [{ kind: "recurring", cron, durationMs, timeZone }],
  };
}

/** The zone's clock reading at `at`, as UTC milliseconds of the reading. */
const readingAt = (at: number, zone: string) => at + offsetAt(at, zone);

/** The latest daily `hh:mm` reading at or before the reading `naive`. */
function dailyStartBefore(naive: number, minuteOfDay: number): number {
  const start = Math.floor(naive / DAY) * DAY + minuteOfDay * MINUTE;
  return start > naive ? start - DAY : start;
}

/**
 * What a window in force at `at` must satisfy: its occurrence lasts at most its duration, and the clock at `at`
 * reads within [start, start + duration) of that occurrence's date (the daily start read at or before the clock
 * at its opening: its start, or the change a skipped start opens at).
 */
function expectReadsInside(
  calendar: Calendar,
  at: number,
  minuteOfDay: number,
  durationMs: number,
  zone: string,
) {
  const active = findActiveOccurrence(calendar, at);
  if (active === undefined) return;
  const label = `${zone} ${calendar.events[0]?.kind === "recurring" && calendar.events[0].cron} ${durationMs / MINUTE}m at ${iso(at)}`;
  expect(active.end - active.start, label).toBeLessThanOrEqual(durationMs);
  const start = dailyStartBefore(readingAt(active.start, zone), minuteOfDay);
  const reading = readingAt(at, zone);
  expect(reading, `${label}: reads ${iso(reading)}, opened ${iso(active.start)}`).toBeGreaterThanOrEqual(
    start,
  );
  expect(reading, `${label}: reads ${iso(reading)}, opened ${iso(active.start)}`).toBeLessThan(
    start + durationMs,
  );
}

/** Whether the clock at `at` reads inside some day's [hh:mm, hh:mm + duration). */
function readsInsideSomeDay(at: number, minuteOfDay: number, durationMs: number, zone: string): boolean {
  const reading = readingAt(at, zone);
  const latest = dailyStartBefore(reading, minuteOfDay);
  for (let start = latest; start > reading - durationMs - DAY; start -= DAY)
    if (reading < start + durationMs) return true;
  return false;
}

const DURATIONS = [10 * MINUTE, 30 * MINUTE, HOUR, 90 * MINUTE, 2 * HOUR, 3 * HOUR, 8 * HOUR, 25 * HOUR];

const event = fc.record({
  change: fc.constantFrom(...CHANGES),
  hour: fc.integer({ min: 0, max: 23 }),
  minute: fc.constantFrom(0, 15, 30, 45),
  durationMs: fc.constantFrom(...DURATIONS),
  // To the second, within 30 hours of the change: the clock-change day, either side.
  dt: fc.integer({ min: -30 * 3600, max: 30 * 3600 }).map((s) => s * 1000),
});

describe("a window is open only while the clock reads inside it", () => {
  it("found the clock changes of 2027 in every zone", () => {
    for (const zone of ZONES)
      expect(CHANGES.filter((c) => c.zone === zone).length, zone).toBeGreaterThanOrEqual(2);
  });

  it("for random daily windows and random times on clock-change days, in every zone", () => {
    fc.assert(
      fc.property(event, ({ change, hour, minute, durationMs, dt }) => {
        const window = calendarOf("window", `${minute} ${hour} * * *`, durationMs, change.zone);
        expectReadsInside(window, change.at + dt, hour * 60 + minute, durationMs, change.zone);
      }),
      { numRuns: 2000 },
    );
  });

  it("every 10 minutes around each change, for windows starting just before, at and after the change's reading", () => {
    for (const c of CHANGES) {
      // The clock reading just before the change, as minutes of the day.
      const changeMinute = Math.floor((readingAt(c.at - 1000, c.zone) + 1000) / MINUTE) % (24 * 60);
      for (const shift of [-90, -30, -15, 0, 30]) {
        const minuteOfDay = (changeMinute + shift + 24 * 60) % (24 * 60);
        const cron = `${minuteOfDay % 60} ${Math.floor(minuteOfDay / 60)} * * *`;
        for (const durationMs of [30 * MINUTE, HOUR, 3 * HOUR]) {
          const window = calendarOf("window", cron, durationMs, c.zone);
          for (let at = c.at - 4 * HOUR; at < c.at + 4 * HOUR; at += 10 * MINUTE)
            expectReadsInside(window, at, minuteOfDay, durationMs, c.zone);
        }
      }
    }
  });

  it("what is in force is what the listing shows covering the time, windows and freezes alike", () => {
    fc.assert(
      fc.property(event, fc.constantFrom<CalendarKind>("window", "freeze"), (e, kind) => {
        const calendar = calendarOf(kind, `${e.minute} ${e.hour} * * *`, e.durationMs, e.change.zone);
        const at = e.change.at + e.dt;
        const covering = findNextOccurrences(calendar, at - 3 * DAY, 6).filter(
          (o) => o.start <= at && at < o.end,
        );
        const active = findActiveOccurrence(calendar, at);
        expect(active !== undefined).toBe(covering.length > 0);
        if (active !== undefined) expect(active.end).toBe(Math.max(...covering.map((o) => o.end)));
      }),
      { numRuns: 1000 },
    );
  });
});

describe("freezes keep their reading", () => {
  it("a freeze is in force whenever the clock reads inside it, and never shorter than written", () => {
    fc.assert(
      fc.property(event, ({ change, hour, minute, durationMs, dt }) => {
        const freeze = calendarOf("freeze", `${minute} ${hour} * * *`, durationMs, change.zone);
        const at = change.at + dt;
        if (readsInsideSomeDay(at, hour * 60 + minute, durationMs, change.zone))
          expect(findActiveOccurrence(freeze, at), `${change.zone} ${iso(at)}`).toBeDefined();
        for (const o of findNextOccurrences(freeze, change.at - DAY, 3))
          expect(o.end - o.start).toBeGreaterThanOrEqual(durationMs);
      }),
      { numRuns: 1000 },
    );
  });
});

describe("London, 31 Oct 2027: 01:00–01:59 comes twice (02:00 BST → 01:00 GMT at 01:00Z)", () => {
  const window = calendarOf("window", "30 1 * * *", HOUR, "Europe/London");
  const freeze = calendarOf("freeze", "30 1 * * *", HOUR, "Europe/London");

  it("the 01:30–02:30 window is open from 01:30 BST until the clocks go back, then stays closed", () => {
    const [night] = findNextOccurrences(window, utc("2027-10-30T12:00:00Z"), 1);
    expect(night && [iso(night.start), iso(night.end)]).toEqual(["2027-10-31T00:30Z", "2027-10-31T01:00Z"]);
    expect(findActiveOccurrence(window, utc("2027-10-31T00:29:59Z"))).toBeUndefined();
    expect(findActiveOccurrence(window, utc("2027-10-31T00:40:00Z"))).toBeDefined(); // 01:40 BST
    expect(findActiveOccurrence(window, utc("2027-10-31T00:59:59Z"))).toBeDefined();
    expect(findActiveOccurrence(window, utc("2027-10-31T01:10:00Z"))).toBeUndefined(); // 01:10 GMT, before 01:30
    // 01:40 GMT reads inside 01:30–02:30 again; the window closed at the change and does not reopen.
    expect(findActiveOccurrence(window, utc("2027-10-31T01:40:00Z"))).toBeUndefined();
  });

  it("the freeze at the same times covers both readings, from 01:30 BST to 02:30 GMT", () => {
    const [night] = findNextOccurrences(freeze, utc("2027-10-30T12:00:00Z"), 1);
    expect(night && [iso(night.start), iso(night.end)]).toEqual(["2027-10-31T00:30Z", "2027-10-31T02:30Z"]);
    expect(findActiveOccurrence(freeze, utc("2027-10-31T01:10:00Z"))).toBeDefined();
  });

  it("a window whose end the clocks skip does not extend: 00:30–01:30 London on 28 Mar 2027 closes at 01:00 GMT", () => {
    // 01:00 GMT → 02:00 BST at 01:00Z: the clock jumps from before the end (01:30) to past it.
    // 01:30–02:30, whose start is skipped, opens at the change for the part the clock shows (02:00–02:30 BST).
    const [night] = findNextOccurrences(window, utc("2027-03-27T12:00:00Z"), 1);
    expect(night && [iso(night.start), iso(night.end)]).toEqual(["2027-03-28T01:00Z", "2027-03-28T01:30Z"]);
    const early = calendarOf("window", "30 0 * * *", HOUR, "Europe/London");
    const [skipped] = findNextOccurrences(early, utc("2027-03-27T12:00:00Z"), 1);
    expect(skipped && [iso(skipped.start), iso(skipped.end)]).toEqual([
      "2027-03-28T00:30Z",
      "2027-03-28T01:00Z",
    ]);
  });
});
