import type { ApprovalService } from "../approvals/approval-service.js";
import type { Store } from "../store/store.js";
import { stepWords } from "../workflow/flow-status-message.js";
import { OPEN_RUNS_SET, RunRecordSchema, runKey } from "../workflow/run-record.js";
import type { RunningJob } from "./build-jobs-view.js";

/**
 * The operations running now, from the open-runs index (one read per open run, never a scan of finished
 * ones), each with its request's requester. A run record that cannot be read is left out.
 */
export async function readRunningJobs(
  store: Pick<Store, "members" | "get">,
  approvals: Pick<ApprovalService, "get">,
): Promise<RunningJob[]> {
  const running: RunningJob[] = [];
  for (const runId of await store.members(OPEN_RUNS_SET)) {
    const stored = await store.get<unknown>(runKey(runId));
    const parsed = stored ? RunRecordSchema.safeParse(stored.value) : undefined;
    if (!parsed?.success) continue;
    const run = parsed.data;
    const request = await approvals.get(run.requestId);
    running.push({
      runId,
      requestId: run.requestId,
      operation: run.operation,
      targetNames: run.targets.map((t) => t.name),
      ...(request && { requesterId: request.requester.userId }),
      // In operator words, from the flow the run follows (never the step's ID).
      ...(run.currentStep !== null && {
        currentStep: stepWords(
          run.flow.steps.find((s) => s.id === run.currentStep) ?? { kind: "wait" },
        ).toLowerCase(),
      }),
      startedAt: run.startedAt,
      resumes: run.resumes,
    });
  }
  return running.sort((a, b) => a.startedAt - b.startedAt);
}
