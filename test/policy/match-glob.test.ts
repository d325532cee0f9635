import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { KNOWN_ACTIONS } from "../../src/policy/actions.js";
import { matchGlob } from "../../src/policy/match-glob.js";

describe("matchGlob", () => {
  it.each([
    ["ecs:cloudServers:*", "ecs:cloudServers:stop", true],
    ["ecs:*:list", "ecs:flavors:list", true],
    ["ecs:*:list", "ecs:servers:get", false],
    ["ecs:*", "ecs:jobs:get", true],
    ["*", "ops:help", true],
    ["*:list", "hss:hosts:list", true],
    ["web-?", "web-1", true],
    ["web-?", "web-10", false],
    ["web-*", "web-", true],
    ["web-*", "db-web-1", false],
    ["a*b*c", "axxbyyc", true],
    ["a*b*c", "axxbyy", false],
    ["Web-*", "web-1", false],
  ])("%s ~ %s → %s", (pattern, value, expected) => {
    expect(matchGlob(pattern, value)).toBe(expected);
  });

  it("treats a pattern without wildcards as plain equality", () => {
    fc.assert(
      fc.property(
        fc.string().filter((s) => !/[*?]/.test(s)),
        fc.string(),
        (pattern, value) => {
          expect(matchGlob(pattern, value)).toBe(pattern === value);
          expect(matchGlob(pattern, pattern)).toBe(true);
        },
      ),
    );
  });

  it("lets `*` stand for any part of a string", () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), fc.string(), (prefix, middle, suffix) => {
        const safe = (s: string) => s.replace(/[*?]/g, "");
        expect(matchGlob(`${safe(prefix)}*${safe(suffix)}`, `${safe(prefix)}${middle}${safe(suffix)}`)).toBe(
          true,
        );
      }),
    );
  });

  it("matches every known action with `*`", () => {
    for (const action of KNOWN_ACTIONS) expect(matchGlob("*", action)).toBe(true);
  });
});
