import { canonicalIpv6 } from "../intents/classify-target.js";
import type { Target } from "../intents/index.js";
import { closestNames } from "./closest-names.js";
import { idKey } from "./create-fleet-name-index.js";
import { mapWithConcurrency } from "./map-with-concurrency.js";
import type {
  NameMatching,
  Resolution,
  ResolvableServer,
  ServerBrief,
  TargetLookup,
  TargetOutcome,
} from "./types.js";

export interface ResolveTargetsOptions {
  /**
   * How name targets match: `exact` (the default, and the only mode for anything that changes servers) or
   * `prefix` (reads: a unique case-insensitive prefix also resolves). See {@link NameMatching}.
   */
  names?: NameMatching;
  /**
   * With more server references (IDs, names, IPs) than this, the fleet is listed once and the references
   * are resolved against that list instead of one filtered query each. Default 20.
   */
  bulkThreshold?: number;
  /** Lookups in flight at once. Default 4. */
  concurrency?: number;
  /** How many "did you mean" names per missing name. Default 5. */
  suggestions?: number;
}

/**
 * Resolves parsed targets to servers (immutable IDs) before anything acts on them. The rules, in order:
 *
 * - **exact ID**: a UUID target is the server with that ID;
 * - **exact name** (case-sensitive): one server → it; several (duplicate names) → `ambiguous`;
 * - with `names: "prefix"` only (reads): **unique case-insensitive prefix**: one → it (rule `case` when its
 *   name differs from the target only in case, else `prefix`); several → `ambiguous`;
 * - **IP**: a server having exactly that address (fixed or floating); several → `ambiguous`.
 *
 * A UUID- or IP-shaped target is tried as an exact name before its ID/IP rule gives up, but never as a
 * prefix (`10.0.0.1` is not meant to pick `10.0.0.12`). `tag:key=value` selects every server carrying the
 * tag; a selector matching nothing is `no_match` and an empty key or value is `invalid`, never "all
 * servers". A miss is `not_found` with the names the requester may have meant (for a mutation, `web-1` when
 * only `web-10` exists is a miss suggesting `web-10`). Ambiguity is reported, never guessed.
 *
 * Pure apart from the `lookup` calls passed in; cloud failures propagate. Suggestions never list the
 * fleet: they come from the name query already made and from `lookup.knownNames()`.
 */
export async function resolveTargets<S extends ResolvableServer>(
  targets: readonly Target[],
  lookup: TargetLookup<S>,
  options: ResolveTargetsOptions = {},
): Promise<Resolution<S>> {
  const bulkThreshold = options.bulkThreshold ?? 20;
  const matching = options.names ?? "exact";
  const limit = options.suggestions ?? 5;
  const references = targets.filter((t) => t.kind !== "tag").length;
  let effective: TargetLookup<S> = lookup;
  if (references > bulkThreshold) {
    const fleet = await lookup.all();
    effective = { ...createListLookup(fleet), byTag: lookup.byTag.bind(lookup) };
  }
  // Asked only after a miss: asking may start a background refresh of the fleet index, which a command
  // that resolves cleanly must not cost.
  let knownCache: { names: readonly string[] | undefined } | undefined;
  const known = () => {
    knownCache ??= { names: effective.knownNames?.() ?? lookup.knownNames?.() };
    return knownCache.names;
  };

  const idStart = (name: string): { shown: readonly ServerBrief[]; more: number } | undefined => {
    if (!isIdStartShape(name)) return undefined;
    const found = (effective.knownIdsStartingWith ?? lookup.knownIdsStartingWith)?.(name) ?? [];
    if (!looksLikeIdStart(name, found.length > 0)) return undefined;
    return { shown: found.slice(0, limit), more: Math.max(0, found.length - limit) };
  };

  const outcomes = await mapWithConcurrency(targets, options.concurrency ?? 4, (target) =>
    resolveOne(target, effective, { matching, known, idStart, limit }),
  );

  const ambiguous = outcomes.filter(
    (o): o is Extract<TargetOutcome<S>, { kind: "ambiguous" }> => o.kind === "ambiguous",
  );
  const failed = outcomes.filter(
    (o): o is Extract<TargetOutcome<S>, { kind: "not_found" | "no_match" | "invalid" }> =>
      o.kind === "not_found" || o.kind === "no_match" || o.kind === "invalid",
  );
  if (ambiguous.length > 0 || failed.length > 0) return { ok: false, outcomes, ambiguous, failed };

  const seen = new Set<string>();
  const servers: S[] = [];
  for (const outcome of outcomes) {
    if (outcome.kind !== "resolved") continue;
    for (const server of outcome.servers) {
      if (seen.has(server.id)) continue;
      seen.add(server.id);
      servers.push(server);
    }
  }
  return { ok: true, servers, outcomes };
}

