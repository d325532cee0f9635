/**
 * Recurring calendar events on the nights the clocks change, in zones of both hemispheres and one that moves by
 * 30 minutes. Whether an event is in force is decided from the same starts the calendar lists, so the two always
 * agree; a freeze is never shorter than written (by the clock or by its duration), a maintenance window never
 * opens earlier nor lasts longer, and closes when the clocks go back before its start (dst-window-readings.test.ts).
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

function calendarOf(kind: CalendarKind, cron: string, durationMs: number, timeZone: string): Calendar {
  return {
    name: kind === "freeze" ? "nightly-freeze" : "nightly-window",
    kind,
    description: "",
    source: "policy.yml:1",
    events: [{ kind: "recurring", cron, durationMs, timeZone }],
  };
}

/**
 * The occurrences listed from two days before `at` that cover it (what `/ops calendar` would have shown then), of
 * the first `count` (enough for three days of starts).
 */
function listedCovering(calendar: Calendar, at: number, count: number) {
  return findNextOccurrences(calendar, at - 2 * DAY, count).filter((o) => o.start <= at && at < o.end);
}

/** The clock changes of 2027 (instant, in UTC) in each zone tested, both directions. */
const CHANGES: { zone: string; at: string }[] = [
  { zone: "Europe/Berlin", at: "2027-03-28T01:00:00Z" }, // 02:00 → 03:00
  { zone: "Europe/Berlin", at: "2027-10-31T01:00:00Z" }, // 03:00 → 02:00
  { zone: "America/New_York", at: "2027-03-14T07:00:00Z" }, // 02:00 → 03:00
  { zone: "America/New_York", at: "2027-11-07T06:00:00Z" }, // 02:00 → 01:00
  { zone: "Australia/Sydney", at: "2027-04-03T16:00:00Z" }, // 03:00 → 02:00
  { zone: "Australia/Sydney", at: "2027-10-02T16:00:00Z" }, // 02:00 → 03:00
  { zone: "Australia/Lord_Howe", at: "2027-04-03T15:00:00Z" }, // 02:00 → 01:30
  { zone: "Australia/Lord_Howe", at: "2027-10-02T15:30:00Z" }, // 02:00 → 02:30
];

/**
 * Crons whose starts fall in, next to or across the changed hour, each with the durations that fit its gaps and
 * its starts a day.
 */
const EVENTS: { cron: string; durations: number[]; perDay: number }[] = [
  { cron: "0 2 * * *", durations: [20 * MINUTE, HOUR, 2 * HOUR, 8 * HOUR], perDay: 1 },
  { cron: "30 2 * * *", durations: [20 * MINUTE, HOUR, 90 * MINUTE], perDay: 1 },
  { cron: "15 2 * * *", durations: [10 * MINUTE, HOUR], perDay: 1 },
  { cron: "45 1 * * *", durations: [30 * MINUTE, HOUR, 3 * HOUR], perDay: 1 },
  { cron: "0 22 * * *", durations: [4 * HOUR, 24 * HOUR], perDay: 1 },
  { cron: "0 * * * *", durations: [15 * MINUTE, HOUR], perDay: 24 },
  { cron: "*/20 1-3 * * *", durations: [5 * MINUTE, 20 * MINUTE], perDay: 9 },
];

