/**
 * The executor end to end: approved requests run against the simulated cloud over loopback, through the
 * real client, store and audit log.
 */
import { describe, expect, it } from "vitest";
import { renderBlockKit } from "../../src/render/render-block-kit.js";
import { executeFlow } from "../../src/workflow/execute-flow.js";
import { flowStatusMessage } from "../../src/workflow/flow-status-message.js";
import { flowSummaryMessage } from "../../src/workflow/flow-summary-message.js";
import { type FlowViewState, reduceFlowEvent } from "../../src/workflow/reduce-flow-event.js";
import { DEFAULT_RUN_RETENTION_MS, type RunRecord, runKey } from "../../src/workflow/run-record.js";
import { createSpecFactory, useWorkflowEnv } from "./helpers/start-workflow-env.js";

const env = useWorkflowEnv();

const spec = createSpecFactory("run");

const mutationTypes = () => env.mutations().map((r) => r.mutation?.type ?? `${r.method} ${r.path}`);

describe("stop", () => {
  it("a request the policy allowed (it runs as its requester): the thread's re-check says since it was asked", async () => {
    const { deps, events } = env.fresh();
    const s = { ...spec("stop", env.targets("web-03")), actorId: "U0ALICE", requesterId: "U0ALICE" };
    const result = await executeFlow(s, deps);
    expect(result.ok).toBe(true);
    const started = events.find((e) => e.type === "run_started");
    expect(started).toMatchObject({ approved: false });
    let state: FlowViewState | undefined;
    for (const e of events) state = reduceFlowEvent(state, e);
    const text = JSON.stringify(renderBlockKit(flowStatusMessage(state!)));
    expect(text).toContain("Check that nothing changed since it was asked");
    expect(text).not.toContain("since approval");
    // Approved by someone else: the words it always had.
    const approved = env.fresh();
    await executeFlow({ ...spec("stop", env.targets("web-04")), requesterId: "U0ALICE" }, approved.deps);
    expect(approved.events.find((e) => e.type === "run_started")).not.toHaveProperty("approved");
  });

  it("stops running servers: SHUTOFF, job ID saved after the intent, audited, events in order", async () => {
    const { deps, events, store, audit } = env.fresh();
    const s = spec("stop", env.targets("web-03", "web-04"));
    const result = await executeFlow(s, deps);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.outcome.status).toBe("succeeded");
    expect(result.outcome.counts.succeeded).toBe(2);
    expect(env.sim.control.server("web-03")!.status).toBe("SHUTOFF");
    expect(env.sim.control.server("web-04")!.status).toBe("SHUTOFF");
    expect(mutationTypes()).toEqual(["batchStopServers"]);

    const record = (await store.get<RunRecord>(runKey(s.runId)))!.value;
    expect(record.status).toBe("succeeded");
    const mutation = record.steps.find((x) => x.id === "stop")!.mutations[0]!;
    expect(mutation).toMatchObject({ state: "accepted", call: "ecs.batch_stop", params: { type: "SOFT" } });
    expect(mutation.intentAt).toBeLessThanOrEqual(mutation.settledAt!);
    expect(result.outcome.jobs.map((j) => j.jobId)).toEqual([mutation.jobId]);
    expect(await store.members("flowruns:open")).toEqual([]);

    // A finished run's record is kept for the retention period after its last write, then expires.
    env.sim.control.advance(DEFAULT_RUN_RETENTION_MS - 1_000);
    expect(await store.get(runKey(s.runId))).toBeDefined();
    env.sim.control.advance(1_000);
    expect(await store.get(runKey(s.runId))).toBeUndefined();

    const entries = (await audit.query({ requestId: s.requestId, limit: 100 })).reverse();
    const phases = entries.map((e) => (e.type === "execution.job" ? "job" : String(e.detail?.phase)));
    expect(phases.indexOf("intent")).toBeLessThan(phases.indexOf("job"));
    expect(entries.find((e) => e.type === "execution.job")!.jobId).toBe(mutation.jobId);
    expect(entries.at(-1)).toMatchObject({ outcome: "succeeded", detail: { phase: "run_finished" } });
    expect(phases).toEqual([
      "run_created",
      "step_started",
      "step_finished",
      "step_started",
      "intent",
      "job",
      "step_finished",
      "step_started",
      "step_finished",
      "run_finished",
    ]);
    // Written as few times as the guarantees allow: created; the re-check (a read: its start and end in
    // one write); the call's plan with its start; its intent before the call; its job ID after it; its end;
    // the wait's start and end; the run's end.
    expect(record.rev).toBe(9);

    const kinds = events
      .filter((e) => e.type !== "job_progress")
      .map((e) => ("stepId" in e ? `${e.type}:${e.stepId}` : e.type));
    expect(kinds).toEqual([
      "run_started",
      "step_started:recheck",
      "step_finished:recheck",
      "step_started:stop",
      "step_finished:stop",
      "step_started:wait_stopped",
      "step_finished:wait_stopped",
      "run_finished",
    ]);
    const progress = events.filter((e) => e.type === "job_progress");
    expect(progress.length).toBeGreaterThan(0);
    expect(progress.at(-1)).toMatchObject({
      status: "SUCCESS",
      counts: { total: 2, succeeded: 2, failed: 0, running: 0 },
    });

    // The thread's views render within Block Kit's limits at every step.
    let view: FlowViewState | undefined;
    for (const e of events) {
      view = reduceFlowEvent(view, e);
      if (view) renderBlockKit(flowStatusMessage(view));
    }
    expect(view!.status).toBe("succeeded");
    const summary = renderBlockKit(flowSummaryMessage(result.outcome));
    expect(JSON.stringify(summary)).toContain("2 stopped");
  });

  it("tells the metrics how late each job was seen against the end the cloud recorded, by the job's length", async () => {
    const seen: [string, number][] = [];
    const metrics = {
      jobFinished: () => {},
      jobSeen: (length: string, ms: number) => seen.push([length, ms]),
    };
    const short = env.fresh();
    await executeFlow(spec("stop", env.targets("web-03")), { ...short.deps, metrics });
    env.sim.control.setJobTiming({ initMs: 1_000, runningMs: 90_000 });
    try {
      const long = env.fresh();
      await executeFlow(spec("stop", env.targets("web-04")), { ...long.deps, metrics });
    } finally {
      env.sim.control.setJobTiming({ initMs: 200, runningMs: 1000 });
    }
    expect(seen.map(([length]) => length)).toEqual(["under_1m", "over_1m"]);
    // Followed alone, backing off to 10 s: seen within that of the end.
    for (const [, ms] of seen) {
      expect(ms).toBeGreaterThanOrEqual(0);
      expect(ms).toBeLessThanOrEqual(10_000);
    }
  });

  it("leaves out a server that is already stopped (step condition target_was_running)", async () => {
    const { deps } = env.fresh();
    const result = await executeFlow(spec("stop", env.targets("web-03", "worker-01")), deps);
    if (!result.ok) throw new Error(result.message);
    expect(result.outcome.status).toBe("succeeded");
    const byName = Object.fromEntries(result.outcome.servers.map((s) => [s.name, s.result]));
    expect(byName).toEqual({ "web-03": "succeeded", "worker-01": "skipped" });
    expect(env.sim.control.requests().find((r) => r.mutation)!.mutation!.serverIds).toEqual([
      env.id("web-03"),
    ]);
  });

  it("refuses to start a run twice under one run ID", async () => {
    const { deps } = env.fresh();
    const s = spec("stop", env.targets("web-03"));
    expect((await executeFlow(s, deps)).ok).toBe(true);
    expect(await executeFlow(s, deps)).toMatchObject({ ok: false, error: "run_exists" });
    expect(mutationTypes()).toEqual(["batchStopServers"]);
  });
});

