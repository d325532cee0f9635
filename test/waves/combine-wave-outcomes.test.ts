/**
 * The outcome of a run in waves stopped on purpose (pure): an Abort or the check before a wave with nothing
 * failed is aborted (not a success: the approval record, the audit and the metrics say it did not do all it was
 * asked, as for a run its re-check aborted), the servers of the waves not run say why, and the summary's
 * headline says who (a real mention) or why (escaped text) under the stop sign, while a real failure still
 * reads as one. A request nobody approved says its servers changed "since it was asked".
 */
import { describe, expect, it } from "vitest";
import { combineWaveOutcomes } from "../../src/waves/combine-wave-outcomes.js";
import type { WaveRunRecord } from "../../src/waves/wave-run-record.js";
import { describeAbort, flowSummaryMessage } from "../../src/workflow/flow-summary-message.js";
import { emptyCounts, type FlowOutcome } from "../../src/workflow/summarize-run.js";
import { render } from "../views/view-test-helpers.js";

const T = Date.UTC(2026, 11, 6, 19, 47);
const NAMES: Record<string, string> = { a: "web-01", b: "web-02", c: "web-03", d: "web-04", e: "web-05" };
const spec = {
  runId: "run_x",
  requestId: "apr_x",
  operation: "reboot" as const,
  targets: Object.entries(NAMES).map(([id, name]) => ({ id, name, status: "ACTIVE", flavor: "s6.medium.2" })),
};

function record(patch: Partial<WaveRunRecord>): WaveRunRecord {
  return {
    schema: 1,
    runId: "run_x",
    requestId: "apr_x",
    pauseMs: 120_000,
    maxFailures: 1,
    maxFailuresText: "1",
    waves: [
      { serverIds: ["a", "b"], status: "done", succeeded: 2, failed: 0, unhealthy: [] },
      { serverIds: ["c", "d"], status: "done", succeeded: 2, failed: 0, unhealthy: [] },
      { serverIds: ["e"], status: "pending", succeeded: 0, failed: 0, unhealthy: [] },
    ],
    status: "aborted",
    control: "aborting",
    controlBy: "U_ALICE",
    startedAt: T,
    finishedAt: T + 153_000,
    ...patch,
  };
}

/** A wave's own run in which every server did what was asked (or `failed` ones failed). */
function waveRun(ids: string[], failed: string[] = []): FlowOutcome {
  const counts = emptyCounts();
  const servers = ids.map((id) => {
    const result = failed.includes(id) ? ("failed" as const) : ("succeeded" as const);
    counts[result]++;
    return { id, name: NAMES[id]!, result, ...(result === "failed" && { reason: "boot failed" }) };
  });
  return {
    runId: "run_x.w",
    requestId: "apr_x",
    operation: "reboot",
    status: failed.length > 0 ? "failed" : "succeeded",
    verb: "restarted",
    include: ["per_server_results", "failures_by_reason", "duration", "job_ids"],
    startedAt: T,
    servers,
    counts,
    failuresByReason: [],
    unknownByReason: [],
    jobs: [],
    drift: [],
    resumes: 0,
  };
}

