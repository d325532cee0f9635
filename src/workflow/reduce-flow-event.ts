import type { DriftItem } from "./detect-drift.js";
import { type FlowEvent, type ProgressCounts, RESTART_STEP_ID, type RunStartedStep } from "./flow-events.js";
import {
  isIn,
  type RunStatus,
  type ServerResult,
  STOPPING_STEP_STATUSES,
  type StepStatus,
} from "./flow-statuses.js";
import type { CallName, Expectation, Operation, StepKind } from "./flow-vocabulary.js";
import { putBackStatusOf } from "./put-back-end-of.js";
import { emptyCounts, type FlowOutcome } from "./summarize-run.js";

export interface FlowViewJob {
  /** Null while reconciling from the servers' state. */
  jobId: string | null;
  source: "job" | "servers";
  status: string;
  counts: ProgressCounts;
  /** Reading the servers after a call whose outcome is unknown: until when (the wait's deadline). */
  until?: number;
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
  /** What the cloud answered to the step's calls whose outcome is unknown. */
  answers?: readonly string[];
  /**
   * Not a step of the flow: the start again of the servers the run stopped for a change that did not happen
   * (`on_failure: start_stopped_then_stop_flow`, step ID {@link RESTART_STEP_ID}), shown after the step that
   * failed. The change, when known (for its words).
   */
  putBackOf?: CallName | null;
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
  /** The run is one wave of a run in waves: which one (from 1), of how many. */
  wave?: { number: number; of: number };
  /** `false`: the request ran without anyone's approval (see `run_started`). Absent: people approved it. */
  approved?: false;
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
    const same = state?.runId === event.runId ? state : undefined;
    const next: FlowViewState = {
      runId: event.runId,
      requestId: event.requestId,
      operation: event.operation,
      status: "running",
      resumed: event.resumed,
      // A resumed run keeps the time it started: its record's (or, in the same reporter, the first start seen).
      startedAt: event.startedAt ?? same?.startedAt ?? event.at,
      updatedAt: event.at,
      targetCount: event.targets.length,
      steps: withPutBack(
        event.steps.map((s) =>
          startedStep(
            s,
            same?.steps.find((x) => x.id === s.id),
          ),
        ),
        same?.steps.find((x) => x.id === RESTART_STEP_ID),
      ),
      drift: event.drift ?? same?.drift ?? [],
    };
    if (event.currentStepId !== undefined) next.currentStepId = event.currentStepId;
    const wave = event.wave ?? same?.wave;
    if (wave !== undefined) next.wave = wave;
    if (event.approved === false) next.approved = false;
    return next;
  }
  if (state === undefined || state.runId !== event.runId) return state;
  const next: FlowViewState = { ...state, updatedAt: event.at };
  // The start again has no step in the flow: its first event adds it, and while it runs it is what goes on.
  const putBack = "stepId" in event && event.stepId === RESTART_STEP_ID;
  if (putBack && !state.steps.some((s) => s.id === RESTART_STEP_ID)) {
    next.steps = withPutBack(state.steps, putBackStep());
  }
  const patchStep = (id: string, patch: (s: FlowViewStep) => FlowViewStep) => {
    next.steps = next.steps.map((s) => (s.id === id ? patch(s) : s));
  };
  switch (event.type) {
    case "step_started":
      next.currentStepId = event.stepId;
      patchStep(event.stepId, (s) => ({ ...s, status: "running", serverCount: event.serverIds.length }));
      return next;
    case "job_progress":
      if (putBack && next.steps.find((s) => s.id === RESTART_STEP_ID)?.status === "running")
        next.currentStepId = RESTART_STEP_ID;
      patchStep(event.stepId, (s) => {
        const job: FlowViewJob = {
          jobId: event.jobId,
          source: event.source,
          status: event.status,
          counts: event.counts,
          ...(event.until !== undefined && { until: event.until }),
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
        ...(event.answers !== undefined && { answers: event.answers }),
      }));
      return next;
    case "drift_detected":
      next.drift = event.drift;
      return next;
    case "outcome_unknown_unchanged":
      // Told once in the thread as a reply of its own (the thread reporter); the status message is unchanged.
      return state;
    case "run_finished": {
      next.status = event.outcome.status;
      next.outcome = event.outcome;
      next.steps = settledPutBack(next.steps);
      const { currentStepId: _done, ...rest } = next;
      return rest;
    }
  }
}