describe("start and reboot", () => {
  it("starts stopped servers", async () => {
    const { deps } = env.fresh();
    const result = await executeFlow(spec("start", env.targets("worker-01", "api-02")), deps);
    if (!result.ok) throw new Error(result.message);
    expect(result.outcome.status).toBe("succeeded");
    expect(mutationTypes()).toEqual(["batchStartServers"]);
    expect(env.sim.control.server("api-02")!.status).toBe("ACTIVE");
  });

  it("reboots with the requested type", async () => {
    const { deps } = env.fresh();
    const result = await executeFlow(spec("reboot", env.targets("web-03"), { hard: true }), deps);
    if (!result.ok) throw new Error(result.message);
    expect(result.outcome.status).toBe("succeeded");
    expect(env.sim.control.job(result.outcome.jobs[0]!.jobId)!.params).toEqual({ type: "HARD" });
  });

  it("cannot confirm a reboot whose answer was lost (it ends as it began): outcome unknown, not resent", async () => {
    const { deps } = env.fresh();
    env.sim.control.setFaults({ dropAfterCommit: { count: 1, match: /\/cloudservers\/action/ } });
    const result = await executeFlow(spec("reboot", env.targets("web-03")), deps);
    if (!result.ok) throw new Error(result.message);
    expect(result.outcome.status).toBe("outcome_unknown");
    expect(result.outcome.servers[0]!.reason).toContain("cannot be confirmed");
    expect(env.mutations()).toHaveLength(1);
  });
});

