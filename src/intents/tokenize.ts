import { redactCredentials } from "./find-secrets-in-text.js";
import { PASSWORD_NAME } from "./intent-constants.js";
import type { IntentError } from "./intent-schema.js";
import { normalizeFlag } from "./parse-arguments.js";
import { quoteUserText } from "./quote-user-text.js";

/**
 * Tokenizer for Slack slash-command text.
 *
 * What Slack sends (and how we undo it):
 * - `&`, `<`, `>` typed by the user arrive as `&amp;`, `&lt;`, `&gt;`. We decode exactly these three
 *   entities, in one pass, so `&amp;lt;` becomes the literal text `&lt;`. Other `&…;` sequences are kept.
 * - Because literal `<` is always escaped, a raw `<…>` is Slack markup:
 *   - `<@U123>` / `<@U123|name>`: a user mention (token carries `mention: {kind: "user", id}`).
 *   - `<#C123|name>`: a channel mention; `<!here>`, `<!channel>`, `<!everyone>`, `<!subteam^S1|@team>`,
 *     `<!date^…|fallback>`: broadcast/special mentions. These are never valid arguments except a user
 *     mention in `/ops audit`; the tokenizer tags them so the parser can refuse them.
 *   - `<url|label>`: an auto-linked word (Slack links hostnames such as `web-03.example.com`); we keep
 *     the label, i.e. what the user typed. `<url>` without label: the URL itself.
 *   - Anything else between `<` and `>` (or an unmatched `<`) is kept literally.
 * - Quotes: `"…"`, `'…'` and the typographic quotes Slack clients substitute (`“…”`, `‘…’`, `„…“`)
 *   group text with spaces and commas. Any quote of the same family (double or single) closes.
 *   A quote opens only at the start of a token or right after `=` / `:` (`name="ops box"`), so an
 *   apostrophe inside a word stays literal. A token that starts with a quote is a literal: the parser
 *   never reads it as a keyword, filter or selector, nor as a flag, except `"--flag=value"` (a shell's
 *   reading, `readFlag`; no name has a `=`). An unterminated quote is refused, naming the flag it follows.
 * - Code spans: a token wrapped whole in backticks (`` `90c4c3d7-…` ``, copied from a code span of a Slack
 *   message) is read as what is inside, as if typed without them: an ID stays an ID, a flag a flag. Whole means
 *   from a token's start to the next backtick, followed by a separator or the end; anything else keeps its
 *   backticks, and no server name, tag or flag has one (ECS names are letters, digits, `_`, `-` and `.`).
 *   Unlike quotes, a code span does not make a literal: it is formatting, not quoting.
 * - Separators: any whitespace (including newlines and non-breaking spaces) and commas outside quotes.
 *   Empty tokens (`a,,b`) are dropped.
 * - Rejected outright (`invalid_character`): C0/C1 control characters other than tab/CR/LF, DEL,
 *   bidirectional overrides/isolates and invisible zero-width characters (they make a name look like
 *   another), and unpaired UTF-16 surrogates.
 */

/** A Slack mention found in a token. */
export type SlackMention =
  | { kind: "user"; id: string }
  | { kind: "channel"; id: string }
  | { kind: "special"; name: string };

export interface Token {
  /** The token's text after unquoting, markup unwrapping and entity decoding. */
  text: string;
  /** Offsets of the token in the (escaped) input: `input.slice(start, end)` is the raw token. */
  start: number;
  end: number;
  /** Index in `text` where the first quoted part begins; absent when nothing was quoted. */
  quoteStart?: number;
  /** The first Slack mention markup in the token, if any. */
  mention?: SlackMention;
  /** True when the token is exactly one mention markup and nothing else. */
  mentionOnly: boolean;
}

export type TokenizeResult = { ok: true; tokens: Token[] } | { ok: false; error: IntentError };

