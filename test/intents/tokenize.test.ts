import { describe, expect, it } from "vitest";
import { findInvalidCharacter, tokenize, unescapeSlackText } from "../../src/intents/tokenize.js";

function texts(input: string): string[] | string {
  const result = tokenize(input);
  return result.ok ? result.tokens.map((t) => t.text) : result.error.code;
}

describe("tokenize", () => {
  it("splits on whitespace and commas, dropping empty tokens", () => {
    expect(texts(" a, b ,,c\td\ne ")).toEqual(["a", "b", "c", "d", "e"]);
  });

  it("groups quoted text, including Slack's smart quotes", () => {
    expect(texts(`"ops box 1" 'a, b' “c d” ‘e f’ „g h“`)).toEqual(["ops box 1", "a, b", "c d", "e f", "g h"]);
  });

  it("opens quotes only at token start or after = and :", () => {
    expect(texts(`name="ops box" tag:"my key"="a b" bob's`)).toEqual([
      "name=ops box",
      "tag:my key=a b",
      "bob's",
    ]);
  });

  it("marks literal (quote-initial) tokens", () => {
    const result = tokenize(`"--hard" name="x"`);
    expect(result.ok && result.tokens.map((t) => t.quoteStart)).toEqual([0, 5]);
  });

  it("reports unterminated quotes", () => {
    expect(texts(`stop "ops box`)).toBe("unterminated_quote");
    expect(texts("stop ‘ops")).toBe("unterminated_quote");
  });

  it("decodes the three Slack entities in one pass", () => {
    expect(texts("a&amp;b &lt;x&gt; &amp;lt; &quot;")).toEqual(["a&b", "<x>", "&lt;", "&quot;"]);
  });

  it("unwraps links to their label and tags mentions", () => {
    const result = tokenize(
      "<http://web.example.com|web.example.com> <@U0123|bob> <!here> <#C01|ops> <mailto:a@b.c>",
    );
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.tokens.map((t) => t.text)).toEqual([
      "web.example.com",
      "@U0123",
      "@here",
      "#ops",
      "mailto:a@b.c",
    ]);
    expect(result.tokens.map((t) => t.mention?.kind)).toEqual([
      undefined,
      "user",
      "special",
      "channel",
      undefined,
    ]);
    expect(result.tokens[1]?.mentionOnly).toBe(true);
  });

  it("keeps unmatched angle brackets literally", () => {
    expect(texts("a<b <c")).toEqual(["a<b", "<c"]);
  });

  it("records raw offsets", () => {
    const input = `stop  "a b",c`;
    const result = tokenize(input);
    expect(result.ok && result.tokens.map((t) => input.slice(t.start, t.end))).toEqual([
      "stop",
      `"a b"`,
      "c",
    ]);
  });

  it("refuses control, bidi and invisible characters and lone surrogates", () => {
    for (const ch of [
      "\u0000",
      "\u0007",
      "\u001b",
      "\u007f",
      "\u0085",
      "\u202e",
      "\u2066",
      "\u200b",
      "\ufeff",
      "\ud800",
      "\udc00",
    ]) {
      expect(findInvalidCharacter(`ab${ch}c`)).toBe(2);
      expect(texts(`ab${ch}c`)).toBe("invalid_character");
    }
    expect(findInvalidCharacter("tab\there\r\nok 🚀 e\u0301")).toBe(-1);
  });
});

describe("unescapeSlackText", () => {
  it("restores what the user typed", () => {
    expect(unescapeSlackText(`ecs stop <http://a.b|a.b> "x y" &lt;!channel&gt; <!channel>`)).toBe(
      `ecs stop a.b "x y" <!channel> @channel`,
    );
  });
});
