import { type Classified, classifyTarget, tagSelectorFor, targetKey } from "./classify-target.js";
import { ECS_HELP } from "./ecs-help.js";
import { CHANGE_FLAGS } from "./extract-text-flag.js";
import { usageFor } from "./help.js";
import { MUTATING_ACTIONS } from "./intent-action.js";
import {
  type Command,
  type ExplainableIntent,
  type Intent,
  type IntentError,
  type IntentErrorCode,
  JOB_ID_RE,
  MAX_TARGETS,
  PASSWORD_NAME,
  PASSWORD_NAME_RE,
  type ServerRef,
  type Target,
} from "./intent-schema.js";
import { quoteUserText } from "./quote-user-text.js";
import { suggest } from "./suggest.js";
import type { Token } from "./tokenize.js";

/**
 * The grammar's shared toolkit: the parse context, failures with usage, flags (with or without a value),
 * filters, keywords, targets and single server references. Pure; used by every verb parser.
 */

export type Result<T> = { ok: true; value: T } | { ok: false; error: IntentError };

export const HELP_WORDS = new Set(["help", "--help", "-h", "?"]);

export interface Ctx {
  command: Command;
  verb: string;
  /** The whole (escaped) text the tokens' offsets refer to. */
  text: string;
  depth: number;
  /**
   * Parses a whole command line (`ecs delete web-03`) at `depth`, for the verbs that carry one (`/ops policy
   * explain`, `/ops schedule add`): the dispatcher's own parser, given here so those verbs need not import it.
   */
  parseLine: (raw: string, depth: number) => Result<ExplainableIntent | Intent>;
}

/** Parses one verb's arguments (the tokens after the verb). */
export type VerbParser = (ctx: Ctx, tokens: readonly Token[]) => Result<Intent>;

export function failure(
  code: IntentErrorCode,
  message: string,
  extra: Partial<IntentError> = {},
): { ok: false; error: IntentError } {
  return { ok: false, error: { code, message, ...extra } };
}

export function label(ctx: Ctx): string {
  return `\`/${ctx.command} ${ctx.verb}\``;
}

export function usage(ctx: Ctx): string {
  return usageFor(ctx.command, ctx.verb);
}

/** A token with no quotes and no mention: eligible to be a keyword, flag or filter. */
export function isBare(token: Token): boolean {
  return token.quoteStart === undefined && token.mention === undefined;
}

/** `—hard` / `–hard` (smart dashes that macOS and iOS substitute for `--`) read as `--hard`. */
export function normalizeFlag(text: string): string | undefined {
  const m = /^(?:--|\u2014|\u2013)(.*)$/s.exec(text);
  if (m) return `--${m[1]!.toLowerCase()}`;
  if (/^-[^\d]/.test(text)) return text.toLowerCase();
  return undefined;
}

export function flagOf(token: Token): string | undefined {
  return isBare(token) ? normalizeFlag(token.text) : undefined;
}

/** A token read as a flag: its name (lower case, `--` for smart dashes) and what follows its first `=`. */
export interface FlagToken {
  name: string;
  /** As typed, quotes taken off; absent without `=` (the value, if any, is the next token). */
  value?: string;
}

/**
 * A token as a flag, the way a shell reads it: `--name`, `--name=value`, the value quoted (`--name="a b"`) or
 * the whole of it (`"--name=a b"`, `"--name"=value`). One reading for every flag, the change flags taken out
 * before the grammar (`--reason`, `--at`…) and each verb's own (`--keypair`, `--waves`…). A token quoted from
 * its start without `=` (`"--hard"`) stays a literal, the way to name a server `--hard`: with `=` it could not
 * be a name (names have none). A mention is never a flag.
 */
export function readFlag(token: Token): FlagToken | undefined {
  if (token.mention !== undefined) return undefined;
  const eq = token.text.indexOf("=");
  // The tokenizer opens a quote at a token's start or after `=` / `:`: one after `:` or inside the name
  // (`--x:"a=b"`) does not make a flag of it.
  if (token.quoteStart !== undefined && (eq < 0 || (token.quoteStart > 0 && token.quoteStart <= eq)))
    return undefined;
  const name = normalizeFlag(eq < 0 ? token.text : token.text.slice(0, eq));
  if (name === undefined) return undefined;
  return eq < 0 ? { name } : { name, value: token.text.slice(eq + 1) };
}

export function isHelpToken(token: Token): boolean {
  if (!isBare(token)) return false;
  const t = token.text.toLowerCase();
  return HELP_WORDS.has(t) || normalizeFlag(t) === "--help";
}

