import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  daysInMonth,
  instantsOf,
  isCalendarDate,
  nextTimeOfDay,
  type WallTime,
  wallTimeOf,
} from "../../src/schedule/local-wall-time.js";
import { offsetAt } from "../../src/schedule/zone-clock.js";

const utc = (iso: string) => Date.parse(iso);
const wall = (iso: string): WallTime => {
  const [date = "", time = ""] = iso.split("T");
  const [year, month, day] = date.split("-").map(Number) as [number, number, number];
  const [hour, minute] = time.split(":").map(Number) as [number, number];
  return { year, month, day, hour, minute };
};
const BERLIN = "Europe/Berlin";

describe("instantsOf: a local date and time in a zone", () => {
  it("an ordinary time is one instant (winter and summer offsets)", () => {
    expect(instantsOf(wall("2027-01-15T10:00"), BERLIN)).toEqual({
      kind: "exists",
      instants: [utc("2027-01-15T09:00:00Z")],
    });
    expect(instantsOf(wall("2027-07-15T10:00"), BERLIN)).toEqual({
      kind: "exists",
      instants: [utc("2027-07-15T08:00:00Z")],
    });
  });

  it("Berlin, clocks forward (28 Mar 2027, 02:00 → 03:00): 02:00 to 02:59 do not exist", () => {
    for (const t of ["02:00", "02:30", "02:59"]) {
      expect(instantsOf(wall(`2027-03-28T${t}`), BERLIN)).toEqual({
        kind: "skipped",
        transition: utc("2027-03-28T01:00:00Z"),
        from: "02:00",
        to: "03:00",
        pushed: utc(`2027-03-28T${t}:00+01:00`),
      });
    }
    expect(instantsOf(wall("2027-03-28T01:59"), BERLIN)).toEqual({
      kind: "exists",
      instants: [utc("2027-03-28T00:59:00Z")],
    });
    expect(instantsOf(wall("2027-03-28T03:00"), BERLIN)).toEqual({
      kind: "exists",
      instants: [utc("2027-03-28T01:00:00Z")],
    });
  });

  it("Berlin, clocks back (31 Oct 2027, 03:00 → 02:00): 02:00 to 02:59 come twice, summer time first", () => {
    expect(instantsOf(wall("2027-10-31T02:30"), BERLIN)).toEqual({
      kind: "exists",
      instants: [utc("2027-10-31T02:30:00+02:00"), utc("2027-10-31T02:30:00+01:00")],
    });
    expect(instantsOf(wall("2027-10-31T01:59"), BERLIN)).toEqual({
      kind: "exists",
      instants: [utc("2027-10-30T23:59:00Z")],
    });
    expect(instantsOf(wall("2027-10-31T03:00"), BERLIN)).toEqual({
      kind: "exists",
      instants: [utc("2027-10-31T02:00:00Z")],
    });
  });

  it("west of UTC (New York) and in the southern hemisphere (Sydney), both directions", () => {
    expect(instantsOf(wall("2027-03-14T02:30"), "America/New_York")).toMatchObject({
      kind: "skipped",
      transition: utc("2027-03-14T07:00:00Z"),
      from: "02:00",
      to: "03:00",
    });
    expect(instantsOf(wall("2027-11-07T01:30"), "America/New_York")).toEqual({
      kind: "exists",
      instants: [utc("2027-11-07T05:30:00Z"), utc("2027-11-07T06:30:00Z")],
    });
    // Sydney goes forward in October and back in April.
    expect(instantsOf(wall("2027-10-03T02:30"), "Australia/Sydney")).toMatchObject({
      kind: "skipped",
      from: "02:00",
      to: "03:00",
    });
    expect(instantsOf(wall("2027-04-04T02:30"), "Australia/Sydney")).toEqual({
      kind: "exists",
      instants: [utc("2027-04-04T02:30:00+11:00"), utc("2027-04-04T02:30:00+10:00")],
    });
  });

  it("a half-hour change (Lord Howe Island) is found to the minute", () => {
    expect(instantsOf(wall("2027-10-03T02:15"), "Australia/Lord_Howe")).toMatchObject({
      kind: "skipped",
      from: "02:00",
      to: "02:30",
    });
    expect(instantsOf(wall("2027-10-03T02:30"), "Australia/Lord_Howe").kind).toBe("exists");
  });
});

