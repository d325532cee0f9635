import { describe, expect, it } from "vitest";
import { closestNames } from "../../src/targets/closest-names.js";

const NAMES = ["web-01", "web-02", "web-03", "db-01", "db-02", "cache-01", "prod-web-01"];

describe("closestNames", () => {
  it("orders by edit distance, then name", () => {
    expect(closestNames("web-0", NAMES)).toEqual(["web-01", "web-02", "web-03"]);
    expect(closestNames("web-1", NAMES)).toEqual(["web-01"]);
    expect(closestNames("db-10", NAMES)).toEqual(["db-01"]);
    expect(closestNames("db-0", NAMES, 2)).toEqual(["db-01", "db-02"]);
  });

  it("prefers a longer shared prefix, then a closer length, among equal distances", () => {
    expect(closestNames("wbe-01", ["db-01", "web-010", "web-02", "web-01"])).toEqual([
      "web-01",
      "web-02",
      "web-010",
    ]);
  });

  it("counts transpositions as one edit and ignores case", () => {
    expect(closestNames("WBE-01", NAMES, 1)).toEqual(["web-01"]);
  });

  it("accepts containment as a weaker match", () => {
    expect(closestNames("cache", NAMES)).toEqual(["cache-01"]);
  });

  it("suggests nothing for distant or empty input", () => {
    expect(closestNames("zzzzzz", NAMES)).toEqual([]);
    expect(closestNames("", NAMES)).toEqual([]);
    expect(closestNames("x".repeat(500), NAMES)).toEqual([]);
  });

  it("lists each name once", () => {
    expect(closestNames("dup-1", ["dup-01", "dup-01"])).toEqual(["dup-01"]);
  });
});