export interface KeyValue {
  key: string;
  value: string;
  token: Token;
}

/** `key=value` where the key part is bare (a quoted `"a=b"` is a literal, `k="a b"` is a filter). */
export function keyValueOf(token: Token): KeyValue | undefined {
  if (token.mention) return undefined;
  const eq = token.text.indexOf("=");
  if (eq <= 0) return undefined;
  if (token.quoteStart !== undefined && token.quoteStart <= eq) return undefined;
  const key = token.text.slice(0, eq).toLowerCase();
  if (!/^[a-z][a-z0-9_-]*$/.test(key)) return undefined;
  return { key, value: token.text.slice(eq + 1), token };
}

export interface ArgSpec {
  flags?: readonly string[];
  /** Flags that take a value: `--keypair name` or `--keypair=name`. */
  valueFlags?: readonly string[];
  filters?: readonly string[];
  keywords?: readonly string[];
}

export interface Args {
  flags: Set<string>;
  /** Values of `valueFlags`, as typed (case kept), each given at most once. */
  values: Map<string, string>;
  filters: KeyValue[];
  keywords: Set<string>;
  positionals: Token[];
}

export function collectArgs(ctx: Ctx, tokens: readonly Token[], spec: ArgSpec): Result<Args> {
  const valueFlags = spec.valueFlags ?? [];
  const flags = [...(spec.flags ?? []), ...valueFlags];
  const args: Args = {
    flags: new Set(),
    values: new Map(),
    filters: [],
    keywords: new Set(),
    positionals: [],
  };
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    const flag = readFlag(token);
    if (flag !== undefined) {
      const { name } = flag;
      if (valueFlags.includes(name)) {
        let value = flag.value;
        if (value === undefined) {
          const next = tokens[i + 1];
          if (next?.mention !== undefined)
            return failure("invalid_value", `\`${name}\` takes a name, not a Slack mention.`, {
              usage: usage(ctx),
            });
          // A quoted value is a value, even one that starts with `-`.
          if (next !== undefined && (!isBare(next) || flagOf(next) === undefined)) {
            value = next.text;
            i++;
          }
        }
        if (value === undefined || value === "")
          return failure("missing_argument", `\`${name}\` needs a value, e.g. \`${name} <name>\`.`, {
            usage: usage(ctx),
          });
        if (args.values.has(name))
          return failure("invalid_flag", `\`${name}\` is given more than once; give it once.`, {
            usage: usage(ctx),
          });
        args.values.set(name, value);
        continue;
      }
      if (flags.includes(name) && flag.value !== undefined) {
        return failure("invalid_flag", `The flag \`${name}\` takes no value; write just \`${name}\`.`, {
          usage: usage(ctx),
        });
      }
      if (!flags.includes(name)) {
        // Said once: the view lists `validFlags` ("Accepted here"), so the sentence does not repeat them.
        const valid = [...flags, ...changeFlagsOf(ctx)];
        const suggestion = suggest(name, valid);
        return failure(
          "unknown_flag",
          `${quoteUserText(name)} is not a flag of ${label(ctx)}.${suggestion ? ` Did you mean \`${suggestion}\`?` : ""}`,
          { usage: usage(ctx), validFlags: valid, ...(suggestion ? { suggestion } : {}) },
        );
      }
      args.flags.add(name);
      continue;
    }
    if (spec.filters) {
      const kv = keyValueOf(token);
      if (kv) {
        if (spec.keywords?.includes(kv.key)) {
          return failure("invalid_value", `\`${kv.key}\` takes no value; write just \`${kv.key}\`.`, {
            usage: usage(ctx),
          });
        }
        if (!spec.filters.includes(kv.key)) {
          const suggestion = suggest(kv.key, spec.filters);
          const valid = spec.filters.map((f) => `${f}=`);
          // `env=prod` where a tag filter is accepted: most likely a tag, written `tag=env=prod`.
          const tag =
            suggestion === undefined && spec.filters.includes("tag") && kv.token.quoteStart === undefined
              ? tagFilterFor(kv.token.text)
              : undefined;
          const hint = suggestion
            ? ` Did you mean \`${suggestion}=\`?`
            : tag
              ? ` To filter by tag, write ${quoteUserText(tag)}.`
              : "";
          const corrected = suggestion ? `${suggestion}=` : tag;
          // Said once: the view lists `validFlags` ("Accepted here").
          return failure(
            "unknown_filter",
            `${label(ctx)} has no filter ${quoteUserText(`${kv.key}=`)}.${hint}`,
            { usage: usage(ctx), validFlags: valid, ...(corrected ? { suggestion: corrected } : {}) },
          );
        }
        args.filters.push(kv);
        continue;
      }
    }
    if (spec.keywords && isBare(token) && spec.keywords.includes(token.text.toLowerCase())) {
      args.keywords.add(token.text.toLowerCase());
      continue;
    }
    args.positionals.push(token);
  }
  return { ok: true, value: args };
}

