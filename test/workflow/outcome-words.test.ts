/**
 * How a run's outcome is worded in the thread (pure): a server that could not be read is not a change, the
 * cloud's answer to a call whose outcome is unknown is kept and shown, a call its wait settled is shown settled,
 * and where a flow stopped is said in operator words (never a step ID or the flow file's text).
 */
import { describe, expect, it } from "vitest";
import { CloudError, OutcomeUnknownError, parseCloudError } from "../../src/cloud/errors.js";
import { renderBlockKit } from "../../src/render/render-block-kit.js";
import {
  abortReasonOf,
  type DriftItem,
  describeDrift,
  detectDrift,
  isUnreadable,
} from "../../src/workflow/detect-drift.js";
import { newRunRecord } from "../../src/workflow/execute-flow.js";
import { stepOfEvent } from "../../src/workflow/flow-events.js";
import { flowStatusMessage } from "../../src/workflow/flow-status-message.js";
import type { StepStatus } from "../../src/workflow/flow-statuses.js";
import { describeAbort, flowSummaryMessage } from "../../src/workflow/flow-summary-message.js";
import type { Operation } from "../../src/workflow/flow-vocabulary.js";
import { loadFlows } from "../../src/workflow/load-flows.js";
import type { ServerRead } from "../../src/workflow/read-servers.js";
import type { FlowViewState } from "../../src/workflow/reduce-flow-event.js";
import type { RunRecord } from "../../src/workflow/run-record.js";
import { describeUnknownAnswer } from "../../src/workflow/send-mutation.js";
import { type FlowOutcome, summarizeRun } from "../../src/workflow/summarize-run.js";
import type { FlowSet, FlowTarget } from "../../src/workflow/types.js";
import { render } from "../views/view-test-helpers.js";

const loaded = await loadFlows("flows");
if (!loaded.ok) throw new Error("flows invalid");
const flows: FlowSet = loaded.flows;

const REQUEST_ID = "5f2c9e0a7b1d4c3e8f6a2b4c6d8e0f1a";
const T = 1_000;
const target = (id: string, name: string): FlowTarget => ({
  id,
  name,
  status: "ACTIVE",
  flavor: "s6.medium.2",
});
const text = (o: ReturnType<typeof flowSummaryMessage>) => JSON.stringify(renderBlockKit(o));

/** The answer of a gateway 503 to a stop, as the transport reports it. */
function gateway503(): OutcomeUnknownError {
  const cause = parseCloudError({
    status: 503,
    body: JSON.stringify({
      error_code: "APIG.0202",
      error_msg: "Backend unavailable",
      request_id: REQUEST_ID,
    }),
    operation: "ecs.stopServers",
  });
  return new OutcomeUnknownError({
    operation: "ecs.stopServers",
    identity: { serverIds: ["a"] },
    reason: "server-error",
    status: 503,
    cause,
  });
}

function record(operation: Operation, targets: FlowTarget[]): RunRecord {
  return newRunRecord(
    { runId: "run-1", requestId: "apr_1", operation, targets, parameters: {}, actorId: "U_BOB" },
    flows[operation],
    T,
  );
}

/** A stop of web-03 whose call was answered 503; its wait saw the server SHUTOFF (`settled`) or not. */
function stopAnswered503(settled: boolean): RunRecord {
  const r = record("stop", [target("a", "web-03")]);
  const [recheck, stop, wait] = r.steps;
  recheck!.status = "succeeded";
  stop!.status = "outcome_unknown";
  stop!.mutations = [
    {
      index: 0,
      call: "ecs.batch_stop",
      serverIds: ["a"],
      params: { type: "SOFT" },
      state: "outcome_unknown",
      error: { code: "server-error", message: describeUnknownAnswer(gateway503()) },
    },
  ];
  wait!.status = settled ? "succeeded" : "outcome_unknown";
  wait!.results = [
    settled
      ? { serverId: "a", result: "succeeded", status: "SHUTOFF", source: "servers" }
      : {
          serverId: "a",
          result: "unknown",
          status: "ACTIVE",
          source: "servers",
          reason: "still ACTIVE after 15m of waiting, not yet SHUTOFF; the call may not have arrived",
        },
  ];
  r.status = settled ? "succeeded" : "outcome_unknown";
  r.finishedAt = T + (settled ? 4_000 : 902_000);
  r.finalStates = [{ serverId: "a", status: settled ? "SHUTOFF" : "ACTIVE", flavor: "s6.medium.2" }];
  return r;
}

