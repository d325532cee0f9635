import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  batchesOf,
  MAX_BATCH,
  MAX_WAVES,
  parseCountOrShare,
  planWaves,
  resolveCountOrShare,
  wavePlanOf,
} from "../../src/waves/plan-waves.js";

const ids = (n: number) => Array.from({ length: n }, (_, i) => `srv-${i}`);
const share = fc.oneof(
  fc.integer({ min: 1, max: 5000 }).map((value) => ({ kind: "count" as const, value })),
  fc.integer({ min: 1, max: 100 }).map((value) => ({ kind: "percent" as const, value })),
);

describe("planWaves", () => {
  it("--waves n: every target exactly once, in order, n waves whose sizes differ by at most one", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 3000 }), fc.integer({ min: 1, max: MAX_WAVES }), (n, waves) => {
        const result = planWaves(ids(n), { waves });
        if (waves > n) {
          expect(result.ok).toBe(false);
          return;
        }
        if (!result.ok) throw new Error(result.error);
        expect(result.plan.waves).toHaveLength(waves);
        expect(result.plan.waves.flat()).toEqual(ids(n));
        const sizes = result.plan.waves.map((w) => w.length);
        expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
        expect(Math.min(...sizes)).toBeGreaterThanOrEqual(1);
      }),
    );
  });

  it("--wave-size: every target exactly once, every wave of the size but the last (never empty, never larger)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 3000 }), share, (n, size) => {
        const result = planWaves(ids(n), { size });
        const expected = Math.min(n, resolveCountOrShare(size, n));
        if (Math.ceil(n / expected) > MAX_WAVES) {
          expect(result.ok).toBe(false);
          return;
        }
        if (!result.ok) throw new Error(result.error);
        expect(result.plan.waves.flat()).toEqual(ids(n));
        const sizes = result.plan.waves.map((w) => w.length);
        expect(sizes.slice(0, -1).every((s) => s === expected)).toBe(true);
        expect(sizes.at(-1)).toBeGreaterThanOrEqual(1);
        expect(sizes.at(-1)).toBeLessThanOrEqual(expected);
      }),
    );
  });

  it("each wave's API calls take at most 1,000 servers and together exactly the wave", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5000 }), fc.integer({ min: 1, max: 4 }), (n, waves) => {
        const result = planWaves(ids(n), { waves: Math.min(n, waves) });
        if (!result.ok) throw new Error(result.error);
        for (const wave of result.plan.waves) {
          const batches = batchesOf(wave);
          expect(batches.flat()).toEqual(wave);
          expect(batches.every((b) => b.length >= 1 && b.length <= MAX_BATCH)).toBe(true);
          expect(batches).toHaveLength(Math.ceil(wave.length / MAX_BATCH));
        }
      }),
    );
  });

  it("the failure threshold is at least 1 and a share rounds up", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 3000 }), share, (n, maxFailures) => {
        const result = planWaves(ids(n), { waves: 1, maxFailures });
        if (!result.ok) throw new Error(result.error);
        expect(result.plan.maxFailures).toBeGreaterThanOrEqual(1);
        if (maxFailures.kind === "percent")
          expect(result.plan.maxFailures).toBe(Math.max(1, Math.ceil((maxFailures.value * n) / 100)));
      }),
    );
  });

  it("a plan survives the approval's JSON binding unchanged", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 200 }), fc.integer({ min: 1, max: 10 }), (n, waves) => {
        const result = planWaves(ids(n), { waves: Math.min(n, waves), pauseMs: 60_000 });
        if (!result.ok) throw new Error(result.error);
        expect(wavePlanOf(JSON.parse(JSON.stringify({ waves: result.plan })))).toEqual(result.plan);
      }),
    );
  });

  it("says what to change when the plan cannot be made", () => {
    expect(planWaves(ids(2), { waves: 3 })).toEqual({
      ok: false,
      error: "`--waves 3` is more waves than the 2 servers; use at most `--waves 2`",
    });
    expect(planWaves(ids(500), { size: { kind: "count", value: 1 } })).toMatchObject({
      ok: false,
      error: expect.stringContaining("`--wave-size 5`"),
    });
  });

  it("reads counts and shares", () => {
    expect(parseCountOrShare("3")).toEqual({ kind: "count", value: 3 });
    expect(parseCountOrShare("10%")).toEqual({ kind: "percent", value: 10 });
    for (const bad of ["0", "0%", "101%", "-1", "x", "1.5", ""])
      expect(parseCountOrShare(bad)).toBeUndefined();
  });
});