describe("nextTimeOfDay", () => {
  it("fall-back night: at 02:45 summer time, 02:30 is the winter-time one 45 minutes later", () => {
    expect(nextTimeOfDay(2, 30, utc("2027-10-31T00:45:00Z"), BERLIN)).toEqual({
      kind: "next",
      at: utc("2027-10-31T01:30:00Z"),
    });
    // Before either: the first (summer time); after both: the next day.
    expect(nextTimeOfDay(2, 30, utc("2027-10-30T22:00:00Z"), BERLIN)).toEqual({
      kind: "next",
      at: utc("2027-10-31T00:30:00Z"),
    });
    expect(nextTimeOfDay(2, 30, utc("2027-10-31T01:30:00Z"), BERLIN)).toEqual({
      kind: "next",
      at: utc("2027-11-01T01:30:00Z"),
    });
  });

  it("spring-forward night: a skipped time still to come is reported, never moved", () => {
    const next = nextTimeOfDay(2, 30, utc("2027-03-27T12:00:00Z"), BERLIN);
    expect(next).toEqual({
      kind: "skipped",
      date: wall("2027-03-28T02:30"),
      transition: utc("2027-03-28T01:00:00Z"),
      from: "02:00",
      to: "03:00",
    });
    // Just before the change too.
    expect(nextTimeOfDay(2, 30, utc("2027-03-28T00:59:00Z"), BERLIN).kind).toBe("skipped");
    // Once the clocks have gone forward, that night's 02:30 is gone: the next night's.
    expect(nextTimeOfDay(2, 30, utc("2027-03-28T01:15:00Z"), BERLIN)).toEqual({
      kind: "next",
      at: utc("2027-03-29T00:30:00Z"),
    });
    // Times next to the gap exist: 01:30 winter time, 03:00 summer time.
    expect(nextTimeOfDay(3, 0, utc("2027-03-27T12:00:00Z"), BERLIN)).toEqual({
      kind: "next",
      at: utc("2027-03-28T01:00:00Z"),
    });
  });

  it("an ordinary day: today when still to come, else tomorrow", () => {
    expect(nextTimeOfDay(22, 30, utc("2026-12-04T12:00:00Z"), BERLIN)).toEqual({
      kind: "next",
      at: utc("2026-12-04T21:30:00Z"),
    });
    expect(nextTimeOfDay(9, 0, utc("2026-12-04T12:00:00Z"), BERLIN)).toEqual({
      kind: "next",
      at: utc("2026-12-05T08:00:00Z"),
    });
  });
});

describe("calendar dates", () => {
  it("leap years: 29 February in 2028 and 2000, not in 2027 or 2100", () => {
    expect(isCalendarDate(2028, 2, 29)).toBe(true);
    expect(isCalendarDate(2000, 2, 29)).toBe(true);
    expect(isCalendarDate(2027, 2, 29)).toBe(false);
    expect(isCalendarDate(2100, 2, 29)).toBe(false);
    expect(isCalendarDate(2026, 2, 30)).toBe(false);
    expect(isCalendarDate(2026, 4, 31)).toBe(false);
    expect(isCalendarDate(2026, 12, 31)).toBe(true);
    expect(isCalendarDate(2026, 13, 1)).toBe(false);
    expect(isCalendarDate(2026, 0, 1)).toBe(false);
    expect(isCalendarDate(2026, 1, 0)).toBe(false);
    expect(daysInMonth(2028, 2)).toBe(29);
  });
});

const ZONES = [
  "UTC",
  "Europe/Berlin",
  "Europe/London",
  "America/New_York",
  "America/St_Johns",
  "America/Santiago",
  "Australia/Sydney",
  "Australia/Lord_Howe",
  "Asia/Kolkata",
  "Asia/Kathmandu",
  "Pacific/Chatham",
];
const FROM = utc("2020-01-01T00:00:00Z");
const TO = utc("2035-12-31T00:00:00Z");
const MINUTE = 60_000;

