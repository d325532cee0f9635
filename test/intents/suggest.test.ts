import { describe, expect, it } from "vitest";
import { editDistance, suggest } from "../../src/intents/suggest.js";

const VERBS = ["list", "show", "flavors", "job", "start", "stop", "reboot", "resize", "delete", "help"];

describe("editDistance", () => {
  it("counts insertions, deletions, substitutions and adjacent transpositions", () => {
    expect(editDistance("", "abc")).toBe(3);
    expect(editDistance("rebot", "reboot")).toBe(1);
    expect(editDistance("stpo", "stop")).toBe(1);
    expect(editDistance("kitten", "sitting")).toBe(3);
    expect(editDistance("same", "same")).toBe(0);
  });
});

describe("suggest", () => {
  it.each([
    ["rebot", "reboot"],
    ["REBOOT", "reboot"],
    ["strat", "start"],
    ["stpo", "stop"],
    ["delet", "delete"],
    ["del", "delete"],
    ["flavours", "flavors"],
    ["lst", "list"],
  ])("%s → %s", (word, expected) => {
    expect(suggest(word, VERBS)).toBe(expected);
  });

  it("uses aliases for synonyms", () => {
    expect(suggest("restart", VERBS, { restart: "reboot" })).toBe("reboot");
    expect(suggest("toString", VERBS, { restart: "reboot" })).toBeUndefined();
  });

  it("stays silent when nothing is close", () => {
    expect(suggest("xyzzy", VERBS)).toBeUndefined();
    expect(suggest("", VERBS)).toBeUndefined();
    expect(suggest("a".repeat(1000), VERBS)).toBeUndefined();
  });
});
