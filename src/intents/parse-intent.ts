import { parseTagPair } from "./classify-target.js";
import { usageFor, verbsOf } from "./help.js";
import {
  type AuditSubject,
  AZ_RE,
  COMMANDS,
  type Command,
  ECS_STATUSES,
  type ExplainableIntent,
  FLAVOR_RE,
  HSS_AGENT_STATUSES,
  HSS_OS_TYPES,
  HSS_PROTECT_STATUSES,
  HSS_SCAN_STATUSES,
  HSS_VERSIONS,
  type Intent,
  type IntentError,
  IntentSchema,
  MAX_AUDIT_ENTRIES,
  MAX_INPUT_CHARS,
  MAX_NAME_LENGTH,
  MAX_TARGETS,
  NAME_RE,
  type ParseResult,
  SLACK_USER_ID_RE,
  TAG_TEXT_RE,
  type TagPair,
} from "./intent-schema.js";
import {
  badValue,
  type Ctx,
  carriesPassword,
  collectArgs,
  enumValue,
  failure,
  isBare,
  isHelpToken,
  missing,
  onePositional,
  parseId,
  parseServerRef,
  parseTargets,
  passwordRefused,
  type Result,
  singleFilter,
  unexpected,
  usage,
  withUsage,
} from "./parse-arguments.js";
import { ECS_OPERATION_PARSERS } from "./parse-ecs-operations.js";
import { quoteUserText } from "./quote-user-text.js";
import { suggest } from "./suggest.js";
import { type Token, tokenize, unescapeSlackText } from "./tokenize.js";

/**
 * Slash-command grammar. Pure: no I/O, no evaluation of user text. See `tokenize.ts` for quoting and
 * Slack unescaping, `help.ts` for the usage lines, `intent-schema.ts` for the result shapes.
 */

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
    approve: "approvals",
    pending: "approvals",
    job: "jobs",
    log: "audit",
    logs: "audit",
    history: "audit",
    watches: "watch",
    explain: "policy",
  },
};

// ---------- /ecs ----------

function parseEcsList(ctx: Ctx, tokens: readonly Token[]): Result<Intent> {
  const collected = collectArgs(ctx, tokens, { filters: ["name", "status", "flavor", "ip", "tag"] });
  if (!collected.ok) return collected;
  const args = collected.value;
  const filters: Extract<Intent, { type: "ecs.list" }>["filters"] = { tags: [] };
  const tagSeen = new Set<string>();
  const addTag = (pair: TagPair): void => {
    const key = `${pair.key}=${pair.value}`;
    if (!tagSeen.has(key)) {
      tagSeen.add(key);
      filters.tags.push(pair);
    }
  };
  for (const token of args.positionals) {
    if (isBare(token) && /^tag:/i.test(token.text)) {
      const pair = parseTagPair(token.text.slice(4), token.text, "invalid_value");
      if (!pair.ok) return withUsage(ctx, pair);
      addTag(pair.value);
      continue;
    }
    return unexpected(
      ctx,
      token,
      token.mention
        ? ""
        : ` It takes filters like \`name=web\`; to see one server use \`/ecs show <server>\`.`,
    );
  }
  for (const key of ["name", "status", "flavor", "ip"] as const) {
    const single = singleFilter(ctx, args, key);
    if (!single.ok) return single;
    const kv = single.value;
    if (!kv) continue;
    const value = kv.value.trim();
    switch (key) {
      case "name":
        if (value === "" || value.length > MAX_NAME_LENGTH || !NAME_RE.test(value)) {
          return badValue(ctx, key, kv.value, "a name or part of one (letters, digits, - _ . and spaces)");
        }
        filters.name = value;
        break;
      case "status": {
        const status = enumValue(value, ECS_STATUSES);
        if (!status) return badValue(ctx, key, kv.value, ECS_STATUSES);
        filters.status = status;
        break;
      }
      case "flavor":
        if (!FLAVOR_RE.test(value)) return badValue(ctx, key, kv.value, "a flavor ID such as `s6.large.2`");
        filters.flavor = value;
        break;
      case "ip":
        if (!/^[0-9a-fA-F:.]{1,45}$/.test(value))
          return badValue(ctx, key, kv.value, "an IP address or its beginning");
        filters.ip = value.toLowerCase();
        break;
    }
  }
  for (const kv of args.filters) {
    if (kv.key !== "tag") continue;
    const pair = parseTagPair(kv.value, `tag=${kv.value}`, "invalid_value");
    if (!pair.ok) return withUsage(ctx, pair);
    addTag(pair.value);
  }
  if (filters.tags.length > MAX_TARGETS)
    return failure("invalid_value", "Too many tag filters.", { usage: usage(ctx) });
  return { ok: true, value: { type: "ecs.list", filters } };
}

