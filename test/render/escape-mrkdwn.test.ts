import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  escapeCodeBlock,
  escapeCodeSpan,
  escapeMrkdwn,
  escapeUntrustedMrkdwn,
  exactCodeSpan,
  formatCount,
  sanitizeInline,
  toPlainText,
  truncateGraphemes,
} from "../../src/render/escape-mrkdwn.js";

/** Every `&` starts one of the three entities we emit: nothing half-escaped, nothing left to decode. */
const ONLY_OUR_ENTITIES = /^(?:[^&]|&amp;|&lt;|&gt;)*$/s;

describe("escapeUntrustedMrkdwn", () => {
  it.each([
    ["<!channel>", "&lt;!channel&gt;"],
    ["<!here>", "&lt;!here&gt;"],
    ["<@U123>", "&lt;@U123&gt;"],
    ["<#C123|general>", "&lt;#C123|general&gt;"],
    ["<https://evil.example|Approve>", "&lt;https://evil.example|Approve&gt;"],
    ["&lt;", "&amp;lt;"],
    ["*bold*", "∗bold∗"],
    ["`code`", "ˋcodeˋ"],
    ["~strike~", "∼strike∼"],
    ["_italic_", "ˍitalicˍ"],
    ["web_server_01", "web_server_01"],
    ["a\nb\r\nc", "a↵b↵c"],
    ["tab\there", "tab here"],
    ["\u202Egnp.exe", "gnp.exe"],
    ["服务器-01 🚀", "服务器-01 🚀"],
    // Invisible characters are shown, so `web-01\u200B` never looks like `web-01`; an emoji's joiner stays.
    ["web-01\u200B", "web-01\uFFFD"],
    ["web\u2060-01\uFEFF\u00AD", "web\uFFFD-01\uFFFD\uFFFD"],
    ["a\u200Db", "a\uFFFDb"],
    ["👩\u200D💻", "👩\u200D💻"],
    ["12:30:45 2001:db8:85a3::1", "12:30:45 2001:db8:85a3::1"],
  ])("%j → %j", (input, expected) => {
    expect(escapeUntrustedMrkdwn(input)).toBe(expected);
  });

  it("defuses emoji shortcodes that could fake a status icon", () => {
    expect(escapeUntrustedMrkdwn(":large_green_circle: db")).toBe(":\u200Blarge_green_circle: db");
  });

  it("defuses bare broadcast mentions and line-leading quotes", () => {
    expect(escapeUntrustedMrkdwn("ping @here and @channel")).toBe("ping @\u2060here and @\u2060channel");
    expect(escapeUntrustedMrkdwn("> quoted")).toBe("\u200B&gt; quoted");
  });

  it("replaces lone surrogates", () => {
    expect(escapeUntrustedMrkdwn("a\uD800b")).toBe("a\uFFFDb");
  });

  it("cuts on escape-sequence and grapheme boundaries", () => {
    expect(escapeUntrustedMrkdwn("<<<<", 10)).toBe("&lt;&lt;…");
    expect(escapeUntrustedMrkdwn("&&&", 9)).toBe("&amp;…");
    const family = "👨‍👩‍👧‍👦";
    expect(escapeUntrustedMrkdwn(`${family}${family}`, family.length + 2)).toBe(`${family}…`);
    expect(escapeUntrustedMrkdwn(`${family}${family}`, family.length)).toBe("…");
    // Cut right after an underscore between two letters: it is no longer between two, so it is defused.
    expect(escapeUntrustedMrkdwn("  0_0 ", 5)).toBe("  0ˍ…");
    expect(escapeUntrustedMrkdwn("a_b", 5)).toBe("a_b");
  });

  it("output is escaped, bounded and free of formatting for any input", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 300 }), fc.nat(400), (input, max) => {
        const out = escapeUntrustedMrkdwn(input, max);
        expect(out.length).toBeLessThanOrEqual(max);
        expect(out).toMatch(ONLY_OUR_ENTITIES);
        expect(out).not.toMatch(/[<>*~`\n\r\u202A-\u202E\u2066-\u2069]/);
        expect(out).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/);
        // An underscore survives only between two letters/digits, where Slack does not italicise.
        expect(out).not.toMatch(/(^|[^\p{L}\p{N}])_|_($|[^\p{L}\p{N}])/u);
      }),
    );
  });
});

// Each step returns a value with nothing to act on as it is. These compare that fast path with the full
// chain, which a leading character of the step's own kind forces (its effect is context-free and known).
describe("fast paths agree with the full escaping", () => {
  // Random text with every character some step acts on mixed in (random code points alone rarely hit them).
  const special = fc.constantFrom(
    ..."\u2028\u2029\u0085\r\n\t\u0000\u001F\u007F\u009F\u00AD\u061C\u200B\u200D\u200E\u200F\u202A\u202E\u2060\u2066\u2069\uFEFF\uD800\uDBFF\uDC00\uDFFF&<>:@*~`_ a1".split(
      "",
    ),
  );
  const anyText = fc
    .array(fc.oneof(special, fc.string({ unit: "binary", maxLength: 3 })), { maxLength: 30 })
    .map((parts) => parts.join(""));

  it("sanitizeInline: as after a leading control character, which it drops", () => {
    fc.assert(
      fc.property(anyText, (v) => {
        expect(sanitizeInline(v)).toBe(sanitizeInline(`\u0001${v}`));
      }),
      { numRuns: 500 },
    );
  });

  it("entities: as after a leading &", () => {
    fc.assert(
      fc.property(anyText, (v) => {
        expect(`&amp;${escapeMrkdwn(v)}`).toBe(escapeMrkdwn(`&${v}`));
      }),
      { numRuns: 500 },
    );
  });

  it("formatting: a value without formatting characters reads as after a leading *", () => {
    fc.assert(
      fc.property(anyText, (v) => {
        fc.pre(!/[:@*~`_>]/.test(v));
        expect(`∗${escapeUntrustedMrkdwn(v)}`).toBe(escapeUntrustedMrkdwn(`*${v}`));
      }),
      { numRuns: 300, maxSkipsPerRun: 1000 },
    );
  });
});

describe("escapeMrkdwn (trusted text)", () => {
  it("escapes control characters but keeps our formatting", () => {
    expect(escapeMrkdwn("*Status* <ok> & :white_check_mark:\nnext")).toBe(
      "*Status* &lt;ok&gt; &amp; :white_check_mark:\nnext",
    );
  });
});

describe("escapeCodeSpan / escapeCodeBlock", () => {
  it("cannot close the code span or block early", () => {
    expect(escapeCodeSpan("a`b\nc")).toBe("aˋb↵c");
    expect(escapeCodeBlock("x```\n<!channel>")).toBe("xˋˋˋ\n&lt;!channel&gt;");
  });

  it("cuts code blocks at line boundaries and says how many lines were left out", () => {
    const text = Array.from({ length: 100 }, (_, i) => `line ${i} <${i}>`).join("\n");
    const out = escapeCodeBlock(text, 200);
    expect(out.length).toBeLessThanOrEqual(200);
    const kept = out.split("\n").filter((l) => l.startsWith("line ")).length;
    expect(out.endsWith(`… (${100 - kept} more lines)`)).toBe(true);
    expect(out).toMatch(ONLY_OUR_ENTITIES);
  });

  it("cuts a single huge line by graphemes", () => {
    const out = escapeCodeBlock(`${"&".repeat(1000)}\nsecond`, 50);
    expect(out.length).toBeLessThanOrEqual(50);
    expect(out).toMatch(/^(&amp;)+…\n… \(1 more line\)$/);
  });

  it("stays bounded and escaped for any input", () => {
    fc.assert(
      fc.property(
        fc.string({ unit: "binary", maxLength: 500 }),
        fc.integer({ min: 1, max: 600 }),
        (input, max) => {
          const out = escapeCodeBlock(input, max);
          expect(out.length).toBeLessThanOrEqual(max);
          expect(out).toMatch(ONLY_OUR_ENTITIES);
          expect(out).not.toMatch(/[<>`]/);
        },
      ),
    );
  });
});

describe("plain text", () => {
  it("needs no escaping but is single-line and capped", () => {
    expect(toPlainText("<!channel> & *x*\nnext", 100)).toBe("<!channel> & *x* next");
    expect(toPlainText("x".repeat(200), 150)).toHaveLength(150);
    expect(truncateGraphemes("abc", 3)).toBe("abc");
    expect(truncateGraphemes("abcd", 3)).toBe("ab…");
  });
});

describe("formatCount", () => {
  it("groups thousands deterministically", () => {
    expect(formatCount(9950)).toBe("9,950");
    expect(formatCount(1234567)).toBe("1,234,567");
    expect(formatCount(12)).toBe("12");
  });
});

describe("exactCodeSpan", () => {
  it("keeps the value typeable: formatting inert in a code span, only Slack's entities, backticks as unformattable date fallbacks", () => {
    expect(exactCodeSpan("*bold* _x_")).toBe("`*bold* _x_`");
    expect(exactCodeSpan("a<b>&c")).toBe("`a&lt;b&gt;&amp;c`");
    expect(exactCodeSpan("x`y")).toBe("`x`<!date^0^{_}|`>`y`");
    expect(exactCodeSpan("``")).toBe("<!date^0^{_}|`><!date^0^{_}|`>");
    expect(exactCodeSpan("")).toBe("");
  });
});
