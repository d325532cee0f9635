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

  it("finds the servers whose ID starts with a short ID, without waiting; a stale index refreshes in the background", async () => {
    let now = 0;
    let calls = 0;
    const fleet = [
      { id: "d704b694-9efd-4a74-920f-e8cf2caf37eb", name: "web-01" },
      { id: "D704B694-1111-4a74-920f-e8cf2caf37eb", name: "web-02" },
      { id: "a160f99e-6e84-4657-8383-8cc454d96c36", name: "web-03" },
      { name: "no-id" },
    ];
    const index = createFleetNameIndex({
      list: async () => {
        calls += 1;
        return fleet;
      },
      now: () => now,
      maxAgeMs: 1_000,
    });
    expect(index.idsStartingWith("d704b694")).toBeUndefined();
    expect(calls).toBe(1);
    await new Promise((r) => setImmediate(r));
    expect(index.idsStartingWith("d704b694")?.map((s) => s.name)).toEqual(["web-01", "web-02"]);
    expect(index.idsStartingWith("D704B694-9E")).toEqual([{ id: fleet[0]!.id, name: "web-01" }]);
    expect(index.idsStartingWith("d704b6949efd")?.map((s) => s.name)).toEqual(["web-01"]);
    expect(index.idsStartingWith("d704b694", 1)).toHaveLength(1);
    expect(index.idsStartingWith("ffffffff")).toEqual([]);
    expect(calls).toBe(1);
    now = 1_000;
    index.idsStartingWith("a160f99e");
    expect(calls).toBe(2);
  });
});