/** A reboot aborted by its re-check: `drift` as it found it. */
function rebootAborted(drift: DriftItem[], finalStatus = "UNREADABLE"): RunRecord {
  const r = record("reboot", [target("a", "web-03"), target("b", "web-04")]);
  for (const s of r.steps) {
    s.status = s.kind === "recheck" ? "failed" : "skipped";
    if (s.kind !== "recheck") s.skipReason = "flow_stopped";
  }
  r.drift = drift;
  r.status = "aborted";
  r.finishedAt = T + 300;
  r.finalStates = [
    { serverId: "a", status: finalStatus },
    { serverId: "b", status: finalStatus },
  ];
  return r;
}

/** The thread's status message of a finished run, as the reporter shows it at the end. */
function finalStatusOf(r: RunRecord, outcome: FlowOutcome = summarizeRun(r)): FlowViewState {
  const byId = new Map(r.steps.map((s) => [s.id, s]));
  return {
    runId: r.runId,
    requestId: r.requestId,
    operation: r.operation,
    status: outcome.status,
    resumed: false,
    startedAt: r.startedAt,
    updatedAt: r.finishedAt ?? r.startedAt,
    targetCount: r.targets.length,
    steps: r.flow.steps.map((def) => {
      const s = byId.get(def.id)!;
      return {
        ...stepOfEvent(def),
        status: s.status as StepStatus,
        jobs: [],
        counts: summarizeCounts(s.results),
        ...(s.skipReason !== undefined && { skipReason: s.skipReason }),
      };
    }),
    drift: r.drift,
    outcome,
  };
}

function summarizeCounts(results: RunRecord["steps"][number]["results"]) {
  const c = { succeeded: 0, failed: 0, unknown: 0, skipped: 0, incomplete: 0, not_started: 0 };
  for (const x of results) c[x.result]++;
  return c;
}

const unreadable = (id: string, name: string): DriftItem => ({
  serverId: id,
  name,
  kind: "unreadable",
  message: "APIG.0202: Backend unavailable",
});

describe("a server that could not be read is not a change", () => {
  const targets = [target("a", "web-03"), target("b", "web-04")];

  it("detectDrift reports it as unreadable, with the cloud's code; the reason is its own", () => {
    const reads = new Map<string, ServerRead>([
      ["a", { kind: "unreadable", code: "APIG.0202", message: "Backend unavailable" }],
      ["b", { kind: "unreadable", code: "APIG.0202", message: "Backend unavailable" }],
    ]);
    const drift = detectDrift(targets, reads);
    expect(drift.every(isUnreadable)).toBe(true);
    expect(abortReasonOf(drift)).toBe("unreadable");
    expect(drift.map(describeDrift)).toEqual([
      "web-03: could not be read (APIG.0202: Backend unavailable)",
      "web-04: could not be read (APIG.0202: Backend unavailable)",
    ]);
    expect(describeAbort({ drift })).toBe(
      "not run: the servers could not be read, so nothing was sent; ask again once the cloud answers",
    );
  });

  it("names the read's request ID when the read carries one", () => {
    const read = { kind: "unreadable", code: "APIG.0202", message: "Backend unavailable", requestId: "r-42" };
    const drift = detectDrift(targets.slice(0, 1), new Map([["a", read as ServerRead]]));
    expect(drift.map(describeDrift)).toEqual([
      "web-03: could not be read (APIG.0202: Backend unavailable, request r-42)",
    ]);
  });

  it("a change outranks a failed read: the approval was for servers that no longer are as approved", () => {
    const drift: DriftItem[] = [
      unreadable("a", "web-03"),
      { serverId: "b", name: "web-04", kind: "status", expected: "ACTIVE", actual: "SHUTOFF" },
    ];
    expect(abortReasonOf(drift)).toBe("changed");
    expect(abortReasonOf([])).toBeUndefined();
    expect(describeAbort({ drift })).toBe(
      "not run: the servers changed since approval, so nothing was sent; ask again to get fresh approval",
    );
  });

  it("a run nobody approved (the policy allowed it) changed since it was asked, not since approval", () => {
    const drift: DriftItem[] = [
      { serverId: "b", name: "web-04", kind: "status", expected: "ACTIVE", actual: "SHUTOFF" },
    ];
    expect(describeAbort({ drift, approved: false })).toBe(
      "not run: the servers changed since it was asked, so nothing was sent; ask again if it is still needed",
    );
    const outcome = { ...summarizeRun(rebootAborted(drift, "ACTIVE")), approved: false as const };
    const summary = text(flowSummaryMessage(outcome));
    expect(summary).toContain(
      "The servers changed since the request was made:\\n• web-04: status ACTIVE → SHUTOFF",
    );
    expect(summary).not.toContain("approv");
  });

  it("the summary of a run aborted because the cloud did not answer says so, never that the servers changed", async () => {
    const outcome = summarizeRun(rebootAborted([unreadable("a", "web-03"), unreadable("b", "web-04")]));
    const message = flowSummaryMessage(outcome);
    const { kit, golden } = render(message);
    expect(kit.text).toBe("reboot not run: the servers could not be read, so nothing was sent");
    expect(text(message)).not.toContain("changed since");
    expect(text(message)).toContain("could not be read (APIG.0202: Backend unavailable)");
    expect(text(message)).toContain("Ask again once the cloud answers.");
    await expect(golden).toMatchFileSnapshot("golden/summary-aborted-unreadable.json");
  });

  it("the status message of that run says the same", async () => {
    const r = rebootAborted([unreadable("a", "web-03"), unreadable("b", "web-04")]);
    const message = flowStatusMessage(finalStatusOf(r));
    const { golden } = render(message);
    expect(text(message)).not.toContain("changed since approval;");
    expect(text(message)).toContain("The servers could not be read before the change; nothing was sent:");
    await expect(golden).toMatchFileSnapshot("golden/status-aborted-unreadable.json");
  });

  it("when some servers changed and others could not be read, both are said, each in its own words", () => {
    const r = rebootAborted(
      [
        unreadable("a", "web-03"),
        { serverId: "b", name: "web-04", kind: "status", expected: "ACTIVE", actual: "SHUTOFF" },
      ],
      "ACTIVE",
    );
    const summary = text(flowSummaryMessage(summarizeRun(r)));
    expect(summary).toContain(
      "The servers changed since the request was approved:\\n• web-04: status ACTIVE → SHUTOFF",
    );
    expect(summary).toContain(
      "could not be read just before the change, so nothing was sent to any of them:",
    );
    expect(summary).toContain("• web-03: could not be read");
    expect(summary).toContain("*reboot* not run: the servers changed since approval, so nothing was sent");
    const status = text(flowStatusMessage(finalStatusOf(r)));
    expect(status).toContain("The servers changed since approval; nothing was sent:*\\n• web-04: status");
    expect(status).toContain("could not be read before the change; nothing was sent:*\\n• web-03");
  });
});

