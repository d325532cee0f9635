/**
 * The candidate closest to `word` by edit distance (case-insensitive, adjacent swaps count as one edit),
 * or `undefined` when nothing is close enough to be a plausible typo. Used for "did you mean …?" hints.
 */
export function suggestClosest(word: string, candidates: Iterable<string>): string | undefined {
  const needle = word.toLowerCase();
  // Short words tolerate one edit, longer ones a third of their length: `aprovers` → `approvers`,
  // but `id` never "means" `ids`-like unrelated keys two edits away.
  const budget = Math.max(1, Math.floor(needle.length / 3));
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of candidates) {
    const distance = editDistance(needle, candidate.toLowerCase());
    if (distance < bestDistance && distance <= budget && distance < needle.length) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

/** Optimal string alignment distance (Levenshtein plus adjacent transpositions). */
function editDistance(a: string, b: string): number {
  // Configuration words are short; bail out on silly lengths rather than allocate a huge table.
  if (Math.abs(a.length - b.length) > 8 || a.length > 200 || b.length > 200) return Number.POSITIVE_INFINITY;
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[] = new Array<number>(rows * cols).fill(0);
  const at = (i: number, j: number): number => d[i * cols + j] ?? 0;
  for (let i = 0; i < rows; i++) d[i * cols] = i;
  for (let j = 0; j < cols; j++) d[j] = j;
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let value = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        value = Math.min(value, at(i - 2, j - 2) + 1);
      }
      d[i * cols + j] = value;
    }
  }
  return at(a.length, b.length);
}
