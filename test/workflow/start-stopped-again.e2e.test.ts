/**
 * `on_failure: start_stopped_then_stop_flow` against the simulated cloud over loopback: a resize the cloud
 * refuses, or whose job fails, after the run stopped a running server has that server started again (once,
 * re-read first, audited like any call); one whose outcome is unknown is left stopped, said so, and no start
 * is sent; a server stopped before the run is never started.
 */
import { describe, expect, it } from "vitest";
import { renderBlockKit } from "../../src/render/render-block-kit.js";
import { executeFlow } from "../../src/workflow/execute-flow.js";
import { flowSummaryMessage } from "../../src/workflow/flow-summary-message.js";
import { resumeFlow } from "../../src/workflow/resume-flow.js";
import type { ExecuteFlowDeps, FlowTarget } from "../../src/workflow/types.js";
import { render } from "../views/view-test-helpers.js";
import { createSpecFactory, useWorkflowEnv } from "./helpers/start-workflow-env.js";

const env = useWorkflowEnv();

const spec = createSpecFactory("restore");
/** A flavor web-02 does not have (it is on s6.large.2). */
const NEW = "c7.xlarge.2";
const mutationTypes = () =>
  env
    .mutations()
    .map((r) => (r.path.endsWith("/resize") ? "resize" : (r.mutation?.type ?? `${r.method} ${r.path}`)));
const text = (o: Parameters<typeof flowSummaryMessage>[0]) =>
  JSON.stringify(renderBlockKit(flowSummaryMessage(o)));

function bound(...names: string[]): FlowTarget[] {
  return names.map((name) => {
    const s = env.sim.control.server(name)!;
    return { id: s.id, name, status: s.status, flavor: s.flavorId, tags: { ...s.tags }, locked: s.locked };
  });
}

async function run(
  operation: Parameters<typeof spec>[0],
  targets: FlowTarget[],
  parameters: Parameters<typeof spec>[2],
  extra: Partial<ExecuteFlowDeps> = {},
) {
  const fresh = env.fresh();
  const result = await executeFlow(spec(operation, targets, parameters), { ...fresh.deps, ...extra });
  if (!result.ok) throw new Error(result.message);
  return { outcome: result.outcome, audit: fresh.audit, store: fresh.store, deps: fresh.deps };
}

