import { describe, expect, it } from "vitest";
import { unknownFlavorMessage } from "../../src/workflow/preflight-blocking-messages.js";

const FLAVORS = ["s6.small.1", "s6.medium.2", "s6.large.2", "s6.xlarge.2", "c7.xlarge.2", "m6.2xlarge.8"];

describe("unknownFlavorMessage", () => {
  it.each([
    [
      "s6.xlarge",
      "flavor s6.xlarge does not exist in this region. Did you mean s6.xlarge.2 or s6.large.2? /ecs flavors lists them.",
    ],
    [
      "s6.large2",
      "flavor s6.large2 does not exist in this region. Did you mean s6.large.2 or s6.xlarge.2? /ecs flavors lists them.",
    ],
    ["x9.huge.99", "flavor x9.huge.99 does not exist in this region. /ecs flavors lists them."],
  ])("%s", (wanted, message) => {
    expect(unknownFlavorMessage(wanted, FLAVORS)).toBe(message);
  });

  it("names at most three flavors, one once", () => {
    expect(unknownFlavorMessage("s6.medium", ["s6.medium.2"])).toBe(
      "flavor s6.medium does not exist in this region. Did you mean s6.medium.2? /ecs flavors lists them.",
    );
    const many = Array.from({ length: 10 }, (_, i) => `s6.large.${i}`);
    const hint = /Did you mean (.*)\?/.exec(unknownFlavorMessage("s6.large", many))?.[1] ?? "";
    expect(hint.split(/, | or /)).toHaveLength(3);
  });
});
