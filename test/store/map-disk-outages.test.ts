import { describe, expect, it } from "vitest";
import { createMemoryStore } from "../../src/store/create-memory-store.js";
import { isDiskOutage, mapDiskOutages } from "../../src/store/map-disk-outages.js";
import type { Store } from "../../src/store/store.js";
import { StoreUnavailableError } from "../../src/store/store-unavailable-error.js";

/** A memory store whose `get` throws what `fault` holds (SQLite's errors carry a `code`, as better-sqlite3's do). */
function failingStore(fault: { error?: unknown }): Store {
  const store = createMemoryStore();
  return {
    ...store,
    get: async (key) => {
      if (fault.error !== undefined) throw fault.error;
      return store.get(key);
    },
  };
}

describe("mapDiskOutages", () => {
  it("answers a full or failing disk as the store being unavailable, naming the file and keeping the cause", async () => {
    const fault: { error?: unknown } = {};
    const store = mapDiskOutages(failingStore(fault), "/var/lib/hwc/state.sqlite");
    for (const code of ["SQLITE_FULL", "SQLITE_IOERR_WRITE", "SQLITE_READONLY_DBMOVED", "ENOSPC", "EIO"]) {
      fault.error = Object.assign(new Error(`${code}: the disk said no`), { code });
      const error = await store.get("k").catch((e: unknown) => e);
      expect(error, code).toBeInstanceOf(StoreUnavailableError);
      expect((error as Error).message).toContain("SQLite at /var/lib/hwc/state.sqlite");
      expect((error as Error).cause).toBe(fault.error);
    }
    // The disk back: the same call succeeds.
    fault.error = undefined;
    expect(await store.get("k")).toBeUndefined();
  });

  it("lets any other error pass as it is: a bug or a constraint is not an outage", async () => {
    const fault: { error?: unknown } = {};
    const store = mapDiskOutages(failingStore(fault), "f.sqlite");
    for (const error of [
      Object.assign(new Error("UNIQUE constraint failed"), { code: "SQLITE_CONSTRAINT_UNIQUE" }),
      new TypeError("x is undefined"),
      "a string",
    ]) {
      fault.error = error;
      await expect(store.get("k")).rejects.toBe(error);
    }
    expect(isDiskOutage(null)).toBe(false);
    expect(isDiskOutage({ code: 7 })).toBe(false);
  });

  it("keeps the store's namespace and every operation", async () => {
    const inner = createMemoryStore({ namespace: "ns1" });
    const store = mapDiskOutages(inner, "f.sqlite");
    expect(store.namespace).toBe("ns1");
    expect(await store.createIfAbsent("a", 1)).toBe(true);
    expect((await store.get<number>("a"))?.value).toBe(1);
    expect(await store.addToSet("s", "m")).toBe(true);
    expect(await store.members("s")).toEqual(["m"]);
  });
});
