import { describe, expect, it } from "vitest";
import { parseTimeArgument } from "../../src/audit/parse-time-argument.js";

const NOW = Date.UTC(2025, 5, 15, 12);
const refused = (text: string) => {
  const result = parseTimeArgument(text, NOW);
  return result.ok ? `accepted as ${new Date(result.at).toISOString()}` : result.error;
};

describe("parseTimeArgument", () => {
  it("reads ISO dates, times and ages, as before", () => {
    const cases: [string, number][] = [
      ["2025-01-31", Date.UTC(2025, 0, 31)],
      ["2024-02-29", Date.UTC(2024, 1, 29)],
      ["2000-02-29", Date.UTC(2000, 1, 29)],
      ["2025-12-31", Date.UTC(2025, 11, 31)],
      ["2025-01-31T12:00:00Z", Date.UTC(2025, 0, 31, 12)],
      ["2025-01-31T12:00Z", Date.UTC(2025, 0, 31, 12)],
      ["2025-01-31 12:00:00Z", Date.UTC(2025, 0, 31, 12)],
      ["2025-01-31 9:05Z", Date.UTC(2025, 0, 31, 9, 5)],
      ["2025-01-31T23:59:59.999Z", Date.UTC(2025, 0, 31, 23, 59, 59, 999)],
      ["2025-01-31T12:00:00.123456Z", Date.UTC(2025, 0, 31, 12, 0, 0, 123)],
      ["2025-01-31T12:00:00+01:00", Date.UTC(2025, 0, 31, 11)],
      ["2025-01-31T12:00:00+0100", Date.UTC(2025, 0, 31, 11)],
      ["2025-01-31T12:00:00-05:30", Date.UTC(2025, 0, 31, 17, 30)],
      ["2025-01-31T12:00:00+23:59", Date.UTC(2025, 0, 30, 12, 1)],
      // ISO 8601's end of the day is the next day's midnight.
      ["2025-01-31T24:00:00Z", Date.UTC(2025, 1, 1)],
      ["2025-12-31T24:00Z", Date.UTC(2026, 0, 1)],
      ["90d", NOW - 90 * 86_400_000],
      ["1h30m", NOW - 90 * 60_000],
    ];
    for (const [text, at] of cases) expect(parseTimeArgument(text, NOW), text).toEqual({ ok: true, at });
    // Without an offset, a time is local, as Date.parse has always read it.
    expect(parseTimeArgument("2025-01-31T12:00:00", NOW)).toEqual({
      ok: true,
      at: new Date(2025, 0, 31, 12).getTime(),
    });
    expect(parseTimeArgument("2025-01-31 12:00", NOW)).toEqual({
      ok: true,
      at: new Date(2025, 0, 31, 12).getTime(),
    });
  });

  it("accepts every day of the calendar and refuses the day after each month's last", () => {
    for (const year of [2023, 2024, 1900, 2000]) {
      for (let month = 0; month < 12; month++) {
        const last = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
        const mm = String(month + 1).padStart(2, "0");
        for (let day = 1; day <= last; day++) {
          const text = `${year}-${mm}-${String(day).padStart(2, "0")}`;
          expect(parseTimeArgument(text, NOW), text).toEqual({ ok: true, at: Date.UTC(year, month, day) });
        }
        expect(parseTimeArgument(`${year}-${mm}-${last + 1}`, NOW).ok, `${year}-${mm}-${last + 1}`).toBe(
          false,
        );
      }
    }
  });

  it("refuses an impossible date or time, naming it and what is wrong, instead of rolling it over", () => {
    const cases: [string, string][] = [
      ["2025-02-30", "`2025-02-30` is not a real date: February 2025 has 28 days"],
      ["2025-02-29", "`2025-02-29` is not a real date: February 2025 has 28 days"],
      ["1900-02-29", "`1900-02-29` is not a real date: February 1900 has 28 days"],
      ["2025-04-31", "`2025-04-31` is not a real date: April 2025 has 30 days"],
      ["2025-01-32", "`2025-01-32` is not a real date: January 2025 has 31 days"],
      ["2025-02-30T10:00:00Z", "`2025-02-30T10:00:00Z` is not a real date: February 2025 has 28 days"],
      ["2025-02-30 10:00", "`2025-02-30 10:00` is not a real date: February 2025 has 28 days"],
      ["2025-13-01", "`2025-13-01` is not a real date: there is no month 13 (months run 01 to 12)"],
      ["2025-00-10", "`2025-00-10` is not a real date: there is no month 00 (months run 01 to 12)"],
      ["2025-13-45", "`2025-13-45` is not a real date: there is no month 13 (months run 01 to 12)"],
      ["2025-01-00", "`2025-01-00` is not a real date: there is no day 00 (days start at 01)"],
      [
        "2025-01-31T25:00:00Z",
        "`2025-01-31T25:00:00Z` is not a real time: there is no hour 25 (hours run 00 to 23)",
      ],
      ["2025-01-31 25:00", "`2025-01-31 25:00` is not a real time: there is no hour 25 (hours run 00 to 23)"],
      [
        "2025-01-31T24:00:01Z",
        "`2025-01-31T24:00:01Z` is not a real time: after 24:00 comes the next day (hours run 00 to 23; 24:00 is the end of the day)",
      ],
      [
        "2025-01-31T12:60Z",
        "`2025-01-31T12:60Z` is not a real time: there is no minute 60 (minutes run 00 to 59)",
      ],
      [
        "2025-01-31T12:00:60Z",
        "`2025-01-31T12:00:60Z` is not a real time: there is no second 60 (seconds run 00 to 59)",
      ],
      [
        "2025-01-31T12:00:00+25:00",
        "`2025-01-31T12:00:00+25:00` is not a real time: +25:00 is not a UTC offset (at most -23:59 to +23:59)",
      ],
      [
        "2025-01-31T12:00:00+0160",
        "`2025-01-31T12:00:00+0160` is not a real time: +0160 is not a UTC offset",
      ],
      ["yesterday", "`yesterday` is not a time; use an ISO date or time"],
      ["2025-1-31", "`2025-1-31` is not a time"],
      ["2025-01-31T1:2:3Z", "`2025-01-31T1:2:3Z` is not a time"],
      ["2025-01-31 1:1:1:0", "`2025-01-31 1:1:1:0` is not a time"],
    ];
    for (const [text, message] of cases) expect(refused(text), text).toContain(message);
  });

  it("gives every accepted time the instant Date.parse gives it", () => {
    const texts = [
      "2025-01-31T00:00:00Z",
      "2025-03-30T01:30:00",
      "2025-10-26T02:30:00",
      "2025-01-31T12:00:00.5+05:45",
      "2024-02-29T23:59:59-00:00",
      "0001-01-01T00:00:00Z",
    ];
    for (const text of texts)
      expect(parseTimeArgument(text, NOW), text).toEqual({ ok: true, at: Date.parse(text) });
  });
});
