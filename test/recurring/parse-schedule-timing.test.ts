import { describe, expect, it } from "vitest";
import { nextSlots, parseScheduleTiming, slotsBetween } from "../../src/recurring/parse-schedule-timing.js";

describe("parseScheduleTiming", () => {
  it("takes 5 fields and an IANA zone (UTC by default)", () => {
    expect(parseScheduleTiming(" 0  19 * * 1-5 ", "Europe/Paris")).toEqual({
      ok: true,
      timing: { cron: "0 19 * * 1-5", timeZone: "Europe/Paris" },
    });
    expect(parseScheduleTiming("0 19 * * *", undefined)).toMatchObject({
      ok: true,
      timing: { timeZone: "UTC" },
    });
  });

  it.each([
    ["0 19 * *", undefined, "has 4 fields"],
    ["0 0 19 * * *", undefined, "has 6 fields"],
    ["", undefined, "has 0 fields"],
    ["0 25 * * *", undefined, "is not valid"],
    ["0 19 * * 1-5", "Mars/Olympus", "is not an IANA time zone"],
    ["0 0 30 2 *", undefined, "never matches"],
  ])("%s (%s): %s", (cron, zone, message) => {
    const result = parseScheduleTiming(cron, zone);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.message).toContain(message);
  });
});

describe("slots", () => {
  const paris = { cron: "0 19 * * 1-5", timeZone: "Europe/Paris" };
  const friday = Date.UTC(2026, 11, 4, 12); // Friday 4 December 2026, 13:00 in Paris

  it("the next runs are in the schedule's zone, strictly after the moment given", () => {
    expect(nextSlots(paris, friday, 3).map((t) => new Date(t).toISOString())).toEqual([
      "2026-12-04T18:00:00.000Z",
      "2026-12-07T18:00:00.000Z",
      "2026-12-08T18:00:00.000Z",
    ]);
    expect(nextSlots(paris, Date.UTC(2026, 11, 4, 18), 1)).toEqual([Date.UTC(2026, 11, 7, 18)]);
  });

  it("slots between two moments, bounded (the newest kept)", () => {
    const { slots, truncated } = slotsBetween(paris, friday, Date.UTC(2026, 11, 8, 18));
    expect(slots).toHaveLength(3);
    expect(truncated).toBe(false);
    const everyMinute = slotsBetween({ cron: "* * * * *", timeZone: "UTC" }, 0, 10 * 60_000, 4);
    expect(everyMinute).toEqual({ slots: [7, 8, 9, 10].map((m) => m * 60_000), truncated: true });
  });
});