describe("resize", () => {
  it("resizes a running server as stop → resize → start, ending ACTIVE with the new flavor", async () => {
    const { deps, events } = env.fresh();
    const result = await executeFlow(
      spec("resize", env.targets("web-03"), { flavorRef: "s6.large.2" }),
      deps,
    );
    if (!result.ok) throw new Error(result.message);
    expect(result.outcome.status).toBe("succeeded");
    const web03 = env.sim.control.server("web-03")!;
    expect(web03).toMatchObject({ status: "ACTIVE", flavorId: "s6.large.2" });
    expect(mutationTypes()).toEqual(["batchStopServers", "resizeServer", "batchStartServers"]);
    const steps = events
      .filter((e) => e.type === "step_finished")
      .map((e) => (e.type === "step_finished" ? `${e.stepId}:${e.status}` : ""));
    expect(steps).toEqual([
      "recheck:succeeded",
      "stop:succeeded",
      "wait_stopped:succeeded",
      "resize:succeeded",
      "wait_resized:succeeded",
      "start:succeeded",
      "wait_started:succeeded",
    ]);
    expect(result.outcome.servers[0]).toMatchObject({
      result: "succeeded",
      finalStatus: "ACTIVE",
      finalFlavor: "s6.large.2",
    });
    expect(result.outcome.jobs.map((j) => j.stepId)).toEqual(["stop", "resize", "start"]);
  });

  it("resizes a stopped server without starting it", async () => {
    const { deps } = env.fresh();
    const result = await executeFlow(
      spec("resize", env.targets("worker-01"), { flavorRef: "s6.medium.2" }),
      deps,
    );
    if (!result.ok) throw new Error(result.message);
    expect(result.outcome.status).toBe("succeeded");
    expect(mutationTypes()).toEqual(["resizeServer"]);
    expect(env.sim.control.server("worker-01")).toMatchObject({ status: "SHUTOFF", flavorId: "s6.medium.2" });
  });

  it("stops the flow when the resize job fails, and says where and in which state the server is", async () => {
    const { deps } = env.fresh();
    env.sim.control.failNextJob({
      serverIds: [env.id("web-03")],
      errorCode: "Ecs.0207",
      reason: "No capacity.",
    });
    // The failure rule applies to the first job including web-03: the stop. Make it the resize instead.
    env.sim.control.clearJobFailures();
    const s = spec("resize", env.targets("web-03"), { flavorRef: "s6.large.2" });
    const onEvent = deps.onEvent!;
    deps.onEvent = (e) => {
      if (e.type === "step_started" && e.stepId === "resize") {
        env.sim.control.failNextJob({
          serverIds: [env.id("web-03")],
          errorCode: "Ecs.0207",
          reason: "No capacity.",
        });
      }
      return onEvent(e);
    };
    const result = await executeFlow(s, deps);
    if (!result.ok) throw new Error(result.message);
    expect(result.outcome.status).toBe("failed");
    expect(result.outcome.stoppedAt?.stepId).toBe("wait_resized");
    expect(result.outcome.servers[0]).toMatchObject({
      result: "failed",
      code: "Ecs.0207",
      reason: "No capacity.",
      stepId: "resize",
      // Started again: the resize is known not to have happened (on_failure: start_stopped_then_stop_flow).
      finalStatus: "ACTIVE",
      finalFlavor: "s6.medium.2",
    });
    expect(mutationTypes()).toEqual(["batchStopServers", "resizeServer", "batchStartServers"]);
    const text = JSON.stringify(renderBlockKit(flowSummaryMessage(result.outcome)));
    expect(text).toContain("Ecs.0207");
    // Where it stopped, in operator words: never the step ID or the flow file's text. The server was started
    // again, so nothing is left undone by hand.
    expect(text).toContain(
      "The run stopped at: wait until the new flavor is in place. Nothing is left to finish by hand; ask for the change again if it is still needed.",
    );
    expect(text).not.toContain("Not run:");
    expect(text).not.toContain("wait_resized");
  });
});

