import { describe, expect, it } from "vitest";
import { cronProblem, isTimeZone, timeZoneProblem } from "../../src/config/check-cron-and-time-zone.js";

describe("isTimeZone", () => {
  it.each([
    "UTC",
    "Europe/Paris",
    "America/New_York",
    "Asia/Shanghai",
    "Etc/GMT-2",
    "Etc/UTC",
    "America/Argentina/Buenos_Aires",
    "America/Port-au-Prince",
  ])("knows %s", (zone) => {
    expect(isTimeZone(zone)).toBe(true);
    expect(timeZoneProblem(zone)).toBeUndefined();
  });

  it.each(["EST", "PST", "IST", "CET", "GMT", "PST8PDT", "EST5EDT"])(
    "refuses the abbreviation %s, which the runtime would take (EST as a fixed UTC-05:00 all year)",
    (zone) => {
      expect(isTimeZone(zone)).toBe(false);
    },
  );

  it.each([
    ["EST", "did you mean `America/New_York`?"],
    ["EDT", "did you mean `America/New_York`?"],
    ["PST", "did you mean `America/Los_Angeles`?"],
    ["CET", "did you mean `Europe/Berlin` or `Europe/Paris`?"],
    ["IST", "did you mean `Asia/Kolkata`, `Europe/Dublin` or `Asia/Jerusalem`?"],
  ])("says which IANA name %s may stand for", (zone, hint) => {
    expect(timeZoneProblem(zone)).toBe(
      `is an abbreviation, not an IANA time zone (Area/Location): ${hint} A region's name follows its daylight saving time`,
    );
  });

  it("gives a fixed offset its Etc/ name (counted the other way) and a misspelt name its closest", () => {
    expect(timeZoneProblem("UTC+2")).toContain("or `Etc/GMT-2` for this offset all year");
    expect(timeZoneProblem("GMT-5")).toContain("or `Etc/GMT+5` for this offset all year");
    expect(timeZoneProblem("Europe/Berln")).toBe("is not an IANA time zone (did you mean `Europe/Berlin`?)");
    expect(timeZoneProblem("Mars/Olympus")).toBe(
      "is not an IANA time zone; write e.g. Europe/Berlin, Asia/Shanghai or UTC",
    );
  });

  it.each(["", "Mars/Olympus", "Europe/Paris ", "UTC+25", "../etc/passwd", "\u0000"])(
    "refuses %j",
    (zone) => {
      expect(isTimeZone(zone)).toBe(false);
    },
  );
});

describe("cronProblem", () => {
  it.each(["0 19 * * 1-5", "*/5 * * * *", "0 9 1 1 *"])("accepts %s", (pattern) => {
    expect(cronProblem(pattern)).toBeUndefined();
  });

  it("says why a pattern is refused, without croner's prefix", () => {
    const problem = cronProblem("61 * * * *");
    expect(problem).toEqual(expect.any(String));
    expect(problem).not.toMatch(/^CronPattern: /);
    expect(problem?.length).toBeGreaterThan(0);
  });

  it.each(["", "not a cron", "* * *", "0 0 32 * *", "\u0000"])("refuses %j", (pattern) => {
    expect(cronProblem(pattern)).toEqual(expect.any(String));
  });

  it.each(["0 0 30 2 *", "0 0 31 4 *", "0 0 31 2,4,6,9,11 *"])(
    "refuses %j, which no date matches (croner's own search overflows its stack on the last)",
    (pattern) => {
      expect(cronProblem(pattern)).toBe("it never matches a date");
    },
  );

  it("refuses a sixth field (seconds): a digest would post every second", () => {
    expect(cronProblem("* * * * * *")).toBe(
      "it has 6 fields; a cron expression takes 5: minute, hour, day of month, month, day of week",
    );
  });

  it.each(["@daily", "@weekly", "0 0 29 2 *", "0 0 31 2 1"])("accepts %j", (pattern) => {
    expect(cronProblem(pattern)).toBeUndefined();
  });
});
