import type { ApprovalRequest } from "../../src/approvals/approval-request.js";

type Stages = NonNullable<ApprovalRequest["requirement"]["stages"]>;

/**
 * The two stages of the staged-approval fixtures: one approval from @ops-approvers (the team lead, for 30
 * minutes), then one from @sre (security, for 10 minutes once reached). `lead` renames the first stage;
 * `securityReasonRequired` makes the second want a reason.
 */
export function makeLeadAndSecurityStages(
  options: { lead?: string; securityReasonRequired?: boolean } = {},
): Stages {
  return [
    {
      name: options.lead ?? "team lead",
      approvers: { users: [], groups: ["ops-approvers"] },
      minApprovals: 1,
      allowSelfApproval: false,
      expiresInMs: 30 * 60_000,
      reasonRequired: false,
    },
    {
      name: "security",
      approvers: { users: [], groups: ["sre"] },
      minApprovals: 1,
      allowSelfApproval: false,
      expiresInMs: 10 * 60_000,
      reasonRequired: options.securityReasonRequired ?? false,
    },
  ];
}
