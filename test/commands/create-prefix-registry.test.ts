import { describe, expect, it } from "vitest";
import { createPrefixRegistry } from "../../src/commands/create-prefix-registry.js";

describe("createPrefixRegistry", () => {
  it("matches the prefix itself or dot-continuations, longest first", () => {
    const r = createPrefixRegistry<string>("action");
    r.register("approval", "A");
    r.register("approval.reject", "R");
    expect(r.find("approval")?.handler).toBe("A");
    expect(r.find("approval.approve")?.handler).toBe("A");
    expect(r.find("approval.reject")?.handler).toBe("R");
    expect(r.find("approval.reject.confirm")?.handler).toBe("R");
    expect(r.find("approvals")).toBeUndefined();
    expect(r.find("x")).toBeUndefined();
    expect(r.prefixes()).toEqual(["approval", "approval.reject"]);
  });

  it("with exact: true, matches only the identical ID (modal callback IDs are not families)", () => {
    const r = createPrefixRegistry<string>("view", { exact: true });
    r.register("ops.approval.reject", "R");
    expect(r.find("ops.approval.reject")).toEqual({ prefix: "ops.approval.reject", handler: "R" });
    for (const other of [
      "ops.approval",
      "ops.approval.approve",
      "ops.approval.reject.x",
      "ops.approval.rejectx",
      "",
    ])
      expect(r.find(other)).toBeUndefined();
  });

  it("refuses duplicates and malformed prefixes", () => {
    const r = createPrefixRegistry<string>("view");
    r.register("a.b", "x");
    expect(() => r.register("a.b", "y")).toThrow(/already registered/);
    for (const bad of ["", ".a", "a.", "a..b", "a b", "a:b"])
      expect(() => r.register(bad, "z")).toThrow(TypeError);
  });
});