describe("properties (zones either side of UTC, with and without daylight saving, 2020 to 2035)", () => {
  it("every minute's local reading names that minute back", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: FROM / MINUTE, max: TO / MINUTE }),
        fc.constantFrom(...ZONES),
        (m, zone) => {
          const at = m * MINUTE;
          const found = instantsOf(wallTimeOf(at, zone), zone);
          expect(found.kind).toBe("exists");
          if (found.kind === "exists") expect(found.instants).toContain(at);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("what a local time names reads back as that time; a skipped one lies in a forward change", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: FROM / MINUTE, max: TO / MINUTE }),
        fc.constantFrom(...ZONES),
        fc.integer({ min: 0, max: 23 }),
        fc.integer({ min: 0, max: 59 }),
        (m, zone, hour, minute) => {
          const w = { ...wallTimeOf(m * MINUTE, zone), hour, minute };
          const found = instantsOf(w, zone);
          if (found.kind === "exists") {
            expect(found.instants.length).toBeLessThanOrEqual(2);
            for (const at of found.instants) expect(wallTimeOf(at, zone)).toEqual(w);
          } else {
            const before = offsetAt(found.transition - 1000, zone);
            const after = offsetAt(found.transition, zone);
            expect(after).toBeGreaterThan(before);
            expect(wallTimeOf(found.transition, zone)).toMatchObject({
              year: w.year,
              month: w.month,
              day: w.day,
            });
            const reading = `${String(hour).padStart(2, "0")}:${String(minute).padStart(2, "0")}`;
            expect(reading >= found.from && reading < found.to).toBe(true);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it("nextTimeOfDay is the first quarter-hour after now whose reading matches (brute force)", () => {
    const QUARTER = 15 * MINUTE;
    fc.assert(
      fc.property(
        fc.integer({ min: FROM / MINUTE, max: TO / MINUTE }),
        fc.constantFrom(...ZONES),
        fc.integer({ min: 0, max: 23 }),
        fc.constantFrom(0, 15, 30, 45),
        (m, zone, hour, minute) => {
          const now = m * MINUTE;
          let first: number | undefined;
          for (
            let t = Math.floor(now / QUARTER) * QUARTER + QUARTER;
            t < now + 3 * 86_400_000;
            t += QUARTER
          ) {
            const r = wallTimeOf(t, zone);
            if (r.hour === hour && r.minute === minute) {
              first = t;
              break;
            }
          }
          const next = nextTimeOfDay(hour, minute, now, zone);
          if (next.kind === "next") expect(next.at).toBe(first);
          else {
            // Skipped tonight: the change is still to come, and the first match is on a later day.
            expect(next.transition).toBeGreaterThan(now);
            const d = wallTimeOf(first ?? 0, zone);
            expect(Date.UTC(d.year, d.month - 1, d.day)).toBeGreaterThan(
              Date.UTC(next.date.year, next.date.month - 1, next.date.day),
            );
          }
        },
      ),
      { numRuns: 150 },
    );
  });

  it("the same near every offset change of these zones, 2025 to 2030 (both directions)", () => {
    const QUARTER = 15 * MINUTE;
    const changes = offsetChanges(utc("2025-01-01T00:00:00Z"), utc("2030-12-31T00:00:00Z"));
    expect(changes.length).toBeGreaterThan(50);
    fc.assert(
      fc.property(
        fc.constantFrom(...changes),
        fc.integer({ min: -36 * 60, max: 36 * 60 }),
        fc.integer({ min: 0, max: 23 }),
        fc.constantFrom(0, 15, 30, 45),
        ({ zone, at }, shift, hour, minute) => {
          const now = at + shift * MINUTE;
          let first: number | undefined;
          for (
            let t = Math.floor(now / QUARTER) * QUARTER + QUARTER;
            t < now + 3 * 86_400_000;
            t += QUARTER
          ) {
            const r = wallTimeOf(t, zone);
            if (r.hour === hour && r.minute === minute) {
              first = t;
              break;
            }
          }
          const next = nextTimeOfDay(hour, minute, now, zone);
          if (next.kind === "next") expect(next.at).toBe(first);
          else {
            expect(next.transition).toBeGreaterThan(now);
            expect(instantsOf(next.date, zone).kind).toBe("skipped");
          }
        },
      ),
      { numRuns: 400 },
    );
  });

  it("around every daylight-saving change of Berlin 2026-2030, both directions", () => {
    for (let year = 2026; year <= 2030; year++) {
      for (const month of [3, 10]) {
        // The last Sunday of March / October.
        const last = new Date(Date.UTC(year, month, 0));
        const day = last.getUTCDate() - last.getUTCDay();
        const w = { year, month, day, hour: 2, minute: 30 };
        const found = instantsOf(w, BERLIN);
        if (month === 3) expect(found).toMatchObject({ kind: "skipped", from: "02:00", to: "03:00" });
        else expect(found.kind === "exists" && found.instants.length).toBe(2);
      }
    }
  });
});

/** Every instant one of {@link ZONES} changes its offset between two dates (found hourly, then to the second). */
function offsetChanges(from: number, to: number): { zone: string; at: number }[] {
  const HOUR = 60 * MINUTE;
  const out: { zone: string; at: number }[] = [];
  for (const zone of ZONES) {
    let previous = offsetAt(from, zone);
    for (let t = from + 6 * HOUR; t <= to; t += 6 * HOUR) {
      const offset = offsetAt(t, zone);
      if (offset === previous) continue;
      let lo = t - 6 * HOUR;
      let hi = t;
      while (hi - lo > 1000) {
        const mid = Math.floor((lo + hi) / 2000) * 1000;
        if (offsetAt(mid, zone) === previous) lo = mid;
        else hi = mid;
      }
      out.push({ zone, at: hi });
      previous = offset;
    }
  }
  return out;
}