describe("a run in waves stopped on purpose", () => {
  it("an Abort after wave 2 of 3 with nothing failed is aborted: the summary says who and where", async () => {
    const outcome = combineWaveOutcomes(
      spec,
      record({ stop: { kind: "abort", by: "U_ALICE", afterWave: 2 } }),
      [waveRun(["a", "b"]), waveRun(["c", "d"]), undefined],
    );
    expect(outcome.status).toBe("aborted");
    // What the approval record and the audit keep (plain text: the person is a mention on the card only).
    expect(describeAbort(outcome)).toBe("aborted by a person after wave 2 of 3: 4 restarted, 1 not started");
    expect(outcome.stop).toEqual({ kind: "abort", by: "U_ALICE", afterWave: 2, of: 3 });
    expect(outcome.servers.find((s) => s.id === "e")).toMatchObject({
      result: "not_started",
      reason: "the run was aborted by a person after wave 2 of 3",
    });
    const { kit, golden } = render(flowSummaryMessage(outcome));
    const json = JSON.stringify(kit);
    expect(json).toContain(
      ":octagonal_sign: *reboot* aborted by <@U_ALICE> after wave 2 of 3: 4 restarted, 1 not started in 2m 33s",
    );
    expect(json).not.toContain(":x:");
    await expect(golden).toMatchFileSnapshot("golden/summary-waves-aborted.json");
  });

  it("a stop by the check before wave 3 says why, escaped", async () => {
    const why = "the maintenance window <!channel> *maint* closed at 2026-12-06 20:00 UTC";
    const outcome = combineWaveOutcomes(
      spec,
      record({ control: "run", controlBy: undefined, stop: { kind: "check", beforeWave: 3, why } }),
      [waveRun(["a", "b"]), waveRun(["c", "d"]), undefined],
    );
    expect(outcome.status).toBe("aborted");
    expect(describeAbort(outcome)).toBe(
      `stopped before wave 3 of 3: 4 restarted, 1 not started; why: ${why}`,
    );
    expect(outcome.servers.find((s) => s.id === "e")?.reason).toBe(`stopped before wave 3 of 3: ${why}`);
    const { kit, golden } = render(flowSummaryMessage(outcome));
    const json = JSON.stringify(kit);
    expect(json).toContain(
      ":octagonal_sign: *reboot* stopped before wave 3 of 3: 4 restarted, 1 not started",
    );
    expect(json).not.toContain("<!channel>");
    expect(json).toContain("&lt;!channel&gt;");
    await expect(golden).toMatchFileSnapshot("golden/summary-waves-stopped-check.json");
  });

  it("an Abort after a wave with a failed server is still a failure, and says it was aborted", () => {
    const outcome = combineWaveOutcomes(
      spec,
      record({ maxFailures: 2, maxFailuresText: "2", stop: { kind: "abort", by: "U_ALICE", afterWave: 2 } }),
      [waveRun(["a", "b"]), waveRun(["c", "d"], ["d"]), undefined],
    );
    expect(outcome.status).toBe("failed");
    const json = JSON.stringify(render(flowSummaryMessage(outcome)).kit);
    expect(json).toContain(
      ":x: *reboot* aborted by <@U_ALICE> after wave 2 of 3: 3 restarted, 1 failed, 1 not started",
    );
  });

  it("a record written before the stop was kept: who clicked Abort, after the waves that ran", () => {
    const outcome = combineWaveOutcomes(spec, record({}), [
      waveRun(["a", "b"]),
      waveRun(["c", "d"]),
      undefined,
    ]);
    expect(outcome.status).toBe("aborted");
    expect(outcome.stop).toEqual({ kind: "abort", by: "U_ALICE", afterWave: 2, of: 3 });
  });

  it("a run that finished every wave is the one that succeeded", () => {
    const outcome = combineWaveOutcomes(
      spec,
      record({
        status: "succeeded",
        control: "run",
        controlBy: undefined,
        waves: [
          { serverIds: ["a", "b"], status: "done", succeeded: 2, failed: 0, unhealthy: [] },
          { serverIds: ["c", "d", "e"], status: "done", succeeded: 3, failed: 0, unhealthy: [] },
        ],
      }),
      [waveRun(["a", "b"]), waveRun(["c", "d", "e"])],
    );
    expect(outcome.status).toBe("succeeded");
    expect(outcome.stop).toBeUndefined();
  });

  it("a run stopped at its failure threshold stays failed; its waves not run say why", () => {
    const outcome = combineWaveOutcomes(
      spec,
      record({
        status: "stopped_failures",
        control: "run",
        controlBy: undefined,
        waves: [
          { serverIds: ["a", "b"], status: "failed", succeeded: 1, failed: 1, unhealthy: [] },
          { serverIds: ["c", "d"], status: "pending", succeeded: 0, failed: 0, unhealthy: [] },
          { serverIds: ["e"], status: "pending", succeeded: 0, failed: 0, unhealthy: [] },
        ],
      }),
      [waveRun(["a", "b"], ["b"]), undefined, undefined],
    );
    expect(outcome.status).toBe("failed");
    expect(outcome.stop).toBeUndefined();
    expect(outcome.servers.find((s) => s.id === "c")?.reason).toBe(
      "the failed or unknown servers reached the limit of 1",
    );
  });
});