describe("the cloud's answer to a call whose outcome is unknown", () => {
  it("keeps the HTTP status, the error code and the request ID", () => {
    expect(describeUnknownAnswer(gateway503())).toBe(
      `the cloud answered 503 APIG.0202: Backend unavailable (request ${REQUEST_ID})`,
    );
    // The request ID of the response header wins; a code that only repeats the status is not repeated.
    const bare = new OutcomeUnknownError({
      operation: "ecs.stopServers",
      identity: {},
      reason: "server-error",
      status: 502,
      requestId: "hdr-1",
      cause: new CloudError({ status: 502, code: "HTTP_502", message: "HTTP 502" }),
    });
    expect(describeUnknownAnswer(bare)).toBe("the cloud answered 502 (request hdr-1)");
    const timeout = new OutcomeUnknownError({
      operation: "ecs.stopServers",
      identity: {},
      reason: "timeout",
    });
    expect(describeUnknownAnswer(timeout)).toBe("no answer in time (timed out)");
    const network = new OutcomeUnknownError({
      operation: "ecs.stopServers",
      identity: {},
      reason: "network",
    });
    expect(describeUnknownAnswer(network)).toBe("the connection broke before the answer arrived");
  });

  it("the summary's outcome-unknown group says what the cloud answered to the call", async () => {
    const outcome = summarizeRun(stopAnswered503(false));
    expect(outcome.unknownByReason).toEqual([
      {
        reason: "still ACTIVE after 15m of waiting, not yet SHUTOFF; the call may not have arrived",
        answer: {
          call: "ecs.batch_stop",
          text: `the cloud answered 503 APIG.0202: Backend unavailable (request ${REQUEST_ID})`,
        },
        servers: [{ id: "a", name: "web-03" }],
      },
    ]);
    const message = flowSummaryMessage(outcome);
    const { kit, golden } = render(message);
    expect(kit.text).toBe("stop: outcome unknown for 1 server");
    expect(text(message)).toContain(
      `The stop: the cloud answered 503 APIG.0202: Backend unavailable (request ${REQUEST_ID})`,
    );
    // It ran to its last step: no "stopped at", and never a step ID or the flow file's text.
    expect(text(message)).not.toMatch(/stopped at/i);
    for (const step of flows.stop.steps) {
      expect(text(message)).not.toContain(step.description);
      expect(text(message)).not.toContain(`\`${step.id}\``);
    }
    await expect(golden).toMatchFileSnapshot("golden/summary-outcome-unknown-answer.json");
  });

  it("the status message shows it on the call's line, which stays unknown", async () => {
    const message = flowStatusMessage(finalStatusOf(stopAnswered503(false)));
    const { golden } = render(message);
    expect(text(message)).toContain(
      `:grey_question: Stop the servers — the cloud answered 503 APIG.0202: Backend unavailable (request ${REQUEST_ID}); not sent again`,
    );
    await expect(golden).toMatchFileSnapshot("golden/status-outcome-unknown-answer.json");
  });

  it("while the wait follows the servers, the call's line says it was not sent again", () => {
    const state = finalStatusOf(stopAnswered503(false));
    state.status = "running";
    delete state.outcome;
    state.steps = state.steps.map((s) =>
      s.kind === "wait" ? { ...s, status: "running", counts: undefined } : s,
    ) as FlowViewState["steps"];
    const line = text(flowStatusMessage(state));
    expect(line).toContain(
      ":grey_question: Stop the servers — Huawei Cloud's answer was lost; not sent again; watching the servers to see if it worked",
    );
    // With the answers on the step (once the call's `step_finished` event carries them), the answer itself.
    state.steps = state.steps.map((s) =>
      s.kind === "call" ? { ...s, answers: [describeUnknownAnswer(gateway503())] } : s,
    ) as FlowViewState["steps"];
    expect(text(flowStatusMessage(state))).toContain(
      `Stop the servers — the cloud answered 503 APIG.0202: Backend unavailable (request ${REQUEST_ID}); not sent again; watching the servers to see if it worked`,
    );
  });
});

