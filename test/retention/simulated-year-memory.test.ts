/** A simulated year at 1,000 requests a day on the memory store (see `simulate-year.ts`). */
import { describe, it } from "vitest";
import { createMemoryStore } from "../../src/store/create-memory-store.js";
import { createManualClock } from "../store/manual-clock.js";
import { expectBounded, simulateYear } from "./simulate-year.js";

describe("a simulated year at 1,000 requests a day", () => {
  it("memory store: the number of keys stays bounded", async () => {
    const clock = createManualClock();
    const map = new Map<unknown, unknown>();
    const store = createMemoryStore({ clock, map });
    const year = await simulateYear(store, clock, () => map.size);
    expectBounded(year);
    await store.close();
  }, 600_000);
});
