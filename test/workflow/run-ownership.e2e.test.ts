/**
 * Run ownership in the executor, against the simulated cloud: writes fenced by the run's lease (a replica that
 * lost it writes and sends nothing more) and safe points (a run asked to stop stops before a step or in a job
 * wait, never between a call and its job ID, and a resume finishes it without resending).
 */
import { expect, it } from "vitest";
import { createMemoryStore } from "../../src/store/create-memory-store.js";
import { executeFlow } from "../../src/workflow/execute-flow.js";
import { resumeFlow } from "../../src/workflow/resume-flow.js";
import { RunOwnershipLostError, RunSuspendedError } from "../../src/workflow/run-context.js";
import { type RunRecord, runKey } from "../../src/workflow/run-record.js";
import type { ExecuteFlowSpec } from "../../src/workflow/types.js";
import { useWorkflowEnv } from "./helpers/start-workflow-env.js";

const env = useWorkflowEnv();

let seq = 0;
function stopSpec(name: string): ExecuteFlowSpec {
  seq++;
  return {
    runId: `owned-${seq}`,
    requestId: `apr_owned${seq}`,
    operation: "stop",
    targets: env.targets(name),
    parameters: {},
    actorId: "U0APPROVER",
  };
}

const fenceOf = (runId: string, owner: string, token: number) => ({ lease: `run:${runId}`, owner, token });
const stops = () => env.mutations().filter((r) => r.mutation?.type === "batchStopServers");

it("a run cannot be created under a lease that is not held", async () => {
  const { deps, store } = env.fresh();
  const s = stopSpec("web-01");
  await expect(executeFlow(s, { ...deps, fence: fenceOf(s.runId, "A", 1) })).rejects.toBeInstanceOf(
    RunOwnershipLostError,
  );
  expect(await store.get(runKey(s.runId))).toBeUndefined();
  expect(stops()).toEqual([]);
});

it("the executor that lost the lease writes and sends nothing more; the new holder finishes the run once", async () => {
  const store = createMemoryStore({ clock: env.clock });
  const { deps } = env.fresh(store);
  const s = stopSpec("web-02");
  const a = (await store.acquireLease(`run:${s.runId}`, "A", 60_000))!;
  // A is stopped right after the re-check (as if it were paused there)…
  const controller = new AbortController();
  await expect(
    executeFlow(s, {
      ...deps,
      fence: fenceOf(s.runId, "A", a.token),
      signal: controller.signal,
      onEvent: (e) => {
        if (e.type === "step_finished" && e.stepId === "recheck") controller.abort();
      },
    }),
  ).rejects.toBeInstanceOf(RunSuspendedError);
  expect(stops()).toEqual([]);
  // …its lease expires and B takes the run over.
  env.sim.control.advance(60_000);
  const b = (await store.acquireLease(`run:${s.runId}`, "B", 60_000))!;
  const before = (await store.get<RunRecord>(runKey(s.runId)))!;

  // A wakes up and carries on: its first write is refused, so it never reaches the call.
  await expect(
    resumeFlow(s.runId, { ...deps, fence: fenceOf(s.runId, "A", a.token) }),
  ).rejects.toBeInstanceOf(RunOwnershipLostError);
  expect((await store.get<RunRecord>(runKey(s.runId)))!.version).toBe(before.version);
  expect(stops()).toEqual([]);

  const result = await resumeFlow(s.runId, { ...deps, fence: fenceOf(s.runId, "B", b.token) });
  if (!result.ok) throw new Error(result.message);
  expect(result.outcome.status).toBe("succeeded");
  expect(stops()).toHaveLength(1);
  expect(env.sim.control.server("web-02")!.status).toBe("SHUTOFF");
});

it("a run asked to stop during its job wait stops there with the job ID saved; the resume follows the job, sending nothing", async () => {
  const store = createMemoryStore({ clock: env.clock });
  const { deps } = env.fresh(store);
  const s = stopSpec("web-03");
  const lease = (await store.acquireLease(`run:${s.runId}`, "A", 600_000))!;
  const controller = new AbortController();
  await expect(
    executeFlow(s, {
      ...deps,
      fence: fenceOf(s.runId, "A", lease.token),
      signal: controller.signal,
      onEvent: (e) => {
        if (e.type === "step_started" && e.stepId === "wait_stopped") controller.abort();
      },
    }),
  ).rejects.toBeDefined();
  const saved = (await store.get<RunRecord>(runKey(s.runId)))!.value;
  expect(saved.status).toBe("running");
  expect(saved.steps.find((x) => x.id === "stop")!.mutations[0]).toMatchObject({
    state: "accepted",
    jobId: expect.any(String),
  });
  expect(saved.steps.find((x) => x.id === "wait_stopped")!.status).toBe("running");
  expect(stops()).toHaveLength(1);

  const result = await resumeFlow(s.runId, { ...deps, fence: fenceOf(s.runId, "A", lease.token) });
  if (!result.ok) throw new Error(result.message);
  expect(result.outcome.status).toBe("succeeded");
  expect(result.outcome.resumes).toBe(1);
  expect(stops()).toHaveLength(1);
  expect(env.sim.control.server("web-03")!.status).toBe("SHUTOFF");
});
