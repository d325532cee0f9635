/**
 * A run resumed (after a crash, or by another replica) while its start again is under way or after it finished
 * (`on_failure: start_stopped_then_stop_flow`): its `run_started` carries the start again from the record as a
 * step after the step that stopped the flow, so the status message shown again has its line at once, as it
 * would have without the interruption (pure: `runStartedOf`, the reducer and the status message's text).
 */
import { describe, expect, it } from "vitest";
import { renderBlockKit } from "../../src/render/render-block-kit.js";
import { newRunRecord } from "../../src/workflow/execute-flow.js";
import { type FlowEvent, RESTART_STEP_ID } from "../../src/workflow/flow-events.js";
import { flowStatusMessage } from "../../src/workflow/flow-status-message.js";
import { loadFlows } from "../../src/workflow/load-flows.js";
import { type FlowViewState, reduceFlowEvent } from "../../src/workflow/reduce-flow-event.js";
import { runStartedOf } from "../../src/workflow/resume-flow.js";
import type { MutationRecord, RunRecord, ServerStepResult } from "../../src/workflow/run-record.js";
import { summarizeRun } from "../../src/workflow/summarize-run.js";
import { render } from "../views/view-test-helpers.js";
import { putBackJobProgress } from "./helpers/put-back-events.js";

const loaded = await loadFlows("flows");
if (!loaded.ok) throw new Error("flows invalid");
const resize = loaded.flows.resize;

const T = Date.UTC(2024, 2, 4, 13, 50);
const IDS = ["s0", "s1"];

const mutation = (
  index: number,
  call: MutationRecord["call"],
  serverIds: string[],
  extra: Partial<MutationRecord>,
) =>
  ({
    index,
    call,
    serverIds,
    params: {},
    state: "accepted",
    intentAt: T,
    settledAt: T,
    ...extra,
  }) as MutationRecord;
const results = (result: ServerStepResult["result"], ids = IDS, extra: Partial<ServerStepResult> = {}) =>
  ids.map((serverId): ServerStepResult => ({ serverId, result, ...extra }));

/**
 * A resize of two running servers: stopped, the resize refused for both (its wait failed), the rest skipped, and
 * the start again decided for both, its start accepted as job `job-start` (still followed).
 */
function refusedResizeStartingAgain(): RunRecord {
  const targets = IDS.map((id) => ({ id, name: `web-${id}`, status: "ACTIVE", flavor: "s6.small.1" }));
  const record = newRunRecord(
    {
      runId: "r1",
      requestId: "apr_1",
      operation: "resize",
      targets,
      parameters: { flavorRef: "c7.large.2" },
      actorId: "U1",
    },
    resize,
    T,
  );
  const patch: Record<string, Partial<RunRecord["steps"][number]>> = {
    recheck: { status: "succeeded", results: results("succeeded") },
    stop: {
      status: "succeeded",
      mutations: [mutation(0, "ecs.batch_stop", IDS, { jobId: "job-stop" })],
    },
    wait_stopped: { status: "succeeded", results: results("succeeded") },
    resize: {
      status: "failed",
      mutations: IDS.map((id, i) =>
        mutation(i, "ecs.resize", [id], {
          state: "rejected",
          error: { code: "Ecs.0603", message: "refused" },
        }),
      ),
    },
    wait_resized: { status: "failed", results: results("failed", IDS, { source: "call", code: "Ecs.0603" }) },
    start: { status: "skipped", skipReason: "flow_stopped" },
    wait_started: { status: "skipped", skipReason: "flow_stopped" },
  };
  for (const step of record.steps)
    Object.assign(step, { startedAt: T, finishedAt: T + 60_000 }, patch[step.id]);
  record.currentStep = "wait_resized";
  record.restart = {
    afterStep: "wait_resized",
    call: "ecs.resize",
    status: "running",
    startedAt: T + 60_000,
    serverIds: IDS,
    leftStopped: [],
    mutations: [mutation(0, "ecs.batch_start", IDS, { jobId: "job-start" })],
    results: [],
    jobs: [],
  };
  return record;
}

