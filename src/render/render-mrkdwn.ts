import {
  defuseEmojiShortcodes,
  ELLIPSIS,
  escapeCodeSpan,
  escapeMrkdwn,
  escapeUntrustedMrkdwn,
  exactCodeSpan,
  revealInvisible,
  sanitizeInline,
  sanitizeMultiline,
  truncateGraphemes,
} from "./escape-mrkdwn.js";
import type { Span, Text } from "./message-model.js";
import { toSpans } from "./message-model.js";

// Underscores are accepted for the readable IDs of the fake Slack (U_ALICE); they cannot form markup.
const SLACK_USER_ID = /^[UW][A-Z0-9_]{2,20}$/;
const SLACK_GROUP_ID = /^S[A-Z0-9_]{2,20}$/;
const SLACK_CHANNEL_ID = /^[CGD][A-Z0-9_]{2,20}$/;

/** `2025-01-01 12:30 UTC`: what a platform without reader time zones (or a notification) shows. */
export function utcFallback(at: number, style: "time" | "date_time"): string {
  const iso = new Date(at).toISOString();
  return style === "time" ? `${iso.slice(11, 16)} UTC` : `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}

/** The URL in a form that cannot break out of `<url|label>`, or `undefined` if it is not a usable http(s) URL. */
function safeUrl(raw: string): string | undefined {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return undefined;
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") return undefined;
  return url.href
    .replace(/\|/g, "%7C")
    .replace(/</g, "%3C")
    .replace(/>/g, "%3E")
    .replace(/\s/g, "%20")
    .replace(/&/g, "&amp;");
}

/** Wraps `inner` in `marker`, moving edge whitespace outside: Slack ignores `* bold*`. Empty stays empty. */
function wrap(marker: string, inner: string): string {
  const m = /^(\s*)([\s\S]*?)(\s*)$/.exec(inner)!;
  const [, lead, core, trail] = m as unknown as [string, string, string, string];
  return core === "" ? lead + trail : `${lead}${marker}${core}${marker}${trail}`;
}

function renderSpan(span: Span, maxLength: number): string {
  switch (span.t) {
    case "plain":
      return escapeMrkdwn(span.v, maxLength);
    case "untrusted":
      return escapeUntrustedMrkdwn(span.v, maxLength);
    case "code": {
      const exact = exactCodeSpan(span.v);
      if (exact.length <= maxLength) return exact;
      // Cut: a partial value cannot be typed back, so the simple single span with look-alike backticks will do.
      if (maxLength < 3) return maxLength >= 1 ? ELLIPSIS : "";
      const inner = escapeCodeSpan(span.v, maxLength - 2);
      return inner === "" ? "" : `\`${inner}\``;
    }
    case "bold":
    case "italic": {
      if (maxLength < 3) return maxLength >= 1 ? ELLIPSIS : "";
      return wrap(span.t === "bold" ? "*" : "_", renderSpans(span.v, maxLength - 2));
    }
    case "user": {
      const whole = SLACK_USER_ID.test(span.id) ? `<@${span.id}>` : escapeUntrustedMrkdwn(`@${span.id}`);
      return atom(whole, maxLength);
    }
    case "channel": {
      const whole = SLACK_CHANNEL_ID.test(span.id) ? `<#${span.id}>` : escapeUntrustedMrkdwn(`#${span.id}`);
      return atom(whole, maxLength);
    }
    case "group": {
      const whole = SLACK_GROUP_ID.test(span.id)
        ? `<!subteam^${span.id}>`
        : escapeUntrustedMrkdwn(`@${span.handle}`);
      return atom(whole, maxLength);
    }
    case "date": {
      if (!Number.isFinite(span.at)) return "";
      const seconds = Math.floor(span.at / 1000);
      const format = span.style === "time" ? "{time}" : "{date_short_pretty} {time}";
      return atom(`<!date^${seconds}^${format}|${utcFallback(span.at, span.style)}>`, maxLength);
    }
    case "link": {
      const url = safeUrl(span.url);
      if (url === undefined) return escapeUntrustedMrkdwn(span.label, maxLength);
      const label = escapeUntrustedMrkdwn(span.label) || url;
      return atom(`<${url}|${label}>`, maxLength);
    }
  }
}