describe("a run in waves whose first wave's re-check found the servers changed", () => {
  const drift = [
    { serverId: "a", name: "web-01", kind: "status" as const, expected: "ACTIVE", actual: "SHUTOFF" },
  ];
  const stoppedAtFirst = (approved?: false) =>
    record({
      status: "stopped_drift",
      control: "run",
      controlBy: undefined,
      waves: [
        { serverIds: ["a", "b"], status: "failed", succeeded: 1, failed: 1, unhealthy: [] },
        { serverIds: ["c", "d"], status: "pending", succeeded: 0, failed: 0, unhealthy: [] },
        { serverIds: ["e"], status: "pending", succeeded: 0, failed: 0, unhealthy: [] },
      ],
      ...(approved === false && { approved }),
    });
  const aborted = (): FlowOutcome => ({
    ...waveRun(["a", "b"]),
    status: "aborted",
    servers: [
      { id: "a", name: "web-01", result: "not_started" },
      { id: "b", name: "web-02", result: "not_started" },
    ],
    counts: { ...emptyCounts(), not_started: 2 },
    drift,
  });

  it("nobody approved it (the policy allowed it): changed since it was asked, in the summary and the record", () => {
    const outcome = combineWaveOutcomes(spec, stoppedAtFirst(false), [aborted(), undefined, undefined]);
    expect(outcome.status).toBe("aborted");
    expect(describeAbort(outcome)).toBe(
      "not run: the servers changed since it was asked, so nothing was sent; ask again if it is still needed",
    );
    const json = JSON.stringify(render(flowSummaryMessage(outcome)).kit);
    expect(json).toContain("The servers changed since the request was made:");
    expect(json).not.toContain("approv");
  });

  it("people approved it: changed since approval, as before", () => {
    const outcome = combineWaveOutcomes(spec, stoppedAtFirst(), [aborted(), undefined, undefined]);
    expect(describeAbort(outcome)).toBe(
      "not run: the servers changed since approval, so nothing was sent; ask again to get fresh approval",
    );
    const json = JSON.stringify(render(flowSummaryMessage(outcome)).kit);
    expect(json).toContain("The servers changed since the request was approved:");
  });
});

describe("a run in waves whose later wave's re-check stopped it", () => {
  const drift = [{ serverId: "c", name: "web-03", kind: "unselected" as const, selector: "team=web" }];
  const stoppedAtSecond = (wave1: WaveRunRecord["waves"][number], approved?: false) =>
    record({
      status: "stopped_drift",
      control: "run",
      controlBy: undefined,
      waves: [
        wave1,
        { serverIds: ["c", "d"], status: "failed", succeeded: 0, failed: 0, unhealthy: [] },
        { serverIds: ["e"], status: "pending", succeeded: 0, failed: 0, unhealthy: [] },
      ],
      ...(approved === false && { approved }),
    });
  const aborted = (): FlowOutcome => ({
    ...waveRun(["c", "d"]),
    status: "aborted",
    servers: [
      { id: "c", name: "web-03", result: "not_started" },
      { id: "d", name: "web-04", result: "not_started" },
    ],
    counts: { ...emptyCounts(), not_started: 2 },
    drift,
  });
  const done = { serverIds: ["a", "b"], status: "done" as const, succeeded: 2, failed: 0, unhealthy: [] };

  it("nothing failed: stopped on purpose before that wave (aborted, never failed nor succeeded), drift said once", () => {
    const outcome = combineWaveOutcomes(spec, stoppedAtSecond(done, false), [
      waveRun(["a", "b"]),
      aborted(),
      undefined,
    ]);
    expect(outcome.status).toBe("aborted");
    expect(outcome.stop).toEqual({
      kind: "check",
      beforeWave: 2,
      of: 3,
      why: "its re-check found its servers changed since it was asked, so nothing was sent to them",
    });
    expect(outcome.servers.find((s) => s.id === "e")?.reason).toBe(
      "stopped before wave 2 of 3: its re-check found its servers changed since it was asked, so nothing was sent to them",
    );
    const json = JSON.stringify(render(flowSummaryMessage(outcome)).kit);
    expect(json).toContain(":octagonal_sign:");
    expect(json).toContain("stopped before wave 2 of 3: 2 restarted, 3 not started");
    expect(json.split("no longer tagged team=web")).toHaveLength(2);
    expect(json).not.toContain("approv");
  });

  it("people approved it: changed since approval; a server its re-check could not read is said so", () => {
    const changed = combineWaveOutcomes(spec, stoppedAtSecond(done), [
      waveRun(["a", "b"]),
      aborted(),
      undefined,
    ]);
    expect(changed.stop).toMatchObject({ why: expect.stringContaining("changed since approval") });
    const unreadable = combineWaveOutcomes(spec, stoppedAtSecond(done), [
      waveRun(["a", "b"]),
      {
        ...aborted(),
        drift: [{ serverId: "c", name: "web-03", kind: "unreadable", message: "APIGW.0308: busy" }],
      },
      undefined,
    ]);
    expect(unreadable.stop).toMatchObject({
      why: "its re-check could not read its servers, so nothing was sent to them",
    });
  });

  it("a server failed in an earlier wave: still a failure, with the stop said", () => {
    const outcome = combineWaveOutcomes(
      spec,
      { ...stoppedAtSecond({ ...done, status: "failed", succeeded: 1, failed: 1 }), maxFailures: 2 },
      [waveRun(["a", "b"], ["b"]), aborted(), undefined],
    );
    expect(outcome.status).toBe("failed");
    expect(outcome.stop).toMatchObject({ kind: "check", beforeWave: 2 });
  });
});