/** The same record once the start again finished: `started` of the servers started, the rest failed. */
function startedAgain(started = IDS): RunRecord {
  const record = refusedResizeStartingAgain();
  const restart = record.restart!;
  restart.status = "finished";
  restart.finishedAt = T + 90_000;
  restart.results = IDS.map((serverId) =>
    started.includes(serverId)
      ? { serverId, result: "succeeded", jobId: "job-start" }
      : { serverId, result: "failed", jobId: "job-start", reason: "no capacity" },
  );
  restart.jobs = [{ jobId: "job-start", status: started.length === IDS.length ? "SUCCESS" : "FAIL" }];
  return record;
}

/** The record as the run's end leaves it: each server read as its start again left it. */
function finishedRun(record: RunRecord): RunRecord {
  const started = new Set(
    record.restart?.results.filter((r) => r.result === "succeeded").map((r) => r.serverId),
  );
  record.status = "failed";
  record.currentStep = null;
  record.finishedAt = T + 130_000;
  record.finalStates = record.targets.map((t) => ({
    serverId: t.id,
    status: started.has(t.id) ? "ACTIVE" : "SHUTOFF",
    flavor: t.flavor,
  }));
  return record;
}

const reduce = (events: FlowEvent[], from?: FlowViewState) =>
  events.reduce<FlowViewState | undefined>(reduceFlowEvent, from)!;
const lines = (state: FlowViewState) =>
  JSON.parse(JSON.stringify(renderBlockKit(flowStatusMessage(state)))).blocks[0].text.text.split(
    "\n",
  ) as string[];
const WAIT_RESIZED = ":heavy_minus_sign: Wait until the new flavor is in place";

describe("runStartedOf: the start again of a resumed run", () => {
  it("in the middle of it: a running step after the failed wait, its servers and job, and the one going on", () => {
    const event = runStartedOf(refusedResizeStartingAgain(), true, T + 120_000);
    expect(event.steps.map((s) => s.id)).toEqual([
      "recheck",
      "stop",
      "wait_stopped",
      "resize",
      "wait_resized",
      RESTART_STEP_ID,
      "start",
      "wait_started",
    ]);
    expect(event.steps[5]).toEqual({
      id: RESTART_STEP_ID,
      kind: "wait",
      description: "",
      status: "running",
      serverCount: 2,
      jobIds: ["job-start"],
    });
    expect(event.currentStepId).toBe(RESTART_STEP_ID);
  });

  it("once finished: its status and counts from each server's result, none going on", () => {
    const done = runStartedOf(startedAgain(), true, T + 120_000);
    expect(done.steps[5]).toMatchObject({
      id: RESTART_STEP_ID,
      status: "succeeded",
      serverCount: 2,
      jobIds: ["job-start"],
      counts: { succeeded: 2, failed: 0, unknown: 0 },
    });
    expect(done.currentStepId).toBeUndefined();
    const failed = runStartedOf(startedAgain(["s0"]), true, T + 120_000);
    expect(failed.steps[5]).toMatchObject({ status: "failed", counts: { succeeded: 1, failed: 1 } });
  });

  it("a start again that starts no server (all left stopped) and a run without one have no such step", () => {
    const none = refusedResizeStartingAgain();
    none.restart = {
      ...none.restart!,
      serverIds: [],
      mutations: [],
      leftStopped: IDS.map((serverId) => ({ serverId, why: "not_shutoff" as const, status: "ACTIVE" })),
    };
    expect(runStartedOf(none, true, T).steps.map((s) => s.id)).not.toContain(RESTART_STEP_ID);
    const without = refusedResizeStartingAgain();
    delete without.restart;
    expect(runStartedOf(without, true, T).steps.map((s) => s.id)).toEqual(resize.steps.map((s) => s.id));
  });
});