function parseEcsShow(ctx: Ctx, tokens: readonly Token[]): Result<Intent> {
  const collected = collectArgs(ctx, tokens, {});
  if (!collected.ok) return collected;
  const token = onePositional(ctx, collected.value, "one server (name, ID or IP)");
  if (!token.ok) return token;
  const server = parseServerRef(ctx, token.value);
  return server.ok ? { ok: true, value: { type: "ecs.show", server: server.value } } : server;
}

const RAM_RE = /^(\d{1,9})(m|mb|mib|g|gb|gib)?$/i;

function parseEcsFlavors(ctx: Ctx, tokens: readonly Token[]): Result<Intent> {
  const collected = collectArgs(ctx, tokens, { filters: ["az", "min-vcpus", "min-ram"] });
  if (!collected.ok) return collected;
  const args = collected.value;
  const first = args.positionals[0];
  if (first) return unexpected(ctx, first, " It takes filters like `min-vcpus=4`.");
  const intent: Extract<Intent, { type: "ecs.flavors" }> = { type: "ecs.flavors" };
  for (const key of ["az", "min-vcpus", "min-ram"] as const) {
    const single = singleFilter(ctx, args, key);
    if (!single.ok) return single;
    const kv = single.value;
    if (!kv) continue;
    const value = kv.value.trim();
    if (key === "az") {
      const az = value.toLowerCase();
      if (!AZ_RE.test(az)) return badValue(ctx, key, kv.value, "an availability zone such as `cn-north-4a`");
      intent.az = az;
    } else if (key === "min-vcpus") {
      const n = /^\d{1,4}$/.test(value) ? Number(value) : Number.NaN;
      if (!(n >= 1 && n <= 1024)) return badValue(ctx, key, kv.value, "a whole number from 1 to 1024");
      intent.minVcpus = n;
    } else {
      const m = RAM_RE.exec(value);
      const unit = m?.[2]?.toLowerCase() ?? "m";
      const mib = m ? Number(m[1]) * (unit.startsWith("g") ? 1024 : 1) : Number.NaN;
      if (!(mib >= 1 && mib <= 64 * 1024 * 1024)) {
        return badValue(ctx, key, kv.value, "a memory size in MiB such as `8192` (or `8G`)");
      }
      intent.minRamMiB = mib;
    }
  }
  return { ok: true, value: intent };
}

function parseEcsJob(ctx: Ctx, tokens: readonly Token[]): Result<Intent> {
  const id = parseId(ctx, tokens, "job ID");
  return id.ok ? { ok: true, value: { type: "ecs.job", jobId: id.value } } : id;
}

function parsePower(
  ctx: Ctx,
  tokens: readonly Token[],
  type: "ecs.start" | "ecs.stop" | "ecs.reboot",
): Result<Intent> {
  const collected = collectArgs(ctx, tokens, { flags: type === "ecs.start" ? [] : ["--hard"] });
  if (!collected.ok) return collected;
  const targets = parseTargets(ctx, collected.value.positionals);
  if (!targets.ok) return targets;
  if (type === "ecs.start") return { ok: true, value: { type, targets: targets.value } };
  return { ok: true, value: { type, targets: targets.value, hard: collected.value.flags.has("--hard") } };
}

function parseEcsResize(ctx: Ctx, tokens: readonly Token[]): Result<Intent> {
  const collected = collectArgs(ctx, tokens, { flags: ["--dry-run"] });
  if (!collected.ok) return collected;
  const [serverToken, flavorToken, extra] = collected.value.positionals;
  if (!serverToken) return missing(ctx, "a server and a flavor");
  if (!flavorToken) return missing(ctx, "a flavor after the server (see `/ecs flavors`)");
  if (extra) return unexpected(ctx, extra, " Resize works on one server at a time.");
  const server = parseServerRef(ctx, serverToken);
  if (!server.ok) return server;
  if (flavorToken.mention || !FLAVOR_RE.test(flavorToken.text)) {
    return failure(
      "invalid_value",
      `${flavorToken.mention ? "A Slack mention" : quoteUserText(flavorToken.text)} is not a flavor ID (such as \`s6.large.2\`; see \`/ecs flavors\`).`,
      { usage: usage(ctx) },
    );
  }
  return {
    ok: true,
    value: {
      type: "ecs.resize",
      server: server.value,
      flavor: flavorToken.text,
      dryRun: collected.value.flags.has("--dry-run"),
    },
  };
}