const DOUBLE_QUOTES = new Set(['"', "\u201C", "\u201D", "\u201E", "\u201F"]);
const SINGLE_QUOTES = new Set(["'", "\u2018", "\u2019", "\u201A", "\u201B"]);
const ENTITIES: Record<string, string> = { "&amp;": "&", "&lt;": "<", "&gt;": ">" };
const ENTITY_RE = /&(?:amp|lt|gt);/g;

// Control characters except \t \n \r; DEL and C1; bidi marks/overrides/isolates; zero-width space,
// word joiner, BOM; unpaired surrogates.
const INVALID_CHAR_RE =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is this regex's purpose.
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u061C\u200B\u200E\u200F\u202A-\u202E\u2060\u2066-\u2069\uFEFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Index of the first character the bot refuses to read (see module doc), or -1. */
export function findInvalidCharacter(text: string): number {
  const match = INVALID_CHAR_RE.exec(text);
  return match ? match.index : -1;
}

/** Decodes the three entities Slack escapes (`&amp;` `&lt;` `&gt;`), in a single pass. */
export function decodeSlackEntities(text: string): string {
  return text.replace(ENTITY_RE, (entity) => ENTITIES[entity] ?? entity);
}

interface Markup {
  /** Index just past the closing `>`. */
  end: number;
  /** Display text: a link's label (or URL), a mention's `@id` / `#id` / `@here`. */
  text: string;
  mention?: SlackMention;
}

const USER_RE = /^@([UW][A-Z0-9_]+)(?:\|[^|]*)?$/;
const CHANNEL_RE = /^#([CG][A-Z0-9]+)(?:\|([^|]*))?$/;
const SPECIAL_RE = /^!([a-z]+)(?:\^[^|]*)?(?:\|([^|]*))?$/;
const LINK_RE = /^([a-zA-Z][a-zA-Z0-9+.-]*:[^|\s]*)(?:\|(.*))?$/;

/** Reads Slack markup starting at `input[i] === "<"`; undefined when it is not markup (kept literally). */
function readMarkup(input: string, i: number): Markup | undefined {
  // Markup never contains `<`, so stop at the next one: keeps tokenizing linear on hostile `<<<<…`.
  let close = i + 1;
  while (close < input.length && input[close] !== ">" && input[close] !== "<") close++;
  if (close >= input.length || input[close] !== ">") return undefined;
  const body = input.slice(i + 1, close);
  if (body.length === 0) return undefined;
  const end = close + 1;
  let m = USER_RE.exec(body);
  if (m) return { end, text: `@${m[1]}`, mention: { kind: "user", id: m[1]! } };
  m = CHANNEL_RE.exec(body);
  if (m)
    return { end, text: `#${decodeSlackEntities(m[2] ?? m[1]!)}`, mention: { kind: "channel", id: m[1]! } };
  m = SPECIAL_RE.exec(body);
  if (m) return { end, text: `@${m[1]}`, mention: { kind: "special", name: m[1]! } };
  m = LINK_RE.exec(body);
  if (m) return { end, text: decodeSlackEntities(m[2] ?? m[1]!) };
  return undefined;
}

/** If `input` starts with an entity at `i`, its decoded character and length. */
function readEntity(input: string, i: number): { text: string; length: number } | undefined {
  for (const [entity, decoded] of Object.entries(ENTITIES)) {
    if (input.startsWith(entity, i)) return { text: decoded, length: entity.length };
  }
  return undefined;
}

/**
 * Converts Slack-escaped text into what the user typed: markup unwrapped to its display text
 * (`<@U1|bob>` → `@U1`, `<http://a.b|a.b>` → `a.b`), entities decoded. Quotes and spacing are kept.
 */
export function unescapeSlackText(input: string): string {
  let out = "";
  let i = 0;
  while (i < input.length) {
    const ch = input[i]!;
    if (ch === "<") {
      const markup = readMarkup(input, i);
      if (markup) {
        out += markup.text;
        i = markup.end;
        continue;
      }
    } else if (ch === "&") {
      const entity = readEntity(input, i);
      if (entity) {
        out += entity.text;
        i += entity.length;
        continue;
      }
    }
    out += ch;
    i++;
  }
  return out;
}

