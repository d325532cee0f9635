import type { ApprovalService } from "../approvals/approval-service.js";
import type { Store } from "../store/store.js";
import { parentOfWaveRun } from "../waves/wave-run-record.js";
import { OPEN_RUNS_SET } from "../workflow/run-record.js";
import type { Executions } from "./create-executions.js";

/**
 * One adoption pass (at start and then periodically, on every replica): every claimed request and open run whose lease is free is resumed here (the lease
 * decides who: the others skip), every approved request not yet claimed is claimed (the claim decides).
 */
export async function adoptUnfinishedWork(deps: {
  approvals: Pick<ApprovalService, "listByStatus">;
  executions: Pick<Executions, "isRunning" | "resumeClaimed" | "runApproved" | "resumeOrphanRun">;
  store: Pick<Store, "members">;
}): Promise<number> {
  const { approvals, executions, store } = deps;
  const claimed = await approvals.listByStatus("executing");
  const covered = new Set<string>();
  let count = 0;
  for (const request of claimed) {
    if (request.execution) covered.add(request.execution.executionId);
    if (!executions.isRunning(request.id)) {
      count++;
      void executions.resumeClaimed(request);
    }
  }
  for (const request of await approvals.listByStatus("approved")) {
    if (!executions.isRunning(request.id)) {
      count++;
      void executions.runApproved(request.id);
    }
  }
  for (const runId of await store.members(OPEN_RUNS_SET)) {
    // A wave's run (`<runId>.w<n>`) is driven by its request's run in waves, under that run's lease.
    const parent = parentOfWaveRun(runId);
    if (parent !== undefined && covered.has(parent)) continue;
    if (!covered.has(runId) && !executions.isRunning(runId)) {
      count++;
      void executions.resumeOrphanRun(runId);
    }
  }
  return count;
}
