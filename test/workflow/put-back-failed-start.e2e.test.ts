/**
 * A refused resize of two servers whose start again fails for one of them, which the cloud then leaves in ERROR
 * (not SHUTOFF): the run's end does not list it among the servers left stopped, yet its start failed. The status
 * message's start again line must end failed with "1 done, 1 failed", as the resumed form has it from the record,
 * never "✅ — 1 done". Against the simulated cloud on its manual clock, every event seen as a reporter sees it.
 */
import { describe, expect, it } from "vitest";
import { statusMessageOf } from "../../src/operations/create-thread-reporter.js";
import { renderBlockKit } from "../../src/render/render-block-kit.js";
import { executeFlow } from "../../src/workflow/execute-flow.js";
import { type FlowEvent, RESTART_STEP_ID } from "../../src/workflow/flow-events.js";
import { type FlowViewState, reduceFlowEvent } from "../../src/workflow/reduce-flow-event.js";
import { runStartedOf } from "../../src/workflow/resume-flow.js";
import { type RunRecord, runKey } from "../../src/workflow/run-record.js";
import type { FlowTarget } from "../../src/workflow/types.js";
import { blocksText } from "../helpers/read-slack-blocks.js";
import { createSpecFactory, useWorkflowEnv } from "./helpers/start-workflow-env.js";

const env = useWorkflowEnv();

const spec = createSpecFactory("put-back-failed-start");
/** A flavor neither web-02 nor web-04 has; the cloud is made to refuse the resize to it. */
const NEW = "c7.xlarge.2";
const PUT_BACK = "Start again the servers stopped for the flavor change";

function bound(...names: string[]): FlowTarget[] {
  return names.map((name) => {
    const s = env.sim.control.server(name)!;
    return { id: s.id, name, status: s.status, flavor: s.flavorId, tags: { ...s.tags }, locked: s.locked };
  });
}

/** The status message's step lines about the start again, as a reporter that saw `events` shows them. */
function putBackLines(events: readonly FlowEvent[]): string[] {
  const state = events.reduce<FlowViewState | undefined>(reduceFlowEvent, undefined);
  if (state === undefined) throw new Error("no run_started");
  return blocksText(renderBlockKit(statusMessageOf(state, env.clock.now())).blocks)
    .split("\n")
    .filter((l) => l.includes(PUT_BACK));
}

describe("a start again that failed for a server left in ERROR", () => {
  it("ends failed in the live status message, as the record has it, never done", async () => {
    const fresh = env.fresh();
    const webs = bound("web-02", "web-04");
    const broken = env.id("web-04");
    let resizes = 0;
    const s = spec("resize", webs, { flavorRef: NEW });
    const result = await executeFlow(s, {
      ...fresh.deps,
      onBeforeMutation: (m) => {
        if (m.call === "ecs.resize") {
          resizes++;
          env.sim.control.failNextRequests({ code: "Ecs.0603", method: "POST", match: "/resize" });
        }
        if (m.call === "ecs.batch_start")
          env.sim.control.failNextJob({ serverIds: [broken], reason: "host fault" });
      },
      onEvent: (e) => {
        fresh.events.push(e);
        // The failed start leaves web-04 in ERROR, not SHUTOFF, before the run's end reads it.
        if (e.type === "job_progress" && e.stepId === RESTART_STEP_ID && e.status === "FAIL")
          env.sim.control.setServer(broken, { status: "ERROR" });
      },
    });
    if (!result.ok) throw new Error(result.message);
    expect(resizes).toBe(2);
    expect(env.sim.control.server("web-02")!.status).toBe("ACTIVE");
    expect(env.sim.control.server("web-04")!.status).toBe("ERROR");
    // The outcome says web-02 was started again and nothing of web-04 (it is not SHUTOFF): the trap.
    expect(result.outcome.startedAgain?.map((x) => x.name)).toEqual(["web-02"]);
    expect(result.outcome.leftStopped).toBeUndefined();

    const record = (await fresh.store.get<RunRecord>(runKey(s.runId)))!.value;
    expect(record.restart?.results.map((r) => r.result).sort()).toEqual(["failed", "succeeded"]);

    const failed = `:x: ${PUT_BACK} — 1 done, 1 failed`;
    expect(putBackLines(fresh.events)).toEqual([failed]);
    // The same line the run shown again from its record gets.
    const again: FlowEvent[] = [
      runStartedOf(record, true, env.clock.now()),
      { type: "run_finished", runId: s.runId, outcome: result.outcome, at: env.clock.now() },
    ];
    expect(putBackLines(again)).toEqual([failed]);
  });
});
