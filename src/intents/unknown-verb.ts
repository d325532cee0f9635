import { classifyTarget } from "./classify-target.js";
import { usageFor, verbsOf } from "./help.js";
import { COMMANDS, type Command, type IntentError } from "./intent-schema.js";
import { type Ctx, failure, isBare, isHelpToken, readFlag } from "./parse-arguments.js";
import { quoteUserText } from "./quote-user-text.js";
import { editDistance, suggest } from "./suggest.js";
import { type Token, tokenize, unescapeSlackText } from "./tokenize.js";

/** Synonyms that earn a "did you mean" (never executed as such). */
const VERB_ALIASES: Readonly<Record<Command, Readonly<Record<string, string>>>> = {
  ecs: {
    restart: "reboot",
    shutdown: "stop",
    poweroff: "stop",
    halt: "stop",
    off: "stop",
    on: "start",
    boot: "start",
    poweron: "start",
    rm: "delete",
    remove: "delete",
    destroy: "delete",
    terminate: "delete",
    ls: "list",
    get: "show",
    describe: "show",
    info: "show",
    status: "show",
    flavours: "flavors",
    flavor: "flavors",
    types: "flavors",
    jobs: "job",
    scale: "resize",
  },
  hss: { host: "hosts", list: "hosts", ls: "hosts", port: "ports", vuln: "scan", scans: "scan" },
  ops: {
    approval: "approvals",
    calendars: "calendar",
    freeze: "calendar",
    windows: "calendar",
    approve: "approvals",
    pending: "approvals",
    job: "jobs",
    log: "audit",
    logs: "audit",
    history: "audit",
    watches: "watch",
    explain: "policy",
    schedules: "schedule",
    cron: "schedule",
    recurring: "schedule",
  },
};

/** The longest corrected command line offered to copy; past it, only the verb is suggested. */
const MAX_CORRECTED_LINE = 300;

/** What an unknown verb was probably meant to be, and the command line with it, ready to copy. */
export interface VerbCorrection {
  verb: string;
  /** The whole command as typed with the verb put right (`/ecs list checkout`); absent when it reads badly. */
  line?: string;
}

/**
 * What a command whose first word is no verb of `command` was probably meant to be, or undefined: for a mistyped
 * verb (`lsit`, `restart`), the nearest verb; for targets typed before their verb (`/ecs checkout-03 reboot`),
 * that verb, put first. A clear typo (one edit, or a synonym) wins over a verb further on; a verb further on, after
 * words that are all targets, wins over a distant guess. `text` is the (escaped) text `tokens` come from. Only ever
 * suggested, never run.
 */
export function correctVerb(
  command: Command,
  text: string,
  tokens: readonly Token[],
): VerbCorrection | undefined {
  const [first, ...rest] = tokens;
  if (first === undefined || first.mention !== undefined || readFlag(first) !== undefined) return undefined;
  const verbs = verbsOf(command);
  const aliases = VERB_ALIASES[command];
  const word = first.text.toLowerCase();
  const typo = suggest(word, verbs, aliases);
  const clear = typo !== undefined && (Object.hasOwn(aliases, word) || editDistance(word, typo) <= 1);
  const moved = clear ? undefined : verbAfterTargets(verbs, tokens);
  if (moved !== undefined) {
    const { verb, at } = moved;
    return withLine(command, text, verb, [...tokens.slice(0, at), ...tokens.slice(at + 1)]);
  }
  return typo === undefined ? undefined : withLine(command, text, typo, rest);
}

/** The first verb after words that are all targets (`checkout-03 web-02 reboot`), and where it is. */
function verbAfterTargets(
  verbs: readonly string[],
  tokens: readonly Token[],
): { verb: string; at: number } | undefined {
  for (const [at, token] of tokens.entries()) {
    const word = token.text.toLowerCase();
    if (at > 0 && isBare(token) && !isHelpToken(token) && verbs.includes(word)) return { verb: word, at };
    if (!classifyTarget(token).ok) return undefined;
  }
  return undefined;
}

