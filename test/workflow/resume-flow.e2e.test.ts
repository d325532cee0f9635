/**
 * Resuming interrupted runs from their durable record, against the simulated cloud: the record is built in
 * the state a crash would leave it in, and the crashed process's own call (if any) is made by hand.
 */
import { describe, expect, it } from "vitest";
import { createAuditLog } from "../../src/audit/create-audit-log.js";
import { createMemoryStore } from "../../src/store/create-memory-store.js";
import { executeFlow, newRunRecord } from "../../src/workflow/execute-flow.js";
import { resumeFlow } from "../../src/workflow/resume-flow.js";
import {
  type MutationRecord,
  OPEN_RUNS_SET,
  type RunRecord,
  runKey,
  type StepRecord,
} from "../../src/workflow/run-record.js";
import type { ExecuteFlowSpec } from "../../src/workflow/types.js";
import { createSpecFactory, useWorkflowEnv } from "./helpers/start-workflow-env.js";

const env = useWorkflowEnv();

const spec = createSpecFactory("resume");

/** A run record as an executor would have left it, with `patch` applied to the named steps. */
function recordOf(
  s: ExecuteFlowSpec,
  steps: Record<string, Partial<StepRecord>>,
  currentStep: string,
): RunRecord {
  const at = env.clock.now();
  const record = newRunRecord(s, env.flows[s.operation], at);
  for (const step of record.steps) {
    const patch = steps[step.id];
    if (patch) Object.assign(step, { startedAt: at, ...patch });
  }
  record.currentStep = currentStep;
  record.rev = 7;
  return record;
}

async function store(record: RunRecord) {
  const fresh = env.fresh();
  await fresh.store.createIfAbsent(runKey(record.runId), record, {
    addToSets: [{ setKey: OPEN_RUNS_SET, member: record.runId }],
  });
  return fresh;
}

const stopMutation = (
  serverIds: string[],
  extra: Pick<MutationRecord, "state"> & Partial<MutationRecord>,
): MutationRecord => ({
  index: 0,
  call: "ecs.batch_stop" as const,
  serverIds,
  params: { type: "SOFT" as const },
  intentAt: env.clock.now(),
  ...extra,
});

describe("intent saved, no job ID", () => {
  it("does not resend a call that had been sent; reconciles it from the servers", async () => {
    const web03 = env.id("web-03");
    const s = spec("stop", env.targets("web-03"));
    const record = recordOf(
      s,
      {
        recheck: { status: "succeeded", finishedAt: env.clock.now() },
        stop: { status: "running", mutations: [stopMutation([web03], { state: "intent" })] },
      },
      "stop",
    );
    // The crashed executor had sent it before dying.
    const sent = await env.cloud.ecs.stopServers([web03]);
    expect(sent.jobs).toHaveLength(1);
    const { deps, events, store: runs } = await store(record);
    env.sim.control.clearRequests();

    const result = await resumeFlow(s.runId, deps);
    if (!result.ok) throw new Error(result.message);
    expect(result.resumed).toBe(true);
    expect(env.mutations()).toEqual([]);
    expect(result.outcome.status).toBe("succeeded");
    expect(result.outcome.resumes).toBe(1);
    expect(env.sim.control.server("web-03")!.status).toBe("SHUTOFF");
    const saved = (await runs.get<RunRecord>(runKey(s.runId)))!.value;
    expect(saved.steps.find((x) => x.id === "stop")!.mutations[0]).toMatchObject({
      state: "outcome_unknown",
      interrupted: true,
    });
    expect(events[0]).toMatchObject({ type: "run_started", resumed: true });
    expect(await runs.members(OPEN_RUNS_SET)).toEqual([]);
  });

  it("does not send a call that may never have left either: the outcome stays unknown", async () => {
    const web03 = env.id("web-03");
    const s = spec("stop", env.targets("web-03"));
    const record = recordOf(
      s,
      {
        recheck: { status: "succeeded" },
        stop: { status: "running", mutations: [stopMutation([web03], { state: "intent" })] },
      },
      "stop",
    );
    const { deps } = await store(record);
    env.sim.control.clearRequests();
    const result = await resumeFlow(s.runId, deps);
    if (!result.ok) throw new Error(result.message);
    expect(env.mutations()).toEqual([]);
    expect(result.outcome.status).toBe("outcome_unknown");
    expect(result.outcome.servers[0]).toMatchObject({ result: "unknown", finalStatus: "ACTIVE" });
    expect(env.sim.control.server("web-03")!.status).toBe("ACTIVE");
  });
});

