import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { formatDuration, parseDuration } from "../../src/config/parse-duration.js";

describe("parseDuration", () => {
  it.each([
    ["30m", 30 * 60_000],
    ["2h", 2 * 3_600_000],
    ["1d", 86_400_000],
    ["45s", 45_000],
    ["1h30m", 90 * 60_000],
    [" 10m ", 600_000],
    ["0s", 0],
  ])("parses %j", (text, ms) => {
    expect(parseDuration(text)).toEqual({ ok: true, ms });
  });

  it.each([
    ["30x", "`30x` is not a duration; use e.g. 30m, 2h, 1d"],
    ["30", "`30` has no unit; use e.g. 30m, 2h, 1d (s, m, h or d)"],
    ["", "`` is not a duration; use e.g. 30m, 2h, 1d"],
    ["m", "`m` is not a duration; use e.g. 30m, 2h, 1d"],
    ["30M", "`30M` is not a duration; use e.g. 30m, 2h, 1d"],
    ["-5m", "`-5m` is not a duration; use e.g. 30m, 2h, 1d"],
    ["1.5h", "`1.5h` is not a duration; use e.g. 30m, 2h, 1d"],
  ])("refuses %j with a clear error", (text, error) => {
    expect(parseDuration(text)).toEqual({ ok: false, error });
  });

  it("round-trips through formatDuration for whole seconds", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 400 * 86_400 }), (seconds) => {
        expect(parseDuration(formatDuration(seconds * 1_000))).toEqual({ ok: true, ms: seconds * 1_000 });
      }),
    );
  });

  it("formats durations as an author would write them", () => {
    expect(formatDuration(30 * 60_000)).toBe("30m");
    expect(formatDuration(90 * 60_000)).toBe("1h30m");
    expect(formatDuration(86_400_000 + 1_000)).toBe("1d1s");
    expect(formatDuration(0)).toBe("0s");
  });
});
