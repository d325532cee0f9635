import { passwordRefused } from "./find-secrets-in-text.js";
import {
  DEFAULT_CONSOLE_LINES,
  DEVICE_RE,
  KEY_PAIR_RE,
  MAX_CONSOLE_LINES,
  MAX_TAG_CHANGES,
  MAX_TAG_KEY_LENGTH,
  MAX_TAG_VALUE_LENGTH,
  NEW_TAG_KEY_RE,
  NEW_TAG_VALUE_RE,
  PASSWORD_NAME_RE,
  type ServerRef,
  TAG_TEXT_RE,
  type TagPair,
  type TagRef,
} from "./intent-schema.js";
import {
  badValue,
  type Ctx,
  collectArgs,
  failure,
  isBare,
  missing,
  onePositional,
  type Result,
  unexpected,
  usage,
  type VerbParser,
} from "./parse-arguments.js";
import { parseServerRef, parseTargets } from "./parse-targets.js";
import { quoteUserText } from "./quote-user-text.js";
import type { Token } from "./tokenize.js";

/**
 * The verbs of an operator's day beyond power, resize and delete: tags, console log, lock, OS, disks,
 * migration, and the reads about one server or the project. Pure, like the rest of the grammar.
 */

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** One server reference, nothing else. */
function oneServer(ctx: Ctx, tokens: readonly Token[]): Result<ServerRef> {
  const collected = collectArgs(ctx, tokens, {});
  if (!collected.ok) return collected;
  const token = onePositional(ctx, collected.value, "one server (name, ID or IP)");
  return token.ok ? parseServerRef(ctx, token.value) : token;
}

/** A cloud resource ID (a UUID), lower-cased; `what` names it, with its article ("an image ID"), in the error. */
function uuidOf(ctx: Ctx, token: Pick<Token, "text" | "mention"> | undefined, what: string): Result<string> {
  if (token === undefined) return missing(ctx, what);
  if (token.mention || !UUID_RE.test(token.text))
    return badValue(ctx, { noun: what }, token, "one such as `3f2b1c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d`");
  return { ok: true, value: token.text.toLowerCase() };
}

function keyPairOf(ctx: Ctx, value: string | undefined): Result<string | undefined> {
  if (value === undefined) return { ok: true, value: undefined };
  if (!KEY_PAIR_RE.test(value)) {
    return failure(
      "invalid_value",
      `${quoteUserText(value)} is not a key pair name: letters, digits, \`-\` and \`_\`, at most 64.`,
      { usage: usage(ctx) },
    );
  }
  return { ok: true, value };
}

const parseTags: VerbParser = (ctx, tokens) => {
  const server = tokens.length === 0 ? undefined : oneServer(ctx, tokens);
  if (server === undefined) return { ok: true, value: { type: "ecs.tags" } };
  return server.ok ? { ok: true, value: { type: "ecs.tags", server: server.value } } : server;
};

/** `add` / `remove`, the word that ends the targets of `/ecs tag`. */
function changeWord(token: Token): "add" | "remove" | undefined {
  if (!isBare(token)) return undefined;
  const word = token.text.toLowerCase();
  return word === "add" || word === "remove" ? word : undefined;
}

/** `key=value` of an added tag, in the characters the ECS tag API creates (5.9.3). */
function addedTag(ctx: Ctx, token: Token): Result<TagPair> {
  const eq = token.text.indexOf("=");
  if (token.mention || eq < 0) {
    return failure(
      "invalid_value",
      `${token.mention ? "A Slack mention" : quoteUserText(token.text)} is not a tag: write \`key=value\`, e.g. \`owner=alice\`.`,
      { usage: usage(ctx) },
    );
  }
  const key = token.text.slice(0, eq);
  const value = token.text.slice(eq + 1);
  if (key === "") {
    return failure(
      "invalid_value",
      `${quoteUserText(token.text)} has no key before \`=\`: write \`key=value\`, e.g. \`owner=alice\`.`,
      { usage: usage(ctx) },
    );
  }
  if (!NEW_TAG_KEY_RE.test(key)) {
    return failure(
      "invalid_value",
      `${quoteUserText(key)} is not a tag key ECS accepts: 1 to 36 letters, digits, \`-\` and \`_\`.`,
      { usage: usage(ctx) },
    );
  }
  if (key === "__proto__") {
    // ECS would take it, but the bot reads tags into JavaScript objects, where it is never a key (see
    // parseServerTags): the change could never be seen done.
    return failure(
      "invalid_value",
      "`__proto__` is a name the bot cannot use as a tag key (it could not read the tag back); choose another key.",
      { usage: usage(ctx) },
    );
  }
  if (!NEW_TAG_VALUE_RE.test(value)) {
    return failure(
      "invalid_value",
      value === ""
        ? `The tag \`${key}=\` needs a value, e.g. \`${key}=alice\`.`
        : `${quoteUserText(value)} is not a tag value ECS accepts: 1 to 43 letters, digits, \`-\`, \`_\` and \`.\`.`,
      { usage: usage(ctx) },
    );
  }
  return { ok: true, value: { key, value } };
}

