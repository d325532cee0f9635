/**
 * The thread's status message of a run that is resumed (after a restart, or by another replica, with a
 * reporter that saw nothing of it before): it starts from the run's record (its finished steps, their counts,
 * when the run started) and ends as the run would have without the interruption, saying it was resumed.
 * Against the simulated cloud on its manual clock.
 */
import { describe, expect, it } from "vitest";
import { statusMessageOf } from "../../src/operations/create-thread-reporter.js";
import { localTime } from "../../src/render/message-model.js";
import { renderBlockKit } from "../../src/render/render-block-kit.js";
import { renderMrkdwn } from "../../src/render/render-mrkdwn.js";
import { executeFlow, newRunRecord } from "../../src/workflow/execute-flow.js";
import { type FlowEvent, stepOfEvent } from "../../src/workflow/flow-events.js";
import { formatElapsed } from "../../src/workflow/format-flow-text.js";
import { type FlowViewState, reduceFlowEvent } from "../../src/workflow/reduce-flow-event.js";
import { resumeFlow, runStartedOf } from "../../src/workflow/resume-flow.js";
import { OPEN_RUNS_SET, type RunRecord, runKey } from "../../src/workflow/run-record.js";
import { blocksText } from "../helpers/read-slack-blocks.js";
import { createSpecFactory, useWorkflowEnv } from "./helpers/start-workflow-env.js";

const env = useWorkflowEnv();

const spec = createSpecFactory("status-resume");

/** The view state a reporter that saw only `events` has. */
function stateOf(events: readonly FlowEvent[]): FlowViewState {
  let state: FlowViewState | undefined;
  for (const e of events) state = reduceFlowEvent(state, e);
  if (state === undefined) throw new Error("no run_started");
  return state;
}

/** The status message as the thread shows it: its heading, then a line per step. */
function shown(state: FlowViewState, now = env.clock.now()): { heading: string; lines: string[] } {
  const [heading = "", ...lines] = blocksText(renderBlockKit(statusMessageOf(state, now)).blocks).split("\n");
  return { heading, lines };
}

describe("a run resumed with a reporter that saw nothing of it", () => {
  it("shows its finished steps and its start from the record, and ends as it would have uninterrupted", async () => {
    // The same stop, uninterrupted, for the lines it ends with.
    const plain = env.fresh();
    const uninterrupted = await executeFlow(spec("stop", env.targets("web-03")), plain.deps);
    if (!uninterrupted.ok) throw new Error(uninterrupted.message);

    // A stop whose re-check passed and whose call was accepted (job ID saved): the process stopped while it
    // followed the job, 40 s after the run started.
    const s = spec("stop", env.targets("web-04"));
    const id = env.id("web-04");
    const startedAt = env.clock.now();
    const record = newRunRecord(s, env.flows.stop, startedAt);
    const jobId = (await env.cloud.ecs.stopServers([id])).jobs[0]!.jobId;
    const [recheck, stop, wait] = record.steps;
    Object.assign(recheck!, { status: "succeeded", startedAt, finishedAt: startedAt });
    Object.assign(stop!, {
      status: "succeeded",
      startedAt,
      finishedAt: startedAt,
      mutations: [
        {
          index: 0,
          call: "ecs.batch_stop",
          serverIds: [id],
          params: { type: "SOFT" },
          state: "accepted",
          intentAt: startedAt,
          jobId,
          settledAt: startedAt,
        },
      ],
    });
    Object.assign(wait!, { status: "running", startedAt });
    record.currentStep = "wait_stopped";
    record.rev = 5;
    const { deps, events, store } = env.fresh();
    await store.createIfAbsent(runKey(s.runId), record, {
      addToSets: [{ setKey: OPEN_RUNS_SET, member: s.runId }],
    });
    env.sim.control.advance(40_000);
    env.sim.control.clearRequests();

    const resumed = await resumeFlow(s.runId, deps);
    if (!resumed.ok) throw new Error(resumed.message);
    expect(env.mutations()).toEqual([]);

    const start = events[0];
    expect(start).toMatchObject({
      type: "run_started",
      resumed: true,
      startedAt,
      currentStepId: "wait_stopped",
      steps: [
        { id: "recheck", status: "succeeded", serverCount: 1, counts: { succeeded: 1, failed: 0 } },
        { id: "stop", status: "succeeded", serverCount: 1, counts: { succeeded: 1, unknown: 0 } },
        { id: "wait_stopped", status: "running", serverCount: 1 },
      ],
    });
    // What the status message shows as the run is adopted: nothing finished is shown as not started, and the
    // time counts from the run's start, not from the resume.
    const adopted = shown(stateOf([start!]), startedAt + 40_000);
    expect(adopted.heading).toBe(
      `*stop* of 1 server: running since ${renderMrkdwn(localTime(startedAt, "time"))} · now: wait until they are stopped (resumed)`,
    );
    expect(adopted.lines).toEqual([
      ":white_check_mark: Check that nothing changed since approval",
      ":white_check_mark: Stop the servers",
      ":hourglass_flowing_sand: Wait until they are stopped",
    ]);

    // At the end: the lines of the uninterrupted run, and the time the summary gives.
    const final = shown(stateOf(events));
    expect(final.heading).toBe(
      `*stop* of 1 server: finished after ${formatElapsed(resumed.outcome.durationMs!)} (resumed)`,
    );
    expect(resumed.outcome.durationMs).toBeGreaterThanOrEqual(40_000);
    expect(final.lines).toEqual(shown(stateOf(plain.events)).lines);
  });

  it("a run that had finished is shown again from its record, as it ended", async () => {
    const { deps, events, store } = env.fresh();
    const s = spec("stop", env.targets("web-03"));
    const done = await executeFlow(s, deps);
    if (!done.ok) throw new Error(done.message);
    const ended = shown(stateOf(events));

    // Another process finds it finished (its status message may not have shown the end): nothing is sent,
    // and its start and end are announced again from the record.
    env.sim.control.advance(3_600_000);
    env.sim.control.clearRequests();
    const again = env.fresh(store);
    const result = await resumeFlow(s.runId, again.deps);
    expect(result).toMatchObject({ ok: true, resumed: false });
    expect(env.sim.control.requests()).toEqual([]);
    expect(again.events.map((e) => e.type)).toEqual(["run_started", "run_finished"]);
    expect(shown(stateOf(again.events))).toEqual(ended);
  });
});

