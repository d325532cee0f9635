import type { Prng } from "./create-prng.js";
import { INJECTABLE_ERRORS, type InjectableErrorCode, isInjectableErrorCode } from "./error-bodies.js";

/**
 * A path matcher: a plain string is a substring of the raw request path, taken literally (even
 * `"/servers/detail"` or `"/a.b/"`); a RegExp, or a string `re:<pattern>` (how regular expressions
 * travel over the admin JSON API), is a regular expression. Paths start with `/`, hence no
 * `/regex/` syntax.
 */
export type PathMatch = string | RegExp;

/** Drop the response of committed mutations: the change happens, the client sees a dead socket. */
export interface DropAfterCommit {
  /** How many matching mutations to drop; default 1, or every matching one when only `match` is set. */
  count?: number | null;
  /** Only mutations whose path matches. */
  match?: PathMatch | null;
}

/** Fault knobs of the simulated cloud (the admin routes under `/__sim/` are never affected). */
export interface FaultSettings {
  /**
   * Delay added before handling each cloud API request, on the simulator clock: with a manual
   * clock a delayed request stays in flight until the clock is advanced past its delay.
   */
  latencyMs: number;
  /** Share of requests, 0..1, answered 429 with `APIG.0308` and `Retry-After`. */
  rate429: number;
  /** `Retry-After` seconds on injected 429s. */
  retryAfterSeconds: number;
  /** Share of requests, 0..1, answered with a 5xx before reaching the service. */
  rate5xx: number;
  /** Which 5xx: 500 (ECS/HSS/IAM body), 502/503/504 (gateway body), or a mix of 500 and 503. */
  status5xx: 500 | 502 | 503 | 504 | "mixed";
  /** Restrict latency and random faults to matching paths; null = every path. */
  match: PathMatch | null;
  /** Null = off. */
  dropAfterCommit: DropAfterCommit | null;
}

/**
 * One-shot failures for the next matching requests (deterministic, unlike the rates): a 429/5xx by `status`,
 * or a documented error answer by `code` (`APIG.0101` 404, `Ecs.0603` 501, `Ecs.1000`–`Ecs.1002` 400: see
 * `INJECTABLE_ERRORS`), its status from the reference (a `status` given with it must be that one). Either
 * way the request never reaches the service: nothing changes.
 */
export interface FailRequestsOptions {
  status?: 429 | 500 | 502 | 503 | 504 | 400 | 404 | 501;
  code?: InjectableErrorCode | null;
  /** Default 1. */
  count?: number;
  match?: PathMatch | null;
  /** Only requests with this HTTP method. */
  method?: string | null;
}

export type FaultDecision =
  | { kind: "none" }
  | { kind: "throttle" }
  | { kind: "error"; status: 500 | 502 | 503 | 504 }
  | { kind: "answer"; code: InjectableErrorCode };

const FAIL_STATUSES: readonly number[] = [429, 500, 502, 503, 504];

/**
 * Checks one-shot options: a 429/5xx `status`, or an injectable `code` (with no status, or its own). Throws a
 * `TypeError` naming what is wrong (the admin API answers it as 400).
 */
function checkFailRequests(options: FailRequestsOptions): void {
  const { code, status } = options;
  if (code !== undefined && code !== null) {
    if (!isInjectableErrorCode(code))
      throw new TypeError(`code must be one of ${Object.keys(INJECTABLE_ERRORS).join(", ")}`);
    const documented = INJECTABLE_ERRORS[code].status;
    if (status !== undefined && status !== documented)
      throw new TypeError(`${code} is answered with status ${documented}, not ${status}`);
  } else if (!FAIL_STATUSES.includes(status as number)) {
    throw new TypeError("status must be 429, 500, 502, 503 or 504 (or give an injectable code)");
  }
  if (options.count !== undefined && (typeof options.count !== "number" || !(options.count >= 1))) {
    throw new TypeError("count must be >= 1");
  }
  if (options.method !== undefined && options.method !== null && typeof options.method !== "string") {
    throw new TypeError("method must be a string");
  }
}

export interface FaultInjector {
  settings(): FaultSettings;
  update(patch: Partial<FaultSettings>): FaultSettings;
  failNext(options: FailRequestsOptions): void;
  clear(): void;
  /** Latency for a request to `path`. */
  latencyFor(path: string): number;
  /** Decided before the request reaches the service, so no state changes. */
  decide(method: string, path: string): FaultDecision;
  /** Asked after a mutation was committed; true = destroy the socket instead of answering. */
  shouldDrop(method: string, path: string): boolean;
}

export const NO_FAULTS: FaultSettings = {
  latencyMs: 0,
  rate429: 0,
  retryAfterSeconds: 1,
  rate5xx: 0,
  status5xx: "mixed",
  match: null,
  dropAfterCommit: null,
};

