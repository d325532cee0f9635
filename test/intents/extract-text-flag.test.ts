import { describe, expect, it } from "vitest";
import { extractBreakGlass, extractReason } from "../../src/intents/extract-text-flag.js";

describe("extractBreakGlass", () => {
  it.each([
    ["stop web-01", { ok: true, text: "stop web-01" }],
    [
      'stop web-01 --break-glass "web tier down, INC-4711"',
      { ok: true, text: "stop web-01", value: "web tier down, INC-4711" },
    ],
    [
      '--break-glass "db failover now" stop web-01 --hard',
      { ok: true, text: "stop web-01 --hard", value: "db failover now" },
    ],
    [
      "stop web-01 --break-glass=“curly quotes reason”",
      { ok: true, text: "stop web-01", value: "curly quotes reason" },
    ],
    [
      "delete name=\"ops box\" --break-glass 'single quoted reason'",
      { ok: true, text: 'delete name="ops box"', value: "single quoted reason" },
    ],
  ])("%s", (text, expected) => {
    expect(extractBreakGlass(text)).toEqual(expected);
  });

  it.each([
    ["stop web-01 --break-glass", "needs a reason"],
    ["stop web-01 --break-glass --hard", "needs a reason"],
    ['stop web-01 --break-glass ""', "needs a reason"],
    ['stop --break-glass "a reason here" web-01 --break-glass "again"', "more than once"],
    ["stop web-01 --break-glass urgent web-03", "Put a reason after `--break-glass` in quotes"],
  ])("%s is refused", (text, message) => {
    const result = extractBreakGlass(text);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.message).toContain(message);
  });
});

describe("extractReason", () => {
  it("counts characters as read: 60 family emoji are 60, not 300 code points", () => {
    const family = "\u{1F468}\u200D\u{1F469}\u200D\u{1F467}";
    expect(extractReason(`stop web-01 --reason "${family.repeat(60)}"`).ok).toBe(true);
  });

  it("takes the reason out wherever it stands, beside --break-glass", () => {
    expect(extractReason('stop web-01 --hard --reason "INC-4711: leaks memory"')).toEqual({
      ok: true,
      text: "stop web-01 --hard",
      value: "INC-4711: leaks memory",
    });
    const glass = extractBreakGlass('stop web-01 --reason "why" --break-glass "web tier down, INC-4711"');
    expect(glass.ok && extractReason(glass.text)).toEqual({ ok: true, text: "stop web-01", value: "why" });
  });

  it.each([
    ["stop web-01 --reason", "`--reason` needs why. Write why after it in quotes"],
    ['stop web-01 --reason "a" --reason "b"', "`--reason` is given more than once"],
    [`stop web-01 --reason "${"x".repeat(301)}"`, "`--reason` takes at most 300 characters"],
  ])("%s is refused", (text, message) => {
    const result = extractReason(text);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.message).toContain(message);
  });
});
