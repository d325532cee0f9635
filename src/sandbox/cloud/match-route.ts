import type { LoggedMutation } from "./create-request-log.js";
import type { SimResponse } from "./error-bodies.js";
import type { SimCore } from "./sim-core.js";
import type { AuthDecision } from "./verify-request-auth.js";

/** Decoded query parameters; repeated keys are arrays. */
export type Query = Record<string, string | string[]>;

export interface RouteContext {
  core: SimCore;
  method: string;
  /** Decoded path. */
  path: string;
  params: Record<string, string>;
  query: Query;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  now: number;
  requestId: string;
  auth: Extract<AuthDecision, { ok: true }> | null;
}

export interface RouteResult extends SimResponse {
  /** Set by handlers that changed the world (used for the request log and drop-after-commit). */
  mutation?: LoggedMutation;
}

export type Service = "ecs" | "nova" | "hss" | "iam";

export interface Route {
  method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  /** Segments separated by `/`; `:name` captures one decoded segment. */
  pattern: string;
  service: Service;
  /** False only for `POST /v3/auth/tokens`. */
  auth: boolean;
  handle(ctx: RouteContext): RouteResult;
}

export type RouteMatch =
  | { kind: "found"; route: Route; params: Record<string, string> }
  | { kind: "wrong-method"; service: Service }
  | { kind: "none" };

/** First route whose pattern matches the decoded segments (a trailing slash is ignored). */
export function matchRoute(
  routes: readonly Route[],
  method: string,
  segments: readonly string[],
): RouteMatch {
  const parts =
    segments.length > 1 && segments[segments.length - 1] === "" ? segments.slice(0, -1) : segments;
  let wrongMethod: Service | null = null;
  for (const route of routes) {
    const pattern = route.pattern.split("/");
    if (pattern.length !== parts.length) continue;
    const params: Record<string, string> = {};
    let ok = true;
    for (let i = 0; i < pattern.length && ok; i++) {
      const p = pattern[i]!;
      const s = parts[i]!;
      if (p.startsWith(":")) {
        if (s === "") ok = false;
        else params[p.slice(1)] = s;
      } else if (p !== s) ok = false;
    }
    if (!ok) continue;
    if (route.method !== method) {
      wrongMethod ??= route.service;
      continue;
    }
    return { kind: "found", route, params };
  }
  return wrongMethod ? { kind: "wrong-method", service: wrongMethod } : { kind: "none" };
}

/** The single value of a query parameter (the first, when repeated). */
export function first(query: Query, key: string): string | undefined {
  const v = query[key];
  return Array.isArray(v) ? v[0] : v;
}

/** JSON body as an object, or undefined when missing or not a JSON object. */
export function jsonObject(body: Buffer): Record<string, unknown> | undefined {
  if (body.length === 0) return undefined;
  try {
    const parsed: unknown = JSON.parse(body.toString("utf8"));
    return parsed !== null && typeof parsed === "object" && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}
