/**
 * The heap a burst grew is given back once the burst is over: one full collection when the work queue has been
 * quiet for a check, after enough requests, with a heap grown large, spaced in time; never under
 * steady load. The work queue is the bot's own; time is a manual clock.
 */
import { describe, expect, it } from "vitest";
import { createWorkQueue } from "../../src/bot/create-work-queue.js";
import { startMemoryGiveBack } from "../../src/bot/give-back-memory.js";
import { createLogger } from "../../src/log/create-logger.js";
import { createManualTime } from "../operations/manual-time.js";

const MB = 1024 * 1024;

function world(options: { minRequests?: number } = {}) {
  const time = createManualTime(0);
  const queue = createWorkQueue({ concurrency: 4, size: 1_000 });
  let heap = { committed: 150 * MB, used: 60 * MB };
  const collections: number[] = [];
  const counted: [number, number][] = [];
  const giveBack = startMemoryGiveBack({
    work: queue,
    gc: () => {
      collections.push(time.clock.now());
      heap = { committed: 50 * MB, used: 35 * MB };
    },
    heap: () => heap,
    logger: createLogger({ level: "silent" }),
    metrics: { memoryGivenBack: (before, after) => counted.push([before / MB, after / MB]) },
    timers: time.timers,
    now: () => time.clock.now(),
    // A minute between two (the default is 10 s), so that the spacing shows in round numbers.
    minIntervalMs: 60_000,
    ...(options.minRequests !== undefined && { minRequests: options.minRequests }),
  });
  /** Runs `n` requests through the queue to their end. */
  const burst = async (n: number) => {
    const done = Array.from({ length: n }, () => {
      const admission = queue.submit(async () => {});
      if (!admission.accepted) throw new Error("the queue refused a request");
      return admission.done;
    });
    await Promise.all(done);
  };
  const grow = () => {
    heap = { committed: 150 * MB, used: 60 * MB };
  };
  return { time, queue, collections, counted, giveBack, burst, grow };
}

describe("startMemoryGiveBack", () => {
  it("after a burst: one collection a check after the queue went quiet, none while it works", async () => {
    const w = world();
    await w.burst(300);
    // The check that sees the burst's requests finished is not quiet: they finished since the last one.
    await w.time.advance(1_000);
    expect(w.collections).toEqual([]);
    await w.time.advance(1_000);
    expect(w.collections).toEqual([2_000]);
    // Counted for /metrics, with the heap committed before and after.
    expect(w.counted).toEqual([[150, 50]]);
    // Nothing more while nothing new happened, however long.
    await w.time.advance(600_000);
    expect(w.collections).toEqual([2_000]);
    w.giveBack.stop();
  });

  it("steady load: a request finishing between every two checks means no collection at all", async () => {
    const w = world();
    for (let second = 0; second < 300; second++) {
      await w.burst(100);
      await w.time.advance(1_000);
    }
    expect(w.collections).toEqual([]);
    w.giveBack.stop();
  });

  it("too few requests since the last, too soon after it, or a heap not grown: nothing", async () => {
    const w = world({ minRequests: 200 });
    await w.burst(150);
    await w.time.advance(5_000);
    expect(w.collections).toEqual([]);
    await w.burst(100);
    await w.time.advance(2_000);
    expect(w.collections).toEqual([7_000]);
    // Another burst 30 s later: under a minute since the last collection, so none yet…
    w.grow();
    await w.time.advance(28_000);
    await w.burst(300);
    await w.time.advance(2_000);
    expect(w.collections).toEqual([7_000]);
    // …until a minute has passed, the queue still quiet.
    await w.time.advance(30_000);
    expect(w.collections).toEqual([7_000, 67_000]);
    // A heap already small (50 MB committed, as the last collection left it) is left alone.
    await w.time.advance(60_000);
    await w.burst(300);
    await w.time.advance(2_000);
    expect(w.collections).toEqual([7_000, 67_000]);
    w.giveBack.stop();
  });

  it("without a collection to call (no --expose-gc) it does nothing, and stop() after stop() is harmless", async () => {
    const time = createManualTime(0);
    const queue = createWorkQueue();
    const giveBack = startMemoryGiveBack({
      work: queue,
      gc: undefined,
      logger: createLogger({ level: "silent" }),
      timers: time.timers,
    });
    await time.advance(10_000);
    expect(time.pendingTimers()).toBe(0);
    giveBack.stop();
    giveBack.stop();
  });

  it("stopped: no more checks", async () => {
    const w = world();
    await w.burst(300);
    w.giveBack.stop();
    await w.time.advance(10_000);
    expect(w.collections).toEqual([]);
  });
});