/** `key` or `key=value` of a removed tag (any tag that exists may be removed, so any tag text). */
function removedTag(ctx: Ctx, token: Token): Result<TagRef> {
  if (token.mention) return unexpected(ctx, token);
  const eq = token.text.indexOf("=");
  const key = eq < 0 ? token.text : token.text.slice(0, eq);
  const value = eq < 0 ? undefined : token.text.slice(eq + 1);
  if (PASSWORD_NAME_RE.test(key)) return passwordRefused();
  const valid = (text: string, max: number) => text.length <= max && TAG_TEXT_RE.test(text);
  if (!valid(key, MAX_TAG_KEY_LENGTH) || (value !== undefined && !valid(value, MAX_TAG_VALUE_LENGTH))) {
    return failure(
      "invalid_value",
      value === ""
        ? `The tag \`${key}=\` has an empty value: write \`${key}\` to remove it whatever its value.`
        : `${quoteUserText(token.text)} is not a tag to remove: write \`key\` or \`key=value\`.`,
      { usage: usage(ctx) },
    );
  }
  return { ok: true, value: value === undefined ? { key } : { key, value } };
}

/** `/ecs tag <targets…> add k=v …` · `/ecs tag <targets…> remove k[=v] …`. */
const parseTag: VerbParser = (ctx, tokens) => {
  const at = tokens.findIndex((t) => changeWord(t) !== undefined);
  if (at < 0) {
    return missing(ctx, "`add` or `remove` after the targets, then the tags, e.g. `add owner=alice`");
  }
  const word = changeWord(tokens[at]!)!;
  const collected = collectArgs(ctx, tokens.slice(0, at), {});
  if (!collected.ok) return collected;
  const targets = parseTargets(ctx, collected.value.positionals);
  if (!targets.ok) return targets;
  const pairs = tokens.slice(at + 1);
  if (pairs.length === 0) {
    return missing(
      ctx,
      word === "add" ? "tags to add, e.g. `add owner=alice`" : "tags to remove, e.g. `remove owner`",
    );
  }
  if (pairs.length > MAX_TAG_CHANGES) {
    return failure(
      "invalid_value",
      `At most ${MAX_TAG_CHANGES} tags per command: an ECS has at most ${MAX_TAG_CHANGES} tags.`,
      { usage: usage(ctx) },
    );
  }
  const seen = new Set<string>();
  const tags: (TagPair | TagRef)[] = [];
  for (const token of pairs) {
    if (changeWord(token) !== undefined) {
      return failure(
        "unexpected_argument",
        "One change per command: either `add` or `remove`. Run the other one as its own command.",
        { usage: usage(ctx) },
      );
    }
    const tag = word === "add" ? addedTag(ctx, token) : removedTag(ctx, token);
    if (!tag.ok) return tag;
    if (seen.has(tag.value.key)) {
      return failure("invalid_value", `The tag key \`${tag.value.key}\` is given twice; give it once.`, {
        usage: usage(ctx),
      });
    }
    seen.add(tag.value.key);
    tags.push(tag.value);
  }
  return word === "add"
    ? { ok: true, value: { type: "ecs.tag.add", targets: targets.value, tags: tags as TagPair[] } }
    : { ok: true, value: { type: "ecs.tag.remove", targets: targets.value, tags } };
};

