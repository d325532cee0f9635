import { describe, expect, it } from "vitest";
import { createFleetNameIndex } from "../../src/targets/create-fleet-name-index.js";

function deferredLister() {
  const pending: ((names: string[]) => void)[] = [];
  let calls = 0;
  return {
    list: () => {
      calls += 1;
      return new Promise<{ name: string }[]>((resolve) =>
        pending.push((names) => resolve(names.map((name) => ({ name })))),
      );
    },
    answer(names: string[]) {
      pending.shift()?.(names);
    },
    get calls() {
      return calls;
    },
  };
}

describe("createFleetNameIndex", () => {
  it("never waits: undefined until the first listing lands, which one use starts in the background", async () => {
    const lister = deferredLister();
    let now = 0;
    const index = createFleetNameIndex({ list: lister.list, now: () => now, maxAgeMs: 1_000 });
    expect(index.names()).toBeUndefined();
    expect(index.names()).toBeUndefined();
    expect(lister.calls).toBe(1);
    lister.answer(["web-01", "web-02", "web-01"]);
    await new Promise((r) => setImmediate(r));
    expect(index.names()).toEqual(["web-01", "web-02"]);
    now = 999;
    index.names();
    expect(lister.calls).toBe(1);
  });

  it("refreshes when stale, keeps serving the old names meanwhile, one listing at a time", async () => {
    const lister = deferredLister();
    let now = 0;
    const index = createFleetNameIndex({ list: lister.list, now: () => now, maxAgeMs: 1_000 });
    const first = index.refresh();
    lister.answer(["a"]);
    await first;
    now = 1_000;
    expect(index.names()).toEqual(["a"]);
    expect(index.names()).toEqual(["a"]);
    expect(lister.calls).toBe(2);
    lister.answer(["a", "b"]);
    await index.refresh();
    expect(index.names()).toEqual(["a", "b"]);
  });

  it("a failed listing keeps the previous names and is reported", async () => {
    const errors: unknown[] = [];
    let now = 0;
    let fail = false;
    const index = createFleetNameIndex({
      list: async () => {
        if (fail) throw new Error("cloud down");
        return [{ name: "a" }];
      },
      now: () => now,
      maxAgeMs: 10,
      onError: (e) => errors.push(e),
    });
    await index.refresh();
    fail = true;
    now = 100;
    expect(index.names()).toEqual(["a"]);
    await new Promise((r) => setImmediate(r));
    expect(errors).toHaveLength(1);
    expect(index.names()).toEqual(["a"]);
  });
});
