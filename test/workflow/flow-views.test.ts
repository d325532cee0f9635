/** Pure parts: run summaries, the event reducer and the thread views. */

import { describe, expect, it } from "vitest";
import { renderBlockKit } from "../../src/render/render-block-kit.js";
import { describeDrift, detectDrift } from "../../src/workflow/detect-drift.js";
import { newRunRecord } from "../../src/workflow/execute-flow.js";
import type { FlowEvent } from "../../src/workflow/flow-events.js";
import { approvedByPeople, stepOfEvent } from "../../src/workflow/flow-events.js";
import { flowStatusMessage } from "../../src/workflow/flow-status-message.js";
import { describeCounts, flowSummaryMessage } from "../../src/workflow/flow-summary-message.js";
import { loadFlows } from "../../src/workflow/load-flows.js";
import { type FlowViewState, reduceFlowEvent } from "../../src/workflow/reduce-flow-event.js";
import { runStartedOf } from "../../src/workflow/resume-flow.js";
import type { RunRecord } from "../../src/workflow/run-record.js";
import { summarizeRun } from "../../src/workflow/summarize-run.js";
import type { FlowSet, FlowTarget } from "../../src/workflow/types.js";

const loaded = await loadFlows("flows");
if (!loaded.ok) throw new Error("flows invalid");
const flows: FlowSet = loaded.flows;

const targets = (n: number, name = (i: number) => `web-${i}`): FlowTarget[] =>
  Array.from({ length: n }, (_, i) => ({
    id: `id-${i}`,
    name: name(i),
    status: "ACTIVE",
    flavor: "s6.small.1",
  }));

/** A finished stop run: the first `failed` servers failed with code Ecs.0213 (reasons naming the server). */
function finishedStop(all: FlowTarget[], failed: number): RunRecord {
  const record = newRunRecord(
    { runId: "r1", requestId: "apr_1", operation: "stop", targets: all, parameters: {}, actorId: "U1" },
    flows.stop,
    1_000,
  );
  const ids = all.map((t) => t.id);
  const [recheck, stop, wait] = record.steps;
  recheck!.status = "succeeded";
  stop!.status = "succeeded";
  stop!.mutations = [
    {
      index: 0,
      call: "ecs.batch_stop",
      serverIds: ids,
      params: { type: "SOFT" },
      state: "accepted",
      jobId: "job-1",
    },
  ];
  wait!.status = failed > 0 ? "failed" : "succeeded";
  wait!.jobs = [{ jobId: "job-1", status: failed > 0 ? "FAIL" : "SUCCESS" }];
  wait!.results = ids.map((serverId, i) =>
    i < failed
      ? {
          serverId,
          result: "failed",
          code: "Ecs.0213",
          reason: `ECS ${serverId} is busy`,
          source: "job",
          jobId: "job-1",
        }
      : { serverId, result: "succeeded", source: "job", jobId: "job-1" },
  );
  record.status = failed > 0 ? "failed" : "succeeded";
  record.finishedAt = 73_000;
  record.finalStates = ids.map((serverId, i) => ({ serverId, status: i < failed ? "ACTIVE" : "SHUTOFF" }));
  return record;
}

describe("summarizeRun", () => {
  it("counts per server and groups failures by error code", () => {
    const o = summarizeRun(finishedStop(targets(50), 2));
    expect(describeCounts(o)).toBe("48 stopped, 2 failed");
    expect(o.durationMs).toBe(72_000);
    expect(o.failuresByReason).toEqual([
      {
        code: "Ecs.0213",
        reason: "ECS id-0 is busy",
        servers: [
          { id: "id-0", name: "web-0" },
          { id: "id-1", name: "web-1" },
        ],
      },
    ]);
    expect(o.jobs).toEqual([{ stepId: "stop", jobId: "job-1", status: "FAIL" }]);
    expect(o.stoppedAt?.stepId).toBe("wait_stopped");
    const text = JSON.stringify(renderBlockKit(flowSummaryMessage(o)));
    expect(text).toContain("48 stopped, 2 failed in 1m 12s");
    expect(text).toContain("Ecs.0213");
    expect(text).toContain("job-1");
  });

  it("renders thousands of servers within Block Kit's limits", () => {
    const o = summarizeRun(finishedStop(targets(2500), 30));
    const blocks = renderBlockKit(flowSummaryMessage(o));
    expect(JSON.stringify(blocks)).toContain("2,470 stopped, 30 failed");
  });

  it("escapes server names and cloud reasons (untrusted)", () => {
    const hostile = targets(2, (i) => (i === 0 ? "<!channel> *pwn*" : "<https://evil.example|click>"));
    const o = summarizeRun(finishedStop(hostile, 1));
    const text = JSON.stringify(renderBlockKit(flowSummaryMessage(o)));
    expect(text).not.toContain("<!channel>");
    expect(text).not.toContain("<https://evil.example|click>");
  });
});

