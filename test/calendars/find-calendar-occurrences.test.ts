import { describe, expect, it } from "vitest";
import type { Calendar } from "../../src/calendars/calendar-types.js";
import { findActiveOccurrence, findNextOccurrences } from "../../src/calendars/find-calendar-occurrences.js";

const at = (iso: string) => Date.parse(iso);

const tuesdayNights: Calendar = {
  name: "maintenance",
  kind: "window",
  description: "Tuesday nights",
  source: "policy.yml:1",
  // 22:00 Berlin for 4 hours: across midnight, in winter (UTC+1).
  events: [{ kind: "recurring", cron: "0 22 * * 2", durationMs: 4 * 3_600_000, timeZone: "Europe/Berlin" }],
};

const yearEnd: Calendar = {
  name: "year-end",
  kind: "freeze",
  description: "Year-end freeze",
  source: "policy.yml:9",
  events: [{ kind: "absolute", start: at("2026-12-20T00:00:00Z"), end: at("2027-01-04T00:00:00Z") }],
};

describe("findActiveOccurrence", () => {
  it("finds a recurring event in force across midnight, in its own time zone", () => {
    // Tuesday 2026-12-08 22:00 Berlin = 21:00 UTC; in force until 01:00 UTC on Wednesday.
    expect(findActiveOccurrence(tuesdayNights, at("2026-12-08T20:59:59Z"))).toBeUndefined();
    expect(findActiveOccurrence(tuesdayNights, at("2026-12-08T21:00:00Z"))).toEqual({
      calendar: "maintenance",
      kind: "window",
      start: at("2026-12-08T21:00:00Z"),
      end: at("2026-12-09T01:00:00Z"),
    });
    expect(findActiveOccurrence(tuesdayNights, at("2026-12-09T00:59:59Z"))?.end).toBe(
      at("2026-12-09T01:00:00Z"),
    );
    // The end is exclusive.
    expect(findActiveOccurrence(tuesdayNights, at("2026-12-09T01:00:00Z"))).toBeUndefined();
  });

  it("finds an absolute event from its start (inclusive) to its end (exclusive)", () => {
    expect(findActiveOccurrence(yearEnd, at("2026-12-19T23:59:59Z"))).toBeUndefined();
    expect(findActiveOccurrence(yearEnd, at("2026-12-20T00:00:00Z"))?.end).toBe(at("2027-01-04T00:00:00Z"));
    expect(findActiveOccurrence(yearEnd, at("2027-01-04T00:00:00Z"))).toBeUndefined();
  });
});

describe("findNextOccurrences", () => {
  it("lists the next openings in order, each with its end", () => {
    const next = findNextOccurrences(tuesdayNights, at("2026-12-04T12:00:00Z"), 3);
    expect(next.map((o) => new Date(o.start).toISOString())).toEqual([
      "2026-12-08T21:00:00.000Z",
      "2026-12-15T21:00:00.000Z",
      "2026-12-22T21:00:00.000Z",
    ]);
    expect(next[0]?.end).toBe(at("2026-12-09T01:00:00Z"));
  });

  it("follows daylight saving time in the calendar's zone", () => {
    // Berlin switches to UTC+2 on 2027-03-28: 22:00 local is 20:00 UTC from then on.
    const next = findNextOccurrences(tuesdayNights, at("2027-03-27T00:00:00Z"), 1);
    expect(new Date(next[0]?.start ?? 0).toISOString()).toBe("2027-03-30T20:00:00.000Z");
  });

  it("has nothing after an absolute event's start", () => {
    expect(findNextOccurrences(yearEnd, at("2026-12-21T00:00:00Z"), 3)).toEqual([]);
  });
});