describe("in force exactly when a listed occurrence covers the time", () => {
  it("for random times around every clock change, freezes and windows alike", () => {
    const change = fc.constantFrom(...CHANGES);
    const event = fc.constantFrom(...EVENTS).chain((e) =>
      fc.record({
        cron: fc.constant(e.cron),
        perDay: fc.constant(e.perDay),
        durationMs: fc.constantFrom(...e.durations),
      }),
    );
    const kind = fc.constantFrom<CalendarKind>("freeze", "window");
    // To the second, within 30 hours of the change.
    const offset = fc.integer({ min: -30 * 3600, max: 30 * 3600 }).map((s) => s * 1000);
    fc.assert(
      fc.property(change, event, kind, offset, (c, e, k, dt) => {
        const calendar = calendarOf(k, e.cron, e.durationMs, c.zone);
        const at = utc(c.at) + dt;
        const covering = listedCovering(calendar, at, 3 * e.perDay + 2);
        const active = findActiveOccurrence(calendar, at);
        expect(active !== undefined).toBe(covering.length > 0);
        if (active !== undefined) expect(active.end).toBe(Math.max(...covering.map((o) => o.end)));
      }),
      { numRuns: 300 },
    );
  });

  it("on the minute through both nights in every zone, for a start inside the changed hour", () => {
    for (const c of CHANGES) {
      for (const kind of ["freeze", "window"] as const) {
        const calendar = calendarOf(kind, "30 2 * * *", HOUR, c.zone);
        for (let at = utc(c.at) - 4 * HOUR; at < utc(c.at) + 4 * HOUR; at += 5 * MINUTE)
          expect(findActiveOccurrence(calendar, at) !== undefined, `${c.zone} ${kind} ${iso(at)}`).toBe(
            listedCovering(calendar, at, 5).length > 0,
          );
      }
    }
  });
});

describe("freezes never shorter, windows never longer", () => {
  it("a freeze lasts at least its duration and a window at most; a window is open only when the freeze is", () => {
    for (const c of CHANGES) {
      for (const e of EVENTS) {
        for (const durationMs of e.durations) {
          const freeze = calendarOf("freeze", e.cron, durationMs, c.zone);
          const window = calendarOf("window", e.cron, durationMs, c.zone);
          const from = utc(c.at) - DAY;
          const label = `${c.zone} ${c.at} ${e.cron} ${durationMs / MINUTE}m`;
          const count = 2 * e.perDay + 2;
          for (const o of findNextOccurrences(freeze, from, count))
            expect(o.end - o.start, label).toBeGreaterThanOrEqual(durationMs);
          for (const o of findNextOccurrences(window, from, count)) {
            expect(o.end - o.start, label).toBeLessThanOrEqual(durationMs);
            expect(findActiveOccurrence(freeze, o.start), label).toBeDefined();
            expect(findActiveOccurrence(freeze, o.end - 1000), label).toBeDefined();
          }
        }
      }
    }
  });

  it("a freeze is in force whenever the zone's clock reads a time inside it", () => {
    // 02:00 to 04:00 by the clock, for 2h: in force at every minute the clock reads 02:00 to 03:59.
    for (const c of CHANGES) {
      const freeze = calendarOf("freeze", "0 2 * * *", 2 * HOUR, c.zone);
      for (let at = utc(c.at) - 6 * HOUR; at < utc(c.at) + 6 * HOUR; at += MINUTE) {
        const reading = (((at + offsetAt(at, c.zone)) % DAY) + DAY) % DAY;
        if (reading >= 2 * HOUR && reading < 4 * HOUR)
          expect(findActiveOccurrence(freeze, at), `${c.zone} ${iso(at)}`).toBeDefined();
      }
    }
  });

  it("on ordinary days freezes and windows are the same: from the start, for the duration", () => {
    for (const zone of ["Europe/Berlin", "America/New_York", "Australia/Sydney", "Australia/Lord_Howe"]) {
      const at = utc("2027-06-10T00:00:00Z");
      const freeze = findNextOccurrences(calendarOf("freeze", "30 2 * * *", HOUR, zone), at, 3);
      const window = findNextOccurrences(calendarOf("window", "30 2 * * *", HOUR, zone), at, 3);
      expect(freeze.map((o) => [o.start, o.end])).toEqual(window.map((o) => [o.start, o.end]));
      for (const o of freeze) {
        expect(o.end - o.start).toBe(HOUR);
        expect((o.start + offsetAt(o.start, zone)) % DAY).toBe(2.5 * HOUR);
      }
    }
  });
});

