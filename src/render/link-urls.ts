import type { Span } from "./message-model.js";

/**
 * An http(s) URL in free text: up to a space or a character a URL never holds unescaped. Punctuation that ends a
 * sentence (`see https://x/CHG-1.`) or closes a parenthesis the URL did not open is left out by {@link linkUrls}.
 */
const URL_IN_TEXT = /\bhttps?:\/\/[^\s<>"`]+/gi;
const TRAILING_PUNCTUATION = /[.,;:!?'’”]+$/;

/** `url` without what ends the sentence around it: trailing punctuation, and a `)` it has no `(` for. */
function trimUrl(url: string): string {
  let out = url.replace(TRAILING_PUNCTUATION, "");
  while (out.endsWith(")") && (out.match(/\(/g)?.length ?? 0) < (out.match(/\)/g)?.length ?? 0)) {
    out = out.slice(0, -1).replace(TRAILING_PUNCTUATION, "");
  }
  return out;
}

/**
 * Untrusted free text (a `--reason`) with each http(s) URL in it a link whose label is the URL itself, so that
 * the target is both shown and followed: messages are sent `verbatim`, so Slack would link nothing itself. The
 * rest stays untrusted text (escaped: no markup, no mention); the renderer refuses a URL it cannot make safe,
 * showing it as text.
 */
export function linkUrls(text: string): Span[] {
  const spans: Span[] = [];
  let at = 0;
  for (const match of text.matchAll(URL_IN_TEXT)) {
    const url = trimUrl(match[0]);
    if (!/^https?:\/\/./i.test(url)) continue;
    if (match.index > at) spans.push({ t: "untrusted", v: text.slice(at, match.index) });
    spans.push({ t: "link", url, label: url });
    at = match.index + url.length;
  }
  if (at < text.length) spans.push({ t: "untrusted", v: text.slice(at) });
  return spans;
}
