/**
 * A reinstall or change of OS that failed leaves the server in ERROR, and Huawei Cloud allows doing it again
 * from there (5.2.1/5.2.2: "an ECS that is stopped or for which OS reinstallation has failed"): the preflight
 * says so and what it will do, the run reinstalls without a stop, and any other ERROR is refused with what the
 * operator can do. Against the simulated cloud over loopback.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { renderBlockKit } from "../../src/render/render-block-kit.js";
import { executeFlow } from "../../src/workflow/execute-flow.js";
import { preflightMessageParts } from "../../src/workflow/preflight-message-parts.js";
import type { Preflight } from "../../src/workflow/preflight-types.js";
import { runPreflight } from "../../src/workflow/run-preflight.js";
import type { ExecuteFlowDeps, FlowTarget } from "../../src/workflow/types.js";
import { collectMrkdwn, collectPlainText, toGoldenJson } from "../render/block-kit-test-helpers.js";
import { createSpecFactory, startWorkflowEnv, type WorkflowEnv } from "./helpers/start-workflow-env.js";

let env: WorkflowEnv;
beforeAll(async () => {
  env = await startWorkflowEnv();
});
afterAll(async () => {
  await env.close();
});
beforeEach(() => env.sim.control.reset());

const spec = createSpecFactory("again");
const ref = (...names: string[]) => names.map((name) => ({ id: env.id(name), name }));
const card = (p: Preflight) => renderBlockKit({ text: "preflight", blocks: preflightMessageParts(p) });
const text = (p: Preflight) => {
  const kit = card(p);
  return [...collectMrkdwn(kit), ...collectPlainText(kit)].join("\n");
};
const mutationTypes = () => env.mutations().map((r) => r.mutation?.type ?? `${r.method} ${r.path}`);

function bound(...names: string[]): FlowTarget[] {
  return names.map((name) => {
    const s = env.sim.control.server(name)!;
    return { id: s.id, name, status: s.status, flavor: s.flavorId, tags: { ...s.tags }, locked: s.locked };
  });
}

async function run(...args: [...Parameters<typeof spec>, ExecuteFlowDeps["onBeforeMutation"]?]) {
  const [operation, targets, parameters, onBeforeMutation] = args;
  const deps: ExecuteFlowDeps = { ...env.fresh().deps, ...(onBeforeMutation && { onBeforeMutation }) };
  const result = await executeFlow(spec(operation, targets, parameters), deps);
  if (!result.ok) throw new Error(result.message);
  return result.outcome;
}

/** web-03 (running) after a reinstall whose job failed: stopped by the run, then left in ERROR. */
async function failedReinstall(): Promise<void> {
  // The reinstall job fails, not the stop before it.
  const outcome = await run("reinstall", bound("web-03"), { keyName: "KeyPair-ops" }, (m) => {
    if (m.call === "ecs.reinstall") env.sim.control.failNextJob({ serverIds: [...m.serverIds] });
  });
  expect(outcome.status).toBe("failed");
  expect(env.sim.control.server("web-03")!.status).toBe("ERROR");
  env.sim.control.clearRequests();
}

describe("reinstall / change OS of a server whose reinstall failed", () => {
  it("the preflight says it is in ERROR after a failed reinstall and what reinstalling again does", async () => {
    await failedReinstall();
    const p = await runPreflight("reinstall", ref("web-03"), {}, env.cloud, { flow: env.flows.reinstall });
    expect(p.blocking).toBe(false);
    expect(p.parameters.keyName).toBe("KeyPair-ops");
    expect(p.targets[0]!.planned).toMatchObject({ calls: ["ecs.reinstall"], status: "ACTIVE" });
    expect(p.problems.filter((x) => x.code === "will_start")).toEqual([
      {
        severity: "warning",
        code: "will_start",
        serverId: env.id("web-03"),
        message:
          "web-03: is in ERROR after a failed reinstall or change of OS; reinstalling it again installs a new " +
          "system disk from its image (it is not stopped first) and Huawei Cloud starts it, so it will be " +
          "running afterwards",
      },
    ]);
    expect(p.problems.map((x) => x.code)).not.toContain("will_restart");
    // The cloud's record of its operations is what tells a failed reinstall from any other ERROR.
    expect(env.sim.control.requests().filter((r) => r.path.endsWith("/os-instance-actions"))).toHaveLength(1);
    expect(text(p)).toContain("is in ERROR after a failed reinstall or change of OS");
    await expect(toGoldenJson(card(p))).toMatchFileSnapshot("golden/preflight-reinstall-after-failure.json");
  });

  it("the second run reinstalls without a stop and ends ACTIVE", async () => {
    await failedReinstall();
    const outcome = await run("reinstall", bound("web-03"), { keyName: "KeyPair-ops" });
    expect(outcome.status).toBe("succeeded");
    expect(mutationTypes()).toEqual(["reinstallOS"]);
    expect(env.sim.control.server("web-03")!.status).toBe("ACTIVE");
  });

  it("a change of OS is allowed after a failed reinstall too, saying what it installs", async () => {
    await failedReinstall();
    const imageId = "1b1d5f3c-6a6f-4d1e-9a43-2b8d2d7c0a01";
    const p = await runPreflight("change-os", ref("web-03"), { imageId }, env.cloud, {
      flow: env.flows["change-os"],
    });
    expect(p.blocking).toBe(false);
    expect(p.problems.find((x) => x.code === "will_start")?.message).toContain(
      "changing its OS again installs a new system disk from the new image",
    );
  });

  it("a server in ERROR for another reason is refused, saying why and what the operator can do", async () => {
    env.sim.control.setServer(env.id("worker-01"), { status: "ERROR" });
    const p = await runPreflight("reinstall", ref("worker-01"), {}, env.cloud, { flow: env.flows.reinstall });
    expect(p.blocking).toBe(true);
    expect(p.problems.filter((x) => x.severity === "blocking")).toEqual([
      {
        severity: "blocking",
        code: "status_not_allowed",
        serverId: env.id("worker-01"),
        message:
          "worker-01: is in ERROR, not after a failed reinstall or change of OS (its last operation: stop); " +
          "Huawei Cloud reinstalls or changes the OS only of a stopped server or one whose reinstall or change " +
          "of OS failed. /ecs actions worker-01 shows what it went through; recover it outside the bot first " +
          "(for an ECS left abnormal, Huawei Cloud says to contact its technical support), then ask again",
      },
    ]);
    await expect(toGoldenJson(card(p))).toMatchFileSnapshot("golden/preflight-reinstall-error-refused.json");
  });

  it("operations that cannot be read block it: nothing shows the ERROR is a failed reinstall", async () => {
    await failedReinstall();
    env.sim.control.failNextRequests({ status: 500, count: 10, match: "/os-instance-actions" });
    const p = await runPreflight("reinstall", ref("web-03"), {}, env.cloud, { flow: env.flows.reinstall });
    expect(p.blocking).toBe(true);
    expect(p.problems.find((x) => x.code === "status_not_allowed")?.message).toMatch(
      /^web-03: is in ERROR, and its operations could not be read \(.+\) to show that a reinstall or change of OS failed/,
    );
  });
});
