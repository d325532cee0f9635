import { parseTagPair } from "./classify-target.js";
import {
  AZ_RE,
  ECS_STATUSES,
  FLAVOR_RE,
  type Intent,
  MAX_NAME_LENGTH,
  MAX_TARGETS,
  NAME_RE,
  type TagPair,
} from "./intent-schema.js";
import {
  badValue,
  type Ctx,
  collectArgs,
  enumValue,
  failure,
  isBare,
  missing,
  onePositional,
  parseId,
  type Result,
  singleFilter,
  tagFilterFor,
  unexpected,
  usage,
  type VerbParser,
} from "./parse-arguments.js";
import { parseServerRef, parseTargets, withUsage } from "./parse-targets.js";
import { WAVE_FLAGS, waveOptionsOf } from "./parse-wave-flags.js";
import { quoteUserText } from "./quote-user-text.js";
import type { Token } from "./tokenize.js";

/** `/ecs` verbs that read, power servers on or off, resize or delete them (the other operations are in `parse-ecs-operations.ts`). */

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
    const tag = token.mention || !isBare(token) ? undefined : tagFilterFor(token.text);
    return unexpected(
      ctx,
      token,
      token.mention
        ? ""
        : tag !== undefined
          ? ` To filter by tag, write ${quoteUserText(tag)}.`
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
          return badValue(
            ctx,
            { noun: "a server name", key },
            kv.value,
            "a name or part of one: letters, digits, `-`, `_`, `.` and spaces",
          );
        }
        filters.name = value;
        break;
      case "status": {
        const status = enumValue(value, ECS_STATUSES);
        if (!status) return badValue(ctx, { noun: "a server status", key }, kv.value, ECS_STATUSES);
        filters.status = status;
        break;
      }
      case "flavor":
        if (!FLAVOR_RE.test(value))
          return badValue(ctx, { noun: "a flavor ID", key }, kv.value, "one such as `s6.large.2`");
        filters.flavor = value;
        break;
      case "ip":
        if (!/^[0-9a-fA-F:.]{1,45}$/.test(value))
          return badValue(
            ctx,
            { noun: "an IP address", key },
            kv.value,
            "a whole address or its beginning, such as `192.168.0.`",
          );
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
      if (!AZ_RE.test(az))
        return badValue(ctx, { noun: "an availability zone", key }, kv.value, "one such as `cn-north-4a`");
      intent.az = az;
    } else if (key === "min-vcpus") {
      const n = /^\d{1,4}$/.test(value) ? Number(value) : Number.NaN;
      if (!(n >= 1 && n <= 1024))
        return badValue(ctx, { noun: "a number of vCPUs", key }, kv.value, "a whole number from 1 to 1024");
      intent.minVcpus = n;
    } else {
      const m = RAM_RE.exec(value);
      const unit = m?.[2]?.toLowerCase() ?? "m";
      const mib = m ? Number(m[1]) * (unit.startsWith("g") ? 1024 : 1) : Number.NaN;
      if (!(mib >= 1 && mib <= 64 * 1024 * 1024)) {
        return badValue(
          ctx,
          { noun: "a memory size", key },
          kv.value,
          "MiB such as `8192`, or GiB such as `8G`",
        );
      }
      intent.minRamMiB = mib;
    }
  }
  return { ok: true, value: intent };
}

function parseEcsJob(ctx: Ctx, tokens: readonly Token[]): Result<Intent> {
  const id = parseId(ctx, tokens, "a job ID");
  return id.ok ? { ok: true, value: { type: "ecs.job", jobId: id.value } } : id;
}

function parsePower(
  ctx: Ctx,
  tokens: readonly Token[],
  type: "ecs.start" | "ecs.stop" | "ecs.reboot",
): Result<Intent> {
  const collected = collectArgs(ctx, tokens, {
    flags: type === "ecs.start" ? [] : ["--hard"],
    valueFlags: WAVE_FLAGS,
  });
  if (!collected.ok) return collected;
  const targets = parseTargets(ctx, collected.value.positionals);
  if (!targets.ok) return targets;
  const waves = waveOptionsOf(ctx, collected.value);
  if (!waves.ok) return waves;
  const withWaves = waves.value === undefined ? {} : { waves: waves.value };
  if (type === "ecs.start") return { ok: true, value: { type, targets: targets.value, ...withWaves } };
  return {
    ok: true,
    value: { type, targets: targets.value, hard: collected.value.flags.has("--hard"), ...withWaves },
  };
}

function parseEcsResize(ctx: Ctx, tokens: readonly Token[]): Result<Intent> {
  const collected = collectArgs(ctx, tokens, { flags: ["--dry-run"], valueFlags: WAVE_FLAGS });
  if (!collected.ok) return collected;
  const waves = waveOptionsOf(ctx, collected.value);
  if (!waves.ok) return waves;
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
      ...(waves.value !== undefined && { waves: waves.value }),
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

export const ECS_VERB_PARSERS: Readonly<Record<string, VerbParser>> = {
  list: parseEcsList,
  show: parseEcsShow,
  flavors: parseEcsFlavors,
  job: parseEcsJob,
  start: (ctx, t) => parsePower(ctx, t, "ecs.start"),
  stop: (ctx, t) => parsePower(ctx, t, "ecs.stop"),
  reboot: (ctx, t) => parsePower(ctx, t, "ecs.reboot"),
  resize: parseEcsResize,
  delete: parseEcsDelete,
};
