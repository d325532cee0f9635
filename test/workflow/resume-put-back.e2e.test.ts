/**
 * A refused resize whose run is interrupted while it starts the stopped server again
 * (`on_failure: start_stopped_then_stop_flow`), then resumed by a process whose reporter saw nothing of it: the
 * status message it shows at once has the start again's line where the live run had it, and ends as the run
 * would have without the interruption. Against the simulated cloud on its manual clock.
 */
import { describe, expect, it } from "vitest";
import { statusMessageOf } from "../../src/operations/create-thread-reporter.js";
import { renderBlockKit } from "../../src/render/render-block-kit.js";
import { createMemoryStore } from "../../src/store/create-memory-store.js";
import { executeFlow } from "../../src/workflow/execute-flow.js";
import { type FlowEvent, RESTART_STEP_ID } from "../../src/workflow/flow-events.js";
import { type FlowViewState, reduceFlowEvent } from "../../src/workflow/reduce-flow-event.js";
import { resumeFlow } from "../../src/workflow/resume-flow.js";
import { type RunRecord, runKey } from "../../src/workflow/run-record.js";
import type { ExecuteFlowDeps, FlowTarget } from "../../src/workflow/types.js";
import { blocksText } from "../helpers/read-slack-blocks.js";
import { createSpecFactory, useWorkflowEnv } from "./helpers/start-workflow-env.js";

const env = useWorkflowEnv();

const spec = createSpecFactory("resume-put-back");
/** A flavor web-02 does not have; the cloud is made to refuse the resize to it. */
const NEW = "c7.xlarge.2";
const PUT_BACK = "Start again the servers stopped for the flavor change";

/** Refuses the resize when it is sent, so the run starts the server it stopped again. */
const refuseResize: Partial<ExecuteFlowDeps> = {
  onBeforeMutation: (m) => {
    if (m.call === "ecs.resize")
      env.sim.control.failNextRequests({ code: "Ecs.0603", method: "POST", match: "/resize" });
  },
};

function bound(name: string): FlowTarget[] {
  const s = env.sim.control.server(name)!;
  return [{ id: s.id, name, status: s.status, flavor: s.flavorId, tags: { ...s.tags }, locked: s.locked }];
}

/** The status message's heading and step lines, as a reporter that saw only `events` shows it. */
function shown(events: readonly FlowEvent[]): { heading: string; lines: string[] } {
  const state = events.reduce<FlowViewState | undefined>(reduceFlowEvent, undefined);
  if (state === undefined) throw new Error("no run_started");
  const [heading = "", ...lines] = blocksText(
    renderBlockKit(statusMessageOf(state, env.clock.now())).blocks,
  ).split("\n");
  return { heading, lines };
}

const starts = () => env.mutations().filter((r) => r.mutation?.type === "batchStartServers");

describe("a run resumed while it starts again the server it stopped", () => {
  it("shows the start again's line at once, then ends as it would have uninterrupted", async () => {
    // The same refused resize, uninterrupted, for the lines it ends with.
    const plain = env.fresh();
    const uninterrupted = await executeFlow(spec("resize", bound("web-02"), { flavorRef: NEW }), {
      ...plain.deps,
      ...refuseResize,
    });
    if (!uninterrupted.ok) throw new Error(uninterrupted.message);
    expect(shown(plain.events).lines).toContain(`:white_check_mark: ${PUT_BACK} — 1 done`);
    env.sim.control.clearRequests();

    // Stopped (a shutdown, its lease lost) as soon as it follows the start's job: the job ID is saved.
    const store = createMemoryStore({ clock: env.clock });
    const first = env.fresh(store);
    const s = spec("resize", bound("web-02"), { flavorRef: NEW });
    const controller = new AbortController();
    await expect(
      executeFlow(s, {
        ...first.deps,
        ...refuseResize,
        signal: controller.signal,
        onEvent: (e) => {
          first.events.push(e);
          if (e.type === "job_progress" && e.stepId === RESTART_STEP_ID) controller.abort();
        },
      }),
    ).rejects.toBeDefined();
    const saved = (await store.get<RunRecord>(runKey(s.runId)))!.value;
    expect(saved.restart).toMatchObject({ status: "running", serverIds: [env.id("web-02")] });
    const jobId = saved.restart!.mutations[0]!.jobId;
    expect(jobId).toEqual(expect.any(String));
    expect(starts()).toHaveLength(1);
    // What the interrupted process's status message last showed of it.
    const before = shown(first.events).lines;

    // Another process resumes it: its reporter saw nothing before the resume's run_started.
    const again = env.fresh(store);
    const resumed = await resumeFlow(s.runId, again.deps);
    if (!resumed.ok) throw new Error(resumed.message);
    expect(starts()).toHaveLength(1);
    const start = again.events[0]!;
    expect(start).toMatchObject({
      type: "run_started",
      resumed: true,
      currentStepId: RESTART_STEP_ID,
      steps: expect.arrayContaining([
        {
          id: RESTART_STEP_ID,
          kind: "wait",
          description: "",
          status: "running",
          serverCount: 1,
          jobIds: [jobId],
        },
      ]),
    });
    const adopted = shown([start]);
    expect(adopted.heading).toContain(`· now: ${PUT_BACK.toLowerCase()} (resumed)`);
    // Where it was, before its job's counts come in again with the first poll.
    expect(adopted.lines).toEqual(
      before.map((l) => (l.includes(PUT_BACK) ? `:hourglass_flowing_sand: ${PUT_BACK}` : l)),
    );

    expect(resumed.outcome.startedAgain).toMatchObject([{ name: "web-02", how: "refused" }]);
    expect(env.sim.control.server("web-02")!.status).toBe("ACTIVE");
    expect(shown(again.events).lines).toEqual(shown(plain.events).lines);

    // Shown again once finished (another process finds it so): the line is there from its start on.
    const later = env.fresh(store);
    expect(await resumeFlow(s.runId, later.deps)).toMatchObject({ ok: true, resumed: false });
    expect(shown(later.events.slice(0, 1)).lines).toContain(`:white_check_mark: ${PUT_BACK} — 1 done`);
    expect(shown(later.events).lines).toEqual(shown(plain.events).lines);
  }, 30_000);
});
