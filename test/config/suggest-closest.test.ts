import { describe, expect, it } from "vitest";
import { suggestClosest } from "../../src/config/suggest-closest.js";

describe("suggestClosest", () => {
  const keys = ["approvers", "min_approvals", "additional_approvals", "expires_in", "reason_required"];

  it.each([
    ["aprovers", "approvers"],
    ["approver", "approvers"],
    ["min_aprovals", "min_approvals"],
    ["expries_in", "expires_in"],
    ["Approvers", "approvers"],
  ])("suggests %s → %s", (typo, expected) => {
    expect(suggestClosest(typo, keys)).toBe(expected);
  });

  it.each(["id", "colour", "timeout", ""])("suggests nothing for unrelated %j", (word) => {
    expect(suggestClosest(word, keys)).toBeUndefined();
  });
});
