import type { ApprovalRequest, ApprovalRequirement } from "../../src/approvals/approval-request.js";
import { bindingInputOf, computeBindingHash } from "../../src/approvals/compute-binding-hash.js";

export const T0 = Date.UTC(2025, 0, 1);

export const requirement = (overrides: Partial<ApprovalRequirement> = {}): ApprovalRequirement => ({
  approvers: { users: ["UAPPROVER1", "UAPPROVER2", "UAPPROVER3"], groups: ["sre"] },
  minApprovals: 1,
  allowSelfApproval: false,
  expiresInMs: 15 * 60_000,
  reasonRequired: false,
  ...overrides,
});

/** A pending request made by UREQUESTER at T0, consistent with its binding hash. */
export function makeRequest(overrides: Partial<ApprovalRequest> = {}): ApprovalRequest {
  const base = {
    id: "apr_AAAAAAAAAAAAAAAAAAAAAA",
    status: "pending" as const,
    createdAt: T0,
    expiresAt: T0 + 15 * 60_000,
    requester: { userId: "UREQUESTER", teamId: "T1" },
    channel: "COPS",
    action: "ecs:cloudServers:delete",
    commandText: "/ecs delete web-03 web-04",
    targets: [
      { id: "srv-3", name: "web-03", status: "ACTIVE", flavor: "s6.large.2" },
      { id: "srv-4", name: "web-04", status: "SHUTOFF", flavor: "s6.large.2" },
    ],
    parameters: { deletePublicIp: true },
    ruleIds: ["prod-delete-needs-approval"],
    requirement: requirement(),
    approvals: [],
    version: 1,
    ...overrides,
  };
  return { ...base, bindingHash: overrides.bindingHash ?? computeBindingHash(bindingInputOf(base)) };
}