describe("drift", () => {
  it("aborts with the differences and makes no mutation when servers changed after approval", async () => {
    const { deps, events, audit } = env.fresh();
    const approved = env.targets("web-03", "web-04");
    env.sim.control.setServer(env.id("web-03"), { flavorId: "s6.large.2" });
    env.sim.control.setServer(env.id("web-04"), { status: "SHUTOFF" });
    env.sim.control.clearRequests();
    const s = spec("resize", approved, { flavorRef: "c7.large.2" });
    const result = await executeFlow(s, deps);
    if (!result.ok) throw new Error(result.message);
    expect(result.outcome.status).toBe("aborted");
    expect(result.outcome.drift).toEqual([
      {
        serverId: env.id("web-03"),
        name: "web-03",
        kind: "flavor",
        expected: "s6.medium.2",
        actual: "s6.large.2",
      },
      { serverId: env.id("web-04"), name: "web-04", kind: "status", expected: "ACTIVE", actual: "SHUTOFF" },
    ]);
    expect(env.mutations()).toEqual([]);
    expect(result.outcome.counts.not_started).toBe(2);
    const drift = events.find((e) => e.type === "drift_detected");
    expect(drift).toBeDefined();
    const text = JSON.stringify(renderBlockKit(flowSummaryMessage(result.outcome)));
    expect(text).toContain("web-04: status ACTIVE → SHUTOFF");
    expect(text).toContain("web-03: flavor s6.medium.2 → s6.large.2");
    const entries = await audit.query({ requestId: s.requestId, limit: 50 });
    expect(entries.some((e) => e.detail?.phase === "drift")).toBe(true);
    expect(entries.some((e) => e.detail?.phase === "intent")).toBe(false);
  });

  it("aborts when a target is gone", async () => {
    const { deps } = env.fresh();
    const approved = env.targets("web-03", "web-04");
    env.sim.control.deleteServer(env.id("web-04"));
    env.sim.control.clearRequests();
    const result = await executeFlow(spec("stop", approved), deps);
    if (!result.ok) throw new Error(result.message);
    expect(result.outcome.status).toBe("aborted");
    expect(result.outcome.drift).toEqual([{ serverId: approved[1]!.id, name: "web-04", kind: "gone" }]);
    expect(env.mutations()).toEqual([]);
  });
});

