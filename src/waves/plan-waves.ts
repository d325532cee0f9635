/**
 * Rolling waves: how a request's servers are split into waves, planned once at request time and bound by the
 * approval (what is approved is what runs). Pure.
 */

/** Servers per API call of a batch operation (ECS batch start/stop/reboot). */
export const MAX_BATCH = 1000;
/** Most waves one request may have. */
export const MAX_WAVES = 100;

/** A count or a share of the targets, as typed: `3` or `10%`. */
export type CountOrShare = { kind: "count"; value: number } | { kind: "percent"; value: number };

/** The wave options of a command (`--waves`, `--wave-size`, `--pause`, `--max-failures`), as typed. */
export interface WaveOptions {
  /** `--waves <n>`: this many waves (exclusive with `size`). */
  waves?: number;
  /** `--wave-size <n|p%>`: waves of this many servers (the last may be smaller). */
  size?: CountOrShare;
  /** `--pause <duration>` between waves, in ms. */
  pauseMs?: number;
  /** `--max-failures <n|p%>`: the run stops when this many servers failed. */
  maxFailures?: CountOrShare;
}

/** The planned waves, bound by the approval (request parameter `waves`). */
export interface WavePlan {
  /** Server IDs of each wave, in order; every target exactly once. */
  waves: string[][];
  pauseMs: number;
  /** The run stops, sending nothing more, once this many servers failed (≥ 1). */
  maxFailures: number;
  /** As typed, for the card (`10%`). */
  maxFailuresText: string;
}

export type PlanResult = { ok: true; plan: WavePlan } | { ok: false; error: string };

/** Resolves `n` or `p%` against a total: a share rounds up, so `10%` of 5 is 1, never 0. */
export function resolveCountOrShare(value: CountOrShare, total: number): number {
  return value.kind === "count" ? value.value : Math.max(1, Math.ceil((value.value * total) / 100));
}

export function formatCountOrShare(value: CountOrShare): string {
  return value.kind === "count" ? String(value.value) : `${value.value}%`;
}

/** Parses `3` or `10%` (1–100 %, counts from 1); undefined when it is neither. */
export function parseCountOrShare(text: string): CountOrShare | undefined {
  const m = /^(\d{1,6})(%?)$/.exec(text.trim());
  if (!m) return undefined;
  const value = Number(m[1]);
  if (m[2] === "%") return value >= 1 && value <= 100 ? { kind: "percent", value } : undefined;
  return value >= 1 ? { kind: "count", value } : undefined;
}

/** The default failure threshold when `--max-failures` is not given: the first failed server stops the run. */
const DEFAULT_MAX_FAILURES: CountOrShare = { kind: "count", value: 1 };

/**
 * Splits the servers (in the order given) into contiguous waves: `waves` of near-equal sizes (the first ones
 * one larger), or waves of `size`. Refuses (with what to change) more waves than servers or than
 * {@link MAX_WAVES}.
 */
export function planWaves(serverIds: readonly string[], options: WaveOptions): PlanResult {
  const n = serverIds.length;
  if (n === 0) return { ok: false, error: "there are no servers to split into waves" };
  let count: number;
  if (options.waves !== undefined) {
    if (options.waves > n)
      return {
        ok: false,
        error: `\`--waves ${options.waves}\` is more waves than the ${n} ${n === 1 ? "server" : "servers"}; use at most \`--waves ${n}\``,
      };
    count = options.waves;
  } else if (options.size !== undefined) {
    const size = Math.min(n, resolveCountOrShare(options.size, n));
    count = Math.ceil(n / size);
  } else count = 1;
  if (count > MAX_WAVES)
    return {
      ok: false,
      error: `that makes ${count} waves; at most ${MAX_WAVES}: use bigger waves (\`--wave-size ${Math.ceil(n / MAX_WAVES)}\`)`,
    };
  const waves: string[][] = [];
  if (options.waves === undefined && options.size !== undefined) {
    const size = Math.min(n, resolveCountOrShare(options.size, n));
    for (let i = 0; i < n; i += size) waves.push(serverIds.slice(i, i + size));
  } else {
    const base = Math.floor(n / count);
    const extra = n % count;
    let at = 0;
    for (let w = 0; w < count; w++) {
      const size = base + (w < extra ? 1 : 0);
      waves.push(serverIds.slice(at, at + size));
      at += size;
    }
  }
  const threshold = options.maxFailures ?? DEFAULT_MAX_FAILURES;
  return {
    ok: true,
    plan: {
      waves,
      pauseMs: options.pauseMs ?? 0,
      maxFailures: resolveCountOrShare(threshold, n),
      maxFailuresText: formatCountOrShare(threshold),
    },
  };
}

/** The API calls of one wave: batches of at most {@link MAX_BATCH} servers. */
export function batchesOf(wave: readonly string[], max = MAX_BATCH): string[][] {
  const out: string[][] = [];
  for (let i = 0; i < wave.length; i += max) out.push(wave.slice(i, i + max));
  return out;
}

const isStringArray = (v: unknown): v is string[] =>
  Array.isArray(v) && v.every((s) => typeof s === "string");

/** Reads the bound `waves` parameter of an approved request back; undefined when absent or malformed. */
export function wavePlanOf(parameters: Readonly<Record<string, unknown>>): WavePlan | undefined {
  const w = parameters.waves;
  if (typeof w !== "object" || w === null) return undefined;
  const r = w as Record<string, unknown>;
  if (!Array.isArray(r.waves) || !r.waves.every(isStringArray) || r.waves.length === 0) return undefined;
  if (typeof r.pauseMs !== "number" || typeof r.maxFailures !== "number") return undefined;
  return {
    waves: r.waves.map((x) => [...x]),
    pauseMs: r.pauseMs,
    maxFailures: r.maxFailures,
    maxFailuresText: typeof r.maxFailuresText === "string" ? r.maxFailuresText : String(r.maxFailures),
  };
}

/** A plan as the policy's `require_waves` rules see it. */
export function policyWavesOf(plan: WavePlan): { count: number; maxFailures: number } {
  return { count: plan.waves.length, maxFailures: plan.maxFailures };
}

/** The wave options a parsed command carries, if any. */
export function waveOptionsOfIntent(intent: object): WaveOptions | undefined {
  return "waves" in intent && typeof intent.waves === "object" && intent.waves !== null
    ? (intent.waves as WaveOptions)
    : undefined;
}
