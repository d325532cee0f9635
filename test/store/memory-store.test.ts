import { describe, expect, it } from "vitest";
import { createMemoryStore } from "../../src/store/create-memory-store.js";
import { describeStoreContract } from "./store-contract.js";

describeStoreContract("memory", ({ clock, namespace }) => createMemoryStore({ clock, namespace }));

describe("createMemoryStore", () => {
  it("refuses use after close", async () => {
    const store = createMemoryStore();
    await store.close();
    await expect(store.get("k")).rejects.toThrow(/closed/);
  });
});
