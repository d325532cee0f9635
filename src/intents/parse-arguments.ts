import { tagSelectorFor } from "./classify-target.js";
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
} from "./intent-schema.js";
import { quoteUserText } from "./quote-user-text.js";
import { suggest } from "./suggest.js";
import type { Token } from "./tokenize.js";

/**
 * The grammar's shared toolkit: the parse context, failures with usage, flags (with or without a value),
 * filters, keywords and values (targets are in `parse-targets.ts`). Pure; used by every verb parser.
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
      if (!flags.includes(name)) return unknownFlag(ctx, name, flags);
      args.flags.add(name);
      continue;
    }
    // `--<!channel>`: a dash typed before a mention makes a flag, not a server; the mention is not echoed.
    if (token.mention !== undefined && isFlagLike(token)) return unknownFlag(ctx, undefined, flags);
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

/** A mention token typed as a flag's name (`--<!channel>`, no quote, no `=`): {@link readFlag} reads no mention. */
function isFlagLike(token: Token): boolean {
  return (
    token.quoteStart === undefined && !token.text.includes("=") && normalizeFlag(token.text) !== undefined
  );
}

/** `name` (undefined: a Slack mention) is not one of `flags`, nor a change flag the verb takes. */
function unknownFlag(
  ctx: Ctx,
  name: string | undefined,
  flags: readonly string[],
): { ok: false; error: IntentError } {
  // Said once: the view lists `validFlags` ("Accepted here"), so the sentence does not repeat them.
  const valid = [...flags, ...changeFlagsOf(ctx)];
  const suggestion = name === undefined ? undefined : suggest(name, valid);
  const shown = name === undefined ? "A Slack mention" : quoteUserText(name);
  return failure(
    "unknown_flag",
    `${shown} is not a flag of ${label(ctx)}.${suggestion ? ` Did you mean \`${suggestion}\`?` : ""}`,
    { usage: usage(ctx), validFlags: valid, ...(suggestion ? { suggestion } : {}) },
  );
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

/**
 * What a refused value was meant to be, in the operator's words: `noun` ("a schedule ID", "an agent status"), and
 * `key`, the `key=` it was typed after, if any (named when the value is empty, and in a suggested correction).
 */
export interface ValueField {
  noun: string;
  key?: string;
}

/**
 * The one answer to a value of the wrong shape: "`x` is not <noun>: expected <valid>." (`valid`: a phrase, or
 * the values to choose from). A Slack mention is called one, never echoed.
 */
export function badValue(
  ctx: Ctx,
  field: ValueField,
  value: string | Pick<Token, "text" | "mention">,
  valid: readonly string[] | string,
): { ok: false; error: IntentError } {
  const { noun, key } = field;
  const mention = typeof value !== "string" && value.mention !== undefined;
  const text = typeof value === "string" ? value : value.text;
  const list = typeof valid === "string" ? valid : `one of ${valid.join(", ")}`;
  const found = typeof valid === "string" || mention ? undefined : suggest(text, valid);
  const suggestion = found === undefined ? undefined : key === undefined ? found : `${key}=${found}`;
  const what = mention
    ? `A Slack mention is not ${noun}`
    : text === "" && key !== undefined
      ? `\`${key}=\` needs ${noun}`
      : `${quoteUserText(text)} is not ${noun}`;
  return failure(
    "invalid_value",
    `${what}: expected ${list}.${suggestion ? ` Did you mean \`${suggestion}\`?` : ""}`,
    { usage: usage(ctx), ...(suggestion ? { suggestion } : {}) },
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

export function onePositional(ctx: Ctx, args: Args, what: string): Result<Token> {
  const [first, second] = args.positionals;
  if (!first) return missing(ctx, what);
  if (second) return unexpected(ctx, second, ` It takes ${what} only.`);
  return { ok: true, value: first };
}

/** One ID made of letters, digits and `-` (a job, a scan task); `what` names it with its article ("a job ID"). */
export function parseId(ctx: Ctx, tokens: readonly Token[], what: string): Result<string> {
  const collected = collectArgs(ctx, tokens, {});
  if (!collected.ok) return collected;
  const token = onePositional(ctx, collected.value, what);
  if (!token.ok) return token;
  if (token.value.mention || !JOB_ID_RE.test(token.value.text))
    return badValue(ctx, { noun: what }, token.value, 'letters, digits and "-"');
  return { ok: true, value: token.value.text };
}
