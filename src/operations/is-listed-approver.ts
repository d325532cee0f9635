import { canApprove } from "../policy/can-approve.js";
import type { ApprovalRequirement } from "../policy/types.js";

/**
 * Whether the user is among the requirement's approvers (by user ID, or by a group they belong to now), from
 * the same team as the requester. Self-approval and repeat approvals are the state machine's business.
 */
export function isListedApprover(
  requirement: Pick<ApprovalRequirement, "approvers">,
  user: { userId: string; teamId: string; groups: readonly string[] },
  requester: { userId: string; teamId: string },
): boolean {
  if (user.teamId !== requester.teamId) return false;
  // Self-approval is allowed here so the result says only "listed or not".
  return canApprove({ approvers: requirement.approvers, allowSelfApproval: true }, user, requester.userId).ok;
}

/** Staged requirements: the names of the stages whose approvers the user is among (same team), now. */
export function listedStages(
  requirement: Pick<ApprovalRequirement, "stages">,
  user: { userId: string; teamId: string; groups: readonly string[] },
  requester: { userId: string; teamId: string },
): string[] {
  return (requirement.stages ?? [])
    .filter((stage) => isListedApprover(stage, user, requester))
    .map((stage) => stage.name);
}
