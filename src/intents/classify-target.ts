import { isIPv6 } from "node:net";
import {
  type IntentError,
  type IntentErrorCode,
  MAX_NAME_LENGTH,
  MAX_TAG_KEY_LENGTH,
  MAX_TAG_VALUE_LENGTH,
  NAME_RE,
  TAG_TEXT_RE,
  type TagPair,
  type Target,
} from "./intent-schema.js";
import { quoteUserText } from "./quote-user-text.js";
import type { Token } from "./tokenize.js";

export type Classified<T> = { ok: true; value: T } | { ok: false; error: IntentError };

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const OCTET = "(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)";
const IPV4_RE = new RegExp(`^${OCTET}(?:\\.${OCTET}){3}$`);
const IPV4_LIKE_RE = /^\d+\.\d+\.\d+\.\d+$/;
const TAG_PREFIX_RE = /^tag:/i;

function fail<T>(code: IntentErrorCode, message: string, suggestion?: string): Classified<T> {
  return { ok: false, error: { code, message, ...(suggestion !== undefined && { suggestion }) } };
}

/** `key<separator>value` split at the first separator, when both parts are a valid tag key and value. */
function tagPairOf(text: string, separator: "=" | ":"): TagPair | undefined {
  const at = text.indexOf(separator);
  if (at <= 0) return undefined;
  const key = text.slice(0, at).trim();
  const value = text.slice(at + 1).trim();
  // A key without a letter (`10.0.0.5:80`) is more likely something else than a tag.
  if (
    !/\p{L}/u.test(key) ||
    value === "" ||
    key.length > MAX_TAG_KEY_LENGTH ||
    value.length > MAX_TAG_VALUE_LENGTH
  )
    return undefined;
  return TAG_TEXT_RE.test(key) && TAG_TEXT_RE.test(value) ? { key, value } : undefined;
}

function formatTagPair(pair: TagPair): string {
  return `${quoteIfNeeded(pair.key)}=${quoteIfNeeded(pair.value)}`;
}

/**
 * The tag selector a word written as `key=value` or `key:value` (a target that is not a valid name) was
 * probably meant to be: `env:staging` → `tag:env=staging`, `tags:env=prod` → `tag:env=prod`. Undefined when
 * the word is no such pair.
 */
export function tagSelectorFor(text: string): string | undefined {
  // `tags:env=prod`, `tag=env=prod` (the list filter's spelling): the selector is what follows.
  const bare = text.replace(/^tags?[:=](?=.)/i, "");
  const pair = tagPairOf(bare, "=") ?? tagPairOf(bare, ":");
  return pair === undefined ? undefined : `tag:${formatTagPair(pair)}`;
}

/** RFC 5952 canonical form (lower case, longest zero run compressed), or undefined if not IPv6. */
export function canonicalIpv6(text: string): string | undefined {
  const bare = text.startsWith("[") && text.endsWith("]") ? text.slice(1, -1) : text;
  if (!isIPv6(bare) || bare.includes("%")) return undefined;
  try {
    // WHATWG URL host parsing serialises IPv6 canonically; no I/O involved.
    const host = new URL(`http://[${bare}]/`).hostname;
    return host.slice(1, -1);
  } catch {
    return undefined;
  }
}

/**
 * Parses `key=value` of a tag selector or filter. Empty key or value is an error (`empty_tag_selector`):
 * an empty selector must never widen to "all servers".
 */
export function parseTagPair(
  text: string,
  written: string,
  badCode: IntentErrorCode = "invalid_target",
): Classified<TagPair> {
  const eq = text.indexOf("=");
  const key = (eq < 0 ? text : text.slice(0, eq)).trim();
  const value = eq < 0 ? "" : text.slice(eq + 1).trim();
  if (eq < 0 && key !== "") {
    // `tag:env:staging`: the value is there, written after `:` instead of `=`.
    const corrected = tagPairOf(text, ":");
    if (corrected !== undefined) {
      const fixed = `${written.slice(0, written.length - text.length)}${formatTagPair(corrected)}`;
      return fail(
        badCode,
        `The tag selector ${quoteUserText(written)} separates key and value with \`:\`; write \`=\`: ${quoteUserText(fixed)}.`,
        fixed,
      );
    }
  }
  if (key === "" || value === "") {
    const what = key === "" && value === "" ? "a key and a value" : key === "" ? "a key" : "a value";
    return fail(
      "empty_tag_selector",
      `The tag selector ${quoteUserText(written)} needs ${what}, e.g. \`tag:env=prod\`. An empty tag selector never means all servers.`,
    );
  }
  if (key.length > MAX_TAG_KEY_LENGTH || value.length > MAX_TAG_VALUE_LENGTH) {
    return fail(
      badCode,
      `Tag keys are at most ${MAX_TAG_KEY_LENGTH} characters and values at most ${MAX_TAG_VALUE_LENGTH}.`,
    );
  }
  if (!TAG_TEXT_RE.test(key) || !TAG_TEXT_RE.test(value)) {
    return fail(
      badCode,
      `The tag ${quoteUserText(written)} has characters tags cannot contain. Tags may use letters, digits, spaces (quoted) and _ . - : = + @ /.`,
    );
  }
  return { ok: true, value: { key, value } };
}

