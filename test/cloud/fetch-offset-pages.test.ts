import { describe, expect, it } from "vitest";
import { fetchOffsetPages } from "../../src/cloud/fetch-offset-pages.js";

function source(total: number) {
  const calls: Array<{ offset: number; limit: number }> = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const records = Array.from({ length: total }, (_, i) => i);
  const fetchPage = async (offset: number, limit: number) => {
    calls.push({ offset, limit });
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    await new Promise((r) => setImmediate(r));
    inFlight--;
    return { totalNum: records.length, items: records.slice(offset, offset + limit) };
  };
  return { fetchPage, calls, records, maxInFlight: () => maxInFlight };
}

describe("fetchOffsetPages", () => {
  it("reads every page in order with bounded concurrency", async () => {
    const s = source(1234);
    const page = await fetchOffsetPages(s.fetchPage, { pageSize: 100, concurrency: 3 });
    expect(page.totalNum).toBe(1234);
    expect(page.items).toEqual(s.records);
    expect(s.calls).toHaveLength(13);
    expect(s.maxInFlight()).toBeLessThanOrEqual(3);
    expect(new Set(s.calls.map((c) => c.offset)).size).toBe(13);
  });

  it("stops after one short first page", async () => {
    const s = source(7);
    const page = await fetchOffsetPages(s.fetchPage, { pageSize: 10, concurrency: 4 });
    expect(page.items).toHaveLength(7);
    expect(s.calls).toHaveLength(1);
  });

  it("honours maxRecords", async () => {
    const s = source(1000);
    const page = await fetchOffsetPages(s.fetchPage, { pageSize: 100, concurrency: 4, maxRecords: 250 });
    expect(page.items).toEqual(s.records.slice(0, 250));
    expect(s.calls).toHaveLength(3);
    expect(page.totalNum).toBe(1000);
  });

  it("continues past the planned end when the listing grew", async () => {
    const s = source(200);
    const grow = async (offset: number, limit: number) => {
      if (offset > 0 && s.records.length === 200)
        s.records.push(...Array.from({ length: 150 }, (_, i) => 200 + i));
      return s.fetchPage(offset, limit);
    };
    const page = await fetchOffsetPages(grow, { pageSize: 100, concurrency: 2 });
    expect(page.items).toEqual(s.records);
    expect(page.totalNum).toBe(350);
  });

  it("handles an empty listing", async () => {
    const s = source(0);
    expect(await fetchOffsetPages(s.fetchPage, { pageSize: 10, concurrency: 4 })).toEqual({
      totalNum: 0,
      items: [],
    });
  });
});
