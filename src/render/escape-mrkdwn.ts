/**
 * Escaping for Slack `mrkdwn` and length-capping for `plain_text`.
 *
 * Threat model: values that come from the cloud or from users (server names, tags, process paths, failure
 * reasons, free text) must never turn into Slack control sequences (`<!channel>`, `<@U…>`, `<#C…>`,
 * `<https://evil|Approve>`) and must not re-format the message around them (bold, strike, break out of code).
 *
 * Decisions:
 * - `&`, `<`, `>` become `&amp;`, `&lt;`, `&gt;` in every mrkdwn string, trusted or not. Slack parses control
 *   sequences only from a raw `<`, so this alone neutralises mentions and labelled links. `&` is escaped too, so
 *   text that is already escaped (`&lt;`) is shown literally instead of being decoded by Slack.
 * - Formatting characters in untrusted text are replaced by look-alikes rather than by inserting zero-width
 *   characters: the result does not depend on undocumented details of Slack's parser, and a copy-pasted value
 *   differs visibly rather than invisibly. `*` → `∗` (U+2217), `~` → `∼` (U+223C), `` ` `` → `ˋ` (U+02CB).
 *   `_` is kept between two letters/digits (`web_server_01` stays copy-pasteable; Slack does not italicise
 *   inside words) and becomes `ˍ` (U+02CD) elsewhere.
 * - An emoji shortcode in untrusted text (`:large_green_circle:`, which could fake a status icon) gets a
 *   zero-width space after its opening colon; shortcodes without a letter or glued to letters/digits on both
 *   sides (times `12:30:45`, IPv6 `2001:db8:85a3::1`) are left alone.
 * - Bare `@channel`, `@here`, `@everyone` get a word joiner after the `@`. Slack only pings from `<!channel>` in
 *   bot messages unless `link_names` is set (we never set it) and the renderer marks every mrkdwn object
 *   `verbatim: true`; the word joiner is defence in depth.
 * - Untrusted inline values lose control and bidi-override characters (U+202E can reverse what follows), lone
 *   surrogates and invisible characters (zero-width space, word joiner…: `web-01` and `web-01\u200B` would
 *   look the same) become U+FFFD, and line breaks become `↵` so a name cannot start a fake line or a block quote.
 *   A value starting with `>` gets a zero-width space in front for the same reason.
 * - Inside code spans and code blocks formatting is inert, but `&<>` are still escaped. A code span shows the value
 *   exactly as it can be typed back (`*bold* _x_` and `<b>&` included: Slack decodes the entities on display
 *   and copy). mrkdwn has no escape for a backtick, and a backtick would close the span, so a value with
 *   backticks is split into code spans around each backtick, and each backtick is the fallback text of a date
 *   with an invalid format (`<!date^0^{_}|`>`): Slack shows that fallback as plain text, unparsed, so the
 *   copied text is still exact (the technique jsx-slack's `<Escape>` uses). Only a value cut to fit a limit
 *   (no longer typeable anyway) and code blocks fall back to `ˋ`.
 * - Truncation happens before escaping expands the text, on grapheme boundaries, so a cut never leaves half an
 *   entity (`&am`), half a surrogate pair or half an emoji. A truncated value ends with `…`.
 */

import { graphemeSegmenter } from "../text/grapheme-segmenter.js";

/** Appended to every truncated value. One UTF-16 code unit. */
export const ELLIPSIS = "…";

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
/** C0/C1 controls except tab and line breaks, DEL, and the bidi embedding/override/isolate/mark characters. */
const CONTROL_AND_BIDI =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/g;
const LINE_BREAK = /\r\n|[\r\n\u2028\u2029\u0085]/g;
/**
 * Characters that take no room on screen (zero-width space and joiners, word joiner, soft hyphen, BOM): in a
 * name they make `web-01\u200B` look exactly like `web-01`. A zero-width joiner inside an emoji sequence is
 * kept (it is what draws 👩‍💻).
 */
const INVISIBLE = /[\u00AD\u180E\u200B\u200C\u2060-\u2064\uFEFF]|\u200D(?!\p{Extended_Pictographic})/gu;
/** What an invisible character shows as: visibly something that cannot be typed. */
const INVISIBLE_SHOWN = "\uFFFD";
const EMOJI_SHORTCODE = /(^|[^\p{L}\p{N}]):([a-z0-9_+'-]*[a-z][a-z0-9_+'-]*):(?=$|[^\p{L}\p{N}])/giu;
const BROADCAST = /@(channel|here|everyone)(?![\p{L}\p{N}_])/giu;
const WORD_CHAR = /[\p{L}\p{N}]/u;

/**
 * Fast paths: a value with none of the characters a step acts on is returned as it is (most names, IDs and
 * addresses), instead of being copied by a chain of replacements that change nothing.
 */