/** Dashes that look like `-` (hyphen, non-breaking hyphen, figure, en and em dashes, minus, full-width…). */
const LOOKALIKE_DASH_RE = /[\u2010-\u2015\u2212\ufe58\ufe63\uff0d]/;

function validateName(text: string, written: string, quoted: boolean): Classified<Target> {
  const name = text.trim();
  if (name === "") return fail("invalid_target", "An empty name is not a server. Remove the empty quotes.");
  if (name.length > MAX_NAME_LENGTH) {
    return fail("invalid_target", `Server names are at most ${MAX_NAME_LENGTH} characters.`);
  }
  if (!NAME_RE.test(name)) {
    let hint = "";
    const url = /^[a-z][a-z0-9+.-]*:\/\//i.test(name);
    const selector = quoted || url ? undefined : tagSelectorFor(name);
    // A dash another keyboard or an autocorrect typed looks like `-` and is not one: say which, and the fix.
    const dash = LOOKALIKE_DASH_RE.exec(name);
    if (dash !== null) {
      const point = (dash[0].codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, "0");
      const fixed = name.replace(new RegExp(LOOKALIKE_DASH_RE.source, "g"), "-");
      hint = ` It contains a dash that only looks like \`-\` (U+${point}, character ${dash.index + 1}): type a plain hyphen${NAME_RE.test(fixed) ? `, e.g. ${quoteUserText(fixed)}` : ""}.`;
    } else if (quoted) hint = " Quoted text is always read as a name.";
    // A code span wrapping the whole target is read as what is inside (`tokenize`); part of one never is.
    else if (name.includes("`"))
      hint = " Backticks are not part of a target: wrap the whole target in them, or none.";
    else if (url) hint = " URLs are not targets.";
    else if (selector !== undefined) hint = ` To select servers by tag, write ${quoteUserText(selector)}.`;
    else if (name.includes("=")) hint = " To select servers by tag, write `tag:key=value`.";
    return fail(
      "invalid_target",
      `${quoteUserText(written)} is not a server name, ID, IP address or \`tag:key=value\` selector. ` +
        "Names may contain letters, digits, `-`, `_`, `.` and spaces (in quotes)." +
        hint,
      selector,
    );
  }
  return { ok: true, value: { kind: "name", name } };
}

/**
 * Classifies one token as a target: `tag:key=value` → tag, UUID → id (lower-cased), IPv4/IPv6 → ip
 * (canonical form), anything else → name. A token that starts with a quote is always a name.
 * Slack mentions are refused (`mention_not_allowed`).
 */
export function classifyTarget(token: Token): Classified<Target> {
  if (token.mention) {
    return fail(
      "mention_not_allowed",
      "Slack mentions (users, channels, @here, @channel, @everyone, user groups) are not servers.",
    );
  }
  const text = token.text;
  if (token.quoteStart === 0) return validateName(text, text, true);
  if (TAG_PREFIX_RE.test(text)) {
    const pair = parseTagPair(text.slice(4), text);
    return pair.ok ? { ok: true, value: { kind: "tag", ...pair.value } } : pair;
  }
  if (UUID_RE.test(text)) return { ok: true, value: { kind: "id", id: text.toLowerCase() } };
  if (IPV4_RE.test(text)) return { ok: true, value: { kind: "ip", ip: text, version: 4 } };
  if (IPV4_LIKE_RE.test(text)) {
    return fail("invalid_target", `${quoteUserText(text)} is not a valid IPv4 address.`);
  }
  if (text.includes(":")) {
    const v6 = canonicalIpv6(text);
    if (v6 !== undefined) return { ok: true, value: { kind: "ip", ip: v6, version: 6 } };
  }
  return validateName(text, text, false);
}

/** Identity of a target for de-duplication (names are case-sensitive, as in ECS). */
export function targetKey(target: Target): string {
  switch (target.kind) {
    case "id":
      return `id:${target.id}`;
    case "ip":
      return `ip:${target.ip}`;
    case "name":
      return `name:${target.name}`;
    case "tag":
      return `tag:${target.key}=${target.value}`;
  }
}

const PLAIN_NAME_RE = /^[\p{L}\p{N}][\p{L}\p{M}\p{N}_.-]*$/u;
/** Words the parser reads as keywords somewhere; a server with such a name must be quoted. */
const RESERVED_WORDS = new Set(["help", "danger", "tcp", "udp", "risk", "explain", "list", "add", "remove"]);

function needsQuotes(name: string): boolean {
  return (
    !PLAIN_NAME_RE.test(name) ||
    UUID_RE.test(name) ||
    /^[\d.]+$/.test(name) ||
    RESERVED_WORDS.has(name.toLowerCase())
  );
}

function quoteIfNeeded(text: string): string {
  return text.includes(" ") ? `"${text}"` : text;
}

/**
 * Writes a target back as command text that parses to the same target (`"ops box 1"`, `tag:env=prod`,
 * `10.0.0.5`). Safe to show in Slack after the usual `&<>` escaping: names and tags cannot contain quotes.
 */
export function formatTarget(target: Target): string {
  switch (target.kind) {
    case "id":
      return target.id;
    case "ip":
      return target.ip;
    case "name":
      return needsQuotes(target.name) ? `"${target.name}"` : target.name;
    case "tag":
      return `tag:${quoteIfNeeded(target.key)}=${quoteIfNeeded(target.value)}`;
  }
}
