import { describe, expect, it } from "vitest";
import { canApprove } from "../../src/policy/can-approve.js";
import type { ApprovalRequirement } from "../../src/policy/types.js";

const approval = (overrides: Partial<ApprovalRequirement> = {}): ApprovalRequirement => ({
  approvers: { users: ["U0ALICE"], groups: ["ops-approvers"] },
  minApprovals: 1,
  allowSelfApproval: false,
  expiresInMs: 30 * 60_000,
  reasonRequired: true,
  ...overrides,
});

describe("canApprove", () => {
  it.each([
    ["a listed user", { userId: "U0ALICE", groups: [] }, "U0REQ", { ok: true }],
    [
      "a member of an approver group",
      { userId: "U0BOB", groups: ["eng", "ops-approvers"] },
      "U0REQ",
      { ok: true },
    ],
    [
      "a group member, handle given with @ and capitals",
      { userId: "U0BOB", groups: ["@Ops-Approvers"] },
      "U0REQ",
      { ok: true },
    ],
    ["an outsider", { userId: "U0EVE", groups: ["eng"] }, "U0REQ", { ok: false, reason: "not_an_approver" }],
    [
      "someone in no group at all",
      { userId: "U0EVE", groups: [] },
      "U0REQ",
      { ok: false, reason: "not_an_approver" },
    ],
    [
      "the requester, when self-approval is banned",
      { userId: "U0ALICE", groups: [] },
      "U0ALICE",
      { ok: false, reason: "self_approval" },
    ],
    [
      "the requester via a group, when self-approval is banned",
      { userId: "U0BOB", groups: ["ops-approvers"] },
      "U0BOB",
      { ok: false, reason: "self_approval" },
    ],
  ] as const)("%s", (_name, approver, requesterId, expected) => {
    expect(
      canApprove(approval(), { userId: approver.userId, groups: [...approver.groups] }, requesterId),
    ).toEqual(expected);
  });

  it("lets an approver approve their own request when allowed", () => {
    expect(
      canApprove(approval({ allowSelfApproval: true }), { userId: "U0ALICE", groups: [] }, "U0ALICE"),
    ).toEqual({
      ok: true,
    });
  });

  it("still refuses a requester who is no approver, even when self-approval is allowed", () => {
    expect(
      canApprove(approval({ allowSelfApproval: true }), { userId: "U0EVE", groups: [] }, "U0EVE"),
    ).toEqual({
      ok: false,
      reason: "not_an_approver",
    });
  });
});
