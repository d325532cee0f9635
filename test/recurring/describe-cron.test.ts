import { describe, expect, it } from "vitest";
import { describeCron } from "../../src/recurring/describe-cron.js";

describe("describeCron", () => {
  it.each([
    ["0 19 * * 1-5", "at 19:00, Monday to Friday"],
    ["0 19 * * *", "at 19:00"],
    ["30 2 * * 0", "at 02:30 on Sundays"],
    ["30 2 * * 7", "at 02:30 on Sundays"],
    ["0 8 * * 1,3,5", "at 08:00 on Monday, Wednesday and Friday"],
    ["0 8 * * mon-fri", "at 08:00, Monday to Friday"],
    ["0 22 * * 6-7", "at 22:00, Saturday to Sunday"],
    ["0 7,19 * * *", "at 07:00 and 19:00"],
    ["15,45 9 * * *", "at 09:15 and 09:45"],
    ["*/15 * * * *", "every 15 minutes"],
    ["* * * * *", "every minute"],
    ["5 * * * *", "every hour at minute 5"],
    ["0 */6 * * *", "every 6 hours at minute 0"],
    ["30 2 1 * *", "at 02:30 on day 1 of the month"],
    ["30 2 1,15 * *", "at 02:30 on days 1 and 15 of the month"],
  ])("%s → %s", (cron, words) => {
    expect(describeCron(cron)).toBe(words);
  });

  it.each([
    "0 19 L * *",
    "0 19 * 1 *",
    "0 19 1 * 1",
    "0 19 * * 5#3",
    "*/15 9-17 * * *",
    "0 19 * *",
    "99 19 * * *",
    "0 19 * * 5-1",
  ])("%s has no common form: undefined (the raw expression is shown)", (cron) => {
    expect(describeCron(cron)).toBeUndefined();
  });
});
