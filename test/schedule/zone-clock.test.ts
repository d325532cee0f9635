import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { offsetAt, zoneClock } from "../../src/schedule/zone-clock.js";

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const ZONES = [
  "Europe/Berlin",
  "America/New_York",
  "Australia/Sydney",
  "Australia/Lord_Howe",
  "Asia/Shanghai",
];
const FROM = Date.parse("2025-01-01T00:00:00Z");
const TO = Date.parse("2031-01-01T00:00:00Z");

describe("zoneClock", () => {
  it("its kept offsets are the runtime's, to the second, near changes too", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...ZONES),
        fc.integer({ min: FROM / 1000, max: TO / 1000 }),
        (zone, seconds) => {
          const at = seconds * 1000;
          expect(zoneClock(zone).offset(at)).toBe(offsetAt(at, zone));
        },
      ),
      { numRuns: 2000 },
    );
  });

  it("the changes it lists are exactly where the runtime's offset changes (2026 to 2028)", () => {
    const from2026 = Date.parse("2026-01-01T00:00:00Z");
    const to2028 = Date.parse("2029-01-01T00:00:00Z");
    for (const zone of ZONES) {
      const changes = zoneClock(zone).changesBetween(from2026, to2028);
      // Each is the first second of the new offset.
      for (const at of changes) expect(offsetAt(at - 1000, zone)).not.toBe(offsetAt(at, zone));
      // And none is missed: between two listed changes (and the ends) the offset holds, sampled every 2 hours.
      const edges = [from2026, ...changes, to2028];
      for (let i = 0; i + 1 < edges.length; i++) {
        const from = edges[i] ?? from2026;
        const to = edges[i + 1] ?? to2028;
        for (let t = from; t < to; t += 2 * HOUR) expect(offsetAt(t, zone)).toBe(offsetAt(from, zone));
      }
      expect(changes.length).toBe(zone === "Asia/Shanghai" ? 0 : 6);
    }
  });

  it("a reading the clocks repeat is reached twice, one they skip once, at the change", () => {
    const berlin = zoneClock("Europe/Berlin");
    // 31 Oct 2027, 02:30 comes at 00:30Z (summer time) and 01:30Z (winter time).
    const repeated = berlin.reading(Date.parse("2027-10-31T02:30:00Z"));
    expect([repeated.reached, repeated.lastReached]).toEqual([
      Date.parse("2027-10-31T00:30:00Z"),
      Date.parse("2027-10-31T01:30:00Z"),
    ]);
    // 28 Mar 2027, 02:30 is skipped: the clocks go forward at 01:00Z; on the winter offset it would be 01:30Z.
    const skipped = berlin.reading(Date.parse("2027-03-28T02:30:00Z"));
    expect(skipped).toEqual({
      reached: Date.parse("2027-03-28T01:00:00Z"),
      lastReached: Date.parse("2027-03-28T01:00:00Z"),
      latest: Date.parse("2027-03-28T01:30:00Z"),
    });
  });
});
