/**
 * Query parameters of the HSS routes: integers within a range, booleans and enumerations, each
 * answering 400 `HSS.0001` when malformed, and the `enterprise_project_id` every listing accepts.
 */
import { hssError } from "./error-bodies.js";
import { first, type Query, type RouteResult } from "./match-route.js";

/** 400 `HSS.0001` (invalid parameter), with what was wrong. */
export const invalid = (detail: string): RouteResult =>
  hssError(400, "HSS.0001", `Invalid parameter. ${detail}`);

/** A parsed query parameter, or the error response that rejects it. */
export type Parsed<T> = T | { error: RouteResult };

/** Whether a parse failed (then `error` is the response to send). */
export function isError<T>(v: Parsed<T>): v is { error: RouteResult } {
  return typeof v === "object" && v !== null && "error" in v;
}

/** Integer query parameter within [min, max]; `fallback` when absent. */
export function intParam(
  query: Query,
  key: string,
  min: number,
  max: number,
  fallback: number,
): Parsed<number> {
  const raw = first(query, key);
  if (raw === undefined || raw === "") return fallback;
  if (!/^-?\d+$/.test(raw)) return { error: invalid(`${key} must be an integer.`) };
  const n = Number(raw);
  if (n < min || n > max) return { error: invalid(`${key} must be between ${min} and ${max}.`) };
  return n;
}

/** `true`/`false` query parameter; undefined when absent. */
export function boolParam(query: Query, key: string): Parsed<boolean | undefined> {
  const raw = first(query, key);
  if (raw === undefined || raw === "") return undefined;
  if (raw !== "true" && raw !== "false") return { error: invalid(`${key} must be true or false.`) };
  return raw === "true";
}

/** Query parameter that must be one of `values`; undefined when absent. */
export function enumParam(query: Query, key: string, values: readonly string[]): Parsed<string | undefined> {
  const raw = first(query, key);
  if (raw === undefined || raw === "") return undefined;
  if (!values.includes(raw)) return { error: invalid(`${key} must be one of ${values.join(", ")}.`) };
  return raw;
}

/** Whether `enterprise_project_id` names the only enterprise project (`0`) or all of them; absent matches. */
export function enterpriseProjectMatches(query: Query): boolean {
  const ep = first(query, "enterprise_project_id");
  return ep === undefined || ep === "" || ep === "0" || ep === "all_granted_eps";
}
