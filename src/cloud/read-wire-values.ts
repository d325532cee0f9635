import type { z } from "zod";

/**
 * The fast readings of a cloud response's values, for the readers that turn hot records into domain objects
 * without a schema's per-field machinery (`readServerRecord`, `readHssHost`). Each reads a value exactly as
 * its zod counterpart in `ecs-schemas.ts` does, or throws {@link UNSURE} where that schema would not simply
 * accept it: the reader then hands the record to the schema, so tolerance and error messages stay the schema's.
 */

export type Raw = Record<string, unknown>;

/** Marks a record the fast reading is not sure about: its schema reads it instead. */
export class Unsure extends Error {}
/** Thrown, never shown: one instance, so a fall back to the schema costs no stack trace. */
export const UNSURE = new Unsure();

export const isObject = (v: unknown): v is Raw => typeof v === "object" && v !== null && !Array.isArray(v);

/** Numbers as `numberish` reads them (a number, or a numeric string); `false` where it would reject. */
export function num(v: unknown): number | null | undefined | false {
  if (v === undefined || v === null) return v;
  if (typeof v === "number") return v;
  if (typeof v === "string" && /^-?\d+(\.\d+)?$/.test(v)) return Number(v);
  return false;
}

/** `optStr`: a string, or absent for `null` and `undefined`. */
export function str(v: unknown): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === "string") return v;
  throw UNSURE;
}

/** `optNum`: a number or a numeric string, or absent for `null` and `undefined`. */
export function number(v: unknown): number | undefined {
  const n = num(v);
  if (n === false) throw UNSURE;
  return n ?? undefined;
}

/** `value` and the rest of the nullable-list rules: an array, or nothing. */
export function list(v: unknown): unknown[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw UNSURE;
  return v;
}

/** Sets `key` only when there is a value, so the object never holds an undefined property. */
export function put<T, K extends keyof T>(target: T, key: K, value: T[K] | undefined): void {
  if (value !== undefined) target[key] = value;
}

/**
 * A record read by `fast` where it is sure (it throws {@link UNSURE} where it is not), otherwise by its schema
 * and `map`: what the schema accepts, or the schema's first issue (`path: message`). `fast` is a module's
 * function, not a closure made for each record: V8 keeps a closure's optimized code only while one of its
 * site lives, and would compile it again after every full garbage collection.
 */
export function readFastOrSchema<W, T>(
  raw: unknown,
  fast: (raw: Raw) => T,
  schema: z.ZodType<W>,
  map: (wire: W) => T,
): { ok: true; value: T } | { ok: false; error: string } {
  if (isObject(raw)) {
    try {
      return { ok: true, value: fast(raw) };
    } catch (error) {
      if (!(error instanceof Unsure)) throw error;
    }
  }
  const parsed = schema.safeParse(raw);
  if (parsed.success) return { ok: true, value: map(parsed.data) };
  const issue = parsed.error.issues[0];
  return { ok: false, error: issue ? `${issue.path.join(".") || "(record)"}: ${issue.message}` : "invalid" };
}
