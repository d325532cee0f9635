import { describe, expect, it, vi } from "vitest";
import { createWorkQueue } from "../../src/bot/create-work-queue.js";

/** A work item that finishes when the test says so. */
function gate() {
  let open!: () => void;
  let fail!: (error: unknown) => void;
  const done = new Promise<void>((resolve, reject) => {
    open = resolve;
    fail = reject;
  });
  const started: boolean[] = [];
  return {
    work: () => {
      started.push(true);
      return done;
    },
    started: () => started.length > 0,
    open,
    fail,
  };
}

describe("createWorkQueue", () => {
  it("runs up to the concurrency at once, queues up to the size, refuses beyond", async () => {
    const queue = createWorkQueue({ concurrency: 2, size: 1 });
    const items = [gate(), gate(), gate(), gate()];
    const admissions = items.map((item) => queue.submit(item.work));
    expect(admissions.map((a) => a.state)).toEqual(["started", "started", "queued", "full"]);
    expect(items.map((i) => i.started())).toEqual([true, true, false, false]);
    expect([queue.running(), queue.waiting()]).toEqual([2, 1]);

    items[0]?.open();
    await (admissions[0] as { done: Promise<void> }).done;
    expect(items[2]?.started()).toBe(true);
    expect([queue.running(), queue.waiting()]).toEqual([2, 0]);
    // A slot in the queue is free again.
    expect(queue.submit(gate().work).state).toBe("queued");
  });

  it("first come, first served", async () => {
    const queue = createWorkQueue({ concurrency: 1, size: 10 });
    const order: number[] = [];
    const first = gate();
    queue.submit(first.work);
    const done = [1, 2, 3].map((n) => {
      const admission = queue.submit(async () => {
        order.push(n);
      });
      return admission.accepted ? admission.done : Promise.resolve();
    });
    first.open();
    await Promise.all(done);
    expect(order).toEqual([1, 2, 3]);
  });

  it("a failing or throwing item frees its slot, is reported, and never rejects `done`", async () => {
    const errors: unknown[] = [];
    const queue = createWorkQueue({ concurrency: 1, size: 5, onError: (e) => errors.push(e) });
    const failing = gate();
    const a = queue.submit(failing.work);
    const b = queue.submit(() => {
      throw new Error("sync");
    });
    const c = queue.submit(async () => {});
    failing.fail(new Error("async"));
    for (const admission of [a, b, c]) if (admission.accepted) await admission.done;
    expect(errors.map((e) => (e as Error).message)).toEqual(["async", "sync"]);
    expect([queue.running(), queue.waiting()]).toEqual([0, 0]);
  });

  it("size 0: nothing waits; defaults 128 and 200", () => {
    const tiny = createWorkQueue({ concurrency: 1, size: 0 });
    expect(tiny.submit(gate().work).state).toBe("started");
    expect(tiny.submit(gate().work).state).toBe("full");
    const defaults = createWorkQueue();
    const states = Array.from({ length: 329 }, () => defaults.submit(gate().work).state);
    expect(states.filter((s) => s === "started")).toHaveLength(128);
    expect(states.filter((s) => s === "queued")).toHaveLength(200);
    expect(states.at(-1)).toBe("full");
  });

  it("refuses bounds that make no sense", () => {
    expect(() => createWorkQueue({ concurrency: 0 })).toThrow(RangeError);
    expect(() => createWorkQueue({ size: -1 })).toThrow(RangeError);
    expect(() => createWorkQueue({ concurrency: 1.5 })).toThrow(RangeError);
  });
});

describe("the default bound at 100 commands a second, when the work waits for a slow cloud", () => {
  /**
   * Sends `rate` items a second for `seconds`, each taking `takesMs` (its cloud and Slack calls), on vitest's fake
   * timers; returns how many were turned away.
   */
  async function turnedAway(
    queue: ReturnType<typeof createWorkQueue>,
    rate: number,
    seconds: number,
    takesMs: number,
  ): Promise<number> {
    let refused = 0;
    for (let i = 0; i < rate * seconds; i++) {
      const admission = queue.submit(() => new Promise<void>((resolve) => setTimeout(resolve, takesMs)));
      if (!admission.accepted) refused++;
      await vi.advanceTimersByTimeAsync(1000 / rate);
    }
    await vi.advanceTimersByTimeAsync(10 * takesMs);
    return refused;
  }

  it("turns none away at 300 ms a command (a show or a stop at 100 ms of cloud latency); the old 16 turned away a third", async () => {
    vi.useFakeTimers();
    try {
      expect(await turnedAway(createWorkQueue(), 100, 20, 300)).toBe(0);
      // Even a stop's 700 ms, for every command.
      expect(await turnedAway(createWorkQueue(), 100, 20, 700)).toBe(0);
      const old = await turnedAway(createWorkQueue({ concurrency: 16 }), 100, 20, 300);
      expect(old).toBeGreaterThan(2000 / 3);
    } finally {
      vi.useRealTimers();
    }
  });
});