/**
 * The correction with its command line: the verb, then the other words as typed (quotes kept, a code span's
 * backticks not, separators one space). No line when it would not read as one: a Slack mention, a backtick or a
 * line break in it, or longer than {@link MAX_CORRECTED_LINE}.
 */
function withLine(command: Command, text: string, verb: string, others: readonly Token[]): VerbCorrection {
  if (others.some((t) => t.mention !== undefined)) return { verb };
  const words = others.map((t) => text.slice(t.start, t.end));
  const line = unescapeSlackText([`/${command}`, verb, ...words].join(" "));
  return /[`\r\n]/.test(line) || line.length > MAX_CORRECTED_LINE ? { verb } : { verb, line };
}

/**
 * What a Slack mention typed where a word of the command belongs is told: what goes there instead, not that the
 * mention is "unknown" (`/ecs <@U1>` reads as a mistaken paste, not as a verb). `label` is the command so far,
 * `expected` what it takes: "`/ops policy` takes a sub-command, not a Slack mention."
 */
export function mentionInsteadOf(label: string, expected: string): string {
  return `\`${label}\` ${expected}, not a Slack mention.`;
}

/**
 * An unknown verb of `ctx.command`: a close verb is offered, with a pointer to the command's help instead of every
 * verb's usage; with none close, every verb and its usage. With the words typed (`tokens`, the verb first) in a
 * command of its own (depth 0), the offer is the corrected command, ready to copy ({@link correctVerb}); elsewhere
 * (a help topic, a command inside `/ops policy explain`, which it would not explain) the verb alone.
 */
export function unknownVerb(
  ctx: Ctx,
  verb: string,
  isMention = false,
  tokens?: readonly Token[],
): { ok: false; error: IntentError } {
  const verbs = verbsOf(ctx.command);
  const all = `Verbs: ${verbs.map((v) => `\`${v}\``).join(", ")}.`;
  if (isMention) {
    const said =
      ctx.verb === "help"
        ? mentionInsteadOf(`/${ctx.command} help`, "takes a verb")
        : mentionInsteadOf(`/${ctx.command}`, "starts with a verb");
    return failure("unknown_verb", `${said} ${all}`, { usage: usageFor(ctx.command) });
  }
  const unknown = `Unknown \`/${ctx.command}\` verb ${quoteUserText(verb)}.`;
  const nearest = suggest(verb, verbs, VERB_ALIASES[ctx.command]);
  const correction: VerbCorrection | undefined =
    tokens !== undefined && ctx.depth === 0
      ? correctVerb(ctx.command, ctx.text, tokens)
      : nearest === undefined
        ? undefined
        : { verb: nearest };
  if (correction === undefined)
    return failure("unknown_verb", `${unknown} ${all}`, { usage: usageFor(ctx.command) });
  const { verb: suggestion, line } = correction;
  return failure("unknown_verb", `${unknown} Did you mean \`${line ?? suggestion}\`?`, {
    suggestion,
    ...(line !== undefined && { correctedCommand: line }),
    note: `\`/${ctx.command} help\` lists every verb; \`/${ctx.command} help ${suggestion}\` shows how to use \`${suggestion}\`.`,
  });
}

/**
 * The correction of a command typed with flags the grammar never sees (`--reason`, `--break-glass`, `--at` are
 * taken out before it): the same correction over the whole text as typed, so that copying it loses none of them.
 * Undefined unless it suggests the same verb as `error`.
 */
export function withTypedFlags(error: IntentError, command: string, typed: string): IntentError {
  const name = command.replace(/^\//, "").toLowerCase();
  if (error.correctedCommand === undefined || !(COMMANDS as readonly string[]).includes(name)) return error;
  const tokenized = tokenize(typed);
  if (!tokenized.ok) return error;
  const correction = correctVerb(name as Command, typed, tokenized.tokens);
  if (correction?.line === undefined || correction.verb !== error.suggestion) return error;
  return {
    ...error,
    message: error.message.replace(`\`${error.correctedCommand}\``, `\`${correction.line}\``),
    correctedCommand: correction.line,
  };
}