function parseEcsDelete(ctx: Ctx, tokens: readonly Token[]): Result<Intent> {
  const collected = collectArgs(ctx, tokens, { flags: ["--delete-volume", "--delete-eip"] });
  if (!collected.ok) return collected;
  const targets = parseTargets(ctx, collected.value.positionals);
  if (!targets.ok) return targets;
  return {
    ok: true,
    value: {
      type: "ecs.delete",
      targets: targets.value,
      deleteVolume: collected.value.flags.has("--delete-volume"),
      deleteEip: collected.value.flags.has("--delete-eip"),
    },
  };
}

// ---------- /hss ----------

function parseHssHosts(ctx: Ctx, tokens: readonly Token[]): Result<Intent> {
  const collected = collectArgs(ctx, tokens, {
    filters: ["agent", "protect", "os", "version", "group"],
    keywords: ["risk"],
  });
  if (!collected.ok) return collected;
  const args = collected.value;
  const first = args.positionals[0];
  if (first) return unexpected(ctx, first, " It takes filters like `agent=offline` and the word `risk`.");
  const filters: Extract<Intent, { type: "hss.hosts" }>["filters"] = { risk: args.keywords.has("risk") };
  for (const key of ["agent", "protect", "os", "version", "group"] as const) {
    const single = singleFilter(ctx, args, key);
    if (!single.ok) return single;
    const kv = single.value;
    if (!kv) continue;
    const value = kv.value.trim();
    switch (key) {
      case "agent": {
        const v = enumValue(value, HSS_AGENT_STATUSES);
        if (!v) return badValue(ctx, key, kv.value, HSS_AGENT_STATUSES);
        filters.agent = v;
        break;
      }
      case "protect": {
        const v = enumValue(value, HSS_PROTECT_STATUSES);
        if (!v) return badValue(ctx, key, kv.value, HSS_PROTECT_STATUSES);
        filters.protect = v;
        break;
      }
      case "os": {
        const v = enumValue(value, HSS_OS_TYPES);
        if (!v) return badValue(ctx, key, kv.value, HSS_OS_TYPES);
        filters.os = v;
        break;
      }
      case "version": {
        const v = enumValue(value, HSS_VERSIONS) ?? enumValue(`hss.version.${value}`, HSS_VERSIONS);
        if (!v) return badValue(ctx, key, kv.value, HSS_VERSIONS);
        filters.version = v;
        break;
      }
      case "group":
        if (value === "" || value.length > 128 || !TAG_TEXT_RE.test(value)) {
          return badValue(ctx, key, kv.value, "a server group name or ID");
        }
        filters.group = value;
        break;
    }
  }
  return { ok: true, value: { type: "hss.hosts", filters } };
}

function parseHssPorts(ctx: Ctx, tokens: readonly Token[]): Result<Intent> {
  const collected = collectArgs(ctx, tokens, { keywords: ["danger", "tcp", "udp"] });
  if (!collected.ok) return collected;
  const args = collected.value;
  if (args.keywords.has("tcp") && args.keywords.has("udp")) {
    return failure("invalid_value", "Choose one protocol, `tcp` or `udp` (leave both out for all ports).", {
      usage: usage(ctx),
    });
  }
  const token = onePositional(ctx, args, "one server (name, ID or IP)");
  if (!token.ok) return token;
  const server = parseServerRef(ctx, token.value);
  if (!server.ok) return server;
  const intent: Extract<Intent, { type: "hss.ports" }> = {
    type: "hss.ports",
    server: server.value,
    danger: args.keywords.has("danger"),
  };
  if (args.keywords.has("tcp")) intent.protocol = "tcp";
  if (args.keywords.has("udp")) intent.protocol = "udp";
  return { ok: true, value: intent };
}

