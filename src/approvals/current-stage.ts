import type { ApprovalRequest } from "./approval-request.js";

type Stage = NonNullable<ApprovalRequest["requirement"]["stages"]>[number];

/** Where a staged request stands: the first stage with fewer approvals than it needs. */
export interface StagePosition {
  /** 0-based. */
  index: number;
  stage: Stage;
  /** Approvals given for this stage so far. */
  count: number;
  total: number;
}

/** The approvals given for a stage (staged approvals record their stage). */
export function approvalsFor(
  request: Pick<ApprovalRequest, "approvals">,
  stageName: string,
): ApprovalRequest["approvals"] {
  return request.approvals.filter((a) => a.stage === stageName);
}

/**
 * The stage a staged request waits on, or undefined for an unstaged request or one whose every stage is
 * complete. Pure.
 */
export function currentStage(
  request: Pick<ApprovalRequest, "approvals" | "requirement">,
): StagePosition | undefined {
  const stages = request.requirement.stages ?? [];
  for (const [index, stage] of stages.entries()) {
    const count = approvalsFor(request, stage.name).length;
    if (count < stage.minApprovals) return { index, stage, count, total: stages.length };
  }
  return undefined;
}
