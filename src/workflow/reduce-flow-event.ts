import type { DriftItem } from "./detect-drift.js";
import type { FlowEvent, ProgressCounts } from "./flow-events.js";
import type { RunStatus, ServerResult, StepStatus } from "./flow-statuses.js";
import type { CallName, Expectation, Operation, StepKind } from "./flow-vocabulary.js";
import type { FlowOutcome } from "./summarize-run.js";

export interface FlowViewJob {
  /** Null while reconciling from the servers' state. */
  jobId: string | null;
  source: "job" | "servers";
  status: string;
  counts: ProgressCounts;
}

export interface FlowViewStep {
  id: string;
  kind: StepKind;
  description: string;
  call?: CallName;
  expect?: Expectation;
  status: StepStatus;
  serverCount?: number;
  jobs: FlowViewJob[];
  counts?: Record<ServerResult, number>;
  skipReason?: "no_targets" | "flow_stopped";
}

/** What the thread's status message shows; built from events by {@link reduceFlowEvent}. */
export interface FlowViewState {
  runId: string;
  requestId: string;
  operation: Operation;
  status: RunStatus;
  resumed: boolean;
  startedAt: number;
  updatedAt: number;
  targetCount: number;
  steps: FlowViewStep[];
  currentStepId?: string;
  drift: DriftItem[];
  outcome?: FlowOutcome;
}

/**
 * Folds one event into the view state (pure; returns a new state). Before `run_started` there is no state:
 * other events are ignored until one arrives. Events of another run are ignored.
 */
export function reduceFlowEvent(
  state: FlowViewState | undefined,
  event: FlowEvent,
): FlowViewState | undefined {
  if (event.type === "run_started") {
    return {
      runId: event.runId,
      requestId: event.requestId,
      operation: event.operation,
      status: "running",
      resumed: event.resumed,
      startedAt: state?.runId === event.runId ? state.startedAt : event.at,
      updatedAt: event.at,
      targetCount: event.targets.length,
      steps: event.steps.map((s) => {
        const before = state?.runId === event.runId ? state.steps.find((x) => x.id === s.id) : undefined;
        return before ?? { ...s, status: "pending", jobs: [] };
      }),
      drift: state?.runId === event.runId ? state.drift : [],
    };
  }
  if (state === undefined || state.runId !== event.runId) return state;
  const next: FlowViewState = { ...state, updatedAt: event.at };
  const patchStep = (id: string, patch: (s: FlowViewStep) => FlowViewStep) => {
    next.steps = state.steps.map((s) => (s.id === id ? patch(s) : s));
  };
  switch (event.type) {
    case "step_started":
      next.currentStepId = event.stepId;
      patchStep(event.stepId, (s) => ({ ...s, status: "running", serverCount: event.serverIds.length }));
      return next;
    case "job_progress":
      patchStep(event.stepId, (s) => {
        const job: FlowViewJob = {
          jobId: event.jobId,
          source: event.source,
          status: event.status,
          counts: event.counts,
        };
        const index = s.jobs.findIndex((j) => j.jobId === event.jobId);
        const jobs = index < 0 ? [...s.jobs, job] : s.jobs.map((j, i) => (i === index ? job : j));
        return { ...s, jobs };
      });
      return next;
    case "step_finished":
      patchStep(event.stepId, (s) => ({
        ...s,
        status: event.status,
        counts: event.counts,
        ...(event.skipReason !== undefined && { skipReason: event.skipReason }),
      }));
      return next;
    case "drift_detected":
      next.drift = event.drift;
      return next;
    case "run_finished": {
      next.status = event.outcome.status;
      next.outcome = event.outcome;
      const { currentStepId: _done, ...rest } = next;
      return rest;
    }
  }
}

/**
 * Whether two states show the same progress: they differ at most in when they were last updated. A job poll
 * that saw nothing new gives such a state; the status message need not be sent again for it (its elapsed
 * time is refreshed on its own schedule).
 */
export function sameFlowProgress(a: FlowViewState, b: FlowViewState): boolean {
  if (a === b) return true;
  const { updatedAt: _a, ...restA } = a;
  const { updatedAt: _b, ...restB } = b;
  return JSON.stringify(restA) === JSON.stringify(restB);
}