/** [start, end] of the first occurrence listed after `from`, in UTC. */
function firstListed(kind: CalendarKind, cron: string, durationMs: number, zone: string, from: string) {
  const [o] = findNextOccurrences(calendarOf(kind, cron, durationMs, zone), utc(from), 1);
  return o && [iso(o.start), iso(o.end)];
}

describe("the reviewer's nights, and the same in the other zones", () => {
  it.each([
    // Berlin, clocks back on 31 Oct 2027: 02:00–02:59 comes in summer time (00:00Z) and again in winter time.
    [
      "freeze",
      "0 2 * * *",
      2 * HOUR,
      "Europe/Berlin",
      "2027-10-30T22:00:00Z",
      "2027-10-31T00:00Z",
      "2027-10-31T03:00Z",
    ],
    [
      "window",
      "0 2 * * *",
      2 * HOUR,
      "Europe/Berlin",
      "2027-10-30T22:00:00Z",
      "2027-10-31T00:00Z",
      "2027-10-31T02:00Z",
    ],
    [
      "freeze",
      "30 2 * * *",
      HOUR,
      "Europe/Berlin",
      "2027-10-30T22:00:00Z",
      "2027-10-31T00:30Z",
      "2027-10-31T02:30Z",
    ],
    // The window closes when the clocks go back (01:00Z): the clock then reads 02:00 CET, before its 02:30 start.
    [
      "window",
      "30 2 * * *",
      HOUR,
      "Europe/Berlin",
      "2027-10-30T22:00:00Z",
      "2027-10-31T00:30Z",
      "2027-10-31T01:00Z",
    ],
    // Berlin, clocks forward on 28 Mar 2027: 02:30 does not exist; 03:00 CEST is 01:00Z.
    [
      "freeze",
      "30 2 * * *",
      HOUR,
      "Europe/Berlin",
      "2027-03-27T22:00:00Z",
      "2027-03-28T01:00Z",
      "2027-03-28T02:30Z",
    ],
    [
      "window",
      "30 2 * * *",
      HOUR,
      "Europe/Berlin",
      "2027-03-27T22:00:00Z",
      "2027-03-28T01:00Z",
      "2027-03-28T01:30Z",
    ],
    [
      "window",
      "15 2 * * *",
      30 * MINUTE,
      "Europe/Berlin",
      "2027-03-27T22:00:00Z",
      "2027-03-29T00:15Z",
      "2027-03-29T00:45Z",
    ],
    // New York, clocks forward on 14 Mar 2027 (02:00 EST → 03:00 EDT at 07:00Z).
    [
      "freeze",
      "30 2 * * *",
      HOUR,
      "America/New_York",
      "2027-03-14T04:00:00Z",
      "2027-03-14T07:00Z",
      "2027-03-14T08:30Z",
    ],
    [
      "window",
      "30 2 * * *",
      HOUR,
      "America/New_York",
      "2027-03-14T04:00:00Z",
      "2027-03-14T07:00Z",
      "2027-03-14T07:30Z",
    ],
    // New York, clocks back on 7 Nov 2027: 01:30 comes at 05:30Z (EDT) and 06:30Z (EST); the first, as in Berlin.
    // The window closes at the change (06:00Z), when the clock reads 01:00 EST, before its start.
    [
      "freeze",
      "30 1 * * *",
      HOUR,
      "America/New_York",
      "2027-11-07T03:00:00Z",
      "2027-11-07T05:30Z",
      "2027-11-07T07:30Z",
    ],
    [
      "window",
      "30 1 * * *",
      HOUR,
      "America/New_York",
      "2027-11-07T03:00:00Z",
      "2027-11-07T05:30Z",
      "2027-11-07T06:00Z",
    ],
    // Sydney, back on 4 Apr 2027 (03:00 AEDT → 02:00 AEST at 16:00Z), forward on 3 Oct (02:00 → 03:00 at 16:00Z).
    [
      "freeze",
      "30 2 * * *",
      HOUR,
      "Australia/Sydney",
      "2027-04-03T12:00:00Z",
      "2027-04-03T15:30Z",
      "2027-04-03T17:30Z",
    ],
    [
      "freeze",
      "30 2 * * *",
      HOUR,
      "Australia/Sydney",
      "2027-10-02T12:00:00Z",
      "2027-10-02T16:00Z",
      "2027-10-02T17:30Z",
    ],
    [
      "window",
      "30 2 * * *",
      HOUR,
      "Australia/Sydney",
      "2027-10-02T12:00:00Z",
      "2027-10-02T16:00Z",
      "2027-10-02T16:30Z",
    ],
    // Lord Howe moves by 30 minutes: back 02:00 → 01:30 (15:00Z), forward 02:00 → 02:30 (15:30Z).
    [
      "freeze",
      "45 1 * * *",
      HOUR,
      "Australia/Lord_Howe",
      "2027-04-03T12:00:00Z",
      "2027-04-03T14:45Z",
      "2027-04-03T16:15Z",
    ],
    // The window closes at the change (15:00Z): the clock then reads 01:30, before its 01:45 start.
    [
      "window",
      "45 1 * * *",
      HOUR,
      "Australia/Lord_Howe",
      "2027-04-03T12:00:00Z",
      "2027-04-03T14:45Z",
      "2027-04-03T15:00Z",
    ],
    [
      "freeze",
      "15 2 * * *",
      HOUR,
      "Australia/Lord_Howe",
      "2027-10-02T12:00:00Z",
      "2027-10-02T15:30Z",
      "2027-10-02T16:45Z",
    ],
    [
      "window",
      "15 2 * * *",
      HOUR,
      "Australia/Lord_Howe",
      "2027-10-02T12:00:00Z",
      "2027-10-02T15:30Z",
      "2027-10-02T16:15Z",
    ],
  ] as const)(
    "%s `%s` for %i ms in %s after %s: %s to %s",
    (kind, cron, durationMs, zone, from, start, end) => {
      expect(firstListed(kind, cron, durationMs, zone, from)).toEqual([start, end]);
    },
  );

  it("Berlin `0 2 * * *` 2h freeze on 31 Oct 2027: in force at 03:15 CET, until 04:00 CET", () => {
    const freeze = calendarOf("freeze", "0 2 * * *", 2 * HOUR, "Europe/Berlin");
    for (const at of [
      "2027-10-31T00:00:00Z",
      "2027-10-31T01:30:00Z",
      "2027-10-31T02:15:00Z",
      "2027-10-31T02:59:59Z",
    ])
      expect(findActiveOccurrence(freeze, utc(at))?.end, at).toBe(utc("2027-10-31T03:00:00Z"));
    expect(findActiveOccurrence(freeze, utc("2027-10-30T23:59:59Z"))).toBeUndefined();
    expect(findActiveOccurrence(freeze, utc("2027-10-31T03:00:00Z"))).toBeUndefined();
  });

  it("New York `30 2 * * *` 1h freeze on 14 Mar 2027: in force at 04:10 EDT", () => {
    const freeze = calendarOf("freeze", "30 2 * * *", HOUR, "America/New_York");
    expect(findActiveOccurrence(freeze, utc("2027-03-14T07:45:00Z"))).toBeDefined();
    expect(findActiveOccurrence(freeze, utc("2027-03-14T08:10:00Z"))).toBeDefined();
    expect(findActiveOccurrence(freeze, utc("2027-03-14T06:59:59Z"))).toBeUndefined();
  });

  it("the listing goes on the next day as usual after each night", () => {
    const next = findNextOccurrences(
      calendarOf("freeze", "30 2 * * *", HOUR, "Europe/Berlin"),
      utc("2027-10-30T12:00:00Z"),
      3,
    );
    expect(next.map((o) => iso(o.start))).toEqual([
      "2027-10-31T00:30Z",
      "2027-11-01T01:30Z",
      "2027-11-02T01:30Z",
    ]);
  });
});
