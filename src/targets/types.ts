import type { Target } from "../intents/index.js";

/**
 * The least a server must carry to be resolved: its immutable ID, its name, its addresses and its tags
 * (1D strings; 2D tags appear as `key=value`, as ECS `servers/detail` returns them). The cloud `Server`
 * satisfies it; tests use plain objects.
 */
export interface ResolvableServer {
  readonly id: string;
  readonly name: string;
  readonly addresses: readonly { readonly addr: string }[];
  readonly tags: readonly string[];
}

/**
 * Cloud lookups the resolver needs. Each may return a superset of the exact answer (the ECS filters are
 * fuzzy): the resolver applies the exact rules itself. Errors (cloud failures) propagate to the caller.
 */
export interface TargetLookup<S extends ResolvableServer> {
  /** The server with this ID, or undefined when it does not exist. */
  byId(id: string): Promise<S | undefined>;
  /** Servers whose name contains `name` (any superset of exact and case-insensitive prefix matches). */
  byName(name: string): Promise<readonly S[]>;
  /** Servers that may have this IP address (any superset of the exact matches). */
  byIp(ip: string, version: 4 | 6): Promise<readonly S[]>;
  /** Servers that may have the tag `key=value` (any superset of the exact matches). */
  byTag(key: string, value: string): Promise<readonly S[]>;
  /** Every server. Used only when it is cheaper than one query per target (many targets). */
  all(): Promise<readonly S[]>;
  /**
   * Names of the fleet as last seen, for "did you mean" suggestions after a miss, without a blocking
   * listing: undefined while none is known yet (suggestions then come from the name query alone).
   */
  knownNames?(): readonly string[] | undefined;
  /**
   * Servers of the fleet as last seen whose ID starts with `prefix` (case-insensitive, dashes ignored), for
   * a name that looks like a shortened ID; without a blocking listing: undefined while none is known yet.
   */
  knownIdsStartingWith?(prefix: string): readonly ServerBrief[] | undefined;
}

/** A server's ID and name, as the fleet index keeps them. */
export interface ServerBrief {
  readonly id: string;
  readonly name: string;
}

/**
 * How a name target may match. `exact` (every command that changes something): only an exact,
 * case-sensitive name (or an exact ID or IP): a near miss is `not_found` with the near names as
 * suggestions, never acted on. `prefix` (reads): a unique case-insensitive prefix also resolves.
 */
export type NameMatching = "exact" | "prefix";

/**
 * Which rule resolved a target. `case` (reads): the one server whose name equals the target but for case;
 * `prefix` (reads): the one server whose name starts with it (case-insensitive).
 */
export type ResolutionRule = "id" | "name" | "case" | "prefix" | "ip" | "tag";

/** What became of one target. */
export type TargetOutcome<S extends ResolvableServer> =
  /** Exactly these servers (one for a server reference; one or more for a tag selector). */
  | { kind: "resolved"; target: Target; rule: ResolutionRule; servers: S[] }
  /** Several servers fit a reference that must name one: the requester has to choose. */
  | { kind: "ambiguous"; target: Target; rule: "name" | "prefix" | "ip"; candidates: S[] }
  /**
   * No server fits the reference. `suggestions`: names the requester may have meant, best first (names
   * differing only in case or extending it as a prefix, then the closest by edit distance; possibly none).
   */
  | {
      kind: "not_found";
      target: Target;
      suggestions: string[];
      /**
       * Set when the missing name looks like the start of a server ID (`d704b694`, as cards shorten IDs):
       * the servers known to have an ID starting so (possibly none). Their names are then the suggestions.
       */
      idStart?: ServerBrief[];
      /** How many more servers' IDs start so than `idStart` holds (said, not offered). */
      idStartMore?: number;
    }
  /** A tag selector that matches no server (never "all servers"). */
  | { kind: "no_match"; target: Target }
  /** A selector that cannot select anything safely (empty key or value). */
  | { kind: "invalid"; target: Target; reason: "empty_tag_selector" };

/**
 * The result of resolving a command's targets. `ok` only when every target resolved; then `servers`
 * holds each distinct server once, in the order the targets named them.
 */
export type Resolution<S extends ResolvableServer> =
  | { ok: true; servers: S[]; outcomes: TargetOutcome<S>[] }
  | {
      ok: false;
      outcomes: TargetOutcome<S>[];
      /** Targets needing a choice, in command order. */
      ambiguous: Extract<TargetOutcome<S>, { kind: "ambiguous" }>[];
      /** Targets that cannot be resolved at all (not found, no match, invalid), in command order. */
      failed: Extract<TargetOutcome<S>, { kind: "not_found" | "no_match" | "invalid" }>[];
    };
