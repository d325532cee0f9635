import { describe, expect, it } from "vitest";
import { checkRequestTimestamp } from "../../src/slack/check-request-timestamp.js";

const NOW = 1_700_000_000_000;
const sec = (offset: number) => String(NOW / 1000 + offset);

describe("checkRequestTimestamp", () => {
  it("accepts up to five minutes off in either direction", () => {
    for (const offset of [0, -300, 300, -1, 1])
      expect(checkRequestTimestamp(sec(offset), NOW)).toEqual({ ok: true });
  });

  it("refuses older and future timestamps beyond five minutes", () => {
    expect(checkRequestTimestamp(sec(-301), NOW)).toEqual({ ok: false, reason: "too_old" });
    expect(checkRequestTimestamp(sec(-360), NOW)).toEqual({ ok: false, reason: "too_old" });
    expect(checkRequestTimestamp(sec(301), NOW)).toEqual({ ok: false, reason: "in_future" });
    expect(checkRequestTimestamp(sec(360), NOW)).toEqual({ ok: false, reason: "in_future" });
  });

  it("refuses missing and malformed headers", () => {
    expect(checkRequestTimestamp(undefined, NOW)).toEqual({ ok: false, reason: "missing" });
    for (const bad of ["", "abc", "1.5", "-1", "1e9", ["1", "2"]]) {
      expect(checkRequestTimestamp(bad, NOW)).toEqual({ ok: false, reason: "malformed" });
    }
  });
});
