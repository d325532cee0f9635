/**
 * "Did you mean" suggestions. Suggestions are only ever shown to the user, never applied: a typo in a
 * mutating verb must not silently run something else.
 */

/** Words longer than this get no suggestion (keeps the quadratic distance cheap on hostile input). */
const MAX_WORD_LENGTH = 64;

/**
 * Optimal-string-alignment distance (Levenshtein plus adjacent transpositions, so `stpo` → `stop` is 1).
 * Compares UTF-16 code units; callers pass short ASCII words.
 */
export function editDistance(a: string, b: string): number {
  const n = a.length;
  const m = b.length;
  if (n === 0) return m;
  if (m === 0) return n;
  let prevPrev = new Array<number>(m + 1).fill(0);
  let prev = Array.from({ length: m + 1 }, (_, j) => j);
  let cur = new Array<number>(m + 1).fill(0);
  for (let i = 1; i <= n; i++) {
    cur[0] = i;
    for (let j = 1; j <= m; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        d = Math.min(d, prevPrev[j - 2]! + 1);
      cur[j] = d;
    }
    [prevPrev, prev, cur] = [prev, cur, prevPrev];
  }
  return prev[m]!;
}

function threshold(length: number): number {
  if (length <= 3) return 1;
  if (length <= 6) return 2;
  return 3;
}

/**
 * The candidate closest to `word` (case-insensitive), or undefined if none is close enough.
 * `aliases` maps common synonyms to a candidate (`restart` → `reboot`); ties go to the earlier candidate.
 * A word that is a prefix of exactly one candidate (`del` → `delete`) suggests that candidate.
 */
export function suggest(
  word: string,
  candidates: readonly string[],
  aliases: Readonly<Record<string, string>> = {},
): string | undefined {
  const w = word.toLowerCase();
  if (w.length === 0 || w.length > MAX_WORD_LENGTH) return undefined;
  if (Object.hasOwn(aliases, w)) {
    const alias = aliases[w];
    if (alias !== undefined && candidates.includes(alias)) return alias;
  }
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of candidates) {
    const d = editDistance(w, candidate.toLowerCase());
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  if (best !== undefined && bestDistance <= threshold(w.length)) return best;
  if (w.length >= 2) {
    const prefixed = candidates.filter((c) => c.toLowerCase().startsWith(w));
    if (prefixed.length === 1) return prefixed[0];
  }
  return undefined;
}
