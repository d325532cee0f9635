import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { createRunLeases, runLeaseName } from "../../src/operations/create-run-leases.js";
import { createMemoryStore } from "../../src/store/create-memory-store.js";
import type { Store } from "../../src/store/store.js";
import { createManualTime } from "./manual-time.js";

const logger = pino({ level: "silent" });

function setup() {
  const time = createManualTime(1_000_000);
  const store = createMemoryStore({ clock: time.clock });
  const replica = (replicaId: string, s: Store = store) =>
    createRunLeases({ store: s, replicaId, ttlMs: 3_000, clock: time.clock, logger, timers: time.timers });
  return { time, store, replica };
}

describe("createRunLeases", () => {
  it("a run's signal takes one listener per job it follows without Node warning of a leak", async () => {
    const { replica } = setup();
    const held = (await replica("A").acquire("run_many"))!;
    const warnings: Error[] = [];
    const onWarning = (w: Error) => warnings.push(w);
    process.on("warning", onWarning);
    try {
      // 50 job waits at once (a resize of 50 servers), each listening for the run's end.
      for (let i = 0; i < 50; i++) held.signal.addEventListener("abort", () => {});
      await new Promise((r) => setImmediate(r));
    } finally {
      process.off("warning", onWarning);
    }
    expect(warnings.map((w) => w.name)).toEqual([]);
    await held.release();
  });

  it("one replica holds a run; renewals keep it past the TTL; release hands it over at once", async () => {
    const { time, replica } = setup();
    const a = replica("A");
    const b = replica("B");
    const held = (await a.acquire("run_1"))!;
    expect(held.fence).toEqual({ lease: runLeaseName("run_1"), owner: "A", token: expect.any(Number) });
    expect(await b.acquire("run_1")).toBeUndefined();
    expect(await a.acquire("run_1")).toBeUndefined();

    await time.advance(10_000);
    expect(held.signal.aborted).toBe(false);
    expect(await b.acquire("run_1")).toBeUndefined();
    expect(a.held()).toEqual(["run_1"]);

    await held.release();
    expect(a.held()).toEqual([]);
    const taken = (await b.acquire("run_1"))!;
    expect(taken.fence.token).toBeGreaterThan(held.fence.token);
  });

  it("a lease taken over ends the hold: the signal aborts as lost", async () => {
    const { time, store, replica } = setup();
    const a = replica("A");
    const held = (await a.acquire("run_2"))!;
    // As if A had been paused past its lease: it expires and B takes it.
    await store.releaseLease(runLeaseName("run_2"), "A", held.fence.token);
    expect(await replica("B").acquire("run_2")).toBeDefined();
    await time.advance(1_000);
    expect(held.signal.aborted).toBe(true);
    expect(held.ended).toBe("lost");
  });

  it("while the store is unreachable the hold lasts until the lease's own expiry, then ends as lost", async () => {
    const { time, store, replica } = setup();
    let down = false;
    const flaky: Store = {
      ...store,
      namespace: store.namespace,
      renewLease: async (...args) => {
        if (down) throw new Error("unreachable");
        return store.renewLease(...args);
      },
    };
    const held = (await replica("A", flaky).acquire("run_3"))!;
    down = true;
    await time.advance(2_000);
    expect(held.ended).toBeUndefined();
    await time.advance(1_500);
    expect(held.ended).toBe("lost");
  });

  it("stopAll asks every run to stop (no new holds); close releases what is left", async () => {
    const { replica } = setup();
    const a = replica("A");
    const one = (await a.acquire("run_4"))!;
    const two = (await a.acquire("run_5"))!;
    a.stopAll();
    expect([one.ended, two.ended]).toEqual(["stopping", "stopping"]);
    expect(one.signal.aborted && two.signal.aborted).toBe(true);
    expect(await a.acquire("run_6")).toBeUndefined();
    await one.release();
    await a.close();
    const b = replica("B");
    expect(await b.acquire("run_4")).toBeDefined();
    expect(await b.acquire("run_5")).toBeDefined();
  });
});
