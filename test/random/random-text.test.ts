import { describe, expect, it } from "vitest";
import { randomText } from "../../src/random/random-text.js";

describe("randomText", () => {
  it("gives the requested number of bytes in the requested encoding", () => {
    expect(randomText(4, "hex")).toMatch(/^[0-9a-f]{8}$/);
    expect(randomText(9, "base64url")).toMatch(/^[A-Za-z0-9_-]{12}$/);
    expect(Buffer.from(randomText(16, "base64url"), "base64url")).toHaveLength(16);
  });

  it("never hands out the same bytes twice, across many refills of its pool", () => {
    // 20,000 identifiers of 9 bytes use the 4 KB pool 44 times over; bytes served twice would repeat one.
    const seen = new Set<string>();
    for (let i = 0; i < 20_000; i++) seen.add(randomText(9, "base64url"));
    expect(seen.size).toBe(20_000);
    // Sizes that do not divide the pool: the last bytes before a refill are not glued to the next pool's.
    const odd = new Set<string>();
    for (let i = 0; i < 5_000; i++) odd.add(randomText(13, "hex"));
    expect(odd.size).toBe(5_000);
  });

  it("spreads its bytes evenly (no byte value favoured)", () => {
    const counts = new Array<number>(256).fill(0);
    for (let i = 0; i < 2_000; i++)
      for (const b of Buffer.from(randomText(64, "hex"), "hex")) counts[b]! += 1;
    // 128,000 bytes: 500 of each value expected; a fair source stays far inside these bounds.
    expect(Math.min(...counts)).toBeGreaterThan(350);
    expect(Math.max(...counts)).toBeLessThan(650);
  });

  it.each([0, -1, 1.5, 4097, Number.NaN])("refuses %s bytes", (n) => {
    expect(() => randomText(n, "hex")).toThrow(RangeError);
  });
});