/**
 * The flags every change takes besides its verb's own ({@link CHANGE_FLAGS}): for a verb that changes servers,
 * typed as a command of its own (depth 0). A command inside another (`/ops schedule add`, `/ops policy explain`)
 * is not one: those take them apart, or not at all.
 */
function changeFlagsOf(ctx: Ctx): readonly string[] {
  if (ctx.depth > 0 || ctx.command !== "ecs" || !Object.hasOwn(ECS_HELP.verbs, ctx.verb)) return [];
  const action = ECS_HELP.verbs[ctx.verb]?.action;
  return (MUTATING_ACTIONS as readonly string[]).includes(action ?? "") ? CHANGE_FLAGS : [];
}

/** The `tag=key=value` filter a word written `key=value` or `key:value` probably meant, if it is such a pair. */
export function tagFilterFor(text: string): string | undefined {
  return tagSelectorFor(text)?.replace(/^tag:/, "tag=");
}

/** Returns the single value of a filter, or an error if given twice. */
export function singleFilter(ctx: Ctx, args: Args, key: string): Result<KeyValue | undefined> {
  const found = args.filters.filter((f) => f.key === key);
  if (found.length > 1) {
    return failure("duplicate_filter", `The filter \`${key}=\` is given more than once; give it once.`, {
      usage: usage(ctx),
    });
  }
  return { ok: true, value: found[0] };
}

export function badValue(
  ctx: Ctx,
  key: string,
  value: string,
  valid: readonly string[] | string,
): { ok: false; error: IntentError } {
  const list = typeof valid === "string" ? valid : `one of ${valid.join(", ")}`;
  const suggestion = typeof valid === "string" ? undefined : suggest(value, valid);
  const what =
    value === "" ? `\`${key}=\` needs a value` : `${quoteUserText(value)} is not a valid \`${key}\``;
  return failure(
    "invalid_value",
    `${what}: expected ${list}.${suggestion ? ` Did you mean \`${key}=${suggestion}\`?` : ""}`,
    {
      usage: usage(ctx),
      ...(suggestion ? { suggestion: `${key}=${suggestion}` } : {}),
    },
  );
}

/** Matches `value` against an enum case-insensitively, returning the canonical spelling. */
export function enumValue<T extends string>(value: string, options: readonly T[]): T | undefined {
  const v = value.toLowerCase();
  return options.find((o) => o.toLowerCase() === v);
}

export function unexpected(ctx: Ctx, token: Token, hint = ""): { ok: false; error: IntentError } {
  const shown = token.mention ? "a Slack mention" : quoteUserText(token.text);
  return failure("unexpected_argument", `${label(ctx)} does not take ${shown} here.${hint}`, {
    usage: usage(ctx),
  });
}

export function missing(ctx: Ctx, what: string): { ok: false; error: IntentError } {
  return failure("missing_argument", `${label(ctx)} needs ${what}.`, { usage: usage(ctx) });
}

export function parseTargets(ctx: Ctx, tokens: readonly Token[]): Result<Target[]> {
  if (tokens.length === 0)
    return missing(ctx, "at least one target (a server name, ID, IP or `tag:key=value`)");
  const seen = new Set<string>();
  const targets: Target[] = [];
  for (const [i, token] of tokens.entries()) {
    const classified = classifyTarget(token);
    if (!classified.ok)
      return splitTagSelector(ctx, tokens[i - 1], token, tokens[i + 1]) ?? withUsage(ctx, classified);
    const key = targetKey(classified.value);
    if (seen.has(key)) continue;
    seen.add(key);
    targets.push(classified.value);
    if (targets.length > MAX_TARGETS) {
      return failure(
        "too_many_targets",
        `Too many targets: at most ${MAX_TARGETS} per command. Select by tag (\`tag:key=value\`) or split the request.`,
        { usage: usage(ctx) },
      );
    }
  }
  return { ok: true, value: targets };
}