/**
 * A step as `run_started` announces it. What the event says of it (a resumed run's record) wins over what was
 * seen before; a step that said nothing keeps what was seen (or is pending). The jobs of a step still running
 * are kept: the record has them only once the step has finished.
 */
function startedStep(s: RunStartedStep, before: FlowViewStep | undefined): FlowViewStep {
  if (s.status === undefined && before !== undefined) return before;
  const step: FlowViewStep = {
    id: s.id,
    kind: s.kind,
    description: s.description,
    ...(s.call !== undefined && { call: s.call }),
    ...(s.expect !== undefined && { expect: s.expect }),
    status: s.status ?? "pending",
    jobs: s.status === "running" && before?.status === "running" ? before.jobs : [],
  };
  if (s.serverCount !== undefined) step.serverCount = s.serverCount;
  if (s.counts !== undefined) step.counts = s.counts;
  if (s.skipReason !== undefined) step.skipReason = s.skipReason;
  // The start again, when a resumed run's record has one: shown in its own words, never its description.
  if (s.id === RESTART_STEP_ID) step.putBackOf = before?.putBackOf ?? null;
  return step;
}

/**
 * The steps with the start again placed after the step whose failure asked for it (the first wait that failed
 * or stayed unknown: the one that stopped the flow), or last if none shows so; `putBack`: the one to place
 * when the steps have none. Its change, when not known yet, is the call of the step that stopped the flow.
 */
function withPutBack(steps: readonly FlowViewStep[], putBack?: FlowViewStep): FlowViewStep[] {
  const step = steps.find((s) => s.id === RESTART_STEP_ID) ?? putBack;
  const rest = steps.filter((s) => s.id !== RESTART_STEP_ID);
  if (step === undefined) return rest;
  const stopping = rest.findIndex((s) => s.kind !== "call" && isIn(STOPPING_STEP_STATUSES, s.status));
  const change =
    step.putBackOf ??
    rest
      .slice(0, Math.max(0, stopping))
      .reverse()
      .find((s) => s.kind === "call")?.call ??
    null;
  const at = stopping < 0 ? rest.length : stopping + 1;
  return [...rest.slice(0, at), { ...step, putBackOf: change }, ...rest.slice(at)];
}

/** The start again as a step of the view, running (its change comes from the step that stopped the flow). */
function putBackStep(): FlowViewStep {
  return {
    id: RESTART_STEP_ID,
    kind: "wait",
    // Never shown: the status message has its own words for it.
    description: "",
    status: "running",
    jobs: [],
    putBackOf: null,
  };
}

/**
 * At the run's end, a start again whose own end was not seen (its `step_finished` carries its per-server results,
 * and a resumed run's `run_started` its record's): as its jobs last said, by the same rule, never done unless
 * they said every server started. Not from the outcome: it lists only the servers still SHUTOFF, and a failed
 * start may leave one in ERROR. A run that had no start again line gets none.
 */
function settledPutBack(steps: FlowViewStep[]): FlowViewStep[] {
  const seen = steps.find((s) => s.id === RESTART_STEP_ID);
  if (seen === undefined || (seen.status !== "running" && seen.status !== "pending")) return steps;
  const counts = emptyCounts();
  for (const j of seen.jobs) {
    counts.succeeded += j.counts.succeeded;
    counts.failed += j.counts.failed;
    counts.unknown += j.counts.running;
  }
  const total = counts.succeeded + counts.failed + counts.unknown;
  const settled: FlowViewStep = { ...seen, status: putBackStatusOf(counts), jobs: [] };
  if (total > 0) settled.counts = counts;
  return steps.map((s) => (s.id === RESTART_STEP_ID ? settled : s));
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
