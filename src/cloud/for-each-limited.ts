/**
 * Runs `fn` on every item, at most `limit` at a time, in order of start: how per-server reads fan out without
 * sending a burst the cloud's rate limits would answer with 429s. Rejects with the first error `fn` throws
 * (the others already started run on; none start after it).
 */
export async function forEachLimited<T>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
