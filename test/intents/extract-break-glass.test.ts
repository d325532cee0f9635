import { describe, expect, it } from "vitest";
import { extractBreakGlass } from "../../src/intents/extract-break-glass.js";

describe("extractBreakGlass", () => {
  it.each([
    ["stop web-01", { ok: true, text: "stop web-01" }],
    [
      'stop web-01 --break-glass "web tier down, INC-4711"',
      { ok: true, text: "stop web-01", reason: "web tier down, INC-4711" },
    ],
    [
      '--break-glass "db failover now" stop web-01 --hard',
      { ok: true, text: "stop web-01 --hard", reason: "db failover now" },
    ],
    [
      "stop web-01 --break-glass=“curly quotes reason”",
      { ok: true, text: "stop web-01", reason: "curly quotes reason" },
    ],
    [
      "delete name=\"ops box\" --break-glass 'single quoted reason'",
      { ok: true, text: 'delete name="ops box"', reason: "single quoted reason" },
    ],
  ])("%s", (text, expected) => {
    expect(extractBreakGlass(text)).toEqual(expected);
  });

  it.each([
    ["stop web-01 --break-glass", "needs a reason"],
    ["stop web-01 --break-glass --hard", "needs a reason"],
    ['stop web-01 --break-glass ""', "needs a reason"],
    ['stop --break-glass "a reason here" web-01 --break-glass "again"', "more than once"],
  ])("%s is refused", (text, message) => {
    const result = extractBreakGlass(text);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.message).toContain(message);
  });
});