describe("a call its wait settled, and where a flow stopped", () => {
  it("a run that succeeded after a 5xx on its call was stopped nowhere", () => {
    const outcome = summarizeRun(stopAnswered503(true));
    expect(outcome.status).toBe("succeeded");
    expect(outcome.stoppedAt).toBeUndefined();
    expect(outcome.servers[0]).not.toHaveProperty("answer");
    const summary = text(flowSummaryMessage(outcome));
    expect(summary).not.toMatch(/stopped at/i);
    expect(summary).not.toContain("The intent is saved before the call");
  });

  it("the status message shows the settled call as done, not unknown", async () => {
    const message = flowStatusMessage(finalStatusOf(stopAnswered503(true)));
    const { golden } = render(message);
    expect(text(message)).not.toContain(":grey_question:");
    expect(text(message)).toContain(
      ":white_check_mark: Stop the servers — Huawei Cloud's answer was lost; the servers show it worked (not sent again)",
    );
    await expect(golden).toMatchFileSnapshot("golden/status-settled-call.json");
  });

  it("a flow stopped before its end names the step and what was not run, in operator words", async () => {
    const r = record("resize", [target("a", "web-03")]);
    r.parameters = { flavorRef: "s6.large.2" };
    const byId = new Map(r.steps.map((s) => [s.id, s]));
    for (const def of r.flow.steps) {
      const s = byId.get(def.id)!;
      if (def.id === "recheck" || def.id === "stop" || def.id === "resize") s.status = "succeeded";
      else if (def.id === "wait_stopped") {
        s.status = "succeeded";
        s.results = [{ serverId: "a", result: "succeeded", status: "SHUTOFF", source: "job" }];
      } else if (def.id === "wait_resized") {
        s.status = "failed";
        s.results = [
          { serverId: "a", result: "failed", code: "Ecs.0207", reason: "No capacity.", source: "job" },
        ];
      } else {
        s.status = "skipped";
        s.skipReason = "flow_stopped";
      }
    }
    r.steps.find((s) => s.id === "resize")!.mutations = [
      {
        index: 0,
        call: "ecs.resize",
        serverIds: ["a"],
        params: { flavorRef: "s6.large.2" },
        state: "accepted",
        jobId: "job-9",
      },
    ];
    r.status = "failed";
    r.finishedAt = T + 5_000;
    const message = flowSummaryMessage(summarizeRun(r));
    const { golden } = render(message);
    expect(text(message)).toContain(
      "The run stopped at: wait until the new flavor is in place. Not run: start the servers; wait until they are running. The servers are left as listed below",
    );
    for (const step of flows.resize.steps) {
      expect(text(message)).not.toContain(step.description);
      expect(text(message)).not.toContain(`\`${step.id}\``);
    }
    await expect(golden).toMatchFileSnapshot("golden/summary-stopped-mid-flow.json");
  });
});
