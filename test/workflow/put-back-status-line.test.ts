/**
 * The start again of a refused resize (`on_failure: start_stopped_then_stop_flow`) in the run's status message
 * (pure): it has no step in the flow, so its first event adds a line of its own after the step that failed, with
 * its jobs' counts while it runs and "now:" naming it; its own end (`step_finished`, from each server's result)
 * settles it, never the run's outcome, which lists only the servers left SHUTOFF. A run without a start again
 * shows no such line.
 */
import { describe, expect, it } from "vitest";
import { renderBlockKit } from "../../src/render/render-block-kit.js";
import type { FlowEvent, ProgressCounts, RunStartedStep } from "../../src/workflow/flow-events.js";
import { RESTART_STEP_ID, stepOfEvent } from "../../src/workflow/flow-events.js";
import { flowStatusMessage } from "../../src/workflow/flow-status-message.js";
import type { ServerResult, StepStatus } from "../../src/workflow/flow-statuses.js";
import { loadFlows } from "../../src/workflow/load-flows.js";
import { type FlowViewState, reduceFlowEvent } from "../../src/workflow/reduce-flow-event.js";
import {
  emptyCounts,
  type FlowOutcome,
  type LeftStoppedServer,
  type StartedAgain,
} from "../../src/workflow/summarize-run.js";
import { render } from "../views/view-test-helpers.js";
import { putBackJobProgress } from "./helpers/put-back-events.js";

const loaded = await loadFlows("flows");
if (!loaded.ok) throw new Error("flows invalid");
const resize = loaded.flows.resize;

const T = Date.UTC(2024, 2, 4, 13, 50);
const IDS = ["s0", "s1"];
const text = (state: FlowViewState) => JSON.stringify(renderBlockKit(flowStatusMessage(state)));
const counts = (c: Partial<Record<ServerResult, number>>): Record<ServerResult, number> => ({
  ...emptyCounts(),
  ...c,
});
const finished = (
  stepId: string,
  status: StepStatus,
  c: Partial<Record<ServerResult, number>>,
): FlowEvent => {
  const kind = resize.steps.find((s) => s.id === stepId)!.kind;
  return {
    type: "step_finished",
    runId: "r1",
    stepId,
    kind,
    status,
    counts: counts(c),
    jobIds: [],
    ...(status === "skipped" && { skipReason: "flow_stopped" as const }),
    at: T + 100,
  };
};
const startProgress = (c: ProgressCounts, status = "RUNNING"): FlowEvent =>
  putBackJobProgress(c, status, T + 300);
/** The start again's end, as `start-stopped-again.ts` announces it from each server's result. */
const putBackFinished = (status: StepStatus, c: Partial<Record<ServerResult, number>>): FlowEvent => ({
  type: "step_finished",
  runId: "r1",
  stepId: RESTART_STEP_ID,
  kind: "wait",
  status,
  counts: counts(c),
  jobIds: ["job-start"],
  at: T + 90_000,
});
const runFinished = (put: { started?: StartedAgain[]; left?: LeftStoppedServer[] }): FlowEvent => {
  const outcome: FlowOutcome = {
    runId: "r1",
    requestId: "apr_1",
    operation: "resize",
    status: "failed",
    verb: "resized",
    include: [],
    startedAt: T,
    finishedAt: T + 95_000,
    durationMs: 95_000,
    servers: [],
    counts: counts({ failed: 2 }),
    failuresByReason: [],
    unknownByReason: [],
    jobs: [],
    drift: [],
    resumes: 0,
    ...(put.started !== undefined && { startedAgain: put.started }),
    ...(put.left !== undefined && { leftStopped: put.left }),
  };
  return { type: "run_finished", runId: "r1", outcome, at: T + 95_000 };
};
const started = (id: string): StartedAgain => ({
  id,
  name: `web-${id}`,
  change: "ecs.resize",
  how: "refused",
  code: "Ecs.0603",
});