/** Control sequences are all or nothing: a cut mention or link would be a broken `<…`. */
function atom(whole: string, maxLength: number): string {
  if (whole.length <= maxLength) return whole;
  return maxLength >= ELLIPSIS.length ? ELLIPSIS : "";
}

function renderSpans(spans: readonly Span[], maxLength: number): string {
  let out = "";
  for (const span of spans) {
    const room = maxLength - out.length;
    const whole = renderSpan(span, Number.POSITIVE_INFINITY);
    if (whole.length <= room) {
      out += whole;
      continue;
    }
    // The cut span ends in the ellipsis; nothing may follow it.
    out += renderSpan(span, room);
    break;
  }
  return out;
}

/**
 * Renders rich text to Slack mrkdwn of at most `maxLength` UTF-16 code units. A cut ends in `…` and never splits
 * an entity, a grapheme, a mention or a link; bold/italic/code markers stay balanced.
 */
export function renderMrkdwn(text: Text, maxLength = Number.POSITIVE_INFINITY): string {
  const spans = toSpans(text);
  const full = renderSpans(spans, Number.POSITIVE_INFINITY);
  return full.length <= maxLength ? full : renderSpans(spans, maxLength);
}

function flatten(span: Span, defuseEmoji: boolean, codeTicks = false): string {
  switch (span.t) {
    case "plain":
      return span.v;
    case "code":
      // Kept as text that a later `withInlineCode` turns back into a code span (a backtick inside cannot end it).
      if (codeTicks) return `\`${revealInvisible(span.v).replaceAll("`", "ˋ")}\``;
      return defuseEmoji ? defuseEmojiShortcodes(revealInvisible(span.v)) : revealInvisible(span.v);
    case "untrusted":
      // Revealed here, before defusing adds zero-width characters of its own that must stay invisible.
      return defuseEmoji ? defuseEmojiShortcodes(revealInvisible(span.v)) : revealInvisible(span.v);
    case "bold":
    case "italic":
      return span.v.map((s) => flatten(s, defuseEmoji, codeTicks)).join("");
    case "user":
      return `@${span.id}`;
    case "group":
      return `@${span.handle}`;
    case "channel":
      return `#${span.id}`;
    case "date":
      return Number.isFinite(span.at) ? utcFallback(span.at, span.style) : "";
    case "link":
      // A URL shown as itself (a link in free text) is said once.
      if (safeUrl(span.url) === undefined || span.label === span.url) return span.label;
      return `${span.label} (${span.url})`;
  }
}

export interface RenderPlainOptions {
  /** Keep line breaks (logs); otherwise they become spaces (labels, headers). */
  multiline?: boolean;
  /** Defuse `:emoji:` shortcodes in untrusted values, for `plain_text` objects with `emoji: true`. */
  defuseEmoji?: boolean;
  /** Code spans between backticks: text kept for a view to show again with `withInlineCode`. */
  codeTicks?: boolean;
}

/**
 * Renders rich text as plain text (for `plain_text` objects and logs): no markup, no escaping. Single-line
 * unless `multiline`; cut to `maxLength` on a grapheme boundary.
 */
export function renderPlain(
  text: Text,
  maxLength = Number.POSITIVE_INFINITY,
  options: RenderPlainOptions = {},
): string {
  const raw = toSpans(text)
    .map((s) => flatten(s, options.defuseEmoji ?? false, options.codeTicks ?? false))
    .join("");
  const clean = options.multiline ? sanitizeMultiline(raw, "keep") : sanitizeInline(raw, " ", "keep");
  return truncateGraphemes(clean, maxLength);
}
