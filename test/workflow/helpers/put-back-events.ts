import { type FlowEvent, type ProgressCounts, RESTART_STEP_ID } from "../../../src/workflow/flow-events.js";

/** A poll of run `r1`'s start again job (`job-start`), as the run reports it. */
export function putBackJobProgress(counts: ProgressCounts, status: string, at: number): FlowEvent {
  return {
    type: "job_progress",
    runId: "r1",
    stepId: RESTART_STEP_ID,
    jobId: "job-start",
    source: "job",
    status,
    counts,
    at,
  };
}