describe("batch failures", () => {
  it("reports per-server failures with their reasons, grouped by error code", async () => {
    const { deps } = env.fresh();
    const names = ["web-01", "web-02", "web-03", "web-04"];
    env.sim.control.failNextJob({
      serverIds: [env.id("web-02"), env.id("web-04")],
      errorCode: "Ecs.0213",
      reason: "Hypervisor busy.",
    });
    const result = await executeFlow(spec("stop", env.targets(...names)), deps);
    if (!result.ok) throw new Error(result.message);
    const o = result.outcome;
    expect(o.status).toBe("failed");
    expect(o.counts).toMatchObject({ succeeded: 2, failed: 2 });
    expect(o.failuresByReason).toEqual([
      {
        code: "Ecs.0213",
        reason: "Hypervisor busy.",
        servers: [
          { id: env.id("web-02"), name: "web-02" },
          { id: env.id("web-04"), name: "web-04" },
        ],
      },
    ]);
    const states = Object.fromEntries(o.servers.map((s) => [s.name, `${s.result}/${s.finalStatus}`]));
    expect(states).toEqual({
      "web-01": "succeeded/SHUTOFF",
      "web-02": "failed/ACTIVE",
      "web-03": "succeeded/SHUTOFF",
      "web-04": "failed/ACTIVE",
    });
    expect(o.jobs).toHaveLength(1);
    expect(o.jobs[0]!.status).toBe("FAIL");
    const text = JSON.stringify(renderBlockKit(flowSummaryMessage(o)));
    expect(text).toContain("2 stopped, 2 failed");
    expect(text).toContain("Ecs.0213");
  });

  it("splits more than 1,000 servers into API-sized calls, one intent and one job each", async () => {
    const { deps, store } = env.fresh();
    const added = Array.from({ length: 1001 }, (_, i) => env.sim.control.addServer({ name: `bulk-${i}` }));
    const targets = added.map((s) => ({ id: s.id, name: s.name, status: s.status, flavor: s.flavorId }));
    env.sim.control.clearRequests();
    const s = spec("stop", targets);
    const result = await executeFlow(s, deps);
    if (!result.ok) throw new Error(result.message);
    expect(result.outcome.status).toBe("succeeded");
    expect(result.outcome.counts.succeeded).toBe(1001);
    const calls = env.mutations().map((r) => r.mutation!.serverIds.length);
    expect(calls).toEqual([1000, 1]);
    const record = (await store.get<RunRecord>(runKey(s.runId)))!.value;
    expect(record.steps.find((x) => x.id === "stop")!.mutations.map((m) => m.state)).toEqual([
      "accepted",
      "accepted",
    ]);
  });
});