/**
 * `tag env:staging`, `tag: env=staging`: a tag selector split by a space, seen where one of its halves is
 * refused as a target (`tag` alone is a valid name, `env:staging` is not). Undefined when `token` is no
 * such half.
 */
function splitTagSelector(
  ctx: Ctx,
  previous: Token | undefined,
  token: Token,
  next: Token | undefined,
): { ok: false; error: IntentError } | undefined {
  const isTagWord = (t: Token | undefined): t is Token =>
    t !== undefined && isBare(t) && /^tag:?$/i.test(t.text);
  const [word, pairToken] = isTagWord(previous) ? [previous, token] : isTagWord(token) ? [token, next] : [];
  if (word === undefined || pairToken === undefined || !isBare(pairToken)) return undefined;
  const selector = tagSelectorFor(pairToken.text);
  if (selector === undefined) return undefined;
  return failure(
    "invalid_target",
    `${quoteUserText(`${word.text} ${pairToken.text}`)} is not a tag selector: write it as one word with \`=\` between key and value, ${quoteUserText(selector)}.`,
    { usage: usage(ctx), suggestion: selector },
  );
}

export function withUsage<T>(
  ctx: Ctx,
  result: Classified<T> & { ok: false },
): { ok: false; error: IntentError } {
  return { ok: false, error: { ...result.error, usage: usage(ctx) } };
}

/** Exactly one server (no tag selector). */
export function parseServerRef(ctx: Ctx, token: Token): Result<ServerRef> {
  const classified = classifyTarget(token);
  if (!classified.ok) return withUsage(ctx, classified);
  if (classified.value.kind === "tag") {
    return failure(
      "invalid_target",
      `${label(ctx)} works on one server; a tag selector can match many. Use a name, ID or IP` +
        (ctx.command === "ecs" ? ", or `/ecs list tag=key=value` to see which servers match." : "."),
      { usage: usage(ctx) },
    );
  }
  return { ok: true, value: classified.value };
}

export function onePositional(ctx: Ctx, args: Args, what: string): Result<Token> {
  const [first, second] = args.positionals;
  if (!first) return missing(ctx, what);
  if (second) return unexpected(ctx, second, ` It takes ${what} only.`);
  return { ok: true, value: first };
}

export function parseId(ctx: Ctx, tokens: readonly Token[], what: string): Result<string> {
  const collected = collectArgs(ctx, tokens, {});
  if (!collected.ok) return collected;
  const token = onePositional(ctx, collected.value, what);
  if (!token.ok) return token;
  if (token.value.mention || !JOB_ID_RE.test(token.value.text)) {
    return failure(
      "invalid_value",
      `${token.value.mention ? "A Slack mention" : quoteUserText(token.value.text)} is not a valid ${what}: expected letters, digits and "-".`,
      { usage: usage(ctx) },
    );
  }
  return { ok: true, value: token.value.text };
}

/**
 * Whether a token carries a password: a flag (`--password x`, `--adminpass=x`) or a `key=value` pair
 * (`password=x`) named like one. The grammar refuses such a command before anything else reads it.
 */
export function carriesPassword(token: Token): boolean {
  if (token.mention) return false;
  const flag = flagOf(token);
  if (flag !== undefined) return PASSWORD_NAME_RE.test(flag.replace(/^-+/, "").split("=")[0] ?? "");
  // Quoted or not: a quoted `"password"=x` or `"--password"` must not slip through and be echoed in an
  // error; nor `password:x`, the way a password is often written down.
  const text = token.text.trim();
  if (/^[-\u2013\u2014]{1,2}/.test(text) && PASSWORD_NAME_RE.test(text.replace(/^[-\u2013\u2014]{1,2}/, "")))
    return true;
  const sep = text.search(/[=:]/);
  return (
    sep > 0 &&
    PASSWORD_NAME_RE.test(
      text
        .slice(0, sep)
        .trim()
        .replace(/^[-\u2013\u2014]{1,2}/, ""),
    )
  );
}

/**
 * Whether free text (a `--reason`, a `--break-glass` reason) carries a secret: a password the way a command
 * would give one, `--password x`, `password=x`, `adminPass: x`, or the way a sentence does, `the root password
 * is x` (the word alone, "the password rotation failed", is no password; "the password is expired" is refused
 * too, and can be put another way); or a credential ({@link credentialInText}). Such text is refused: a reason
 * is shown to every approver and kept in the audit log and the logs. {@link secretInTextRefused} says which.
 */
export function textCarriesPassword(text: string): boolean {
  return secretInText(text) !== undefined;
}