interface ResolveContext {
  matching: NameMatching;
  /** The fleet's names as last seen, if known (asked on a miss only). */
  known: () => readonly string[] | undefined;
  /**
   * For a missing name that looks like the start of a server ID: the servers known to have an ID starting
   * so (possibly none); undefined for any other name. Asked on a miss only.
   */
  idStart: (name: string) => { shown: readonly ServerBrief[]; more: number } | undefined;
  limit: number;
}

const UUID_TEMPLATE = "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx";

/**
 * 8 or more hex digits, with dashes where a UUID has them or none at all: how cards and lists shorten
 * server IDs (`d704b694`, `d704b694-9efd`, `d704b6949efd`). A whole UUID is an ID target, not a name.
 */
function isIdStartShape(name: string): boolean {
  if (/^[0-9a-f]{8,31}$/i.test(name)) return true;
  if (name.length < 8 || name.length >= UUID_TEMPLATE.length) return false;
  return [...name].every((c, i) => (UUID_TEMPLATE[i] === "-" ? c === "-" : /^[0-9a-f]$/i.test(c)));
}

/**
 * Whether a name (that matched no server) reads as the start of a server ID: `d704b694`, `d704b694-9efd`.
 * Pure digits (`20240101`) read as an ID only when a server's ID does start so (`known` says).
 */
export function looksLikeIdStart(name: string, known = false): boolean {
  return isIdStartShape(name) && (known || /[a-f]/i.test(name));
}

/**
 * Names the requester may have meant by `wanted`: first those equal to it but for case or extending it
 * (case-insensitive prefix), nearest first; then the closest by edit distance. `listed` is what the name
 * query returned (a superset of the prefix matches); `known` the fleet's names when an index has them.
 */
export function suggestNames(
  wanted: string,
  listed: readonly string[],
  known: readonly string[] | undefined,
  limit: number,
): string[] {
  const needle = wanted.toLowerCase();
  const pool = known === undefined ? listed : [...listed, ...known];
  const prefixed = [...new Set(pool.filter((n) => n !== wanted && n.toLowerCase().startsWith(needle)))].sort(
    (a, b) => a.length - b.length || compare(a.toLowerCase(), b.toLowerCase()) || compare(a, b),
  );
  const close = closestNames(wanted, known ?? listed, limit + prefixed.length).filter((n) => n !== wanted);
  return [...new Set([...prefixed, ...close])].slice(0, Math.max(0, limit));
}

