import type { Actor } from "../app/ports.js";
import type { ApprovalRequest } from "../approvals/approval-request.js";
import type { ApprovalService } from "../approvals/approval-service.js";
import { OPEN_STATUSES } from "../approvals/approval-statuses.js";
import { isPolicyAllowed } from "./describe-request.js";
import { isListedApprover } from "./is-listed-approver.js";

/** The person looking, with the handles of the user groups they belong to now. */
export type Viewer = Actor & { groups: readonly string[] };

/**
 * Whether a click on Approve by `viewer` would count now, judged as the card's click would be: a pending
 * request that needs people (not one the policy allowed), not expired, the viewer a listed approver of the
 * requester's team (by ID or a group they belong to now), not their own request unless the rule allows it,
 * and not approved by them already. The state machine still decides the click itself.
 */
export function mayApproveNow(request: ApprovalRequest, viewer: Viewer, now: number): boolean {
  if (request.status !== "pending" || isPolicyAllowed(request) || now >= request.expiresAt) return false;
  if (!isListedApprover(request.requirement, viewer, request.requester)) return false;
  if (request.requester.userId === viewer.userId && !request.requirement.allowSelfApproval) return false;
  return !request.approvals.some((a) => a.userId === viewer.userId);
}

export interface ActionableApprovals {
  /** Pending requests the viewer may approve now, oldest first. */
  waiting: ApprovalRequest[];
  /**
   * The viewer's own open requests (pending, approved, executing), oldest first: pending ones they may cancel,
   * the others are running. Expired ones not swept yet are left out.
   */
  mine: ApprovalRequest[];
  /**
   * Scheduled changes waiting for their time (approved, not started) that the viewer asked for or may approve,
   * soonest first: either may cancel them until they start. Not repeated under `mine`.
   */
  scheduled: ApprovalRequest[];
}

/**
 * What the viewer can act on: reads the open-status indexes (no scan of finished requests). A request the
 * viewer may approve and also made (self-approval allowed) is listed once, under `waiting`.
 */
export async function listActionableApprovals(
  approvals: Pick<ApprovalService, "listByStatus">,
  viewer: Viewer,
  now: number,
): Promise<ActionableApprovals> {
  const open = (await Promise.all(OPEN_STATUSES.map((s) => approvals.listByStatus(s)))).flat();
  open.sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : 1));
  const waiting = open.filter((r) => mayApproveNow(r, viewer, now));
  const scheduled = open
    .filter(
      (r) =>
        r.status === "approved" &&
        r.schedule !== undefined &&
        ((r.requester.userId === viewer.userId && r.requester.teamId === viewer.teamId) ||
          (!isPolicyAllowed(r) && isListedApprover(r.requirement, viewer, r.requester))),
    )
    .sort((a, b) => (a.schedule?.runAt ?? 0) - (b.schedule?.runAt ?? 0));
  const listed = new Set([...waiting, ...scheduled].map((r) => r.id));
  const mine = open.filter(
    (r) =>
      !listed.has(r.id) &&
      r.requester.userId === viewer.userId &&
      r.requester.teamId === viewer.teamId &&
      !(r.status === "pending" && now >= r.expiresAt),
  );
  return { waiting, mine, scheduled };
}