const parseConsoleLog: VerbParser = (ctx, tokens) => {
  const collected = collectArgs(ctx, tokens, {});
  if (!collected.ok) return collected;
  const [serverToken, linesToken, extra] = collected.value.positionals;
  if (!serverToken) return missing(ctx, "one server (name, ID or IP)");
  if (extra) return unexpected(ctx, extra, " It takes a server and a number of lines.");
  const server = parseServerRef(ctx, serverToken);
  if (!server.ok) return server;
  let lines = DEFAULT_CONSOLE_LINES;
  if (linesToken) {
    const n = isBare(linesToken) && /^\d+$/.test(linesToken.text) ? Number(linesToken.text) : Number.NaN;
    if (!(n >= 1 && n <= MAX_CONSOLE_LINES)) {
      // A number out of range is a number: said so, with the bound it broke.
      const what = Number.isNaN(n)
        ? `${linesToken.mention ? "A Slack mention" : quoteUserText(linesToken.text)} is not a number of lines`
        : n < 1
          ? "At least 1 line"
          : `At most ${MAX_CONSOLE_LINES} lines are shown`;
      return failure(
        "invalid_value",
        `${what}: expected 1 to ${MAX_CONSOLE_LINES} (default ${DEFAULT_CONSOLE_LINES}).`,
        { usage: usage(ctx) },
      );
    }
    lines = n;
  }
  return { ok: true, value: { type: "ecs.console-log", server: server.value, lines } };
};

function parseLocking(type: "ecs.lock" | "ecs.unlock"): VerbParser {
  return (ctx, tokens) => {
    const collected = collectArgs(ctx, tokens, {});
    if (!collected.ok) return collected;
    const targets = parseTargets(ctx, collected.value.positionals);
    return targets.ok ? { ok: true, value: { type, targets: targets.value } } : targets;
  };
}

const parseReinstall: VerbParser = (ctx, tokens) => {
  const collected = collectArgs(ctx, tokens, { valueFlags: ["--keypair"] });
  if (!collected.ok) return collected;
  const token = onePositional(ctx, collected.value, "one server (name, ID or IP)");
  if (!token.ok) return token;
  const server = parseServerRef(ctx, token.value);
  if (!server.ok) return server;
  const keyPair = keyPairOf(ctx, collected.value.values.get("--keypair"));
  if (!keyPair.ok) return keyPair;
  return {
    ok: true,
    value: {
      type: "ecs.reinstall",
      server: server.value,
      ...(keyPair.value !== undefined && { keyPair: keyPair.value }),
    },
  };
};

const parseChangeOs: VerbParser = (ctx, tokens) => {
  const collected = collectArgs(ctx, tokens, { valueFlags: ["--keypair"] });
  if (!collected.ok) return collected;
  const [serverToken, imageToken, extra] = collected.value.positionals;
  if (!serverToken) return missing(ctx, "a server and an image ID");
  if (extra) return unexpected(ctx, extra, " It takes a server and an image ID.");
  const server = parseServerRef(ctx, serverToken);
  if (!server.ok) return server;
  const imageId = uuidOf(ctx, imageToken, "an image ID");
  if (!imageId.ok) return imageId;
  const keyPair = keyPairOf(ctx, collected.value.values.get("--keypair"));
  if (!keyPair.ok) return keyPair;
  return {
    ok: true,
    value: {
      type: "ecs.change-os",
      server: server.value,
      imageId: imageId.value,
      ...(keyPair.value !== undefined && { keyPair: keyPair.value }),
    },
  };
};