/** A finished run of a one-call flow (lock, unlock, tag, untag) in which every server called succeeded. */
function finishedOneCall(
  operation: "lock" | "unlock" | "tag" | "untag",
  all: FlowTarget[],
  parameters: RunRecord["parameters"] = {},
): RunRecord {
  const record = newRunRecord(
    { runId: "r1", requestId: "apr_1", operation, targets: all, parameters, actorId: "U1" },
    flows[operation],
    1_000,
  );
  for (const step of record.steps) {
    step.status = step.serverIds.length === 0 && step.kind !== "recheck" ? "skipped" : "succeeded";
    if (step.kind === "wait")
      step.results = step.serverIds.map((serverId) => ({ serverId, result: "succeeded", source: "servers" }));
  }
  record.status = "succeeded";
  record.finishedAt = 3_000;
  return record;
}

describe("summarizeRun: servers that needed nothing", () => {
  it("a lock skips a server already locked, saying so (not its status)", () => {
    const [a, b] = targets(2);
    const o = summarizeRun(
      finishedOneCall("lock", [
        { ...a!, locked: true },
        { ...b!, locked: false },
      ]),
    );
    expect(describeCounts(o)).toBe("1 locked, 1 skipped");
    expect(o.servers[0]).toMatchObject({
      result: "skipped",
      reason: "nothing to do (it was already locked)",
    });
    expect(o.servers[1]?.result).toBe("succeeded");
  });

  it("an unlock skips a server already unlocked, saying so", () => {
    const [a, b] = targets(2);
    const o = summarizeRun(
      finishedOneCall("unlock", [
        { ...a!, locked: true },
        { ...b!, locked: false },
      ]),
    );
    expect(describeCounts(o)).toBe("1 unlocked, 1 skipped");
    expect(o.servers[1]).toMatchObject({
      result: "skipped",
      reason: "nothing to do (it was already unlocked)",
    });
  });

  it("a reboot's stopped server keeps its status as the reason", () => {
    const [a] = targets(1);
    const record = newRunRecord(
      {
        runId: "r1",
        requestId: "apr_1",
        operation: "reboot",
        targets: [{ ...a!, status: "SHUTOFF" }],
        parameters: {},
        actorId: "U1",
      },
      flows.reboot,
      1_000,
    );
    record.status = "succeeded";
    expect(summarizeRun(record).servers[0]).toMatchObject({
      result: "skipped",
      reason: "nothing to do (it was SHUTOFF)",
    });
  });

  it("an untag counts a server without the key as skipped, not untagged", () => {
    const [a, b] = targets(2);
    const o = summarizeRun(
      finishedOneCall(
        "untag",
        [
          { ...a!, tags: { owner: "alice", env: "dev" } },
          { ...b!, tags: { env: "dev" } },
        ],
        {
          removeTags: [{ key: "owner" }],
        },
      ),
    );
    expect(describeCounts(o)).toBe("1 untagged, 1 skipped");
    expect(o.servers[1]).toMatchObject({
      result: "skipped",
      reason: "nothing to do (its tags were already so)",
    });
    const text = JSON.stringify(renderBlockKit(flowSummaryMessage(o)));
    expect(text).toContain("1 untagged, 1 skipped");
  });

  it("a tag counts a server that has the tag already as skipped; a new value is a change", () => {
    const [a, b, c] = targets(3);
    const o = summarizeRun(
      finishedOneCall(
        "tag",
        [
          { ...a!, tags: { owner: "alice" } },
          { ...b!, tags: { owner: "bob" } },
          { ...c! }, // approved before tags were bound: not known, so not said
        ],
        { addTags: [{ key: "owner", value: "alice" }] },
      ),
    );
    expect(o.servers.map((x) => x.result)).toEqual(["skipped", "succeeded", "succeeded"]);
    expect(describeCounts(o)).toBe("2 tagged, 1 skipped");
  });
});

