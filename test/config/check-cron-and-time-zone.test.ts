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
});
