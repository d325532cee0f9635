import {
  ABSENT,
  NO_CHANGE,
  type Store,
  UpdateAbort,
  type UpdateFn,
  type UpdateOptions,
  type UpdateResult,
  UpdateWrite,
  type WriteOptions,
} from "./store.js";

/**
 * The `update` loop shared by every backend: read, compute, compare-and-swap, and on a lost race start
 * over on a fresh read. Atomicity comes entirely from `compareAndSwap`, so a backend only has to get CAS
 * right.
 */
export async function updateWithCas<T, A>(
  store: Pick<Store, "get" | "compareAndSwap">,
  key: string,
  fn: UpdateFn<T, A>,
  options: UpdateOptions,
): Promise<UpdateResult<T, A>> {
  const { retries, ...defaults } = options;
  for (let attempt = 0; attempt <= retries; attempt++) {
    const current = await store.get<T>(key);
    const next = fn(current);
    if (next === NO_CHANGE) return { ok: true, changed: false, current };
    if (next instanceof UpdateAbort) return { ok: false, reason: "aborted", detail: next.detail };
    const [value, writeOptions]: [T, WriteOptions] =
      next instanceof UpdateWrite ? [next.value, next.options] : [next, defaults];
    const expected = current?.version ?? ABSENT;
    if (await store.compareAndSwap(key, expected, value, writeOptions))
      return { ok: true, changed: true, value };
  }
  return { ok: false, reason: "conflict" };
}
