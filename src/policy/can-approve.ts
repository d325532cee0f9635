import { normalizeGroup } from "./normalize-names.js";
import type { ApprovalRequirement } from "./types.js";

export type CanApproveResult = { ok: true } | { ok: false; reason: "not_an_approver" | "self_approval" };

/**
 * Click-time check: may `approver` approve a request that needs `approval`? `approver.groups` are the handles
 * of the user groups the clicker belongs to, resolved by the caller just now (Slack `usergroups.users.list`),
 * so membership changes since the request take effect. Counting distinct approvers is the caller's job.
 */
export function canApprove(
  approval: Pick<ApprovalRequirement, "approvers" | "allowSelfApproval">,
  approver: { userId: string; groups: readonly string[] },
  requesterId: string,
): CanApproveResult {
  // Checked first: "you cannot approve your own request" is the useful answer even for a non-approver.
  if (approver.userId === requesterId && !approval.allowSelfApproval)
    return { ok: false, reason: "self_approval" };
  const { users, groups } = approval.approvers;
  const allowedGroups = new Set(groups.map(normalizeGroup));
  if (users.includes(approver.userId) || approver.groups.some((g) => allowedGroups.has(normalizeGroup(g)))) {
    return { ok: true };
  }
  return { ok: false, reason: "not_an_approver" };
}