function isSeparator(ch: string): boolean {
  return ch === "," || /\s/.test(ch);
}

function closingQuoteIndex(input: string, open: string, from: number): number {
  const family = DOUBLE_QUOTES.has(open) ? DOUBLE_QUOTES : SINGLE_QUOTES;
  for (let j = from; j < input.length; j++) {
    if (family.has(input[j]!)) return j;
  }
  return -1;
}

interface Building {
  parts: string[];
  length: number;
  start: number;
  quoteStart?: number;
  mention?: SlackMention;
  markupCount: number;
  plainCount: number;
}

/**
 * Splits slash-command text into tokens (see the module comment for the rules). Total: returns an
 * error for unterminated quotes and refused characters, never throws.
 */
export function tokenize(input: string): TokenizeResult {
  const bad = findInvalidCharacter(input);
  if (bad >= 0) {
    const code = input.codePointAt(bad) ?? 0;
    return {
      ok: false,
      error: {
        code: "invalid_character",
        message: `The command contains an invisible or control character (U+${code
          .toString(16)
          .toUpperCase()
          .padStart(4, "0")}) at position ${bad + 1}. Please retype it.`,
      },
    };
  }

  const tokens: Token[] = [];
  const error = scanTokens(input, 0, tokens, true);
  return error === undefined ? { ok: true, tokens } : { ok: false, error };
}

/**
 * Whether the backtick at `input[at]`, at a token's start, opens a code span wrapping the whole token: the next
 * backtick closes it, something is between them, and a separator or the end follows it. Its closing index, or
 * undefined (the backtick is then a literal character, and no name has one).
 */
function codeSpanClose(input: string, at: number): number | undefined {
  const close = input.indexOf("`", at + 1);
  if (close <= at + 1) return undefined;
  const after = input[close + 1];
  return after === undefined || isSeparator(after) ? close : undefined;
}

/**
 * Reads the tokens of `input` from `from` to its end into `tokens` (offsets stay those of `input`); the first
 * error, if any. `spans`: whether a code span may open (not inside one).
 */
function scanTokens(input: string, from: number, tokens: Token[], spans: boolean): IntentError | undefined {
  let cur: Building | undefined;

  const append = (b: Building, text: string, markup: boolean): void => {
    b.parts.push(text);
    b.length += text.length;
    if (markup) b.markupCount++;
    else b.plainCount++;
  };
  const flush = (end: number): void => {
    if (!cur) return;
    const token: Token = {
      text: cur.parts.join(""),
      start: cur.start,
      end,
      mentionOnly: cur.mention !== undefined && cur.markupCount === 1 && cur.plainCount === 0,
    };
    if (cur.quoteStart !== undefined) token.quoteStart = cur.quoteStart;
    if (cur.mention) token.mention = cur.mention;
    tokens.push(token);
    cur = undefined;
  };

  let i = from;
  while (i < input.length) {
    const ch = input[i]!;
    if (isSeparator(ch)) {
      flush(i);
      i++;
      continue;
    }
    // `` `90c4c3d7-…` ``, pasted from a code span of a Slack message: read as what is inside, as if typed there.
    const spanClose = spans && !cur && ch === "`" ? codeSpanClose(input, i) : undefined;
    if (spanClose !== undefined) {
      const error = scanTokens(input.slice(0, spanClose), i + 1, tokens, false);
      if (error !== undefined) return error;
      i = spanClose + 1;
      continue;
    }
    if (!cur) cur = { parts: [], length: 0, start: i, markupCount: 0, plainCount: 0 };
    const b = cur;

    const lastPart = b.parts[b.parts.length - 1];
    const lastChar = lastPart?.[lastPart.length - 1];
    if (
      (DOUBLE_QUOTES.has(ch) || SINGLE_QUOTES.has(ch)) &&
      (b.length === 0 || lastChar === "=" || lastChar === ":")
    ) {
      const close = closingQuoteIndex(input, ch, i + 1);
      if (close < 0) return unterminatedQuote(ch, i, b.parts.join(""));
      if (b.quoteStart === undefined) b.quoteStart = b.length;
      const inner = unescapeSlackText(input.slice(i + 1, close));
      // Mentions inside quotes still count as mentions.
      const inside = input.slice(i + 1, close);
      if (!b.mention) {
        for (let k = inside.indexOf("<"); k >= 0; k = inside.indexOf("<", k + 1)) {
          const markup = readMarkup(inside, k);
          if (markup?.mention) {
            b.mention = markup.mention;
            break;
          }
        }
      }
      append(b, inner, false);
      i = close + 1;
      continue;
    }
    if (ch === "<") {
      const markup = readMarkup(input, i);
      if (markup) {
        if (markup.mention && !b.mention) b.mention = markup.mention;
        append(b, markup.text, markup.mention !== undefined);
        i = markup.end;
        continue;
      }
    } else if (ch === "&") {
      const entity = readEntity(input, i);
      if (entity) {
        append(b, entity.text, false);
        i += entity.length;
        continue;
      }
    }
    append(b, ch, false);
    i++;
  }
  flush(input.length);
  return undefined;
}

