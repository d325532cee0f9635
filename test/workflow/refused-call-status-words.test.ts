/**
 * The status message after the cloud refused a call (e.g. `Ecs.0603`, the server busy) (pure): the call's line
 * says the cloud refused it, and the wait that follows counts only the servers it waited for. A wait for
 * servers whose call was refused never ran: it is shown skipped, never "0 done, 2 failed". After a call whose
 * outcome is unknown, the wait did read the servers: what it could not settle is "not confirmed from them".
 */
import { describe, expect, it } from "vitest";
import { renderBlockKit } from "../../src/render/render-block-kit.js";
import type { FlowEvent, ProgressCounts } from "../../src/workflow/flow-events.js";
import { stepOfEvent } from "../../src/workflow/flow-events.js";
import { flowStatusMessage } from "../../src/workflow/flow-status-message.js";
import type { ServerResult, StepStatus } from "../../src/workflow/flow-statuses.js";
import { loadFlows } from "../../src/workflow/load-flows.js";
import { type FlowViewState, reduceFlowEvent } from "../../src/workflow/reduce-flow-event.js";
import { emptyCounts, type FlowOutcome } from "../../src/workflow/summarize-run.js";
import { render } from "../views/view-test-helpers.js";

const loaded = await loadFlows("flows");
if (!loaded.ok) throw new Error("flows invalid");
const reboot = loaded.flows.reboot;

const T = Date.UTC(2024, 2, 4, 13, 50);
const text = (state: FlowViewState) => JSON.stringify(renderBlockKit(flowStatusMessage(state)));
const counts = (c: Partial<Record<ServerResult, number>>): Record<ServerResult, number> => ({
  ...emptyCounts(),
  ...c,
});

/** A reboot of `servers` whose call and wait finished as given, then the run (`runStatus`) if given. */
function rebootRun(
  servers: number,
  call: { status: StepStatus; counts: Partial<Record<ServerResult, number>> },
  wait: { status: StepStatus; counts: Partial<Record<ServerResult, number>>; progress?: ProgressCounts },
  runStatus?: FlowOutcome["status"],
): FlowViewState {
  const [recheck, callStep, waitStep] = reboot.steps;
  const ids = Array.from({ length: servers }, (_, i) => `s${i}`);
  const finished = (
    stepId: string,
    kind: "recheck" | "call" | "wait",
    status: StepStatus,
    c: Partial<Record<ServerResult, number>>,
    at: number,
  ): FlowEvent => ({
    type: "step_finished",
    runId: "r1",
    stepId,
    kind,
    status,
    counts: counts(c),
    jobIds: [],
    at,
  });
  const events: FlowEvent[] = [
    {
      type: "run_started",
      runId: "r1",
      requestId: "apr_1",
      operation: "reboot",
      at: T,
      resumed: false,
      targets: ids.map((id) => ({ id, name: `web-${id}` })),
      steps: reboot.steps.map(stepOfEvent),
    },
    finished(recheck!.id, "recheck", "succeeded", { succeeded: servers }, T + 100),
    finished(callStep!.id, "call", call.status, call.counts, T + 200),
    {
      type: "step_started",
      runId: "r1",
      stepId: waitStep!.id,
      kind: "wait",
      description: waitStep!.description,
      serverIds: ids,
      at: T + 300,
    },
    ...(wait.progress
      ? [
          {
            type: "job_progress",
            runId: "r1",
            stepId: waitStep!.id,
            jobId: "job-1",
            source: "job",
            status: "RUNNING",
            counts: wait.progress,
            at: T + 400,
          } satisfies FlowEvent,
        ]
      : []),
    finished(waitStep!.id, "wait", wait.status, wait.counts, T + 500),
  ];
  const state = events.reduce<FlowViewState | undefined>(reduceFlowEvent, undefined)!;
  return runStatus === undefined ? state : { ...state, status: runStatus };
}

describe("the status message after the cloud refused the call", () => {
  it("refused for every server: the call says so and the wait, which never ran, is skipped", async () => {
    const state = rebootRun(
      2,
      { status: "failed", counts: { failed: 2 } },
      { status: "failed", counts: { failed: 2 } },
      "failed",
    );
    const line = text(state);
    expect(line).toContain(":x: Reboot the servers — the cloud refused it");
    expect(line).toContain(
      ":heavy_minus_sign: Wait until they are back up _(skipped: the cloud refused the reboot)_",
    );
    expect(line).not.toMatch(/Wait until they are back up — /);
    const { golden } = render(flowStatusMessage(state));
    await expect(golden).toMatchFileSnapshot("golden/status-refused-call-wait-skipped.json");
  });

  it("refused for some: the wait counts the servers it waited for and says which it did not", () => {
    const line = text(
      rebootRun(
        3,
        { status: "failed", counts: { succeeded: 2, failed: 1 } },
        {
          status: "failed",
          counts: { succeeded: 2, failed: 1 },
          progress: { total: 2, succeeded: 1, failed: 0, running: 1 },
        },
      ),
    );
    expect(line).toContain(":x: Reboot the servers — the cloud refused it for 1 of 3 servers");
    // Both servers it waited for came back: the wait itself did not fail.
    expect(line).toContain(
      ":white_check_mark: Wait until they are back up — 2 done; 1 not waited for (the cloud refused the reboot)",
    );
  });

  it("a wait that failed for servers it did wait for still says failed", () => {
    const line = text(
      rebootRun(
        3,
        { status: "failed", counts: { succeeded: 2, failed: 1 } },
        { status: "failed", counts: { succeeded: 1, failed: 2 } },
      ),
    );
    expect(line).toContain(
      ":x: Wait until they are back up — 1 done, 1 failed; 1 not waited for (the cloud refused the reboot)",
    );
  });

  it("a call accepted for all: the wait's counts as before", () => {
    const line = text(
      rebootRun(
        2,
        { status: "succeeded", counts: { succeeded: 2 } },
        { status: "failed", counts: { succeeded: 1, failed: 1 } },
      ),
    );
    expect(line).toContain(":white_check_mark: Reboot the servers\\n");
    expect(line).toContain(":x: Wait until they are back up — 1 done, 1 failed");
  });

  it("after a call whose outcome is unknown: the wait read the servers and could not confirm them", () => {
    const line = text(
      rebootRun(
        2,
        { status: "outcome_unknown", counts: { unknown: 2 } },
        { status: "outcome_unknown", counts: { unknown: 2 } },
        "outcome_unknown",
      ),
    );
    expect(line).toContain(
      ":grey_question: Wait until they are back up — 0 done, 2 not confirmed from the servers",
    );
  });
});