describe("a resize that did not happen puts back the stop", () => {
  it("refused by the cloud: web-02 started again, ACTIVE on its old flavor, the summary says so", async () => {
    const before = env.sim.control.server("web-02")!;
    expect(before.status).toBe("ACTIVE");
    const { outcome, audit } = await run(
      "resize",
      bound("web-02"),
      { flavorRef: NEW },
      {
        onBeforeMutation: (m) => {
          if (m.call === "ecs.resize")
            env.sim.control.failNextRequests({ code: "Ecs.0603", method: "POST", match: "/resize" });
        },
      },
    );
    expect(outcome.status).toBe("failed");
    expect(mutationTypes()).toEqual(["batchStopServers", "resize", "batchStartServers"]);
    expect(env.sim.control.server("web-02")).toMatchObject({ status: "ACTIVE", flavorId: before.flavorId });
    expect(outcome.startedAgain).toEqual([
      { id: before.id, name: "web-02", change: "ecs.resize", how: "refused", code: "Ecs.0603" },
    ]);
    expect(outcome.leftStopped).toBeUndefined();
    const { kit, golden } = render(flowSummaryMessage(outcome));
    expect(JSON.stringify(kit)).toContain(
      "The flavor change was refused (`Ecs.0603`); web-02 was started again, as before the run.",
    );
    expect(JSON.stringify(kit)).not.toContain("left stopped");
    await expect(golden).toMatchFileSnapshot("golden/summary-resize-refused-started-again.json");
    // The start is audited like any call: its intent before it was sent, its job after.
    const entries = await audit.query({ limit: 200 });
    const intent = entries.find((e) => e.detail?.phase === "intent" && e.detail?.call === "ecs.batch_start");
    expect(intent).toMatchObject({ serverIds: [before.id], detail: { stepId: "start-stopped-again" } });
    expect(entries.some((e) => e.type === "execution.job" && e.detail?.call === "ecs.batch_start")).toBe(
      true,
    );
    expect(entries.find((e) => e.detail?.phase === "restart_decided")?.detail).toMatchObject({
      start: [before.id],
      leftStopped: [],
    });
  });

  it("its job fails, the server SHUTOFF on its old flavor when re-read: started again", async () => {
    const { outcome } = await run(
      "resize",
      bound("web-04"),
      { flavorRef: "s6.large.2" },
      {
        onBeforeMutation: (m) => {
          if (m.call === "ecs.resize")
            env.sim.control.failNextJob({ serverIds: [...m.serverIds], reason: "no capacity" });
        },
      },
    );
    expect(outcome.status).toBe("failed");
    expect(mutationTypes()).toEqual(["batchStopServers", "resize", "batchStartServers"]);
    expect(env.sim.control.server("web-04")!.status).toBe("ACTIVE");
    expect(outcome.startedAgain).toMatchObject([{ name: "web-04", how: "failed" }]);
    expect(text(outcome)).toContain("The flavor change failed");
  });

  it("the resize answered 503 (outcome unknown): left stopped, said so, no start sent", async () => {
    const { outcome } = await run(
      "resize",
      bound("web-02"),
      { flavorRef: NEW },
      {
        onBeforeMutation: (m) => {
          if (m.call === "ecs.resize")
            env.sim.control.failNextRequests({ status: 503, method: "POST", match: "/resize" });
        },
      },
    );
    expect(outcome.status).toBe("outcome_unknown");
    expect(mutationTypes()).toEqual(["batchStopServers", "resize"]);
    expect(env.sim.control.server("web-02")!.status).toBe("SHUTOFF");
    expect(outcome.startedAgain).toBeUndefined();
    expect(outcome.leftStopped).toEqual([
      { id: env.id("web-02"), name: "web-02", change: "ecs.resize", why: "change_unknown" },
    ]);
    // No golden: the cloud's answer carries a request ID that differs on every run.
    expect(text(outcome)).toContain(
      "web-02 was left stopped: the outcome of its flavor change is unknown; check it in the console or with `/ecs show web-02`, then start it with `/ecs start web-02` if all is well.",
    );
  });

  it("a server SHUTOFF before the run is never started; a running one beside it is", async () => {
    const { outcome } = await run(
      "resize",
      bound("web-02", "worker-01"),
      { flavorRef: NEW },
      {
        onBeforeMutation: (m) => {
          if (m.call === "ecs.resize")
            env.sim.control.failNextRequests({ code: "Ecs.0603", method: "POST", match: "/resize" });
        },
      },
    );
    expect(outcome.status).toBe("failed");
    const starts = env.mutations().filter((r) => r.mutation?.type === "batchStartServers");
    expect(starts).toHaveLength(1);
    expect(JSON.stringify(starts[0])).not.toContain(env.id("worker-01"));
    expect(env.sim.control.server("worker-01")!.status).toBe("SHUTOFF");
    expect(outcome.startedAgain?.map((s) => s.name)).toEqual(["web-02"]);
  });

  it("re-read changed (flavor already new): left stopped, no start", async () => {
    const target = bound("web-02");
    const { outcome } = await run(
      "resize",
      target,
      { flavorRef: NEW },
      {
        onBeforeMutation: (m) => {
          if (m.call === "ecs.resize") {
            env.sim.control.failNextJob({ serverIds: [...m.serverIds], reason: "half done" });
            // Someone (or the cloud) changed the flavor anyway: the run cannot know the resize did not happen.
            env.sim.control.setServer(m.serverIds[0]!, { flavorId: NEW });
          }
        },
      },
    );
    expect(mutationTypes()).not.toContain("batchStartServers");
    expect(outcome.leftStopped).toMatchObject([{ name: "web-02", why: "flavor_changed", flavor: NEW }]);
    const { golden } = render(flowSummaryMessage(outcome));
    await expect(golden).toMatchFileSnapshot("golden/summary-resize-changed-left-stopped.json");
  });

  it("interrupted after the start's intent: resumed, the start is not sent again", async () => {
    let intents = 0;
    const fresh = env.fresh();
    const s = spec("resize", bound("web-02"), { flavorRef: NEW });
    await expect(
      executeFlow(s, {
        ...fresh.deps,
        onBeforeMutation: (m) => {
          if (m.call === "ecs.resize")
            env.sim.control.failNextRequests({ code: "Ecs.0603", method: "POST", match: "/resize" });
        },
        faultPoint: (point) => {
          if (point === "after-intent" && ++intents === 3) throw new Error("crash");
        },
      }),
    ).rejects.toThrow("crash");
    expect(mutationTypes()).toEqual(["batchStopServers", "resize"]);
    const resumed = await resumeFlow(s.runId, fresh.deps);
    if (!resumed.ok) throw new Error(resumed.message);
    expect(mutationTypes()).toEqual(["batchStopServers", "resize"]);
    expect(resumed.outcome.leftStopped).toMatchObject([{ name: "web-02", why: "start_unknown" }]);
  }, 30_000);

  it("one refused, one unknown: the refused one started again, only the other is said left to finish", async () => {
    const { outcome } = await run(
      "resize",
      bound("web-02", "web-04"),
      { flavorRef: NEW },
      {
        onBeforeMutation: (m) => {
          if (m.call !== "ecs.resize") return;
          const answer =
            m.serverIds[0] === env.id("web-02") ? { code: "Ecs.0603" as const } : { status: 503 as const };
          env.sim.control.failNextRequests({ ...answer, method: "POST", match: "/resize" });
        },
      },
    );
    expect(env.sim.control.server("web-02")!.status).toBe("ACTIVE");
    expect(env.sim.control.server("web-04")!.status).toBe("SHUTOFF");
    expect(outcome.startedAgain?.map((s) => s.name)).toEqual(["web-02"]);
    expect(outcome.leftStopped).toMatchObject([{ name: "web-04", why: "change_unknown" }]);
    const said = text(outcome);
    expect(said).toContain(
      "The run stopped at: wait until the new flavor is in place. Not run for web-04: start the servers; wait until they are running. It is left stopped: finish what was not run by hand",
    );
    expect(said).toContain("web-02 was started again, as before the run.");
    expect(said).toContain("web-04 was left stopped: the outcome of its flavor change is unknown");
  });
});