describe("detectDrift", () => {
  it("names each difference", () => {
    const expected: FlowTarget[] = [
      { id: "a", name: "web-03", status: "ACTIVE", flavor: "s6.small.1" },
      { id: "b", name: "web-04", status: "ACTIVE", flavor: "s6.small.1" },
      {
        id: "c",
        name: "cache-01",
        status: "ACTIVE",
        flavor: "s6.small.1",
        tags: { env: "dev", role: "cache", owner: "bob" },
        selectedBy: ["role=cache"],
      },
    ];
    const server = (
      status: string,
      flavor: string,
      taskState: string | null = null,
      name = "web-03",
      tags: string[] = [],
    ) =>
      ({
        id: "x",
        name,
        status,
        flavor: { id: flavor },
        taskState,
        addresses: [],
        tags,
        metadata: {},
        volumeIds: [],
        securityGroups: [],
      }) as never;
    const drift = detectDrift(
      expected,
      new Map([
        ["a", { kind: "found", server: server("SHUTOFF", "s6.small.1") }],
        ["b", { kind: "found", server: server("ACTIVE", "s6.large.2", "powering-off", "web-04b") }],
        [
          "c",
          {
            kind: "found",
            server: server("ACTIVE", "s6.small.1", null, "cache-01", ["env=prod", "owner=bob", "lock"]),
          },
        ],
      ]),
    );
    expect(drift.map(describeDrift)).toEqual([
      "web-03: status ACTIVE → SHUTOFF",
      "web-04: flavor s6.small.1 → s6.large.2",
      "web-04: a task is in progress (powering-off)",
      "web-04: renamed to web-04b",
      "cache-01: now tagged env=prod, lock; no longer tagged env=dev",
      "cache-01: no longer tagged role=cache, the tag that selected it",
    ]);
  });
});

describe("reduceFlowEvent + flowStatusMessage", () => {
  const started: FlowEvent = {
    type: "run_started",
    runId: "r1",
    requestId: "apr_1",
    operation: "stop",
    at: 0,
    resumed: false,
    targets: [{ id: "a", name: "web-03" }],
    steps: flows.stop.steps.map(stepOfEvent),
  };

  it("ignores events before run_started and events of other runs", () => {
    const progress: FlowEvent = {
      type: "step_started",
      runId: "r1",
      stepId: "stop",
      kind: "call",
      description: "",
      serverIds: ["a"],
      at: 1,
    };
    expect(reduceFlowEvent(undefined, progress)).toBeUndefined();
    const state = reduceFlowEvent(undefined, started)!;
    expect(reduceFlowEvent(state, { ...progress, runId: "other" })).toBe(state);
  });

  it("shows each step with the job's sub-job counts while it runs", () => {
    const events: FlowEvent[] = [
      started,
      {
        type: "step_started",
        runId: "r1",
        stepId: "recheck",
        kind: "recheck",
        description: "",
        serverIds: ["a"],
        at: 1,
      },
      {
        type: "step_finished",
        runId: "r1",
        stepId: "recheck",
        kind: "recheck",
        status: "succeeded",
        counts: { succeeded: 1, failed: 0, unknown: 0, skipped: 0, incomplete: 0, not_started: 0 },
        jobIds: [],
        at: 2,
      },
      {
        type: "step_started",
        runId: "r1",
        stepId: "wait_stopped",
        kind: "wait",
        description: "",
        serverIds: ["a"],
        at: 3,
      },
      {
        type: "job_progress",
        runId: "r1",
        stepId: "wait_stopped",
        jobId: "job-1",
        source: "job",
        status: "RUNNING",
        counts: { total: 50, succeeded: 12, failed: 1, running: 37 },
        at: 4,
      },
    ];
    let state: FlowViewState | undefined;
    for (const e of events) state = reduceFlowEvent(state, e);
    expect(state!.currentStepId).toBe("wait_stopped");
    const message = flowStatusMessage(state!, 72_004);
    const text = JSON.stringify(renderBlockKit(message));
    expect(text).toContain("Wait until they are stopped — 12 of 50 done, 37 in progress, 1 failed");
    // Since when it runs, as a date each reader sees in their own time: true however late it is read.
    expect(text).toContain("running since <!date^0^{time}|00:00 UTC> · now: wait until they are stopped");
    expect(flowStatusMessage(state!, 600_004)).toEqual(message);
    // Operator words: neither step IDs nor the flow file's descriptions.
    expect(text).not.toContain("wait_stopped");
    for (const step of flows.stop.steps) expect(text).not.toContain(step.description);
    expect(text).toContain(":white_check_mark:");
  });
});

