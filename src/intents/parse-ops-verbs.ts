import { verbsOf } from "./help.js";
import { isMutation } from "./intent-action.js";
import {
  type AuditSubject,
  COMMANDS,
  type Command,
  type ExplainableIntent,
  type Intent,
  MAX_AUDIT_ENTRIES,
  SCHEDULE_ID_RE,
  SLACK_USER_ID_RE,
} from "./intent-schema.js";
import {
  badValue,
  type Ctx,
  collectArgs,
  failure,
  isBare,
  missing,
  type Result,
  unexpected,
  usage,
  type VerbParser,
} from "./parse-arguments.js";
import { parseServerRef } from "./parse-targets.js";
import { quoteUserText } from "./quote-user-text.js";
import { suggest } from "./suggest.js";
import { type Token, unescapeSlackText } from "./tokenize.js";
import { mentionInsteadOf, unknownVerb } from "./unknown-verb.js";

/**
 * `/ops` verbs. `policy explain` and `schedule add` carry a whole command line, parsed by `ctx.parseLine`
 * (the dispatcher's own, one level deeper).
 */

export function parseOpsHelp(ctx: Ctx, tokens: readonly Token[]): Result<Intent> {
  const words = tokens.map((t) => (t.mention ? "" : t.text.toLowerCase().replace(/^\//, "")));
  const [first, second, third] = words;
  const extra = tokens[2];
  if (first === undefined) return { ok: true, value: { type: "help", topic: { command: "ops" } } };
  if (tokens[0]?.mention) return unexpected(ctx, tokens[0]);
  const command = (COMMANDS as readonly string[]).includes(first) ? (first as Command) : undefined;
  if (command) {
    if (third !== undefined && extra) return unexpected(ctx, extra);
    if (second === undefined) return { ok: true, value: { type: "help", topic: { command } } };
    return helpForVerb({ ...ctx, command }, command, second);
  }
  if (second !== undefined && tokens[1]) return unexpected(ctx, tokens[1]);
  if (first === "all") return { ok: true, value: { type: "help", topic: { command: "ops", all: true } } };
  // `/ops help stop`: find the command that has this verb, ops first.
  for (const c of ["ops", "ecs", "hss"] as const) {
    if (verbsOf(c).includes(first))
      return { ok: true, value: { type: "help", topic: { command: c, verb: first } } };
  }
  const all = [...COMMANDS, ...verbsOf("ops"), ...verbsOf("ecs"), ...verbsOf("hss")];
  const suggestion = suggest(first, all);
  return failure(
    "unknown_verb",
    `There is no help topic ${quoteUserText(first)}. Try \`/ops help ecs\`, \`/ops help hss\` or \`/ops help ops\`.` +
      (suggestion ? ` Did you mean \`${suggestion}\`?` : ""),
    { usage: usage(ctx), ...(suggestion ? { suggestion } : {}) },
  );
}

/** Help on one verb of `command`, or (`all`) its whole reference; an unknown verb is refused with the nearest. */
export function helpForVerb(ctx: Ctx, command: Command, verb: string): Result<Intent> {
  const v = verb.toLowerCase();
  if (v === "all") return { ok: true, value: { type: "help", topic: { command, all: true } } };
  if (verbsOf(command).includes(v)) {
    return { ok: true, value: { type: "help", topic: v === "help" ? { command } : { command, verb: v } } };
  }
  return unknownVerb({ ...ctx, command }, verb);
}

/** The first sentence about a sub-command `label` does not have: a Slack mention is told what goes there. */
function notASubCommand(label: string, sub: Token): string {
  return sub.mention
    ? mentionInsteadOf(label, "takes a sub-command")
    : `Unknown \`${label}\` sub-command ${quoteUserText(sub.text)}.`;
}

function parseOpsPolicy(ctx: Ctx, tokens: readonly Token[]): Result<Intent> {
  const [sub, firstInner] = tokens;
  if (!sub) return missing(ctx, "`explain` and a command line, e.g. `/ops policy explain ecs delete web-03`");
  const subWord = sub.mention ? "" : sub.text.toLowerCase();
  if (!isBare(sub) || subWord !== "explain") {
    const suggestion = suggest(subWord, ["explain"]);
    return failure("unknown_verb", `${notASubCommand("/ops policy", sub)} The only one is \`explain\`.`, {
      usage: usage(ctx),
      suggestion: suggestion ?? "explain",
    });
  }
  if (!firstInner) return missing(ctx, "a command line to explain, e.g. `ecs delete web-03`");
  if (ctx.depth > 0) {
    return failure("nested_explain", "A policy explanation cannot explain another explanation.", {
      usage: usage(ctx),
    });
  }
  const inner = parseNestedLine(ctx, ctx.text.slice(firstInner.start), "explain");
  if (!inner.ok) return inner;
  const { intent, commandLine } = inner.value;
  if (intent.type === "ops.policy.explain" || intent.type === "ops.schedule.add") {
    return failure("nested_explain", "A policy explanation cannot explain another explanation.", {
      usage: usage(ctx),
    });
  }
  return { ok: true, value: { type: "ops.policy.explain", commandLine, intent } };
}

/**
 * The command line a verb carries (`/ops policy explain …`, `/ops schedule add … …`), parsed one level deeper,
 * with the line as the user typed it (a leading `/` added); a failure says which verb could not take it.
 */
function parseNestedLine(
  ctx: Ctx,
  rawInner: string,
  verb: "explain" | "schedule",
): Result<{ intent: ExplainableIntent | Intent; commandLine: string }> {
  const inner = ctx.parseLine(rawInner, ctx.depth + 1);
  if (!inner.ok) {
    return {
      ok: false,
      error: { ...inner.error, message: `Cannot ${verb} that command: ${inner.error.message}` },
    };
  }
  const typed = unescapeSlackText(rawInner).trim();
  return {
    ok: true,
    value: { intent: inner.value, commandLine: typed.startsWith("/") ? typed : `/${typed}` },
  };
}

function parseNoArgs(
  ctx: Ctx,
  tokens: readonly Token[],
  type: "ops.jobs" | "ops.approvals" | "ops.calendar",
): Result<Intent> {
  const collected = collectArgs(ctx, tokens, {});
  if (!collected.ok) return collected;
  const first = collected.value.positionals[0];
  if (first) return unexpected(ctx, first, " It takes no arguments.");
  return { ok: true, value: { type } };
}

function parseOpsWatch(ctx: Ctx, tokens: readonly Token[]): Result<Intent> {
  const collected = collectArgs(ctx, tokens, {});
  if (!collected.ok) return collected;
  const [sub, extra] = collected.value.positionals;
  if (!sub) return missing(ctx, "a sub-command: `list`");
  if (!isBare(sub) || sub.text.toLowerCase() !== "list") {
    const suggestion = sub.mention ? undefined : suggest(sub.text, ["list"]);
    return failure("unknown_verb", `${notASubCommand("/ops watch", sub)} The only one is \`list\`.`, {
      usage: usage(ctx),
      ...(suggestion ? { suggestion } : {}),
    });
  }
  if (extra) return unexpected(ctx, extra, " It takes no arguments.");
  return { ok: true, value: { type: "ops.watch.list" } };
}

/**
 * A member ID typed without `@` (`U0123ABCD`, copied from a profile): `U`/`W` and 8+ upper-case letters and
 * digits with a digit among them, or the fake Slack's readable IDs (`U_ALICE`). Short names like `WEB01` stay
 * server names; a server named like a member ID is still reachable by its server ID.
 */
const BARE_USER_ID_RE = /^[UW](?:(?=[A-Z]*\d)[A-Z0-9]{8,30}|[A-Z0-9]*_[A-Z0-9_]+)$/;

/** An approval request's ID (`apr_` + 22 or more base64url characters): `/ops audit apr_…` shows its entries. */
const REQUEST_ID_RE = /^apr_[A-Za-z0-9_-]{22,64}$/;

/** `--before <seq>`: an entry's sequence number as the audit view shows it (`#4521`), `#` optional. */
const BEFORE_SEQ_RE = /^#?(\d{1,15})$/;

function parseOpsAudit(ctx: Ctx, tokens: readonly Token[]): Result<Intent> {
  const collected = collectArgs(ctx, tokens, { valueFlags: ["--before"] });
  if (!collected.ok) return collected;
  const [first, extra] = collected.value.positionals;
  const before = collected.value.values.get("--before");
  for (const sub of ["verify", "break-glass"] as const) {
    if (first === undefined || !isBare(first) || first.text.toLowerCase() !== sub) continue;
    if (extra) return unexpected(ctx, extra, ` \`${sub}\` takes no arguments.`);
    if (before !== undefined)
      return failure(
        "unexpected_argument",
        `\`${sub}\` takes no arguments; \`--before\` pages the audit log.`,
        {
          usage: usage(ctx),
        },
      );
    return { ok: true, value: { type: sub === "verify" ? "ops.audit.verify" : "ops.audit.break-glass" } };
  }
  let beforeSeq: number | undefined;
  if (before !== undefined) {
    const digits = BEFORE_SEQ_RE.exec(before)?.[1];
    const n = digits === undefined ? Number.NaN : Number(digits);
    if (!(Number.isSafeInteger(n) && n >= 1))
      return badValue(
        ctx,
        { noun: "an entry number" },
        before,
        "its number as the audit shows it, e.g. `#4521`",
      );
    beforeSeq = n;
  }
  let subject: AuditSubject | undefined;
  let limit: number | undefined;
  for (const token of collected.value.positionals) {
    if (isBare(token) && /^\d+$/.test(token.text)) {
      if (limit !== undefined) return unexpected(ctx, token, " Give the number of entries once.");
      const n = token.text.length <= 4 ? Number(token.text) : Number.NaN;
      if (!(n >= 1 && n <= MAX_AUDIT_ENTRIES)) {
        return badValue(
          ctx,
          { noun: "a number of entries" },
          token.text,
          `a whole number from 1 to ${MAX_AUDIT_ENTRIES}`,
        );
      }
      limit = n;
      continue;
    }
    let next: AuditSubject;
    if (token.mention?.kind === "user" && token.mentionOnly) {
      next = { kind: "user", userId: token.mention.id };
    } else if (isBare(token) && token.text.startsWith("@")) {
      const id = token.text.slice(1);
      if (!SLACK_USER_ID_RE.test(id)) {
        return failure(
          "invalid_target",
          `${quoteUserText(token.text)} is not a user mention Slack resolved. Pick the user from Slack's @-completion (the /ops command must have "Escape channels, users, and links" enabled), or give their member ID, e.g. \`@U0123ABCD\`.`,
          { usage: usage(ctx) },
        );
      }
      next = { kind: "user", userId: id };
    } else if (isBare(token) && BARE_USER_ID_RE.test(token.text)) {
      next = { kind: "user", userId: token.text };
    } else if (isBare(token) && REQUEST_ID_RE.test(token.text)) {
      next = { kind: "request", requestId: token.text };
    } else {
      const server = parseServerRef(ctx, token);
      if (!server.ok) return server;
      next = { kind: "server", server: server.value };
    }
    if (subject) return unexpected(ctx, token, " Give one server, one user or one request ID.");
    subject = next;
  }
  const intent: Extract<Intent, { type: "ops.audit" }> = { type: "ops.audit" };
  if (subject) intent.subject = subject;
  if (limit !== undefined) intent.limit = limit;
  if (beforeSeq !== undefined) intent.beforeSeq = beforeSeq;
  return { ok: true, value: intent };
}

const SCHEDULE_SUBS = ["add", "list", "pause", "resume", "delete"] as const;
/** `tz=`, and the spellings of it a user may try first. */
const ZONE_KEY_RE = /^(?:tz|timezone|zone)=/i;
const SCHEDULE_EXAMPLE = '`/ops schedule add "0 19 * * 1-5" tz=Europe/Paris /ecs stop tag:env=dev`';

/**
 * `/ops schedule add "<cron>" [tz=<zone>] <command line>` and `list|pause|resume|delete <id>`. The cron and the
 * zone are only taken apart here; the schedules check them (they own cron). The command line is parsed like
 * `/ops policy explain`'s and must change servers: a read has nothing to repeat.
 */
function parseOpsSchedule(ctx: Ctx, tokens: readonly Token[]): Result<Intent> {
  const [sub, ...rest] = tokens;
  if (!sub) return missing(ctx, `a sub-command: ${SCHEDULE_SUBS.map((s) => `\`${s}\``).join(", ")}`);
  const word = sub.mention ? "" : sub.text.toLowerCase();
  const known = isBare(sub) && (SCHEDULE_SUBS as readonly string[]).includes(word);
  if (!known) {
    const suggestion = sub.mention
      ? undefined
      : suggest(word, SCHEDULE_SUBS, {
          remove: "delete",
          rm: "delete",
          stop: "pause",
          start: "resume",
          create: "add",
          new: "add",
          ls: "list",
        });
    return failure(
      "unknown_verb",
      `${notASubCommand("/ops schedule", sub)} The sub-commands are ${SCHEDULE_SUBS.map((s) => `\`${s}\``).join(", ")}.`,
      { usage: usage(ctx), ...(suggestion ? { suggestion } : {}) },
    );
  }
  if (word === "list") {
    const [extra] = rest;
    if (extra) return unexpected(ctx, extra, " `list` takes no arguments.");
    return { ok: true, value: { type: "ops.schedule.list" } };
  }
  if (word !== "add") {
    const [id, extra] = rest;
    if (!id) return missing(ctx, `the schedule's ID after \`${word}\` (see \`/ops schedule list\`)`);
    if (extra) return unexpected(ctx, extra, ` \`${word}\` takes one schedule ID.`);
    const scheduleId = id.mention ? "" : id.text.trim().toLowerCase();
    if (!SCHEDULE_ID_RE.test(scheduleId)) {
      return badValue(
        ctx,
        { noun: "a schedule ID" },
        id,
        "one like `sch_4kq2m9x1` (see `/ops schedule list`)",
      );
    }
    const type = `ops.schedule.${word}` as
      | "ops.schedule.pause"
      | "ops.schedule.resume"
      | "ops.schedule.delete";
    return { ok: true, value: { type, scheduleId } };
  }
  const [cronToken, ...afterCron] = rest;
  if (!cronToken)
    return missing(ctx, `a cron expression in quotes and a command line, e.g. ${SCHEDULE_EXAMPLE}`);
  if (cronToken.mention !== undefined) {
    return failure(
      "invalid_value",
      `A Slack mention is not a cron expression: write its five fields in quotes, e.g. ${SCHEDULE_EXAMPLE}.`,
      { usage: usage(ctx) },
    );
  }
  if (cronToken.quoteStart === undefined) {
    return failure(
      "invalid_value",
      `Put the cron expression in quotes: its fields are separated by spaces, e.g. ${SCHEDULE_EXAMPLE}.`,
      { usage: usage(ctx) },
    );
  }
  let next = afterCron;
  let timeZone: string | undefined;
  const zoneToken = next[0];
  const zoneKey = zoneToken === undefined ? undefined : ZONE_KEY_RE.exec(zoneToken.text)?.[0];
  // Quoted after its `=` only (`tz="Europe/Paris"`), as a filter's value; a mention there is no zone either.
  if (
    zoneToken !== undefined &&
    zoneKey !== undefined &&
    (zoneToken.quoteStart === undefined || zoneToken.quoteStart >= zoneKey.length)
  ) {
    timeZone = zoneToken.text.slice(zoneKey.length).trim();
    if (zoneToken.mention !== undefined || timeZone === "") {
      return badValue(
        ctx,
        { noun: "an IANA time zone", key: "tz" },
        zoneToken.mention !== undefined ? zoneToken : "",
        "one such as `Europe/Paris`, `Asia/Shanghai` or `UTC`",
      );
    }
    next = next.slice(1);
  }
  const firstInner = next[0];
  if (!firstInner)
    return missing(ctx, `the command line to run after the cron expression, e.g. ${SCHEDULE_EXAMPLE}`);
  if (ctx.depth > 0) {
    return failure("nested_explain", "A schedule cannot be created from inside another command.", {
      usage: usage(ctx),
    });
  }
  const rawInner = ctx.text.slice(firstInner.start);
  const onlyMutations = (line: string, why: string) =>
    failure(
      "invalid_value",
      `Only commands that change servers can be scheduled (start, stop, reboot, resize, tag…): ${quoteUserText(line)} ${why}, so there is nothing to repeat.`,
      { usage: usage(ctx) },
    );
  if (!firstInner.mention && /^\/?ops$/i.test(firstInner.text)) {
    return onlyMutations(unescapeSlackText(rawInner).trim(), "is about the bot itself");
  }
  const inner = parseNestedLine(ctx, rawInner, "schedule");
  if (!inner.ok) return inner;
  const { intent, commandLine } = inner.value;
  if (intent.type === "ops.policy.explain" || intent.type === "ops.schedule.add" || !isMutation(intent)) {
    return onlyMutations(
      commandLine,
      intent.type === "ecs.resize" ? "is a dry run and changes nothing" : "only reads or answers",
    );
  }
  return {
    ok: true,
    value: {
      type: "ops.schedule.add",
      cron: cronToken.text.trim(),
      ...(timeZone !== undefined && { timeZone }),
      commandLine,
      intent: intent as ExplainableIntent,
    },
  };
}

export const OPS_PARSERS: Readonly<Record<string, VerbParser>> = {
  help: parseOpsHelp,
  policy: parseOpsPolicy,
  jobs: (ctx, t) => parseNoArgs(ctx, t, "ops.jobs"),
  approvals: (ctx, t) => parseNoArgs(ctx, t, "ops.approvals"),
  calendar: (ctx, t) => parseNoArgs(ctx, t, "ops.calendar"),
  audit: parseOpsAudit,
  watch: parseOpsWatch,
  schedule: parseOpsSchedule,
};