/**
 * The one rule for every free text an operator types that the bot shows or keeps (a `--reason`, a
 * `--break-glass` reason, a rejection reason): what secret it seems to hold, in words for the refusal (never
 * the value), or undefined when it holds none. A password written the way {@link textCarriesPassword} says
 * is named as one even beside a credential (the refusal then says to put it another way if it is none).
 */
export function secretInText(text: string): CredentialKind | "a password" | undefined {
  if (PASSWORD_IN_TEXT_RE.test(text)) return "a password";
  return credentialInText(text);
}

/** What kind of credential a text holds, in words for the refusal (never the value). */
export type CredentialKind =
  | "a Slack token"
  | "a Slack webhook URL"
  | "a GitHub token"
  | "an access key ID"
  | "an access key pair (AK/SK)"
  | "a secret key"
  | "a bearer token"
  | "an Authorization header"
  | "a JSON Web Token"
  | "a private key"
  | "a URL with a password";

/** Not part of a longer word of letters and digits (`_` and `-` count as word characters for tokens). */
const B = "(?<![A-Za-z0-9_-])";
const E = "(?![A-Za-z0-9_-])";
/**
 * Credentials by shape, each precise enough that ordinary reasons (ticket IDs like `INC-12345`, URLs, commit
 * hashes of 40 hex digits, server IDs, dates) never match:
 * - Slack tokens `xoxb-`/`xoxp-`/`xoxa-`/`xoxo-`/`xoxr-`/`xoxs-`/`xoxe-`/`xoxe.xoxp-`/`xapp-` with 10+ more
 *   characters, and incoming-webhook URLs (`hooks.slack.com/services|workflows|triggers/…`);
 * - GitHub tokens (`ghp_`, `gho_`, `ghu_`, `ghs_`, `ghr_` + 30 or more, `github_pat_…`);
 * - access key IDs of AWS (`AKIA`, `ASIA`… + 16 upper-case letters or digits);
 * - a Huawei Cloud AK (20 upper-case letters and digits, letters among them) in the same text as a 40-character
 *   secret of letters and digits (an SK, or any 40-character value: a pair is refused whole);
 * - a lone secret key as AWS and Huawei Cloud make them: 40 characters of letters, digits, `/` and `+` with
 *   upper-case, lower-case and digits all present (a commit hash, 40 hex digits of one case, is not one);
 * - a labelled key: `sk=`, `ak=`, `secret=`, `secret_key:`, `access_key=`, `api_key=`, `apikey=`, `token=`,
 *   `access_token=`, `client_secret=`, `private_key=` (any case, `=` or `:`) followed by 16 or more token
 *   characters with a letter and a digit among them (`token: expired` stays a reason);
 * - `Bearer <16+ token characters>`, `Authorization: Basic|Digest|Token|ApiKey <8+ characters>`
 *   (`Authorization: pending` stays a reason);
 * - JSON Web Tokens (`eyJ….eyJ….…`);
 * - private key blocks (`-----BEGIN … PRIVATE KEY-----`, PGP's `PRIVATE KEY BLOCK` too);
 * - URLs carrying a password (`https://user:secret@host`).
 * Not caught: secrets of no recognisable shape (a bare random word); the `--reason` help says not to paste any.
 */