const NEEDS_SANITIZING =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: every character sanitizeInline acts on, controls included.
  /[\u0000-\u001F\u007F-\u009F\u00AD\u061C\u180E\u200B-\u200F\u202A-\u202E\u2060-\u2064\u2066-\u2069\u2028\u2029\uFEFF\uD800-\uDFFF]/;
/** Every character defuseFormatting acts on: shortcodes need `:`, broadcasts `@`, a quote `>`. */
const NEEDS_DEFUSING = /[:@*~`_>]/;
const NEEDS_ENTITIES = /[&<>]/;

const ZERO_WIDTH_SPACE = "\u200B";
const WORD_JOINER = "\u2060";

/** Replaces lone surrogates (which JSON and Slack mangle) with U+FFFD. */
function toWellFormed(value: string): string {
  return value.replace(LONE_SURROGATE, "\uFFFD");
}

/**
 * What to do with invisible characters: `reveal` (as `\uFFFD`), or `keep` for text whose untrusted parts were
 * already through {@link revealInvisible} and which holds the zero-width characters our own defusing put in.
 */
export type InvisibleCharacters = "reveal" | "keep";

/**
 * Makes an untrusted value a single line without control or bidi characters, its invisible characters
 * revealed (see {@link InvisibleCharacters}).
 */
export function sanitizeInline(
  value: string,
  lineBreak = "↵",
  invisible: InvisibleCharacters = "reveal",
): string {
  if (!NEEDS_SANITIZING.test(value)) return value;
  const line = toWellFormed(value)
    .replace(LINE_BREAK, lineBreak)
    .replace(/\t/g, " ")
    .replace(CONTROL_AND_BIDI, "");
  return invisible === "keep" ? line : revealInvisible(line);
}

/** Like {@link sanitizeInline} but keeps line breaks (normalised to `\n`). */
export function sanitizeMultiline(value: string, invisible: InvisibleCharacters = "reveal"): string {
  const text = toWellFormed(value).replace(LINE_BREAK, "\n").replace(CONTROL_AND_BIDI, "");
  return invisible === "keep" ? text : revealInvisible(text);
}

/**
 * What of a typed text a reader sees: without control and format characters (zero-width, bidi, soft hyphen),
 * trimmed. A reason that must be given is judged on this, so `\u200B` alone is no reason.
 */
export function visibleText(value: string): string {
  return value.replace(/[\p{Cc}\p{Cf}]/gu, "").trim();
}

/** An untrusted value's invisible characters shown as `\uFFFD` (see {@link sanitizeInline}). */
export function revealInvisible(value: string): string {
  return value.replace(INVISIBLE, INVISIBLE_SHOWN);
}

/** `&`, `<`, `>` to entities; nothing else. Applied to trusted text too. */
function escapeEntities(value: string): string {
  if (!NEEDS_ENTITIES.test(value)) return value;
  return value.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/**
 * Puts a zero-width space after the opening colon of emoji shortcodes (see the module comment for which ones).
 * Also used for untrusted values in `plain_text` objects, where Slack renders shortcodes as well.
 */
export function defuseEmojiShortcodes(value: string): string {
  return value.replace(
    EMOJI_SHORTCODE,
    (_m, before: string, name: string) => `${before}:${ZERO_WIDTH_SPACE}${name}:`,
  );
}

/** Replaces mrkdwn formatting characters with look-alikes (see the module comment). */
function defuseFormatting(value: string): string {
  if (!NEEDS_DEFUSING.test(value)) return value;
  const chars = Array.from(defuseEmojiShortcodes(value).replace(BROADCAST, `@${WORD_JOINER}$1`));
  let out = "";
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i]!;
    switch (ch) {
      case "*":
        out += "∗";
        break;
      case "~":
        out += "∼";
        break;
      case "`":
        out += "ˋ";
        break;
      case "_": {
        const prev = chars[i - 1];
        const next = chars[i + 1];
        const intraWord =
          prev !== undefined && next !== undefined && WORD_CHAR.test(prev) && WORD_CHAR.test(next);
        out += intraWord ? "_" : "ˍ";
        break;
      }
      default:
        out += ch;
    }
  }
  return /^\s*>/.test(out) ? ZERO_WIDTH_SPACE + out : out;
}

/**
 * Escapes `prepared` (already sanitized and defused) with `&<>` entities, cutting on grapheme boundaries so
 * that the result, including the trailing `…`, is at most `maxLength` UTF-16 code units.
 */
function escapeWithin(prepared: string, maxLength: number): string {
  const full = escapeEntities(prepared);
  if (full.length <= maxLength) return full;
  if (maxLength < ELLIPSIS.length) return "";
  const room = maxLength - ELLIPSIS.length;
  let out = "";
  for (const { segment } of graphemeSegmenter().segment(prepared)) {
    const escaped = escapeEntities(segment);
    if (out.length + escaped.length > room) break;
    out += escaped;
  }
  return out + ELLIPSIS;
}

