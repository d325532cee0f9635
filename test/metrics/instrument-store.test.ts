import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createPrometheusMetrics } from "../../src/metrics/create-prometheus-metrics.js";
import { instrumentStore } from "../../src/metrics/instrument-store.js";
import { noopMetrics } from "../../src/metrics/metrics.js";
import { createMemoryStore } from "../../src/store/create-memory-store.js";
import { createSqliteStore } from "../../src/store/create-sqlite-store.js";
import { describeStoreContract } from "../store/store-contract.js";
import { sample } from "./scrape-metrics.js";

// The instrumented store is the one every layer uses: it must keep the whole contract.
describeStoreContract("memory, instrumented", ({ clock, namespace }) =>
  instrumentStore(createMemoryStore({ clock, namespace }), noopMetrics),
);

describe("instrumentStore", () => {
  it("times every operation by name and outcome, and passes errors through unchanged", async () => {
    const metrics = createPrometheusMetrics();
    let t = 0;
    const store = instrumentStore(createMemoryStore({ namespace: "n1" }), metrics, () => (t += 5));
    expect(store.namespace).toBe("n1");
    await store.createIfAbsent("k", 1);
    await store.get("k");
    await store.get("missing");
    await store.append("s", { a: 1 });
    await store.close();
    await expect(store.get("k")).rejects.toThrow("store is closed");
    const text = await metrics.render();
    const count = (operation: string, outcome: string) =>
      sample(text, "hwc_chatops_store_operation_duration_seconds_count", { operation, outcome });
    expect(count("get", "ok")).toBe(2);
    expect(count("createIfAbsent", "ok")).toBe(1);
    expect(count("append", "ok")).toBe(1);
    expect(count("get", "error")).toBe(1);
    // Each operation took one 5 ms tick of the injected clock.
    expect(
      sample(text, "hwc_chatops_store_operation_duration_seconds_sum", { operation: "get", outcome: "ok" }),
    ).toBeCloseTo(0.01);
  });

  it("passes a write's durability through: a relaxed claim answers before the disk sync, a durable one after", async () => {
    const dir = mkdtempSync(join(tmpdir(), "hwc-instrumented-"));
    // The disk syncs finish only once the gate opens (then every one does at once).
    let release: (() => void) | undefined;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const sqlite = createSqliteStore({ file: join(dir, "store.sqlite"), syncWal: () => gate });
    const store = instrumentStore(sqlite, noopMetrics);
    try {
      let durableAnswered = false;
      const durable = store.claimOnce("durable", 60_000).then((first) => {
        durableAnswered = true;
        return first;
      });
      // The delivery dedupe's claim: answered at once, although the sync of the log has not finished.
      const relaxed = store.claimOnce("relaxed", 60_000, { durability: "relaxed" });
      const waiting = new Promise((resolve) => setImmediate(() => resolve("still waiting for the sync")));
      expect(await Promise.race([relaxed, waiting])).toBe(true);
      expect(durableAnswered).toBe(false);
      release?.();
      expect(await durable).toBe(true);
    } finally {
      release?.();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("keeps the counts of two bots apart (a registry each, never the global one)", async () => {
    const a = createPrometheusMetrics();
    const b = createPrometheusMetrics();
    a.command("ecs.stop", "handled");
    expect(sample(await a.render(), "hwc_chatops_commands_total")).toBe(1);
    expect(sample(await b.render(), "hwc_chatops_commands_total")).toBe(0);
  });
});
