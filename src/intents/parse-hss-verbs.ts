import {
  HSS_AGENT_STATUSES,
  HSS_OS_TYPES,
  HSS_PROTECT_STATUSES,
  HSS_SCAN_STATUSES,
  HSS_VERSIONS,
  type Intent,
  TAG_TEXT_RE,
} from "./intent-schema.js";
import {
  badValue,
  type Ctx,
  collectArgs,
  enumValue,
  failure,
  onePositional,
  parseId,
  type Result,
  singleFilter,
  unexpected,
  usage,
  type VerbParser,
} from "./parse-arguments.js";
import { parseServerRef } from "./parse-targets.js";
import type { Token } from "./tokenize.js";

/** `/hss` verbs: hosts, open ports and vulnerability scans (all reads). */

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
        if (!v) return badValue(ctx, { noun: "an agent status", key }, kv.value, HSS_AGENT_STATUSES);
        filters.agent = v;
        break;
      }
      case "protect": {
        const v = enumValue(value, HSS_PROTECT_STATUSES);
        if (!v) return badValue(ctx, { noun: "a protection status", key }, kv.value, HSS_PROTECT_STATUSES);
        filters.protect = v;
        break;
      }
      case "os": {
        const v = enumValue(value, HSS_OS_TYPES);
        if (!v) return badValue(ctx, { noun: "an OS type", key }, kv.value, HSS_OS_TYPES);
        filters.os = v;
        break;
      }
      case "version": {
        const v = enumValue(value, HSS_VERSIONS) ?? enumValue(`hss.version.${value}`, HSS_VERSIONS);
        if (!v) return badValue(ctx, { noun: "an HSS edition", key }, kv.value, HSS_VERSIONS);
        filters.version = v;
        break;
      }
      case "group":
        // HSS takes a group name of 1 to 64 characters (hss-list-hosts `group_name`); an ID is a UUID.
        if (value === "" || value.length > 64 || !TAG_TEXT_RE.test(value)) {
          return badValue(
            ctx,
            { noun: "a server group", key },
            kv.value,
            "its name (1 to 64 characters) or ID",
          );
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
  const id = parseId(ctx, rest.positionals, "a scan task ID");
  if (!id.ok) return id;
  const intent: Extract<Intent, { type: "hss.scan" }> = { type: "hss.scan", taskId: id.value };
  if (single.value) {
    const status = enumValue(single.value.value.trim(), HSS_SCAN_STATUSES);
    if (!status)
      return badValue(ctx, { noun: "a scan status", key: "status" }, single.value.value, HSS_SCAN_STATUSES);
    intent.status = status;
  }
  return { ok: true, value: intent };
}

export const HSS_PARSERS: Readonly<Record<string, VerbParser>> = {
  hosts: parseHssHosts,
  ports: parseHssPorts,
  scan: parseHssScan,
};