/** Parses `re:<pattern>` strings into RegExps (how matchers travel over the admin JSON API). */
export function toPathMatch(value: unknown): PathMatch | null {
  if (value === null || value === undefined || value === "") return null;
  if (value instanceof RegExp) return value;
  if (typeof value !== "string") throw new TypeError("match must be a string");
  if (!value.startsWith("re:")) return value;
  try {
    return new RegExp(value.slice(3));
  } catch (err) {
    // A clear input error (the admin API answers 400) instead of a bare SyntaxError.
    throw new TypeError(`match: invalid regular expression ${value.slice(3)} (${(err as Error).message})`);
  }
}

function matches(match: PathMatch | null | undefined, path: string): boolean {
  if (match === null || match === undefined) return true;
  return typeof match === "string" ? path.includes(match) : match.test(path);
}

export function createFaultInjector(prng: Prng): FaultInjector {
  let settings: FaultSettings = { ...NO_FAULTS };
  let oneShots: (FailRequestsOptions & { remaining: number })[] = [];
  let dropRemaining: number | null = null;

  const clampRate = (v: number | undefined, fallback: number): number =>
    v === undefined || !Number.isFinite(v) ? fallback : Math.min(1, Math.max(0, v));

  return {
    settings: () => ({
      ...settings,
      dropAfterCommit: settings.dropAfterCommit ? { ...settings.dropAfterCommit } : null,
    }),
    update(patch) {
      const num = (key: "latencyMs" | "retryAfterSeconds" | "rate429" | "rate5xx"): number | undefined => {
        const v = patch[key];
        if (v === undefined) return undefined;
        if (typeof v !== "number" || !Number.isFinite(v) || v < 0)
          throw new TypeError(`${key} must be a number >= 0`);
        return v;
      };
      if (patch.status5xx !== undefined && ![500, 502, 503, 504, "mixed"].includes(patch.status5xx)) {
        throw new TypeError("status5xx must be 500, 502, 503, 504 or mixed");
      }
      const next: FaultSettings = {
        latencyMs: num("latencyMs") ?? settings.latencyMs,
        rate429: clampRate(num("rate429"), settings.rate429),
        retryAfterSeconds: Math.floor(num("retryAfterSeconds") ?? settings.retryAfterSeconds),
        rate5xx: clampRate(num("rate5xx"), settings.rate5xx),
        status5xx: patch.status5xx ?? settings.status5xx,
        match: "match" in patch ? toPathMatch(patch.match) : settings.match,
        dropAfterCommit: settings.dropAfterCommit,
      };
      if ("dropAfterCommit" in patch) {
        const d = patch.dropAfterCommit;
        if (d) {
          const match = toPathMatch(d.match);
          if (d.count !== undefined && d.count !== null && (typeof d.count !== "number" || d.count < 1)) {
            throw new TypeError("dropAfterCommit.count must be a number >= 1");
          }
          dropRemaining = d.count !== undefined && d.count !== null ? Math.floor(d.count) : match ? null : 1;
          next.dropAfterCommit = { count: dropRemaining, match };
        } else {
          dropRemaining = null;
          next.dropAfterCommit = null;
        }
      }
      settings = next;
      return this.settings();
    },
    failNext(options) {
      checkFailRequests(options);
      oneShots.push({
        ...options,
        match: toPathMatch(options.match),
        remaining: Math.max(1, Math.floor(options.count ?? 1)),
      });
    },
    clear() {
      settings = { ...NO_FAULTS };
      oneShots = [];
      dropRemaining = null;
    },
    latencyFor(path) {
      return settings.latencyMs > 0 && matches(settings.match, path) ? settings.latencyMs : 0;
    },
    decide(method, path) {
      const shot = oneShots.find(
        (o) => matches(o.match, path) && (!o.method || o.method.toUpperCase() === method.toUpperCase()),
      );
      if (shot) {
        shot.remaining -= 1;
        if (shot.remaining <= 0) oneShots = oneShots.filter((o) => o !== shot);
        if (shot.code !== undefined && shot.code !== null) return { kind: "answer", code: shot.code };
        return shot.status === 429
          ? { kind: "throttle" }
          : { kind: "error", status: shot.status as 500 | 502 | 503 | 504 };
      }
      if ((settings.rate429 <= 0 && settings.rate5xx <= 0) || !matches(settings.match, path))
        return { kind: "none" };
      const r = prng.next();
      if (r < settings.rate429) return { kind: "throttle" };
      if (r < settings.rate429 + settings.rate5xx) {
        const status = settings.status5xx === "mixed" ? (prng.chance(0.5) ? 500 : 503) : settings.status5xx;
        return { kind: "error", status };
      }
      return { kind: "none" };
    },
    shouldDrop(_method, path) {
      const d = settings.dropAfterCommit;
      if (!d || !matches(d.match, path)) return false;
      if (dropRemaining === null) return true;
      if (dropRemaining <= 0) return false;
      dropRemaining -= 1;
      d.count = dropRemaining;
      if (dropRemaining <= 0) settings = { ...settings, dropAfterCommit: null };
      return true;
    },
  };
}
