import type { DriftItem } from "./detect-drift.js";
import type { ServerResult, StepStatus } from "./flow-statuses.js";
import type { CallName, Expectation, Operation, StepKind } from "./flow-vocabulary.js";
import type { FlowOutcome } from "./summarize-run.js";

/**
 * The step ID the start again of `on_failure: start_stopped_then_stop_flow` carries in its audit entries and
 * progress events (`start-stopped-again.ts`): never a flow file's step ID, none has `-`.
 */
export const RESTART_STEP_ID = "start-stopped-again";

/** Sub-job counts of a job (or servers being reconciled) at one moment. */
export interface ProgressCounts {
  total: number;
  succeeded: number;
  failed: number;
  /** Not finished yet (INIT, RUNNING, or not yet in the expected state). */
  running: number;
}

/** Progress of a run, for the thread's status message and final summary. */
export type FlowEvent =
  | {
      type: "run_started";
      runId: string;
      requestId: string;
      operation: Operation;
      at: number;
      /** True when `resumeFlow` picked up an interrupted run (or showed a finished one again). */
      resumed: boolean;
      /** When the run started, if before `at`: a resumed run's, from its record. */
      startedAt?: number;
      targets: { id: string; name: string }[];
      /**
       * `call`/`expect`: what a call or wait step does, for operator words (never the flow's description).
       * A resumed run's steps also say where each stood in its record (absent: not started).
       */
      steps: RunStartedStep[];
      /** A resumed run: the step it was at, and the drift its re-check found (as in its record). */
      currentStepId?: string;
      drift?: DriftItem[];
      /** The run is one wave of a run in waves: which one (from 1), of how many. */
      wave?: { number: number; of: number };
      /**
       * `false`: no one approved the request (the policy allowed it, or break-glass skipped approval), so the
       * thread does not speak of an approval. Absent: people approved it.
       */
      approved?: false;
    }
  | {
      type: "step_started";
      runId: string;
      stepId: string;
      kind: StepKind;
      description: string;
      serverIds: string[];
      at: number;
    }
  | {
      type: "job_progress";
      runId: string;
      stepId: string;
      /** Null while reconciling a call whose job ID is unknown (from the servers' state). */
      jobId: string | null;
      source: "job" | "servers";
      /** ECS job status (INIT, RUNNING, SUCCESS, FAIL…), or `RECONCILING` when reading servers. */
      status: string;
      counts: ProgressCounts;
      /** Reading the servers after a call whose outcome is unknown: until when (the wait's deadline). */
      until?: number;
      at: number;
    }
  | {
      type: "step_finished";
      runId: string;
      stepId: string;
      kind: StepKind;
      status: StepStatus;
      skipReason?: "no_targets" | "flow_stopped";
      counts: Record<ServerResult, number>;
      jobIds: string[];
      /** A call's: what the cloud answered to its calls whose outcome is unknown (code, request ID). */
      answers?: string[];
      at: number;
    }
  | {
      /**
       * Servers watched after a call whose outcome is unknown still show nothing of it a while after it was
       * sent (the state they had before, no task in progress): the thread is told once, while the watch goes on
       * to the wait's deadline (without the call's job ID the cloud's job cannot be seen: never "not done").
       */
      type: "outcome_unknown_unchanged";
      runId: string;
      stepId: string;
      call: CallName;
      /** The servers that show nothing of the call, as last read. */
      servers: { id: string; name: string; status: string }[];
      /** What the cloud answered to the call (HTTP status, code, request ID), when known. */
      answer?: string;
      /** How long after the watch began they were read unchanged. */
      watchedMs: number;
      /** Until when they are watched (the wait's deadline). */
      until: number;
      at: number;
    }
  | { type: "drift_detected"; runId: string; drift: DriftItem[]; at: number }
  | { type: "run_finished"; runId: string; outcome: FlowOutcome; at: number };

export type FlowEventType = FlowEvent["type"];

/**
 * Whether people approved the request a run executes, from who the run says started it: a request that
 * needed no approval (the policy allowed it; a schedule's run; break-glass) runs as its requester, an
 * approved one as its last approver. A requester approving their own request (only where the policy allows
 * self-approval) reads as not approved: the words then say "since it was asked", which is still true.
 */
export function approvedByPeople(run: {
  actorId: string;
  requesterId?: string;
  breakGlass?: boolean;
}): boolean {
  if (run.breakGlass === true) return false;
  return run.requesterId === undefined || run.actorId !== run.requesterId;
}

/** A step as `run_started` announces it. */
export interface RunStartedStep {
  id: string;
  kind: StepKind;
  description: string;
  call?: CallName;
  expect?: Expectation;
  /** A resumed run: the step's status in the record; absent: pending. */
  status?: StepStatus;
  /** A resumed run: how many servers the step applies to, once started. */
  serverCount?: number;
  /** A resumed run: the step's per-server counts, once finished. */
  counts?: Record<ServerResult, number>;
  /**
   * A resumed run's call step (or its start again, step ID {@link RESTART_STEP_ID}): the jobs the cloud gave
   * for its calls, as its record has them.
   */
  jobIds?: string[];
  skipReason?: "no_targets" | "flow_stopped";
}

/** A flow step as `run_started` announces it (what it does, not how the flow file describes it). */
export function stepOfEvent(step: {
  id: string;
  kind: StepKind;
  description: string;
  call?: CallName;
  expect?: Expectation;
}): RunStartedStep {
  return {
    id: step.id,
    kind: step.kind,
    description: step.description,
    ...(step.kind === "call" && step.call !== undefined && { call: step.call }),
    ...(step.kind === "wait" && step.expect !== undefined && { expect: step.expect }),
  };
}