async function resolveOne<S extends ResolvableServer>(
  target: Target,
  lookup: TargetLookup<S>,
  context: ResolveContext,
): Promise<TargetOutcome<S>> {
  switch (target.kind) {
    case "tag": {
      const key = target.key.trim();
      const value = target.value.trim();
      if (key === "" || value === "") return { kind: "invalid", target, reason: "empty_tag_selector" };
      const wanted = `${key}=${value}`;
      const servers = sortServers(
        unique((await lookup.byTag(key, value)).filter((s) => s.tags.includes(wanted))),
      );
      return servers.length === 0
        ? { kind: "no_match", target }
        : { kind: "resolved", target, rule: "tag", servers };
    }
    case "id": {
      const byId = await lookup.byId(target.id);
      if (byId !== undefined && byId.id.toLowerCase() === target.id.toLowerCase()) {
        return { kind: "resolved", target, rule: "id", servers: [byId] };
      }
      return (await exactName(target, target.id, lookup)) ?? { kind: "not_found", target, suggestions: [] };
    }
    case "name": {
      const listed = unique(await lookup.byName(target.name));
      const exact = sortServers(listed.filter((s) => s.name === target.name));
      if (exact.length > 0) return pick(target, "name", exact);
      if (context.matching === "prefix") {
        const prefix = target.name.toLowerCase();
        const prefixed = sortServers(listed.filter((s) => s.name.toLowerCase().startsWith(prefix)));
        // One server whose name differs only in case is said so, not called a prefix match.
        const only = prefixed.length === 1 ? prefixed[0] : undefined;
        if (only !== undefined && only.name.toLowerCase() === prefix)
          return { kind: "resolved", target, rule: "case", servers: [only] };
        if (prefixed.length > 0) return pick(target, "prefix", prefixed);
      }
      const suggestions = suggestNames(
        target.name,
        listed.map((s) => s.name),
        context.known(),
        context.limit,
      );
      // `d704b694`, as cards shorten IDs: said so, with the servers whose ID starts so as the suggestions
      // (offered, never resolved to: a prefix is not an ID).
      const idStart = context.idStart(target.name);
      if (idStart !== undefined) {
        const { shown, more } = idStart;
        const names = shown.length > 0 ? [...new Set(shown.map((s) => s.name))] : suggestions;
        return {
          kind: "not_found",
          target,
          suggestions: names,
          idStart: [...shown],
          ...(more > 0 && { idStartMore: more }),
        };
      }
      return { kind: "not_found", target, suggestions };
    }
    case "ip": {
      const named = await exactName(target, target.ip, lookup);
      if (named !== undefined) return named;
      const wanted = normalizeIp(target.ip);
      const servers = sortServers(
        unique(await lookup.byIp(target.ip, target.version)).filter((s) =>
          s.addresses.some((a) => normalizeIp(a.addr) === wanted),
        ),
      );
      if (servers.length > 0) return pick(target, "ip", servers);
      return { kind: "not_found", target, suggestions: [] };
    }
  }
}

/** The exact-name rule for a target that was written as an ID or an IP; undefined when no name matches. */
async function exactName<S extends ResolvableServer>(
  target: Target,
  name: string,
  lookup: TargetLookup<S>,
): Promise<TargetOutcome<S> | undefined> {
  const exact = sortServers(unique(await lookup.byName(name)).filter((s) => s.name === name));
  return exact.length > 0 ? pick(target, "name", exact) : undefined;
}

function pick<S extends ResolvableServer>(
  target: Target,
  rule: "name" | "prefix" | "ip",
  servers: S[],
): TargetOutcome<S> {
  return servers.length === 1
    ? { kind: "resolved", target, rule, servers }
    : { kind: "ambiguous", target, rule, candidates: servers };
}

function normalizeIp(ip: string): string {
  return ip.includes(":") ? (canonicalIpv6(ip) ?? ip.toLowerCase()) : ip;
}

function unique<S extends ResolvableServer>(servers: readonly S[]): S[] {
  const seen = new Set<string>();
  return servers.filter((s) => {
    if (seen.has(s.id)) return false;
    seen.add(s.id);
    return true;
  });
}

/** Candidates in a stable order (name, then ID), so the same question always looks the same. */
function sortServers<S extends ResolvableServer>(servers: S[]): S[] {
  return servers.sort((a, b) => compare(a.name, b.name) || compare(a.id, b.id));
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A lookup over an already listed fleet: the same answers, no further calls. */
export function createListLookup<S extends ResolvableServer>(servers: readonly S[]): TargetLookup<S> {
  return {
    byId: async (id) => servers.find((s) => s.id.toLowerCase() === id.toLowerCase()),
    byName: async (name) => {
      const needle = name.toLowerCase();
      return servers.filter((s) => s.name.toLowerCase().includes(needle));
    },
    byIp: async (ip) => {
      const wanted = normalizeIp(ip);
      return servers.filter((s) => s.addresses.some((a) => normalizeIp(a.addr) === wanted));
    },
    byTag: async (key, value) => servers.filter((s) => s.tags.includes(`${key}=${value}`)),
    all: async () => servers,
    knownNames: () => servers.map((s) => s.name),
    knownIdsStartingWith: (prefix) => {
      const wanted = idKey(prefix);
      return servers.filter((s) => idKey(s.id).startsWith(wanted));
    },
  };
}