/**
 * The quote opened at `at` never closes: where, the flag it gives a value to (`--reason="disk full`; only its
 * name is repeated, never what follows the quote), and the quote that closes it.
 */
function unterminatedQuote(open: string, at: number, before: string): IntentError {
  const flag = before.endsWith("=") ? normalizeFlag(before.slice(0, -1)) : undefined;
  const after = flag !== undefined ? `, after ${quoteUserText(`${flag}=`)},` : "";
  const closing = DOUBLE_QUOTES.has(open) ? '`"`' : "`'`";
  return {
    code: "unterminated_quote",
    message: `The quote opened at position ${at + 1}${after} is never closed. Close it with a matching quote (${closing}).`,
  };
}

/** Shorter "secrets" (a test's placeholder) would mask ordinary words. */
const MIN_KNOWN_SECRET = 8;

const SECRET_RE = new RegExp(
  `(?:^|[\\s,])["'\u2018\u2019\u201c\u201d\`]?[-\u2013\u2014]{0,2}${PASSWORD_NAME}(?=[\\s=:,"'\u2018\u2019\u201c\u201d\`]|$)`,
  "i",
);

/** Whether `text` holds one of `knownSecrets` (the bot's own tokens and keys), as {@link redactSecrets} masks them. */
export function carriesKnownSecret(text: string, knownSecrets: readonly string[] = []): boolean {
  return knownSecrets.some((secret) => secret.length >= MIN_KNOWN_SECRET && text.includes(secret));
}

/**
 * Command text as it may be logged: everything from the first option named like a password (`--password`,
 * `adminpass=`, `password:`, quoted or not…) on is replaced by `[redacted]`, so a password typed by mistake
 * never reaches the logs. `knownSecrets` (the bot's own tokens and keys) and credentials of a known shape
 * (`redactCredentials`) are masked wherever they appear.
 */
export function redactSecrets(text: string, knownSecrets: readonly string[] = []): string {
  // Credentials by shape (Slack and GitHub tokens, AK/SK, bearer tokens, private keys…): masked wherever.
  text = redactCredentials(text);
  // The bot's own secrets pasted by mistake (a token, the signing secret, the cloud's SK): masked wherever.
  if (carriesKnownSecret(text, knownSecrets))
    for (const secret of knownSecrets)
      if (secret.length >= MIN_KNOWN_SECRET) text = text.replaceAll(secret, "[redacted]");
  const match = SECRET_RE.exec(text);
  if (match === null) return text;
  return `${text.slice(0, match.index + (match[0].length - match[0].trimStart().length))}[redacted]`;
}