/** A resize of two running servers stopped, its resize refused for both (its wait failed), the rest skipped. */
function refusedResize(): FlowEvent[] {
  return [
    {
      type: "run_started",
      runId: "r1",
      requestId: "apr_1",
      operation: "resize",
      at: T,
      resumed: false,
      targets: IDS.map((id) => ({ id, name: `web-${id}` })),
      steps: resize.steps.map(stepOfEvent),
    },
    finished("recheck", "succeeded", { succeeded: 2 }),
    finished("stop", "succeeded", { succeeded: 2 }),
    finished("wait_stopped", "succeeded", { succeeded: 2 }),
    finished("resize", "failed", { failed: 2 }),
    finished("wait_resized", "failed", { failed: 2 }),
    finished("start", "skipped", {}),
    finished("wait_started", "skipped", {}),
  ];
}

const reduce = (events: FlowEvent[]) => events.reduce<FlowViewState | undefined>(reduceFlowEvent, undefined)!;
const lines = (state: FlowViewState) => JSON.parse(text(state)).blocks[0].text.text.split("\n") as string[];

describe("the start again in the status message", () => {
  it("runs as a line of its own after the failed wait, named by 'now:', then is done", async () => {
    const running = reduce([
      ...refusedResize(),
      startProgress({ total: 2, succeeded: 0, failed: 0, running: 2 }),
    ]);
    expect(running.currentStepId).toBe(RESTART_STEP_ID);
    const now = lines(running);
    expect(now[0]).toContain("· now: start again the servers stopped for the flavor change");
    const at = now.findIndex((l) => l.includes("Start again"));
    expect(now[at - 1]).toContain("Wait until the new flavor is in place");
    expect(now[at]).toBe(
      ":hourglass_flowing_sand: Start again the servers stopped for the flavor change — 0 of 2 done, 2 in progress",
    );
    expect(text(running)).not.toContain(RESTART_STEP_ID);
    await expect(render(flowStatusMessage(running)).golden).toMatchFileSnapshot(
      "golden/status-resize-refused-starting-again.json",
    );

    const done = reduce([
      ...refusedResize(),
      startProgress({ total: 2, succeeded: 0, failed: 0, running: 2 }),
      startProgress({ total: 2, succeeded: 2, failed: 0, running: 0 }, "SUCCESS"),
      putBackFinished("succeeded", { succeeded: 2 }),
      runFinished({ started: [started("s0"), started("s1")] }),
    ]);
    expect(done.currentStepId).toBeUndefined();
    expect(lines(done)).toContain(
      ":white_check_mark: Start again the servers stopped for the flavor change — 2 done",
    );
    const { golden } = render(flowStatusMessage(done));
    await expect(golden).toMatchFileSnapshot("golden/status-resize-refused-started-again.json");
  });

  it("a start again whose job failed shows it failed, with how many", () => {
    const state = reduce([
      ...refusedResize(),
      startProgress({ total: 2, succeeded: 1, failed: 1, running: 0 }, "FAIL"),
      putBackFinished("failed", { succeeded: 1, failed: 1 }),
      runFinished({
        started: [started("s0")],
        left: [
          { id: "s1", name: "web-s1", why: "start_failed", change: "ecs.resize", reason: "no capacity" },
        ],
      }),
    ]);
    expect(lines(state)).toContain(
      ":x: Start again the servers stopped for the flavor change — 1 done, 1 failed",
    );
  });

  it("a start again the outcome says nothing of is as its jobs last said, never shown done", () => {
    const state = reduce([
      ...refusedResize(),
      startProgress({ total: 1, succeeded: 0, failed: 0, running: 1 }),
      runFinished({}),
    ]);
    expect(lines(state)).toContain(
      ":grey_question: Start again the servers stopped for the flavor change — 0 done, 1 unknown",
    );
  });

  it("a start that failed for a server the run's end finds in ERROR (not left stopped) is failed, never done", () => {
    // The outcome speaks of s0 started again and of nothing else: s1's start failed and left it in ERROR.
    const end = runFinished({ started: [started("s0")] });
    const failed = ":x: Start again the servers stopped for the flavor change — 1 done, 1 failed";
    const live = reduce([
      ...refusedResize(),
      startProgress({ total: 2, succeeded: 1, failed: 1, running: 0 }, "FAIL"),
      putBackFinished("failed", { succeeded: 1, failed: 1 }),
      end,
    ]);
    expect(lines(live)).toContain(failed);
    expect(text(live)).not.toContain(":white_check_mark: Start again");
    // Its end not seen (only its job): as the job last said, by the same rule, not from the outcome.
    const jobOnly = reduce([
      ...refusedResize(),
      startProgress({ total: 2, succeeded: 1, failed: 1, running: 0 }, "FAIL"),
      end,
    ]);
    expect(lines(jobOnly)).toContain(failed);
  });

  it("a start again with no job seen (its call refused) gets its line from its own end", () => {
    const state = reduce([
      ...refusedResize(),
      putBackFinished("failed", { failed: 1 }),
      runFinished({ left: [{ id: "s0", name: "web-s0", why: "start_failed", change: "ecs.resize" }] }),
    ]);
    const all = lines(state);
    expect(all).toContain(":x: Start again the servers stopped for the flavor change — 0 done, 1 failed");
    expect(all.findIndex((l) => l.includes("Start again"))).toBe(
      all.findIndex((l) => l.includes("Wait until the new flavor is in place")) + 1,
    );
  });

  it("a run that started nothing again shows what it showed before", () => {
    const events = refusedResize();
    const without = reduce([...events, runFinished({})]);
    expect(text(without)).not.toContain("Start again");
    expect(without.steps.map((s) => s.id)).toEqual(resize.steps.map((s) => s.id));
    // Servers left stopped for another reason than their start: no start was made.
    const left = reduce([
      ...events,
      runFinished({ left: [{ id: "s0", name: "web-s0", why: "change_unknown", change: "ecs.resize" }] }),
    ]);
    expect(text(left)).not.toContain("Start again");
  });

  it("a run shown again (run_started of the same run) keeps the start again it had", () => {
    const running = reduce([
      ...refusedResize(),
      startProgress({ total: 2, succeeded: 1, failed: 0, running: 1 }),
    ]);
    const again = reduceFlowEvent(running, {
      type: "run_started",
      runId: "r1",
      requestId: "apr_1",
      operation: "resize",
      at: T + 350,
      resumed: true,
      startedAt: T,
      targets: IDS.map((id) => ({ id, name: `web-${id}` })),
      steps: resize.steps.map(stepOfEvent),
    })!;
    expect(
      lines(again).some((l) => l.includes("Start again the servers stopped for the flavor change")),
    ).toBe(true);
  });

  it("a resumed run whose record has a start again shows it after the failed wait, from run_started", () => {
    const steps = (restart: RunStartedStep) =>
      reduce([
        {
          type: "run_started",
          runId: "r1",
          requestId: "apr_1",
          operation: "resize",
          at: T + 500,
          resumed: true,
          startedAt: T,
          targets: IDS.map((id) => ({ id, name: `web-${id}` })),
          steps: [
            ...resize.steps.map((def): RunStartedStep => {
              const i = resize.steps.indexOf(def);
              const status: StepStatus = i < 4 ? "succeeded" : i === 4 ? "failed" : "skipped";
              return { ...stepOfEvent(def), status, counts: counts({}) };
            }),
            restart,
          ],
          currentStepId: RESTART_STEP_ID,
        },
      ]);
    const base = { id: RESTART_STEP_ID, kind: "wait", description: "", serverCount: 2 } as const;
    const running = steps({ ...base, status: "running" });
    const now = lines(running);
    expect(now[0]).toContain("now: start again the servers stopped for the flavor change");
    const at = now.indexOf(":hourglass_flowing_sand: Start again the servers stopped for the flavor change");
    expect(now[at - 1]).toContain("Wait until the new flavor is in place");
    const done = steps({ ...base, status: "succeeded", counts: counts({ succeeded: 2 }) });
    expect(lines(done)).toContain(
      ":white_check_mark: Start again the servers stopped for the flavor change — 2 done",
    );
  });
});