/**
 * Escapes text *we* wrote for mrkdwn: `&<>` become entities (so even our own text can never form a control
 * sequence); formatting characters and line breaks are kept because they are our markup.
 */
export function escapeMrkdwn(value: string, maxLength = Number.POSITIVE_INFINITY): string {
  return escapeWithin(toWellFormed(value), maxLength);
}

/**
 * Escapes an untrusted value for inline use in mrkdwn: single line, no control sequences, no formatting, at most
 * `maxLength` code units (ending in `…` when cut).
 */
export function escapeUntrustedMrkdwn(value: string, maxLength = Number.POSITIVE_INFINITY): string {
  const out = escapeWithin(defuseFormatting(sanitizeInline(value)), maxLength);
  // A cut can end the text on an underscore that was between two letters: before the `…` it could italicise.
  return out.endsWith(`_${ELLIPSIS}`) ? `${out.slice(0, -ELLIPSIS.length - 1)}ˍ${ELLIPSIS}` : out;
}

/** A literal backtick in mrkdwn: the unparsed fallback of a date Slack cannot format (see the module comment). */
export const LITERAL_BACKTICK = "<!date^0^{_}|`>";

/**
 * A whole inline code span whose displayed and copied text is exactly `value` (after {@link sanitizeInline}):
 * backticks are {@link LITERAL_BACKTICK} between code spans. Empty input gives an empty string.
 */
export function exactCodeSpan(value: string): string {
  return sanitizeInline(value)
    .split(/(`)/)
    .map((part) => (part === "`" ? LITERAL_BACKTICK : part === "" ? "" : `\`${escapeEntities(part)}\``))
    .join("");
}

/** Content for an inline code span (the caller adds the backticks). Empty input gives an empty string. */
export function escapeCodeSpan(value: string, maxLength = Number.POSITIVE_INFINITY): string {
  return escapeWithin(sanitizeInline(value).replace(/`/g, "ˋ"), maxLength);
}

/**
 * Content for a code block (the caller adds the triple backticks): line breaks kept, backticks replaced so the
 * block cannot be closed early. When cut, whole lines are kept where possible and an honest note says how many
 * lines were left out.
 */
export function escapeCodeBlock(value: string, maxLength = Number.POSITIVE_INFINITY): string {
  const prepared = sanitizeMultiline(value).replace(/`/g, "ˋ");
  const full = escapeEntities(prepared);
  if (full.length <= maxLength) return full;
  const raw = prepared.split("\n");
  const moreLines = (n: number) =>
    n > 0 ? `\n${ELLIPSIS} (${formatCount(n)} more ${n === 1 ? "line" : "lines"})` : "";
  let out = "";
  let kept = 0;
  while (kept < raw.length) {
    const line = escapeEntities(raw[kept]!);
    const candidate = kept === 0 ? line : `${out}\n${line}`;
    if (candidate.length + moreLines(raw.length - kept - 1).length > maxLength) break;
    out = candidate;
    kept++;
  }
  if (kept > 0) return out + moreLines(raw.length - kept);
  // Not even the first line fits: cut it by graphemes and report the other lines.
  const rest = moreLines(raw.length - 1);
  if (rest.length + ELLIPSIS.length > maxLength) return escapeWithin(prepared, maxLength);
  return escapeWithin(raw[0]!, maxLength - rest.length) + rest;
}

/**
 * Prepares a value for a `plain_text` object: Slack does not parse plain text, so no `&<>` escaping is needed,
 * but control/bidi characters are dropped, line breaks become spaces (headers, labels and options are single
 * line) and the result is cut to `maxLength` code units on a grapheme boundary.
 */
export function toPlainText(value: string, maxLength: number): string {
  return truncateGraphemes(sanitizeInline(value, " "), maxLength);
}

/** Cuts `value` to at most `maxLength` code units on a grapheme boundary, ending in `…` when cut. */
export function truncateGraphemes(value: string, maxLength: number): string {
  if (value.length <= maxLength) return value;
  if (maxLength < ELLIPSIS.length) return "";
  const room = maxLength - ELLIPSIS.length;
  let out = "";
  for (const { segment } of graphemeSegmenter().segment(value)) {
    if (out.length + segment.length > room) break;
    out += segment;
  }
  return out + ELLIPSIS;
}

/** `9950` → `9,950`. Locale-independent so output is deterministic. */
export function formatCount(n: number): string {
  return Math.trunc(n)
    .toString()
    .replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

/** `1 server`, `3 servers`, `1,200 servers`: a count (see {@link formatCount}) and its noun. */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${formatCount(n)} ${n === 1 ? one : many}`;
}

/** `a`, `a and b`, `a, b and c` (or with `or`): words for a sentence, as they are (nothing escaped). */
export function joinWords(words: readonly string[], last: "and" | "or" = "and"): string {
  if (words.length <= 1) return words.join("");
  return `${words.slice(0, -1).join(", ")} ${last} ${words.at(-1)}`;
}
