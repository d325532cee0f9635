import { editDistance } from "../intents/index.js";

/** Names longer than this are not compared (keeps the quadratic distance cheap on hostile input). */
const MAX_COMPARED_LENGTH = 128;

/**
 * The names closest to `wanted` by edit distance (case-insensitive, adjacent swaps count as one edit),
 * best first, at most `limit`, distinct. A name is close enough when it is within a third of the
 * wanted name's length (at least 1, at most 4 edits), or when one contains the other. Ties go to the longer
 * shared prefix, then the closer length, then the name, so the answer is deterministic. Only ever shown as a hint, never used to act.
 */
export function closestNames(wanted: string, names: Iterable<string>, limit = 3): string[] {
  const needle = wanted.toLowerCase();
  if (needle.length === 0 || needle.length > MAX_COMPARED_LENGTH) return [];
  const budget = Math.min(4, Math.max(1, Math.floor(needle.length / 3)));
  const scored = new Map<string, number>();
  for (const name of names) {
    if (scored.has(name) || name.length > MAX_COMPARED_LENGTH) continue;
    const candidate = name.toLowerCase();
    let score = editDistance(needle, candidate);
    if (score > budget) {
      // `web` for `web-01`, `prod-web-01` for `web-01`: containment is a plausible intent too.
      if (needle.length >= 3 && (candidate.includes(needle) || needle.includes(candidate))) {
        score = budget + 1 + Math.abs(candidate.length - needle.length) / 1000;
      } else {
        continue;
      }
    }
    scored.set(name, score);
  }
  const prefixOf = (name: string) => commonPrefixLength(needle, name.toLowerCase());
  return [...scored.entries()]
    .sort(
      (a, b) =>
        a[1] - b[1] ||
        prefixOf(b[0]) - prefixOf(a[0]) ||
        Math.abs(a[0].length - needle.length) - Math.abs(b[0].length - needle.length) ||
        (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0),
    )
    .slice(0, Math.max(0, limit))
    .map(([name]) => name);
}

function commonPrefixLength(a: string, b: string): number {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return i;
}