describe("job ID saved, waiting", () => {
  it("follows the saved job to the end without sending anything", async () => {
    const ids = [env.id("web-03"), env.id("web-04")];
    const s = spec("stop", env.targets("web-03", "web-04"));
    const sent = await env.cloud.ecs.stopServers(ids);
    const jobId = sent.jobs[0]!.jobId;
    const record = recordOf(
      s,
      {
        recheck: { status: "succeeded" },
        stop: {
          status: "succeeded",
          mutations: [stopMutation(ids, { state: "accepted", jobId, settledAt: env.clock.now() })],
        },
        wait_stopped: { status: "running" },
      },
      "wait_stopped",
    );
    const { deps, events } = await store(record);
    env.sim.control.clearRequests();
    const result = await resumeFlow(s.runId, deps);
    if (!result.ok) throw new Error(result.message);
    expect(env.mutations()).toEqual([]);
    expect(result.outcome.status).toBe("succeeded");
    expect(result.outcome.jobs).toEqual([{ stepId: "stop", jobId, status: "SUCCESS" }]);
    expect(events.some((e) => e.type === "job_progress" && e.jobId === jobId)).toBe(true);
    expect(env.sim.control.server("web-04")!.status).toBe("SHUTOFF");
  });

  it("resumes a resize at its wait, then makes the calls still to come (start)", async () => {
    const web03 = env.id("web-03");
    const s = spec("resize", env.targets("web-03"), { flavorRef: "s6.large.2" });
    const stopJob = (await env.cloud.ecs.stopServers([web03])).jobs[0]!.jobId;
    env.sim.control.advance(5_000);
    const resize = await env.cloud.ecs.resizeServer(web03, "s6.large.2");
    if (resize.dryRun) throw new Error("unexpected dry run");
    const record = recordOf(
      s,
      {
        recheck: { status: "succeeded" },
        stop: {
          status: "succeeded",
          mutations: [stopMutation([web03], { state: "accepted", jobId: stopJob })],
        },
        wait_stopped: {
          status: "succeeded",
          results: [{ serverId: web03, result: "succeeded", source: "job", jobId: stopJob }],
          jobs: [{ jobId: stopJob, status: "SUCCESS" }],
        },
        resize: {
          status: "succeeded",
          mutations: [
            {
              index: 0,
              call: "ecs.resize",
              serverIds: [web03],
              params: { flavorRef: "s6.large.2" },
              state: "accepted",
              intentAt: env.clock.now(),
              jobId: resize.jobId,
            },
          ],
        },
        wait_resized: { status: "running" },
      },
      "wait_resized",
    );
    const { deps } = await store(record);
    env.sim.control.clearRequests();
    const result = await resumeFlow(s.runId, deps);
    if (!result.ok) throw new Error(result.message);
    expect(result.outcome.status).toBe("succeeded");
    expect(env.mutations().map((r) => r.mutation?.type)).toEqual(["batchStartServers"]);
    expect(env.sim.control.server("web-03")).toMatchObject({ status: "ACTIVE", flavorId: "s6.large.2" });
    expect(result.outcome.jobs.map((j) => j.stepId)).toEqual(["stop", "resize", "start"]);
  });
});

describe("other states", () => {
  it("sends a call that was planned but never attempted (its intent was never saved)", async () => {
    const runs = createMemoryStore({ clock: env.clock });
    const auditStore = createMemoryStore({ clock: env.clock });
    let auditDown = true;
    // The audit log fails to record the first intent: the executor stops before sending anything.
    const flaky = new Proxy(auditStore, {
      get(target, prop, receiver) {
        if (prop === "append") {
          return async (stream: string, record: { detail?: { phase?: string } }) => {
            if (auditDown && record.detail?.phase === "intent") throw new Error("audit down");
            return target.append(stream, record);
          };
        }
        return Reflect.get(target, prop, receiver);
      },
    });
    const { deps } = env.fresh(runs);
    deps.audit = createAuditLog({ store: flaky, logger: env.logger, clock: env.clock });
    const s = spec("stop", env.targets("web-03"));
    await expect(executeFlow(s, deps)).rejects.toThrow("audit down");
    expect(env.mutations()).toEqual([]);

    auditDown = false;
    const result = await resumeFlow(s.runId, deps);
    if (!result.ok) throw new Error(result.message);
    expect(result.outcome.status).toBe("succeeded");
    expect(env.mutations().map((r) => r.mutation?.type)).toEqual(["batchStopServers"]);
    const phases = (await deps.audit.query({ requestId: s.requestId, limit: 100 })).map(
      (e) => e.detail?.phase,
    );
    expect(phases.filter((p) => p === "intent")).toHaveLength(1);
  });

  it("does nothing for a finished run", async () => {
    const { deps, store: runs } = env.fresh();
    const s = spec("stop", env.targets("web-03"));
    await executeFlow(s, deps);
    env.sim.control.clearRequests();
    const again = await resumeFlow(s.runId, env.fresh(runs).deps);
    expect(again).toMatchObject({ ok: true, resumed: false, outcome: { status: "succeeded" } });
    expect(env.sim.control.requests()).toEqual([]);
  });

  it("reports an unknown run and an invalid record", async () => {
    const { deps, store: runs } = env.fresh();
    expect(await resumeFlow("nope", deps)).toMatchObject({ ok: false, error: "not_found" });
    await runs.createIfAbsent(runKey("bad"), { schema: 1, status: "running" });
    expect(await resumeFlow("bad", deps)).toMatchObject({ ok: false, error: "invalid_record" });
  });
});