describe("reduceFlowEvent: a run_started that says where the run stands", () => {
  const recordOf = (): RunRecord => {
    const targets = [{ id: "a", name: "web-03", status: "ACTIVE", flavor: "s6.small.1" }];
    const record = newRunRecord(
      { runId: "r1", requestId: "apr_1", operation: "stop", targets, parameters: {}, actorId: "U1" },
      env.flows.stop,
      1_000,
    );
    record.steps[0]!.status = "succeeded";
    record.steps[1]!.status = "running";
    record.currentStep = "stop";
    return record;
  };

  it("the record wins over what the same reporter saw; a step still running keeps the jobs it saw", () => {
    const steps = env.flows.stop.steps.map(stepOfEvent);
    const first: FlowEvent = {
      type: "run_started",
      runId: "r1",
      requestId: "apr_1",
      operation: "stop",
      at: 1_000,
      resumed: false,
      targets: [{ id: "a", name: "web-03" }],
      steps,
    };
    const seen = stateOf([
      first,
      {
        type: "step_started",
        runId: "r1",
        stepId: "recheck",
        kind: "recheck",
        description: "",
        serverIds: ["a"],
        at: 1_100,
      },
      {
        type: "step_started",
        runId: "r1",
        stepId: "stop",
        kind: "call",
        description: "",
        serverIds: ["a"],
        at: 1_200,
      },
      {
        type: "job_progress",
        runId: "r1",
        stepId: "stop",
        jobId: "job-1",
        source: "job",
        status: "RUNNING",
        counts: { total: 1, succeeded: 0, failed: 0, running: 1 },
        at: 1_300,
      },
    ]);
    const resumed = reduceFlowEvent(seen, runStartedOf(recordOf(), true, 9_000))!;
    expect(resumed.startedAt).toBe(1_000);
    expect(resumed.resumed).toBe(true);
    expect(resumed.currentStepId).toBe("stop");
    expect(resumed.steps.map((s) => s.status)).toEqual(["succeeded", "running", "pending"]);
    expect(resumed.steps[1]!.jobs).toEqual(seen.steps[1]!.jobs);
  });

  it("a fresh run's start keeps its own time; a run in waves says which wave", () => {
    const state = stateOf([{ ...runStartedOf(recordOf(), false, 5_000), wave: { number: 2, of: 3 } }]);
    expect(state.startedAt).toBe(1_000);
    expect(state.wave).toEqual({ number: 2, of: 3 });
    const text = blocksText(renderBlockKit(statusMessageOf(state, 6_000)).blocks);
    expect(text.split("\n").slice(0, 2)).toEqual([
      "*Wave 2 of 3*",
      "*stop* of 1 server: running since <!date^1^{time}|00:00 UTC> · now: stop the servers",
    ]);
  });
});