function parseHssScan(ctx: Ctx, tokens: readonly Token[]): Result<Intent> {
  const collected = collectArgs(ctx, tokens, { filters: ["status"] });
  if (!collected.ok) return collected;
  const rest = collected.value;
  const single = singleFilter(ctx, rest, "status");
  if (!single.ok) return single;
  if (rest.positionals.length === 0) {
    // No task: the recent tasks. A host status would have nothing to filter.
    if (single.value) {
      return failure(
        "missing_argument",
        "`status=` filters the hosts of one scan task: give its ID (`/hss scan` alone lists the recent tasks).",
        { usage: usage(ctx) },
      );
    }
    return { ok: true, value: { type: "hss.scan" } };
  }
  const id = parseId(ctx, rest.positionals, "scan task ID");
  if (!id.ok) return id;
  const intent: Extract<Intent, { type: "hss.scan" }> = { type: "hss.scan", taskId: id.value };
  if (single.value) {
    const status = enumValue(single.value.value.trim(), HSS_SCAN_STATUSES);
    if (!status) return badValue(ctx, "status", single.value.value, HSS_SCAN_STATUSES);
    intent.status = status;
  }
  return { ok: true, value: intent };
}

// ---------- /ops ----------

function parseOpsHelp(ctx: Ctx, tokens: readonly Token[]): Result<Intent> {
  const words = tokens.map((t) => (t.mention ? "" : t.text.toLowerCase().replace(/^\//, "")));
  const [first, second, third] = words;
  const extra = tokens[2];
  if (first === undefined) return { ok: true, value: { type: "help", topic: { command: "ops" } } };
  const command = (COMMANDS as readonly string[]).includes(first) ? (first as Command) : undefined;
  if (command) {
    if (third !== undefined && extra) return unexpected(ctx, extra);
    if (second === undefined) return { ok: true, value: { type: "help", topic: { command } } };
    return helpForVerb({ ...ctx, command }, command, second);
  }
  if (second !== undefined && tokens[1]) return unexpected(ctx, tokens[1]);
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

function helpForVerb(ctx: Ctx, command: Command, verb: string): Result<Intent> {
  const v = verb.toLowerCase();
  if (verbsOf(command).includes(v)) {
    return { ok: true, value: { type: "help", topic: v === "help" ? { command } : { command, verb: v } } };
  }
  return unknownVerb({ ...ctx, command }, verb);
}

function parseOpsPolicy(ctx: Ctx, tokens: readonly Token[]): Result<Intent> {
  const [sub, firstInner] = tokens;
  if (!sub) return missing(ctx, "`explain` and a command line, e.g. `/ops policy explain ecs delete web-03`");
  const subWord = sub.mention ? "" : sub.text.toLowerCase();
  if (!isBare(sub) || subWord !== "explain") {
    const suggestion = suggest(subWord, ["explain"]);
    return failure(
      "unknown_verb",
      `Unknown \`/ops policy\` sub-command ${sub.mention ? "(a Slack mention)" : quoteUserText(sub.text)}. The only one is \`explain\`.`,
      { usage: usage(ctx), suggestion: suggestion ?? "explain" },
    );
  }
  if (!firstInner) return missing(ctx, "a command line to explain, e.g. `ecs delete web-03`");
  if (ctx.depth > 0) {
    return failure("nested_explain", "A policy explanation cannot explain another explanation.", {
      usage: usage(ctx),
    });
  }
  const rawInner = ctx.text.slice(firstInner.start);
  const inner = parseCommandLine(rawInner, ctx.depth + 1);
  if (!inner.ok) {
    return {
      ok: false,
      error: { ...inner.error, message: `Cannot explain that command: ${inner.error.message}` },
    };
  }
  const intent = inner.value;
  if (intent.type === "ops.policy.explain") {
    return failure("nested_explain", "A policy explanation cannot explain another explanation.", {
      usage: usage(ctx),
    });
  }
  const typed = unescapeSlackText(rawInner).trim();
  const commandLine = typed.startsWith("/") ? typed : `/${typed}`;
  return { ok: true, value: { type: "ops.policy.explain", commandLine, intent } };
}

/** Parses `ecs delete web-03` / `/ecs delete web-03` (the text after `/ops policy explain`). */
function parseCommandLine(raw: string, depth: number): Result<ExplainableIntent | Intent> {
  const tokenized = tokenize(raw);
  if (!tokenized.ok) return tokenized;
  const [first] = tokenized.tokens;
  if (!first) return failure("missing_argument", "Nothing to explain.");
  const name = first.mention ? "" : first.text.replace(/^\//, "");
  const result = parseWith(`/${name}`, raw.slice(first.end), depth);
  return result.ok ? { ok: true, value: result.intent } : result;
}

function parseNoArgs(ctx: Ctx, tokens: readonly Token[], type: "ops.jobs" | "ops.approvals"): Result<Intent> {
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
    return failure(
      "unknown_verb",
      `Unknown \`/ops watch\` sub-command ${sub.mention ? "(a Slack mention)" : quoteUserText(sub.text)}. The only one is \`list\`.`,
      { usage: usage(ctx), ...(suggestion ? { suggestion } : {}) },
    );
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

function parseOpsAudit(ctx: Ctx, tokens: readonly Token[]): Result<Intent> {
  const collected = collectArgs(ctx, tokens, {});
  if (!collected.ok) return collected;
  const [first, extra] = collected.value.positionals;
  if (first !== undefined && isBare(first) && first.text.toLowerCase() === "verify") {
    if (extra) return unexpected(ctx, extra, " `verify` takes no arguments.");
    return { ok: true, value: { type: "ops.audit.verify" } };
  }
  let subject: AuditSubject | undefined;
  let limit: number | undefined;
  for (const token of collected.value.positionals) {
    if (isBare(token) && /^\d+$/.test(token.text)) {
      if (limit !== undefined) return unexpected(ctx, token, " Give the number of entries once.");
      const n = token.text.length <= 4 ? Number(token.text) : Number.NaN;
      if (!(n >= 1 && n <= MAX_AUDIT_ENTRIES)) {
        return badValue(ctx, "n", token.text, `a number of entries from 1 to ${MAX_AUDIT_ENTRIES}`);
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
    } else {
      const server = parseServerRef(ctx, token);
      if (!server.ok) return server;
      next = { kind: "server", server: server.value };
    }
    if (subject) return unexpected(ctx, token, " Give one server or one user.");
    subject = next;
  }
  const intent: Extract<Intent, { type: "ops.audit" }> = { type: "ops.audit" };
  if (subject) intent.subject = subject;
  if (limit !== undefined) intent.limit = limit;
  return { ok: true, value: intent };
}

// ---------- dispatch ----------

type VerbParser = (ctx: Ctx, tokens: readonly Token[]) => Result<Intent>;

const PARSERS: Readonly<Record<Command, Readonly<Record<string, VerbParser>>>> = {
  ecs: {
    list: parseEcsList,
    show: parseEcsShow,
    flavors: parseEcsFlavors,
    job: parseEcsJob,
    start: (ctx, t) => parsePower(ctx, t, "ecs.start"),
    stop: (ctx, t) => parsePower(ctx, t, "ecs.stop"),
    reboot: (ctx, t) => parsePower(ctx, t, "ecs.reboot"),
    resize: parseEcsResize,
    delete: parseEcsDelete,
    ...ECS_OPERATION_PARSERS,
  },
  hss: { hosts: parseHssHosts, ports: parseHssPorts, scan: parseHssScan },
  ops: {
    help: parseOpsHelp,
    policy: parseOpsPolicy,
    jobs: (ctx, t) => parseNoArgs(ctx, t, "ops.jobs"),
    approvals: (ctx, t) => parseNoArgs(ctx, t, "ops.approvals"),
    audit: parseOpsAudit,
    watch: parseOpsWatch,
  },
};

function unknownVerb(ctx: Ctx, verb: string, isMention = false): { ok: false; error: IntentError } {
  const verbs = verbsOf(ctx.command);
  const suggestion = isMention ? undefined : suggest(verb, verbs, VERB_ALIASES[ctx.command]);
  const shown = isMention ? "(a Slack mention)" : quoteUserText(verb);
  return failure(
    "unknown_verb",
    `Unknown \`/${ctx.command}\` verb ${shown}. ` +
      (suggestion ? `Did you mean \`${suggestion}\`?` : `Verbs: ${verbs.map((v) => `\`${v}\``).join(", ")}.`),
    { usage: usageFor(ctx.command), ...(suggestion ? { suggestion } : {}) },
  );
}

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

  const baseCtx: Ctx = { command: cmd, verb: "", text, depth };
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
    if (topic.mention) return unknownVerb(baseCtx, "", true);
    const help = helpForVerb(baseCtx, cmd, topic.text);
    return help.ok ? { ok: true, intent: help.value } : help;
  }
  const parser = Object.hasOwn(PARSERS[cmd], verb) ? PARSERS[cmd][verb] : undefined;
  if (!parser) return unknownVerb(baseCtx, verbToken.text);
  const ctx: Ctx = { ...baseCtx, verb };
  // `/ecs stop help`, `/ecs stop web-01 --help`: help wins over running anything (a server named
  // "help" must be quoted). For `/ops policy` only the word after `policy` counts: the rest is the
  // explained command line.
  const helpAsked =
    verb === "policy" ? rest[0] !== undefined && isHelpToken(rest[0]) : rest.some(isHelpToken);
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