describe("outcome unknown", () => {
  it("never resends a mutation whose answer was lost, and reconciles it from the servers", async () => {
    const { deps, store } = env.fresh();
    env.sim.control.setFaults({ dropAfterCommit: { count: 1, match: /\/cloudservers\/action/ } });
    const s = spec("stop", env.targets("web-03"));
    const result = await executeFlow(s, deps);
    if (!result.ok) throw new Error(result.message);
    expect(env.mutations()).toHaveLength(1);
    expect(env.mutations()[0]).toMatchObject({ fault: "drop" });
    expect(env.sim.control.server("web-03")!.status).toBe("SHUTOFF");
    expect(result.outcome.status).toBe("succeeded");
    const record = (await store.get<RunRecord>(runKey(s.runId)))!.value;
    const call = record.steps.find((x) => x.id === "stop")!;
    expect(call.status).toBe("outcome_unknown");
    expect(call.mutations[0]).toMatchObject({ state: "outcome_unknown", error: { code: "network" } });
    expect(call.mutations[0]!.jobId).toBeUndefined();
    expect(record.steps.find((x) => x.id === "wait_stopped")!.results).toEqual([
      { serverId: env.id("web-03"), result: "succeeded", status: "SHUTOFF", source: "servers" },
    ]);
  });

  it("reports outcome_unknown truthfully when the servers show no change, without resending", async () => {
    const { deps } = env.fresh();
    // A 503 before the service: nothing happened, but the client cannot know that.
    env.sim.control.failNextRequests({ status: 503, method: "POST", match: /\/cloudservers\/action/ });
    const result = await executeFlow(spec("stop", env.targets("web-03")), deps);
    if (!result.ok) throw new Error(result.message);
    expect(result.outcome.status).toBe("outcome_unknown");
    expect(result.outcome.servers[0]).toMatchObject({ result: "unknown", finalStatus: "ACTIVE" });
    expect(result.outcome.unknownByReason).toHaveLength(1);
    expect(env.mutations()).toHaveLength(1);
    const text = JSON.stringify(renderBlockKit(flowSummaryMessage(result.outcome)));
    expect(text).toContain("Outcome unknown");
  });

  it("settles a stop whose job cannot be read from the server, in seconds rather than the 15 minute timeout", async () => {
    const { deps, store } = env.fresh();
    env.sim.control.failNextRequests({ status: 503, count: 100_000, method: "GET", match: /\/jobs\// });
    const s = spec("stop", env.targets("web-03"));
    const started = env.clock.now();
    const result = await executeFlow(s, deps);
    if (!result.ok) throw new Error(result.message);
    expect(result.outcome.status).toBe("succeeded");
    expect(env.clock.now() - started).toBeLessThan(60_000);
    const record = (await store.get<RunRecord>(runKey(s.runId)))!.value;
    const wait = record.steps.find((x) => x.id === "wait_stopped")!;
    expect(wait.results).toEqual([
      expect.objectContaining({ serverId: env.id("web-03"), result: "succeeded", source: "servers" }),
    ]);
    expect(wait.jobs).toEqual([{ jobId: expect.any(String), status: "UNREADABLE" }]);
    expect(env.mutations()).toHaveLength(1);
  });

  it("reconciles a lost resize answer from the server's flavor and carries on with the start", async () => {
    const { deps } = env.fresh();
    env.sim.control.setFaults({ dropAfterCommit: { count: 1, match: /\/resize$/ } });
    const result = await executeFlow(
      spec("resize", env.targets("web-03"), { flavorRef: "c7.large.2" }),
      deps,
    );
    if (!result.ok) throw new Error(result.message);
    expect(result.outcome.status).toBe("succeeded");
    expect(mutationTypes()).toEqual(["batchStopServers", "resizeServer", "batchStartServers"]);
    expect(env.sim.control.server("web-03")).toMatchObject({ status: "ACTIVE", flavorId: "c7.large.2" });
  });
});

describe("delete", () => {
  it("keeps data disks and EIPs unless asked, and says so explicitly in the call", async () => {
    const { deps } = env.fresh();
    const result = await executeFlow(spec("delete", env.targets("web-01")), deps);
    if (!result.ok) throw new Error(result.message);
    expect(result.outcome.status).toBe("succeeded");
    const jobId = result.outcome.jobs[0]!.jobId;
    expect(env.sim.control.job(jobId)!.params).toEqual({ deletePublicip: false, deleteVolume: false });
    expect(env.sim.control.server("web-01")).toBeUndefined();
    expect(result.outcome.servers[0]).toMatchObject({ result: "succeeded", finalStatus: "NOT_FOUND" });
  });

  it("releases data disks and EIPs with --delete-volume and --delete-eip", async () => {
    const { deps } = env.fresh();
    const result = await executeFlow(
      spec("delete", env.targets("db-01", "web-02"), { deleteVolume: true, deleteEip: true }),
      deps,
    );
    if (!result.ok) throw new Error(result.message);
    expect(result.outcome.status).toBe("succeeded");
    const jobId = result.outcome.jobs[0]!.jobId;
    expect(env.sim.control.job(jobId)!.params).toEqual({ deletePublicip: true, deleteVolume: true });
    expect(result.outcome.counts.succeeded).toBe(2);
  });
});

describe("audit", () => {
  it("does not send a mutation when its audit record cannot be written", async () => {
    const { createMemoryStore } = await import("../../src/store/create-memory-store.js");
    const { createAuditLog } = await import("../../src/audit/create-audit-log.js");
    const runs = createMemoryStore({ clock: env.clock });
    const auditStore = createMemoryStore({ clock: env.clock });
    const failing = new Proxy(auditStore, {
      get(target, prop, receiver) {
        if (prop === "append") {
          return async (stream: string, record: { detail?: { phase?: string } }) => {
            if (record.detail?.phase === "intent") throw new Error("audit store unavailable");
            return target.append(stream, record);
          };
        }
        return Reflect.get(target, prop, receiver);
      },
    });
    const { deps } = env.fresh(runs);
    deps.audit = createAuditLog({ store: failing, logger: env.logger, clock: env.clock });
    const s = spec("stop", env.targets("web-03"));
    await expect(executeFlow(s, deps)).rejects.toThrow("audit store unavailable");
    expect(env.mutations()).toEqual([]);
    const record = (await runs.get<RunRecord>(runKey(s.runId)))!.value;
    expect(record.status).toBe("running");
    expect(record.steps.find((x) => x.id === "stop")!.mutations[0]!.state).toBe("planned");
  });
});
