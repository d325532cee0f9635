import type { Actor } from "../app/ports.js";
import type { ApprovalRequest } from "../approvals/approval-request.js";
import type { ApprovalService } from "../approvals/approval-service.js";
import { OPEN_STATUSES } from "../approvals/approval-statuses.js";
import { currentStage } from "../approvals/current-stage.js";
import type { Policy } from "../policy/types.js";
import type { CancellersOf } from "./cancel-approvers-of.js";
import { isPolicyAllowed } from "./describe-request.js";
import { isListedApprover, listedStages } from "./is-listed-approver.js";
import { judgeStartNow, type StartNow } from "./judge-start-now.js";

/** The person looking, with the handles of the user groups they belong to now. */
export type Viewer = Actor & { groups: readonly string[] };

/**
 * Whether a click on Approve by `viewer` would count now, judged as the card's click would be: a pending
 * request that needs people (not one the policy allowed), not expired, the viewer a listed approver of the
 * requester's team (by ID or a group they belong to now), not their own request unless the rule allows it,
 * and not approved by them already. A staged request is judged on the stage it waits on only, with that
 * stage's approvers and self-approval rule (`currentStage`, `listedStages`: what the click handler and the
 * state machine use), so a later or a completed stage's approvers are not offered a click that would be
 * refused. The state machine still decides the click itself.
 */
export function mayApproveNow(request: ApprovalRequest, viewer: Viewer, now: number): boolean {
  if (request.status !== "pending" || isPolicyAllowed(request) || now >= request.expiresAt) return false;
  // Each person approves once (one stage, for a staged request).
  if (request.approvals.some((a) => a.userId === viewer.userId)) return false;
  const own = request.requester.userId === viewer.userId;
  if (request.requirement.stages !== undefined) {
    const position = currentStage(request);
    if (position === undefined) return false;
    if (!listedStages(request.requirement, viewer, request.requester).includes(position.stage.name))
      return false;
    return !own || position.stage.allowSelfApproval;
  }
  if (!isListedApprover(request.requirement, viewer, request.requester)) return false;
  return !own || request.requirement.allowSelfApproval;
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
   * Scheduled changes waiting for their time (approved, not started) that the viewer asked for or may cancel
   * as an approver (`cancellersOf`: whom the policy now accepts; without it, the request's own approvers),
   * soonest first (as judged now, when `policy` is given): either may cancel them until they start. Not
   * repeated under `mine`.
   */
  scheduled: ApprovalRequest[];
  /**
   * When each of `scheduled` starts as judged now on the policy's calendars (`judgeStartNow`: a window moved
   * since the approval, the new time), by request ID; empty without `policy`.
   */
  starts: ReadonlyMap<string, StartNow>;
}

/**
 * What the viewer can act on: reads the open-status indexes (no scan of finished requests). A request the
 * viewer may approve and also made (self-approval allowed) is listed once, under `waiting`. `policy`: the
 * calendars the scheduled changes' starts are judged on now, as the gate will judge them.
 */
export async function listActionableApprovals(
  approvals: Pick<ApprovalService, "listByStatus">,
  viewer: Viewer,
  now: number,
  cancellersOf?: CancellersOf,
  policy?: Pick<Policy, "calendars">,
): Promise<ActionableApprovals> {
  const open = (await Promise.all(OPEN_STATUSES.map((s) => approvals.listByStatus(s)))).flat();
  open.sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : 1));
  const waiting = open.filter((r) => mayApproveNow(r, viewer, now));
  // Those the Cancel click would accept: the requester, and whom the policy now accepts as its approvers.
  const mayCancel = async (r: ApprovalRequest): Promise<boolean> => {
    if (r.requester.userId === viewer.userId && r.requester.teamId === viewer.teamId) return true;
    if (cancellersOf !== undefined)
      return isListedApprover({ approvers: await cancellersOf(r) }, viewer, r.requester);
    return !isPolicyAllowed(r) && isListedApprover(r.requirement, viewer, r.requester);
  };
  const waitingForTime = open.filter((r) => r.status === "approved" && r.schedule !== undefined);
  const cancellable = await Promise.all(waitingForTime.map(mayCancel));
  const starts = new Map<string, StartNow>();
  for (const r of waitingForTime) {
    const start = policy === undefined ? undefined : judgeStartNow(r, policy, now);
    if (start !== undefined) starts.set(r.id, start);
  }
  // Soonest first as they start now (one that never will: at its time, when the gate ends it).
  const startOf = (r: ApprovalRequest) => {
    const start = starts.get(r.id);
    return start?.kind === "runs" ? start.at : (r.schedule?.runAt ?? 0);
  };
  const scheduled = waitingForTime.filter((_, i) => cancellable[i]).sort((a, b) => startOf(a) - startOf(b));
  const listed = new Set([...waiting, ...scheduled].map((r) => r.id));
  const mine = open.filter(
    (r) =>
      !listed.has(r.id) &&
      r.requester.userId === viewer.userId &&
      r.requester.teamId === viewer.teamId &&
      !(r.status === "pending" && now >= r.expiresAt),
  );
  return { waiting, mine, scheduled, starts };
}