describe("the re-check's words: since approval only when people approved", () => {
  const started: FlowEvent = {
    type: "run_started",
    runId: "r1",
    requestId: "apr_1",
    operation: "stop",
    at: 0,
    resumed: false,
    targets: [{ id: "a", name: "web-03" }],
    steps: flows.stop.steps.map(stepOfEvent),
  };
  const recheckRunning: FlowEvent = {
    type: "step_started",
    runId: "r1",
    stepId: "recheck",
    kind: "recheck",
    description: "",
    serverIds: ["a"],
    at: 1,
  };
  const textOf = (first: FlowEvent, ...more: FlowEvent[]) => {
    let state: FlowViewState | undefined;
    for (const e of [first, ...more]) state = reduceFlowEvent(state, e);
    return JSON.stringify(renderBlockKit(flowStatusMessage(state!, 2)));
  };

  it("a run the policy allowed (no one approved it) checks against the servers as they were asked", () => {
    const text = textOf({ ...started, approved: false }, recheckRunning);
    expect(text).toContain("Check that nothing changed since it was asked");
    expect(text).toContain("now: check that nothing changed since it was asked");
    expect(text).not.toContain("approval");
    // Its drift heading does not speak of an approval either.
    const drifted = textOf(
      { ...started, approved: false, drift: [{ serverId: "a", name: "web-03", kind: "gone" }] },
      recheckRunning,
    );
    expect(drifted).toContain("The servers changed since the request was made; nothing was sent");
    expect(drifted).not.toContain("approval");
  });

  it('an approved run keeps "since approval"', () => {
    const text = textOf(started, recheckRunning);
    expect(text).toContain("Check that nothing changed since approval");
    expect(text).not.toContain("since it was asked");
  });

  it("the run knows from who started it: its requester (policy, schedule, break-glass) or an approver", () => {
    expect(approvedByPeople({ actorId: "U_ALICE", requesterId: "U_ALICE" })).toBe(false);
    expect(approvedByPeople({ actorId: "U_BOB", requesterId: "U_ALICE" })).toBe(true);
    expect(approvedByPeople({ actorId: "U_ALICE", requesterId: "U_ALICE", breakGlass: true })).toBe(false);
    // Older records without a requester read as approved: the words they always had.
    expect(approvedByPeople({ actorId: "U_BOB" })).toBe(true);
    const spec = {
      runId: "r1",
      requestId: "apr_1",
      operation: "stop" as const,
      targets: targets(1),
      parameters: {},
      actorId: "U_ALICE",
      requesterId: "U_ALICE",
    };
    // A resumed run says so too, from its record.
    expect(runStartedOf(newRunRecord(spec, flows.stop, 0), true, 1).approved).toBe(false);
    expect(
      runStartedOf(newRunRecord({ ...spec, actorId: "U_BOB" }, flows.stop, 0), true, 1),
    ).not.toHaveProperty("approved");
  });
});
