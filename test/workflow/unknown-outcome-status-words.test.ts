/**
 * The status message while a run reads the servers after a call whose outcome is unknown (pure): the bot does
 * not know the change was accepted, so it says the outcome is not known yet and that it watches the servers,
 * until when if it knows; never "in progress". A call accepted without a job (confirmed from the servers) is
 * still in progress.
 */
import { describe, expect, it } from "vitest";
import { renderBlockKit } from "../../src/render/render-block-kit.js";
import type { FlowEvent } from "../../src/workflow/flow-events.js";
import { stepOfEvent } from "../../src/workflow/flow-events.js";
import { flowStatusMessage } from "../../src/workflow/flow-status-message.js";
import { loadFlows } from "../../src/workflow/load-flows.js";
import { type FlowViewState, reduceFlowEvent } from "../../src/workflow/reduce-flow-event.js";
import { render } from "../views/view-test-helpers.js";

const loaded = await loadFlows("flows");
if (!loaded.ok) throw new Error("flows invalid");
const flows = loaded.flows;

const T = Date.UTC(2024, 2, 4, 13, 50);
/** The shipped stop flow's wait: 15 minutes. */
const DEADLINE = T + 15 * 60_000;
const text = (state: FlowViewState) => JSON.stringify(renderBlockKit(flowStatusMessage(state)));

/** A stop of one server whose wait reads the server: `status` says why (`RECONCILING`: the outcome is unknown). */
function readingServers(
  operation: "stop" | "tag",
  status: "RECONCILING" | "CONFIRMING",
  callStatus: "outcome_unknown" | "succeeded",
): FlowViewState {
  const flow = flows[operation];
  const call = flow.steps.find((s) => s.kind === "call")!;
  const wait = flow.steps.find((s) => s.kind === "wait")!;
  const events: FlowEvent[] = [
    {
      type: "run_started",
      runId: "r1",
      requestId: "apr_1",
      operation,
      at: T,
      resumed: false,
      targets: [{ id: "a", name: "web-03" }],
      steps: flow.steps.map(stepOfEvent),
    },
    {
      type: "step_finished",
      runId: "r1",
      stepId: call.id,
      kind: "call",
      status: callStatus,
      counts: { succeeded: 0, failed: 0, unknown: 0, skipped: 0, incomplete: 0, not_started: 0 },
      jobIds: [],
      at: T + 1_000,
    },
    {
      type: "step_started",
      runId: "r1",
      stepId: wait.id,
      kind: "wait",
      description: wait.description,
      serverIds: ["a"],
      at: T + 1_000,
    },
    {
      type: "job_progress",
      runId: "r1",
      stepId: wait.id,
      jobId: null,
      source: "servers",
      status,
      counts: { total: 1, succeeded: 0, failed: 0, running: 1 },
      at: T + 2_000,
    },
  ];
  return events.reduce<FlowViewState | undefined>(reduceFlowEvent, undefined)!;
}

describe("the status message while the servers are read", () => {
  it("after a call whose outcome is unknown: outcome not known yet, never 'in progress'", () => {
    const line = text(readingServers("stop", "RECONCILING", "outcome_unknown"));
    expect(line).toContain(
      ":hourglass_flowing_sand: Wait until they are stopped — 0 of 1 done; outcome not known yet: watching the servers",
    );
    expect(line).not.toContain("in progress");
    expect(line).not.toContain("read from the servers");
  });

  it("with the wait's deadline: until when, in each reader's time", async () => {
    const state = readingServers("stop", "RECONCILING", "outcome_unknown");
    state.steps = state.steps.map((s) => ({ ...s, jobs: s.jobs.map((j) => ({ ...j, until: DEADLINE })) }));
    const { golden } = render(flowStatusMessage(state));
    expect(text(state)).toContain(
      `0 of 1 done; outcome not known yet: watching the servers until <!date^${DEADLINE / 1000}^{time}|`,
    );
    await expect(golden).toMatchFileSnapshot("golden/status-unknown-watching-servers.json");
  });

  it("a call accepted without a job, confirmed from the servers: still in progress", () => {
    const line = text(readingServers("tag", "CONFIRMING", "succeeded"));
    expect(line).toContain("0 of 1 done, 1 in progress (read from the servers)");
    expect(line).not.toContain("not known");
  });
});
