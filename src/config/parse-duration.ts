import * as z from "zod";
import { valueIssue } from "./value-issue.js";

/** Result of {@link parseDuration}. */
export type DurationResult = { ok: true; ms: number } | { ok: false; error: string };

const UNIT_MS = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
const EXAMPLES = "use e.g. 30m, 2h, 1d";
const DURATION = /^(?:\d{1,9}[smhd])+$/;
const PART = /(\d+)([smhd])/g;

/**
 * Parses a human duration such as `30m`, `2h`, `1d` or `1h30m` (units: s, m, h, d) into milliseconds.
 * Returns an error message, never throws, for anything else.
 */
export function parseDuration(text: string): DurationResult {
  const problem = durationProblem(text);
  if (problem !== undefined) return { ok: false, error: `\`${text}\` ${problem}` };
  return { ok: true, ms: durationMs(text.trim()) };
}

/** Renders milliseconds the way a policy author would write them: `30m`, `1h30m`, `45s`. */
export function formatDuration(ms: number): string {
  let rest = Math.max(0, Math.round(ms / 1_000)) * 1_000;
  if (rest === 0) return "0s";
  let out = "";
  for (const unit of ["d", "h", "m", "s"] as const) {
    const size = UNIT_MS[unit];
    const count = Math.floor(rest / size);
    if (count > 0) out += `${count}${unit}`;
    rest -= count * size;
  }
  return out;
}

/**
 * A config value holding a duration; parses to milliseconds. Errors read
 * "`expires_in: 30x` is not a duration; use e.g. 30m, 2h, 1d" in the YAML loader.
 */
export const durationSchema = z.unknown().transform((value, ctx): number => {
  if (value === undefined) {
    ctx.addIssue({ code: "invalid_type", expected: "string", input: value });
    return z.NEVER;
  }
  const text = typeof value === "number" ? String(value) : value;
  const problem = typeof text === "string" ? durationProblem(text) : `is not a duration; ${EXAMPLES}`;
  if (problem !== undefined || typeof text !== "string") {
    ctx.addIssue(valueIssue(value, problem ?? `is not a duration; ${EXAMPLES}`));
    return z.NEVER;
  }
  return durationMs(text.trim());
});

/** The inclusive bounds of a duration setting, with an example an author could write instead. */
export interface DurationBounds {
  minMs: number;
  maxMs: number;
  /** Shown after the bounds: "use e.g. 30m". */
  example: string;
}

/**
 * A config value holding a duration within `bounds`. Every duration a file sets has both bounds: an unbounded
 * one (`expires_in: 99999999d`) overflows dates and timers far from the file, instead of failing at load with
 * file:line. Errors read "`expires_in: 99999999d` must be between 1s and 30d; use e.g. 30m".
 */
export function boundedDurationSchema(bounds: DurationBounds) {
  const range = `between ${formatDuration(bounds.minMs)} and ${formatDuration(bounds.maxMs)}`;
  return durationSchema.superRefine((ms, ctx) => {
    if (ms < bounds.minMs || ms > bounds.maxMs)
      ctx.addIssue(valueIssue(ms, `must be ${range}; use e.g. ${bounds.example}`));
  });
}

/** What is wrong with `text` as a duration, phrased to follow the value, or `undefined` when it is fine. */
function durationProblem(text: string): string | undefined {
  const trimmed = text.trim();
  if (/^\d+$/.test(trimmed)) return `has no unit; ${EXAMPLES} (s, m, h or d)`;
  if (!DURATION.test(trimmed)) return `is not a duration; ${EXAMPLES}`;
  if (durationMs(trimmed) > Number.MAX_SAFE_INTEGER) return "is too long";
  return undefined;
}

function durationMs(text: string): number {
  let total = 0;
  for (const [, count, unit] of text.matchAll(PART)) {
    total += Number(count) * UNIT_MS[unit as keyof typeof UNIT_MS];
  }
  return total;
}