const parseAttach: VerbParser = (ctx, tokens) => {
  const collected = collectArgs(ctx, tokens, {});
  if (!collected.ok) return collected;
  const [serverToken, volumeToken, deviceToken, extra] = collected.value.positionals;
  if (!serverToken) return missing(ctx, "a server and a disk (volume) ID");
  if (extra) return unexpected(ctx, extra, " It takes a server, a disk ID and a device name.");
  const server = parseServerRef(ctx, serverToken);
  if (!server.ok) return server;
  const volumeId = uuidOf(ctx, volumeToken, "a disk (volume) ID");
  if (!volumeId.ok) return volumeId;
  if (deviceToken && (deviceToken.mention || !DEVICE_RE.test(deviceToken.text))) {
    return failure(
      "invalid_value",
      `${deviceToken.mention ? "A Slack mention" : quoteUserText(deviceToken.text)} is not a device name: expected one like \`/dev/vdb\` (or leave it out: the next free one is used).`,
      { usage: usage(ctx) },
    );
  }
  return {
    ok: true,
    value: {
      type: "ecs.attach",
      server: server.value,
      volumeId: volumeId.value,
      ...(deviceToken !== undefined && { device: deviceToken.text }),
    },
  };
};

const parseDetach: VerbParser = (ctx, tokens) => {
  const collected = collectArgs(ctx, tokens, {});
  if (!collected.ok) return collected;
  const [serverToken, volumeToken, extra] = collected.value.positionals;
  if (!serverToken) return missing(ctx, "a server and a disk (volume) ID");
  if (extra) return unexpected(ctx, extra, " It takes a server and a disk ID.");
  const server = parseServerRef(ctx, serverToken);
  if (!server.ok) return server;
  const volumeId = uuidOf(ctx, volumeToken, "a disk (volume) ID");
  if (!volumeId.ok) return volumeId;
  return { ok: true, value: { type: "ecs.detach", server: server.value, volumeId: volumeId.value } };
};

/** Migrate takes exactly one server, so no wave flags: an unknown flag gets the usual refusal with the usage. */
const parseMigrate: VerbParser = (ctx, tokens) => {
  const collected = collectArgs(ctx, tokens, { valueFlags: ["--dedicated-host"] });
  if (!collected.ok) return collected;
  const token = onePositional(ctx, collected.value, "one server (name, ID or IP)");
  if (!token.ok) return token;
  const server = parseServerRef(ctx, token.value);
  if (!server.ok) return server;
  const host = collected.value.values.get("--dedicated-host");
  if (host === undefined) return { ok: true, value: { type: "ecs.migrate", server: server.value } };
  const hostId = uuidOf(ctx, { text: host }, "a dedicated host ID");
  if (!hostId.ok) return hostId;
  return { ok: true, value: { type: "ecs.migrate", server: server.value, dedicatedHostId: hostId.value } };
};

function parseNone(type: "ecs.quotas" | "ecs.groups"): VerbParser {
  return (ctx, tokens) => {
    const collected = collectArgs(ctx, tokens, {});
    if (!collected.ok) return collected;
    const first = collected.value.positionals[0];
    return first ? unexpected(ctx, first, " It takes no arguments.") : { ok: true, value: { type } };
  };
}

function parseAboutServer(type: "ecs.nics" | "ecs.sg" | "ecs.actions"): VerbParser {
  return (ctx, tokens) => {
    const server = oneServer(ctx, tokens);
    return server.ok ? { ok: true, value: { type, server: server.value } } : server;
  };
}

const parseGroup: VerbParser = (ctx, tokens) => {
  const collected = collectArgs(ctx, tokens, {});
  if (!collected.ok) return collected;
  const token = onePositional(ctx, collected.value, "an ECS group ID (see `/ecs groups`)");
  if (!token.ok) return token;
  const groupId = uuidOf(ctx, token.value, "an ECS group ID");
  return groupId.ok ? { ok: true, value: { type: "ecs.group", groupId: groupId.value } } : groupId;
};

/** The parsers of these verbs, by verb as typed. */
export const ECS_OPERATION_PARSERS: Readonly<Record<string, VerbParser>> = {
  tags: parseTags,
  tag: parseTag,
  "console-log": parseConsoleLog,
  lock: parseLocking("ecs.lock"),
  unlock: parseLocking("ecs.unlock"),
  reinstall: parseReinstall,
  "change-os": parseChangeOs,
  attach: parseAttach,
  detach: parseDetach,
  migrate: parseMigrate,
  quotas: parseNone("ecs.quotas"),
  nics: parseAboutServer("ecs.nics"),
  sg: parseAboutServer("ecs.sg"),
  groups: parseNone("ecs.groups"),
  group: parseGroup,
  actions: parseAboutServer("ecs.actions"),
};
