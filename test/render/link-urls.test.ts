/**
 * URLs in free text (a `--reason`) become links labelled with the URL itself; everything else stays escaped
 * untrusted text: no markup, no mention, no broadcast, and a link that would break out of `<url|label>` cannot.
 */
import { expect, it } from "vitest";
import { linkUrls } from "../../src/render/link-urls.js";
import { renderMrkdwn, renderPlain } from "../../src/render/render-mrkdwn.js";

it("a URL is a link shown as itself; the words around it stay text", () => {
  expect(renderMrkdwn(linkUrls("CHG-1 (https://example.com/CHG-1), see it."))).toBe(
    "CHG-1 (<https://example.com/CHG-1|https://example.com/CHG-1>), see it.",
  );
  expect(renderPlain(linkUrls("see https://example.com/CHG-1."))).toBe("see https://example.com/CHG-1.");
});

it("a URL's own parentheses and query are kept, made safe inside the link", () => {
  expect(
    renderMrkdwn(linkUrls("https://en.wikipedia.org/wiki/Foo_(bar) and https://x.example/?a=1&b=2|3")),
  ).toBe(
    "<https://en.wikipedia.org/wiki/Foo_(bar)|https://en.wikipedia.org/wiki/Fooˍ(bar)> and <https://x.example/?a=1&amp;b=2%7C3|https://x.example/?a=1&amp;b=2|3>",
  );
});

it("untrusted text stays escaped around and inside links: no markup, no mention, no broadcast", () => {
  const out = renderMrkdwn(linkUrls("*urgent* <!channel> @here https://x.example/_a_ <@U123>"));
  expect(out).not.toMatch(/<!channel>|<@U123>|\*urgent\*/);
  expect(out).toContain("<https://x.example/_a_|https://x.example/ˍaˍ>");
});

it("no URL: the text as it was; not http(s): text", () => {
  expect(linkUrls("INC-4711: memory leak")).toEqual([{ t: "untrusted", v: "INC-4711: memory leak" }]);
  expect(renderMrkdwn(linkUrls("ftp://x.example/a javascript:alert(1)"))).toBe(
    "ftp://x.example/a javascript:alert(1)",
  );
});
