import type { ApprovalRequest } from "../../src/approvals/approval-request.js";
import { bindingInputOf, computeBindingHash } from "../../src/approvals/compute-binding-hash.js";
import type { RequestDetails } from "../../src/operations/request-details.js";
import type { Preflight } from "../../src/workflow/preflight-types.js";

export const T0 = Date.UTC(2025, 0, 1, 12, 0, 0);

/** A pending delete of web-03/web-04 by U_ALICE needing 2 approvals from ops-approvers. */
export function makeRequest(overrides: Partial<ApprovalRequest> = {}): ApprovalRequest {
  const base: Omit<ApprovalRequest, "bindingHash"> = {
    id: "apr_AAAAAAAAAAAAAAAAAAAAAA",
    status: "pending",
    createdAt: T0,
    expiresAt: T0 + 30 * 60_000,
    requester: { userId: "U_ALICE", teamId: "T0001" },
    channel: "C_OPS",
    action: "ecs:cloudServers:delete",
    commandText: "/ecs delete web-03 web-04",
    targets: [
      { id: "11111111-0000-0000-0000-000000000003", name: "web-03", status: "ACTIVE", flavor: "s6.medium.2" },
      {
        id: "11111111-0000-0000-0000-000000000004",
        name: "web-04",
        status: "SHUTOFF",
        flavor: "s6.medium.2",
      },
    ],
    parameters: { deleteVolume: false, deleteEip: false },
    ruleIds: ["delete-needs-two-approvals"],
    requirement: {
      approvers: { users: [], groups: ["ops-approvers"] },
      minApprovals: 2,
      allowSelfApproval: false,
      expiresInMs: 30 * 60_000,
      reasonRequired: true,
    },
    approvals: [],
    message: { channel: "C_OPS", ts: "1700000000.000100" },
    version: 1,
    ...overrides,
  };
  return { ...base, bindingHash: overrides.bindingHash ?? computeBindingHash(bindingInputOf(base)) };
}

export function makePreflight(): Preflight {
  return {
    operation: "delete",
    parameters: { deleteVolume: false, deleteEip: false },
    checkedAt: T0,
    checks: ["targets_exist"],
    targets: [
      {
        id: "11111111-0000-0000-0000-000000000003",
        name: "web-03",
        found: true,
        current: {
          name: "web-03",
          status: "ACTIVE",
          flavor: { id: "s6.medium.2" },
          tags: { env: "staging" },
        },
        planned: { calls: ["ecs.delete"], status: "DELETED", flavor: { id: "s6.medium.2" } },
        restart: false,
        problems: [],
      },
    ],
    problems: [],
    blocking: false,
    snapshot: [],
  };
}

export function makeDetails(overrides: Partial<RequestDetails> = {}): RequestDetails {
  return {
    requestId: "apr_AAAAAAAAAAAAAAAAAAAAAA",
    kind: "approval",
    rules: [
      {
        id: "delete-needs-two-approvals",
        description: "Deleting servers is irreversible, so two other people approve it.",
        source: "flows/policy.yml:96",
      },
    ],
    preflight: makePreflight(),
    ...overrides,
  };
}