describe("the status message shown again on resume", () => {
  it("in the middle of the start again: its line at once, named by 'now:', then its jobs' counts", async () => {
    const adopted = reduce([runStartedOf(refusedResizeStartingAgain(), true, T + 120_000)]);
    const shown = lines(adopted);
    expect(shown[0]).toContain("· now: start again the servers stopped for the flavor change (resumed)");
    const at = shown.findIndex((l) => l.includes("Start again"));
    expect(shown[at - 1]).toBe(`${WAIT_RESIZED} _(skipped: the cloud refused the flavor change)_`);
    expect(shown[at]).toBe(":hourglass_flowing_sand: Start again the servers stopped for the flavor change");
    await expect(render(flowStatusMessage(adopted)).golden).toMatchFileSnapshot(
      "golden/status-resumed-starting-again.json",
    );
    // The resumed run follows the start's job: its first poll fills in the line, as it did before.
    const polled = reduce(
      [putBackJobProgress({ total: 2, succeeded: 1, failed: 0, running: 1 }, "RUNNING", T + 125_000)],
      adopted,
    );
    expect(lines(polled).filter((l) => l.includes("Start again"))).toEqual([
      ":hourglass_flowing_sand: Start again the servers stopped for the flavor change — 1 of 2 done, 1 in progress",
    ]);
  });

  it("after the start again finished: its outcome at once, and the run's end leaves it as it is", async () => {
    const record = startedAgain();
    const adopted = reduce([runStartedOf(record, true, T + 120_000)]);
    expect(adopted.currentStepId).toBeUndefined();
    const done = ":white_check_mark: Start again the servers stopped for the flavor change — 2 done";
    expect(lines(adopted)).toContain(done);
    await expect(render(flowStatusMessage(adopted)).golden).toMatchFileSnapshot(
      "golden/status-resumed-started-again.json",
    );
    // The resumed run finishes: the line the summary would have given it, once.
    const outcome = summarizeRun(finishedRun(record));
    const ended = reduce([{ type: "run_finished", runId: "r1", outcome, at: T + 130_000 }], adopted);
    expect(lines(ended).filter((l) => l.includes("Start again"))).toEqual([done]);
  });

  it("a finished run shown again from its record shows the line its live end showed", () => {
    const record = finishedRun(startedAgain(["s0"]));
    const outcome = summarizeRun(record);
    const end: FlowEvent = { type: "run_finished", runId: "r1", outcome, at: T + 130_000 };
    // Live: the steps as they ended, then the start again seen through its job and settled by the run's end.
    const before = refusedResizeStartingAgain();
    delete before.restart;
    const live = reduce([
      runStartedOf(before, false, T),
      putBackJobProgress({ total: 2, succeeded: 1, failed: 1, running: 0 }, "FAIL", T + 90_000),
      end,
    ]);
    const again = reduce([runStartedOf(record, true, T + 3_600_000), end]);
    const putBack = (s: FlowViewState) => lines(s).filter((l) => l.includes("Start again"));
    expect(putBack(again)).toEqual([
      ":x: Start again the servers stopped for the flavor change — 1 done, 1 failed",
    ]);
    expect(lines(again).slice(1)).toEqual(lines(live).slice(1));
  });

  it("a reporter that saw the start again keeps its jobs' counts while it still runs", () => {
    const record = refusedResizeStartingAgain();
    const seen = reduce([
      runStartedOf(record, false, T),
      putBackJobProgress({ total: 2, succeeded: 0, failed: 0, running: 2 }, "RUNNING", T + 70_000),
    ]);
    const again = reduce([runStartedOf(record, true, T + 120_000)], seen);
    expect(lines(again).filter((l) => l.includes("Start again"))).toEqual([
      ":hourglass_flowing_sand: Start again the servers stopped for the flavor change — 0 of 2 done, 2 in progress",
    ]);
  });
});