const CREDENTIAL_PATTERNS: readonly (readonly [CredentialKind, RegExp])[] = [
  ["a Slack token", new RegExp(`${B}(?:xox[abeoprs]|xoxe\\.xox[a-z]|xapp)-[A-Za-z0-9-]{10,}`)],
  ["a Slack webhook URL", /hooks\.slack\.com\/(?:services|workflows|triggers)\/[A-Za-z0-9]/i],
  ["a GitHub token", new RegExp(`${B}(?:gh[opusr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{30,})`)],
  ["an access key ID", new RegExp(`${B}(?:AKIA|ASIA|AGPA|AIDA|AROA|ANPA|ANVA|AIPA)[A-Z0-9]{16}${E}`)],
  ["a private key", /-----BEGIN [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----/],
  ["a JSON Web Token", new RegExp(`${B}eyJ[A-Za-z0-9_-]{8,}\\.eyJ[A-Za-z0-9_-]{8,}\\.[A-Za-z0-9_-]*`)],
  ["a bearer token", /(?<![A-Za-z])bearer\s+[A-Za-z0-9\-._~+/]{16,}=*/i],
  [
    "an Authorization header",
    /(?<![A-Za-z])authorization\s*[:=]\s*(?:basic|digest|token|apikey)\s+[A-Za-z0-9+/=._~-]{8,}/i,
  ],
  // The userinfo of an authority (RFC 3986): before any `/`, `?` or `#`.
  ["a URL with a password", /[a-z][a-z0-9+.-]*:\/\/[^\s/?#:@]+:[^\s/?#@]+@[^\s/?#@]/i],
  [
    "a secret key",
    /(?<![A-Za-z0-9])(?:sk|ak|secret|secret[_-]?key|access[_-]?key(?:[_-]?id)?|api[_-]?key|apikey|(?:access[_-]?)?token|client[_-]?secret|private[_-]?key)["']?\s*[=:]\s*["']?(?=[A-Za-z0-9_\-./+=]{0,200}[0-9])(?=[A-Za-z0-9_\-./+=]{0,200}[A-Za-z])[A-Za-z0-9_\-./+=]{16,}/i,
  ],
];
/** 20 upper-case letters and digits with a letter among them: the shape of a Huawei Cloud AK. */
const HUAWEI_AK_RE = new RegExp(`${B}(?=[A-Z0-9]{0,19}[A-Z])[A-Z0-9]{20}${E}`);
/** 40 letters and digits: the shape of a Huawei Cloud SK (and of a commit hash, hence only beside an AK). */
const FORTY_RE = new RegExp(`${B}[A-Za-z0-9]{40}${E}`);
/** A lone SK: 40 of letters, digits, `/`, `+`, with upper-case, lower-case and a digit. */
const LONE_SK_RE =
  /(?<![A-Za-z0-9/+_-])(?=[A-Za-z0-9/+]{0,39}[A-Z])(?=[A-Za-z0-9/+]{0,39}[a-z])(?=[A-Za-z0-9/+]{0,39}[0-9])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+_-])/;

/** The first kind of credential `text` holds, or undefined. */
export function credentialInText(text: string): CredentialKind | undefined {
  for (const [kind, re] of CREDENTIAL_PATTERNS) if (re.test(text)) return kind;
  if (HUAWEI_AK_RE.test(text) && FORTY_RE.test(text)) return "an access key pair (AK/SK)";
  if (LONE_SK_RE.test(text)) return "a secret key";
  return undefined;
}

/**
 * `text` with every credential {@link credentialInText} finds replaced by `[redacted]`, for a line that may be
 * logged (a command as received): the shapes above, an AK and its SK both.
 */
export function redactCredentials(text: string): string {
  let out = text;
  for (const [, re] of CREDENTIAL_PATTERNS)
    out = out.replace(new RegExp(re.source, `${re.flags}g`), "[redacted]");
  if (HUAWEI_AK_RE.test(out) && FORTY_RE.test(out)) {
    for (const re of [HUAWEI_AK_RE, FORTY_RE]) out = out.replace(new RegExp(re.source, "g"), "[redacted]");
  }
  return out.replace(new RegExp(LONE_SK_RE.source, "g"), "[redacted]");
}

/**
 * The refusal of free text carrying a secret ({@link textCarriesPassword}): a password's, or one naming the
 * kind of credential found. It never repeats the text.
 */
export function secretInTextRefused(text: string): { ok: false; error: IntentError } {
  const kind = secretInText(text);
  if (kind === undefined || kind === "a password") return passwordRefused();
  return failure(
    "password_not_allowed",
    `The reason holds what looks like ${kind}. The bot never takes a credential in chat: a reason is shown to every approver and kept in the audit log. ` +
      "Nothing was done. Give the reason without it (name the key or the ticket instead); rotate the credential if it was real, and delete the message if Slack kept it.",
  );
}

const PASSWORD_IN_TEXT_RE = new RegExp(
  `(?:^|[\\s,"'\u2018\u2019\u201c\u201d])(?:[-\u2013\u2014]{1,2}${PASSWORD_NAME}(?![\\p{L}\\p{N}])|${PASSWORD_NAME}\\s*[=:]|${PASSWORD_NAME}\\s+is\\s+\\S)`,
  "iu",
);

/** The refusal of a command carrying a password: it names no value, so the password is never repeated. */
export function passwordRefused(): { ok: false; error: IntentError } {
  return failure(
    "password_not_allowed",
    "The bot never takes a password in chat: anything typed here stays in the channel's history. " +
      "Reinstalling or changing the OS uses a key pair: `--keypair <name>`, or the server's own key pair when you name none. " +
      "Nothing was done; delete the message with the password if Slack kept it.",
  );
}
