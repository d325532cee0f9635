/** One page of an offset-paginated listing. */
export interface OffsetPage<T> {
  totalNum: number;
  items: T[];
}

export interface FetchOffsetPagesOptions {
  pageSize: number;
  /** Pages in flight at once after the first page revealed the total. */
  concurrency: number;
  /** Stop after this many records. */
  maxRecords?: number;
  signal?: AbortSignal;
}

/**
 * Fetches every page of an offset-paginated listing: the first page gives `total_num`, the rest are
 * fetched concurrently (bounded), then kept in offset order. If the last page came back full and the
 * total grew meanwhile, the remaining pages are read one by one until a short page.
 */
export async function fetchOffsetPages<T>(
  fetchPage: (offset: number, limit: number, signal?: AbortSignal) => Promise<OffsetPage<T>>,
  options: FetchOffsetPagesOptions,
): Promise<OffsetPage<T>> {
  const limit = options.pageSize;
  const cap = options.maxRecords ?? Number.POSITIVE_INFINITY;
  const first = await fetchPage(0, limit, options.signal);
  let total = first.totalNum;
  const pages: T[][] = [first.items];
  const wanted = () => Math.min(total, cap);

  if (first.items.length > 0 && first.items.length >= limit && wanted() > limit) {
    const offsets: number[] = [];
    for (let offset = limit; offset < wanted(); offset += limit) offsets.push(offset);
    const results: T[][] = new Array(offsets.length);
    let next = 0;
    const worker = async () => {
      while (next < offsets.length) {
        const index = next++;
        const page = await fetchPage(offsets[index]!, limit, options.signal);
        total = Math.max(total, page.totalNum);
        results[index] = page.items;
      }
    };
    await Promise.all(Array.from({ length: Math.min(options.concurrency, offsets.length) }, worker));
    pages.push(...results);

    // The listing grew while we read it: continue sequentially past the planned end.
    let offset = (offsets.at(-1) ?? 0) + limit;
    let lastLength = results.at(-1)?.length ?? 0;
    while (lastLength >= limit && offset < wanted()) {
      const page = await fetchPage(offset, limit, options.signal);
      total = Math.max(total, page.totalNum);
      pages.push(page.items);
      lastLength = page.items.length;
      offset += limit;
    }
  }
  const items = pages.flat();
  return { totalNum: total, items: items.length > cap ? items.slice(0, cap) : items };
}
