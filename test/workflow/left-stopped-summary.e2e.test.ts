/**
 * A run that stopped a server on its way to something else and then failed says, in its summary, that it
 * stopped the server and left it stopped, with how to start it; it never starts it on its own. Against the
 * simulated cloud: the cloud refuses the call after the stop, as it would for a key pair deleted after approval.
 */
import { describe, expect, it } from "vitest";
import { renderBlockKit } from "../../src/render/render-block-kit.js";
import { executeFlow } from "../../src/workflow/execute-flow.js";
import { flowSummaryMessage } from "../../src/workflow/flow-summary-message.js";
import type { ExecuteFlowDeps, FlowTarget } from "../../src/workflow/types.js";
import { render } from "../views/view-test-helpers.js";
import { createSpecFactory, useWorkflowEnv } from "./helpers/start-workflow-env.js";

const env = useWorkflowEnv();

const spec = createSpecFactory("left");
const BOGUS = "3f2b1c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d";
const mutationTypes = () => env.mutations().map((r) => r.mutation?.type ?? `${r.method} ${r.path}`);
const text = (o: Parameters<typeof flowSummaryMessage>[0]) =>
  JSON.stringify(renderBlockKit(flowSummaryMessage(o)));

function bound(...names: string[]): FlowTarget[] {
  return names.map((name) => {
    const s = env.sim.control.server(name)!;
    return { id: s.id, name, status: s.status, flavor: s.flavorId, tags: { ...s.tags }, locked: s.locked };
  });
}

async function run(...args: [...Parameters<typeof spec>, ExecuteFlowDeps["onBeforeMutation"]?]) {
  const [operation, targets, parameters, onBeforeMutation] = args;
  const deps = { ...env.fresh().deps, ...(onBeforeMutation && { onBeforeMutation }) };
  const result = await executeFlow(spec(operation, targets, parameters), deps);
  if (!result.ok) throw new Error(result.message);
  return result.outcome;
}

describe("a failed run that stopped a server says it is left stopped", () => {
  it("reinstall refused after the stop: web-03 stopped by this run, left stopped, with /ecs start web-03", async () => {
    const outcome = await run("reinstall", bound("web-03"), { keyName: "KeyPair-nope" });
    expect(outcome.status).toBe("failed");
    expect(mutationTypes()[0]).toBe("batchStopServers");
    expect(mutationTypes()).not.toContain("batchStartServers");
    expect(env.sim.control.server("web-03")!.status).toBe("SHUTOFF");
    expect(outcome.leftStopped).toEqual([{ id: env.id("web-03"), name: "web-03" }]);
    const { kit, golden } = render(flowSummaryMessage(outcome));
    expect(JSON.stringify(kit)).toContain(
      "web-03 was stopped by this run and is left stopped: the bot does not start it again on its own. When ready, start it with `/ecs start web-03`.",
    );
    await expect(golden).toMatchFileSnapshot("golden/summary-reinstall-left-stopped.json");
  });

  it("change-os refused after the stop says the same", async () => {
    const outcome = await run("change-os", bound("web-03"), { keyName: "KeyPair-ops", imageId: BOGUS });
    expect(outcome.status).toBe("failed");
    expect(outcome.leftStopped).toEqual([{ id: env.id("web-03"), name: "web-03" }]);
    expect(text(outcome)).toContain("start it with `/ecs start web-03`");
  });

  it("a resize whose job fails after the stop: web-04 is started again, not left stopped", async () => {
    // The resize job fails, not the stop before it: the resize is known not to have happened.
    const outcome = await run("resize", bound("web-04"), { flavorRef: "s6.large.2" }, (m) => {
      if (m.call === "ecs.resize")
        env.sim.control.failNextJob({ serverIds: [...m.serverIds], reason: "no capacity" });
    });
    expect(outcome.status).toBe("failed");
    expect(env.sim.control.server("web-04")!.status).toBe("ACTIVE");
    expect(outcome.leftStopped).toBeUndefined();
    expect(outcome.startedAgain?.map((s) => s.name)).toEqual(["web-04"]);
    const words = text(outcome);
    expect(words).not.toContain("left stopped");
    expect(mutationTypes()).toContain("batchStartServers");
  });
});

describe("no such words when nothing is left stopped by the run", () => {
  it("a reinstall that succeeds ends ACTIVE", async () => {
    const outcome = await run("reinstall", bound("web-03"), { keyName: "KeyPair-ops" });
    expect(outcome.status).toBe("succeeded");
    expect(outcome.leftStopped).toBeUndefined();
    expect(text(outcome)).not.toContain("left stopped");
  });

  it("a stop, whose purpose it is", async () => {
    const outcome = await run("stop", bound("web-03"));
    expect(outcome.leftStopped).toBeUndefined();
  });

  it("a failed reinstall of a server that was already stopped", async () => {
    const outcome = await run("reinstall", bound("worker-01"), { keyName: "KeyPair-nope" });
    expect(outcome.status).toBe("failed");
    expect(outcome.leftStopped).toBeUndefined();
  });
});
