/**
 * A write of a run's progress fails while the run follows its job (the store went away mid-write, as a frozen
 * Redis does), end to end over signed Slack requests against the simulated cloud: the run stops there, says
 * once in its thread that it will be resumed, counts itself handed over as `interrupted`, and the adoption
 * pass resumes it from its record: the job is followed to its end, one summary, nothing sent twice.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { createPrometheusMetrics } from "../../src/metrics/create-prometheus-metrics.js";
import { createMemoryStore } from "../../src/store/create-memory-store.js";
import type { Store } from "../../src/store/store.js";
import { StoreUnavailableError } from "../../src/store/store-unavailable-error.js";
import { type OperationsHarness, startOperationsHarness, textOf } from "../e2e/helpers/operations-harness.js";

const metrics = createPrometheusMetrics();
/** Set by the test: the next write of a run record fails, once. */
let failNextRunWrite = false;
let failedWrites = 0;
let h: OperationsHarness;

beforeAll(async () => {
  h = await startOperationsHarness({
    store: (clock) => {
      const base = createMemoryStore({ clock });
      const store: Store = Object.create(base);
      store.update = (key, fn, options) => {
        if (failNextRunWrite && key.startsWith("flowrun:")) {
          failNextRunWrite = false;
          failedWrites++;
          return Promise.reject(
            new StoreUnavailableError("Redis at 127.0.0.1:6379", "no answer within 5000 ms"),
          );
        }
        return base.update(key, fn, options);
      };
      return store;
    },
    // Long enough that a loaded machine never loses the lease by a late renewal: only the failed write hands over.
    operations: { runLeaseTtlMs: 3_000, metrics },
  });
});
afterAll(async () => {
  await h?.close();
});

it("a progress write fails while the job runs: interrupted, resumed from its record, one stop, one summary", async () => {
  const name = h.sim.control.addServer({ name: "wobbly-1", status: "ACTIVE", tags: { env: "dev" } }).name;
  // Long enough to arm the failure while the run waits for the job.
  h.sim.control.setJobTiming({ initMs: 20, runningMs: 1_000 });
  await h.command(`stop ${name}`);
  const card = await h.waitCard(`/ecs stop ${name}`);
  await h.fake.waitFor(() =>
    h.replies(card).find((m) => textOf(m).includes("now: wait until they are stopped")),
  );
  failNextRunWrite = true;

  const notice = await h.fake.waitFor(() =>
    h.replies(card).find((m) => textOf(m).includes("The execution was interrupted")),
  );
  expect(textOf(notice)).toContain("It will be resumed from its record; nothing is sent twice.");
  expect(failedWrites).toBe(1);

  const summary = await h.fake.waitFor(
    () => h.replies(card).find((m) => (m.text ?? "").startsWith("stop: ")),
    10_000,
  );
  expect(textOf(summary)).toContain(name);
  expect(h.sim.control.server(name)?.status).toBe("SHUTOFF");
  expect(h.mutations("batchStopServers")).toHaveLength(1);
  expect(h.replies(card).filter((m) => (m.text ?? "").startsWith("stop: "))).toHaveLength(1);
  expect(h.replies(card).filter((m) => textOf(m).includes("The execution was interrupted"))).toHaveLength(1);
  const text = await metrics.render();
  expect(text).toContain('hwc_chatops_runs_handed_over_total{why="interrupted"} 1');
  expect(text).toMatch(/^hwc_chatops_runs_adopted_total 1$/m);
  expect(h.logs.filter((l) => l.msg === "execution interrupted")).toHaveLength(1);
});
