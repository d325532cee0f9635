import { describe, expect, it } from "vitest";
import { cronProblem, isTimeZone } from "../../src/config/check-cron-and-time-zone.js";

describe("isTimeZone", () => {
  it.each(["UTC", "Europe/Paris", "America/New_York", "Asia/Shanghai"])("knows %s", (zone) => {
    expect(isTimeZone(zone)).toBe(true);
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
