import { describe, expect, it } from "vitest";
import { createCoalescer } from "../../src/operations/create-coalescer.js";
import { createManualTime, flush } from "./manual-time.js";

/** A coalescer whose sends are recorded with their start time; `hold` keeps sends in flight until released. */
function setup(options: { hold?: boolean; fail?: (v: number) => boolean; settleMs?: number } = {}) {
  const time = createManualTime(1_000_000);
  const sends: { value: number; at: number }[] = [];
  const releases: (() => void)[] = [];
  const errors: unknown[] = [];
  const c = createCoalescer<number>({
    clock: time.clock,
    timers: time.timers,
    intervalMs: 1000,
    ...(options.settleMs !== undefined && { settleMs: options.settleMs }),
    onError: (e) => errors.push(e),
    send: (value) => {
      sends.push({ value, at: time.clock.now() });
      if (options.fail?.(value)) return Promise.reject(new Error(`send ${value} failed`));
      if (!options.hold) return Promise.resolve();
      return new Promise<void>((resolve) => releases.push(resolve));
    },
  });
  return { time, sends, releases, errors, c };
}

describe("createCoalescer", () => {
  it("sends the first value at once, then the last of a burst one interval later", async () => {
    const { time, sends, c } = setup();
    c.push(1);
    await flush();
    c.push(2);
    c.push(3);
    c.push(4);
    await flush();
    expect(sends.map((s) => s.value)).toEqual([1]);
    await time.advance(999);
    expect(sends.map((s) => s.value)).toEqual([1]);
    await time.advance(1);
    expect(sends).toEqual([
      { value: 1, at: 1_000_000 },
      { value: 4, at: 1_001_000 },
    ]);
  });

  it("with a settle time, a burst after a quiet spell is one delivery of its last value, a settle time later", async () => {
    const { time, sends, c } = setup({ settleMs: 250 });
    c.push(1);
    await time.advance(100);
    c.push(2);
    c.push(3);
    await time.advance(149);
    expect(sends).toEqual([]);
    await time.advance(1);
    expect(sends).toEqual([{ value: 3, at: 1_000_250 }]);
    // The interval still spaces deliveries: a value soon after waits for it, not only for the settle time.
    c.push(4);
    await time.advance(999);
    expect(sends).toHaveLength(1);
    await time.advance(1);
    expect(sends.at(-1)).toEqual({ value: 4, at: 1_001_250 });
    // News that must not wait skips the settle time (not the interval).
    await time.advance(5_000);
    c.push(7, { settle: false });
    await flush();
    expect(sends.at(-1)).toEqual({ value: 7, at: 1_006_250 });
    // A final value given while one settles replaces it: still one delivery.
    await time.advance(5_000);
    c.push(5);
    const done = c.close(6);
    await time.advance(250);
    await done;
    expect(sends.slice(3)).toEqual([{ value: 6, at: 1_011_500 }]);
  });

  it("never starts two deliveries less than an interval apart, whatever the push rate", async () => {
    const { time, sends, c } = setup();
    for (let i = 0; i < 50; i++) {
      c.push(i);
      await time.advance(97);
    }
    await time.advance(1000);
    const gaps = sends.slice(1).map((s, i) => s.at - sends[i]!.at);
    expect(gaps.every((g) => g >= 1000)).toBe(true);
    expect(sends.at(-1)!.value).toBe(49);
    expect(sends.length).toBeLessThanOrEqual(Math.ceil((50 * 97) / 1000) + 2);
  });

  it("delivers one value at a time, in order: a slow send delays the next", async () => {
    const { time, sends, releases, c } = setup({ hold: true });
    c.push(1);
    await flush();
    c.push(2);
    await time.advance(5000);
    expect(sends.map((s) => s.value)).toEqual([1]);
    releases.shift()!();
    await flush();
    expect(sends.map((s) => s.value)).toEqual([1, 2]);
  });

  it("close always delivers the final value, after the interval, and resolves once idle", async () => {
    const { time, sends, c } = setup();
    c.push(1);
    await flush();
    c.push(2);
    let closed = false;
    const done = c.close(9).then(() => {
      closed = true;
    });
    await flush();
    expect(closed).toBe(false);
    c.push(10); // ignored once closed
    await time.advance(1000);
    await done;
    expect(sends.map((s) => s.value)).toEqual([1, 9]);
    expect(closed).toBe(true);
    expect(time.pendingTimers()).toBe(0);
  });

  it("close without a value delivers what is pending; with nothing pending it resolves at once", async () => {
    const a = setup();
    a.c.push(1);
    await flush();
    a.c.push(2);
    const closing = a.c.close();
    await a.time.advance(1000);
    await closing;
    expect(a.sends.map((s) => s.value)).toEqual([1, 2]);

    const b = setup();
    await b.c.close();
    expect(b.sends).toEqual([]);
  });

  it("a failed send is reported and the next value is still delivered", async () => {
    const { time, sends, errors, c } = setup({ fail: (v) => v === 1 });
    c.push(1);
    await flush();
    c.push(2);
    await time.advance(1000);
    expect(sends.map((s) => s.value)).toEqual([1, 2]);
    expect(errors).toHaveLength(1);
  });

  it("a timer that fires sends even if the injected clock did not move (no livelock on a frozen clock)", async () => {
    const time = createManualTime();
    const sent: number[] = [];
    const c = createCoalescer<number>({
      clock: { now: () => 0 },
      timers: time.timers,
      intervalMs: 1000,
      send: async (v) => {
        sent.push(v);
      },
    });
    c.push(1);
    await flush();
    c.push(2);
    await time.advance(1000);
    expect(sent).toEqual([1, 2]);
    c.push(3);
    await time.advance(1000);
    expect(sent).toEqual([1, 2, 3]);
    expect(time.pendingTimers()).toBe(0);
  });
});
