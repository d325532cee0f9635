import { describe, expect, it } from "vitest";
import { decodePaginationValue, encodePaginationValue } from "../../src/render/encode-pagination-value.js";

describe("pagination values", () => {
  it("round-trip, including colons in the context", () => {
    expect(decodePaginationValue(encodePaginationValue(4, "q=a:b"))).toEqual({
      ok: true,
      page: 4,
      context: "q=a:b",
    });
  });

  it("reject values that are not ours", () => {
    expect(decodePaginationValue("0:x").ok).toBe(false);
    expect(decodePaginationValue("abc").ok).toBe(false);
  });
});
