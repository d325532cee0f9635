import { carriesPassword, passwordRefused } from "./find-secrets-in-text.js";
import {
  COMMANDS,
  type Command,
  type ExplainableIntent,
  type Intent,
  IntentSchema,
  MAX_INPUT_CHARS,
  type ParseResult,
} from "./intent-schema.js";
import {
  type Ctx,
  failure,
  isHelpToken,
  type Result,
  unexpected,
  type VerbParser,
} from "./parse-arguments.js";
import { ECS_OPERATION_PARSERS } from "./parse-ecs-operations.js";
import { ECS_VERB_PARSERS } from "./parse-ecs-verbs.js";
import { HSS_PARSERS } from "./parse-hss-verbs.js";
import { helpForVerb, OPS_PARSERS, parseOpsHelp } from "./parse-ops-verbs.js";
import { quoteUserText } from "./quote-user-text.js";
import { suggest } from "./suggest.js";
import { tokenize, unescapeSlackText } from "./tokenize.js";
import { unknownVerb } from "./unknown-verb.js";

/**
 * Slash-command grammar: the dispatch from command and verb to the verb's parser (`parse-ecs-verbs.ts`,
 * `parse-ecs-operations.ts`, `parse-hss-verbs.ts`, `parse-ops-verbs.ts`). Pure: no I/O, no evaluation of
 * user text. See `tokenize.ts` for quoting and Slack unescaping, `help.ts` for the usage lines,
 * `intent-schema.ts` for the result shapes.
 */

/** Parses `ecs delete web-03` / `/ecs delete web-03` (the text after `/ops policy explain`). */
function parseCommandLine(raw: string, depth: number): Result<ExplainableIntent | Intent> {
  const tokenized = tokenize(raw);
  if (!tokenized.ok) return tokenized;
  const [first] = tokenized.tokens;
  if (!first) return failure("missing_argument", "Nothing to explain.");
  const name = first.mention ? "" : first.text.replace(/^\//, "").toLowerCase();
  if (!(COMMANDS as readonly string[]).includes(name)) {
    // Nothing echoed: the word may be a link's label or a mention, and a `/` put before it would make up a command.
    const suggestion = suggest(name, COMMANDS);
    return failure(
      "unknown_command",
      `The command line must start with \`/ecs\`, \`/hss\` or \`/ops\`.${suggestion ? ` Did you mean \`/${suggestion}\`?` : ""}`,
      suggestion ? { suggestion: `/${suggestion}` } : {},
    );
  }
  const result = parseWith(`/${name}`, raw.slice(first.end), depth);
  return result.ok ? { ok: true, value: result.intent } : result;
}

const PARSERS: Readonly<Record<Command, Readonly<Record<string, VerbParser>>>> = {
  ecs: { ...ECS_VERB_PARSERS, ...ECS_OPERATION_PARSERS },
  hss: HSS_PARSERS,
  ops: OPS_PARSERS,
};

function codePointLengthExceeds(text: string, max: number): boolean {
  if (text.length <= max) return false;
  let count = 0;
  for (const _ of text) {
    if (++count > max) return true;
  }
  return false;
}

function parseWith(command: string, text: string, depth: number): ParseResult {
  const name = command.trim().toLowerCase().replace(/^\//, "");
  if (!(COMMANDS as readonly string[]).includes(name)) {
    const suggestion = suggest(name, COMMANDS);
    return failure(
      "unknown_command",
      `Unknown command ${quoteUserText(command.trim() === "" ? "(empty)" : command.trim())}. This bot handles /ecs, /hss and /ops.` +
        (suggestion ? ` Did you mean \`/${suggestion}\`?` : ""),
      suggestion ? { suggestion: `/${suggestion}` } : {},
    );
  }
  const cmd = name as Command;
  // Slack's limit applies to what the user typed; escaping (`&` → `&amp;`) may lengthen the text we get.
  if (text.length > MAX_INPUT_CHARS * 8 || codePointLengthExceeds(unescapeSlackText(text), MAX_INPUT_CHARS)) {
    return failure(
      "input_too_long",
      `The command text is too long (the limit is ${MAX_INPUT_CHARS} characters). Select servers by tag or split the request.`,
    );
  }
  const tokenized = tokenize(text);
  if (!tokenized.ok) return tokenized;
  const tokens = tokenized.tokens;
  // Refused before anything reads the command, whatever the verb: a password never goes further.
  if (tokens.some(carriesPassword)) return passwordRefused();
  const [verbToken, ...rest] = tokens;
  if (!verbToken) return { ok: true, intent: { type: "help", topic: { command: cmd } } };

  const baseCtx: Ctx = { command: cmd, verb: "", text, depth, parseLine: parseCommandLine };
  if (verbToken.mention) return unknownVerb(baseCtx, "", true);
  const verb = verbToken.text.toLowerCase();
  if (isHelpToken(verbToken)) {
    const helpCtx: Ctx = { ...baseCtx, verb: "help" };
    if (cmd === "ops") {
      const help = parseOpsHelp(helpCtx, rest);
      return help.ok ? { ok: true, intent: help.value } : help;
    }
    const [topic, extra] = rest;
    if (extra) return unexpected(helpCtx, extra);
    if (!topic) return { ok: true, intent: { type: "help", topic: { command: cmd } } };
    if (topic.mention) return unknownVerb(helpCtx, "", true);
    const help = helpForVerb(baseCtx, cmd, topic.text);
    return help.ok ? { ok: true, intent: help.value } : help;
  }
  const parser = Object.hasOwn(PARSERS[cmd], verb) ? PARSERS[cmd][verb] : undefined;
  if (!parser) return unknownVerb(baseCtx, verbToken.text, false, tokens);
  const ctx: Ctx = { ...baseCtx, verb };
  // `/ecs stop help`, `/ecs stop web-01 --help`: help wins over running anything (a server named
  // "help" must be quoted). For `/ops policy` only the word after `policy` counts: the rest is the
  // explained command line.
  const helpAsked =
    verb === "policy" || verb === "schedule"
      ? rest[0] !== undefined && isHelpToken(rest[0])
      : rest.some(isHelpToken);
  if (helpAsked) return { ok: true, intent: { type: "help", topic: { command: cmd, verb } } };
  const parsed = parser(ctx, rest);
  return parsed.ok ? { ok: true, intent: parsed.value } : parsed;
}

/**
 * Parses a slash command (`/ecs`, `/hss` or `/ops`) and its Slack-escaped text into an intent.
 *
 * Total: for any input it returns `{ ok: true, intent }` (an intent that satisfies `IntentSchema`) or
 * `{ ok: false, error }` with a non-empty message; it never throws. User text is only matched against
 * the grammar, never evaluated or used as a template. Empty text yields the command's help intent.
 */
export function parseIntent(command: string, text: string): ParseResult {
  try {
    if (typeof command !== "string" || typeof text !== "string") {
      return failure("unknown_command", "The command and its text must be strings.");
    }
    const result = parseWith(command, text, 0);
    if (!result.ok) return result;
    const checked = IntentSchema.safeParse(result.intent);
    if (!checked.success) {
      return failure(
        "internal_error",
        "The command was understood but produced an invalid request; please report this.",
      );
    }
    return { ok: true, intent: checked.data };
  } catch {
    // Totality is part of the contract: a parser bug must surface as an error reply, not a crash.
    return failure(
      "internal_error",
      "The command could not be parsed because of an internal error; please report this.",
    );
  }
}
