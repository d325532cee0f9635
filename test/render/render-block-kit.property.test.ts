import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { formatCount, LITERAL_BACKTICK } from "../../src/render/escape-mrkdwn.js";
import type { ListItem, Message } from "../../src/render/message-model.js";
import {
  actions,
  bold,
  button,
  code,
  codeBlock,
  context,
  header,
  link,
  list,
  md,
  section,
  select,
  userMention,
} from "../../src/render/message-model.js";
import { renderBlockKit } from "../../src/render/render-block-kit.js";
import {
  collectMrkdwn,
  collectPlainText,
  countListedItems,
  expectValidBlockKit,
} from "./block-kit-test-helpers.js";

/** Arbitrary strings, biased towards the fragments that matter to Slack. */
const hostile = fc
  .array(
    fc.oneof(
      fc.string({ unit: "binary", maxLength: 40 }),
      fc.constantFrom(
        "<!channel>",
        "<!here>",
        "<!everyone>",
        "<@U123>",
        "<#C1|x>",
        "<https://evil.example|Approve>",
        "<",
        ">",
        "&",
        "&lt;",
        "&amp;",
        "*",
        "_",
        "~",
        "`",
        "```",
        "\n",
        "\r\n",
        ":x:",
        "@channel",
        "\u202E",
        "\uD83D",
        "👨‍👩‍👧‍👦",
      ),
    ),
    { maxLength: 30 },
  )
  .map((parts) => parts.join(""));

const TRUSTED_MENTION = "<@U0TRUSTED>";
const TRUSTED_LINK = "<https://console.example.com/x|console>";

function messageAbout(name: string): Message {
  return {
    text: md`Server ${name} changed`,
    blocks: [
      header(name),
      section({
        text: md`Rebooted ${bold(name)} (${code(name)}) for ${userMention("U0TRUSTED")}, see ${link("https://console.example.com/x", "console")}`,
        fields: [name, md`*Tag*\n${name}`],
        accessory: button({ id: "acc", label: name, value: "v" }),
      }),
      list([{ status: name, title: name, subtitle: name, fields: [{ label: name, value: name }] }]),
      context(name, md`by ${name}`),
      actions(
        button({
          id: "go",
          label: name,
          value: "v",
          style: "danger",
          confirm: { title: name, text: name, confirm: name, deny: name },
        }),
        select({ id: "pick", placeholder: name, options: [{ label: name, value: "1" }] }),
      ),
      codeBlock(name),
    ],
  };
}

describe("renderBlockKit properties", () => {
  it("no untrusted input yields a control sequence, an unescaped entity or an oversized element", () => {
    fc.assert(
      fc.property(hostile, (name) => {
        const rendered = renderBlockKit(messageAbout(name));
        expectValidBlockKit(rendered);
        const all = collectMrkdwn(rendered).join("\n");
        // Exactly our own mention and link survive (the section text may be cut, but atoms are all-or-nothing).
        // A backtick in a code span is the fallback of an unformattable date: the one control sequence we emit.
        const withoutOurs = all
          .split(TRUSTED_MENTION)
          .join("")
          .split(TRUSTED_LINK)
          .join("")
          .split(LITERAL_BACKTICK)
          .join("");
        expect(all.split(TRUSTED_MENTION).length - 1).toBeLessThanOrEqual(1);
        expect(withoutOurs).not.toMatch(/[<>]/);
        expect(withoutOurs).not.toMatch(/<!|<@|<#|<http/i);
        expect(all).toMatch(/^(?:[^&]|&amp;|&lt;|&gt;)*$/s);
        for (const text of collectPlainText(rendered)) expect(text).not.toMatch(/[\n\r\u202E]/);
      }),
      { numRuns: 300 },
    );
  });

  it("a list section's JSON length is the sum of its items' (what the packing adds up instead of measuring)", () => {
    // Lone surrogates are escaped as \uXXXX and a pair is not: the line break between items keeps a
    // surrogate of one item from pairing with the next, so the sum is exact for any text.
    const jsonLength = (s: string) => JSON.stringify(s).length - 2;
    fc.assert(
      fc.property(
        fc.array(fc.string({ unit: "binary", maxLength: 60 }), { minLength: 1, maxLength: 20 }),
        (items) => {
          const summed = items.reduce((sum, item, i) => sum + (i > 0 ? 2 : 0) + jsonLength(item), 0);
          expect(jsonLength(items.join("\n"))).toBe(summed);
        },
      ),
      { numRuns: 500 },
    );
  });

  it("any list fits the limits and reports truthfully what it left out", () => {
    const item: fc.Arbitrary<ListItem> = fc.record({
      status: fc.option(fc.constantFrom("ACTIVE", "SHUTOFF", "ERROR", "weird"), { nil: undefined }),
      title: hostile,
      subtitle: fc.option(hostile, { nil: undefined }),
      fields: fc.array(fc.record({ label: fc.constantFrom("IP", "ID", "Tag"), value: hostile }), {
        maxLength: 8,
      }),
    });
    fc.assert(
      fc.property(
        fc.array(item, { maxLength: 400 }),
        fc.nat(100_000),
        fc.integer({ min: 1_500, max: 13_000 }),
        (items, extra, budget) => {
          const total = items.length + extra;
          const rendered = renderBlockKit(
            {
              text: "servers",
              blocks: [
                header("Servers"),
                list(items, { total }),
                actions(button({ id: "r", label: "Refresh", value: "r" })),
              ],
            },
            { maxBlocksJsonBytes: budget },
          );
          expectValidBlockKit(rendered);
          expect(JSON.stringify(rendered.blocks).length).toBeLessThanOrEqual(budget);
          expect(rendered.blocks.at(-1)?.type).toBe("actions");
          const shown = countListedItems(rendered);
          const json = JSON.stringify(rendered.blocks);
          if (shown < total) expect(json).toContain(`…and ${formatCount(total - shown)} more`);
          else expect(json).not.toContain("more (use the buttons");
        },
      ),
      { numRuns: 150 },
    );
  });
});
