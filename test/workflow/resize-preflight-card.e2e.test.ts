/**
 * The resize preflight as the approver reads it on the card, against the simulator over loopback: it claims
 * only what was checked. The bot's own flavor check (the region's flavor list) and Huawei Cloud's dry run
 * (parameters and format only, API reference 5.2.4) are said apart, and a dry run refused for a running
 * server says what really happens next: no second dry run, the resize itself after the stop.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createCloudClient } from "../../src/cloud/create-cloud-client.js";
import type { CloudClient } from "../../src/cloud/types.js";
import { renderBlockKit } from "../../src/render/render-block-kit.js";
import { simulatorCloudConfig } from "../../src/sandbox/cloud/index.js";
import { executeFlow } from "../../src/workflow/execute-flow.js";
import { preflightMessageParts } from "../../src/workflow/preflight-message-parts.js";
import type { Preflight } from "../../src/workflow/preflight-types.js";
import { runPreflight } from "../../src/workflow/run-preflight.js";
import { collectMrkdwn, collectPlainText, toGoldenJson } from "../render/block-kit-test-helpers.js";
import { startStateCheckingEcsProxy } from "./helpers/start-state-checking-ecs-proxy.js";
import { createSpecFactory, startWorkflowEnv, type WorkflowEnv } from "./helpers/start-workflow-env.js";

let env: WorkflowEnv;
let proxy: Awaited<ReturnType<typeof startStateCheckingEcsProxy>>;
/** The same client as `env.cloud`, its ECS requests through the proxy. */
let proxied: CloudClient;
beforeAll(async () => {
  env = await startWorkflowEnv();
  proxy = await startStateCheckingEcsProxy(env.sim);
  const config = simulatorCloudConfig(env.sim);
  proxied = createCloudClient(
    {
      ...config,
      endpoints: { ...config.endpoints, ecs: proxy.url },
      connectTimeoutMs: 2_000,
      requestTimeoutMs: 10_000,
    },
    { sleep: env.sleep },
  );
});
afterAll(async () => {
  await proxied.close();
  await proxy.close();
  await env.close();
});
beforeEach(() => {
  env.sim.control.reset();
  proxy.dryRuns.length = 0;
});

const ref = (...names: string[]) => names.map((name) => ({ id: env.id(name), name }));
const card = (p: Preflight) => renderBlockKit({ text: "preflight", blocks: preflightMessageParts(p) });
const text = (p: Preflight) => {
  const kit = card(p);
  return [...collectMrkdwn(kit), ...collectPlainText(kit)].join("\n");
};
/** The field line of a server's row on the card. */
const row = (p: Preflight, name: string) => {
  const lines = text(p).split("\n");
  return lines[lines.findIndex((l) => l.includes(`*\`${name}\`*`)) + 1] ?? "";
};
const dryRunRequests = () =>
  env.sim.control.requests().filter((r) => r.path.endsWith("/resize") && r.mutation === null);

describe("the resize card says who checked what", () => {
  it("passed: the bot's flavor check and the cloud's dry run, each for what it is", async () => {
    const p = await runPreflight(
      "resize",
      ref("web-03", "worker-01"),
      { flavorRef: "s6.large.2" },
      env.cloud,
      { flow: env.flows.resize },
    );
    expect(p.blocking).toBe(false);
    expect(p.targets.map((t) => t.resize?.dryRun)).toEqual(["passed", "passed"]);
    // A dry run for each server, the running one included (5.2.4 checks no state), and nothing changed.
    expect(dryRunRequests().map((r) => r.status)).toEqual([202, 202]);
    expect(env.sim.control.jobs()).toEqual([]);
    for (const name of ["web-03", "worker-01"]) {
      const fields = row(p, name);
      expect(fields).toContain(
        "Flavor check: in the region's flavor list, differs from the current one (the bot's own check)",
      );
      expect(fields).toContain(
        "Dry run: accepted by Huawei Cloud (it checks only the request's parameters and format)",
      );
    }
    expect(text(p)).not.toMatch(/Flavor check: passed|checked again/);
    await expect(toGoldenJson(card(p))).toMatchFileSnapshot("golden/preflight-resize-passed.json");
  });

  it("the dry run accepts an unknown flavor: with the flavor list unreadable, the card says it is not checked", async () => {
    env.sim.control.failNextRequests({ status: 503, count: 10, match: /\/cloudservers\/flavors$/ });
    const p = await runPreflight("resize", ref("worker-01"), { flavorRef: "x9.huge.99" }, env.cloud, {
      flow: env.flows.resize,
    });
    expect(p.blocking).toBe(false);
    expect(p.targets[0]!.resize?.dryRun).toBe("passed");
    expect(p.problems.map((x) => x.message)).toEqual([
      expect.stringMatching(
        /^the flavor list could not be read \(.+\), so whether flavor x9\.huge\.99 exists is not checked \(the dry run does not check it\)$/,
      ),
    ]);
    expect(row(p, "worker-01")).toContain(
      "Flavor check: not checked (the flavor list could not be read)  ·  Dry run: accepted by Huawei Cloud",
    );
  });

  it("inconclusive: a dry run refused for a running server says no second one follows the stop", async () => {
    const p = await runPreflight("resize", ref("web-03", "worker-01"), { flavorRef: "s6.large.2" }, proxied, {
      flow: env.flows.resize,
    });
    expect(proxy.dryRuns).toEqual([
      { serverId: env.id("web-03"), refused: true },
      { serverId: env.id("worker-01"), refused: false },
    ]);
    expect(p.blocking).toBe(false);
    expect(p.targets.map((t) => t.resize?.dryRun)).toEqual(["inconclusive", "passed"]);
    expect(p.problems.map((x) => x.message)).toEqual([
      "web-03: is running; it will be stopped, resized and started again",
      "web-03: Huawei Cloud's dry run refused the running server (Ecs.0100), so it checked nothing; no dry run follows the stop: if Huawei Cloud refuses the resize then, the bot starts web-03 again (it stays stopped only if the outcome is unknown)",
    ]);
    expect(row(p, "web-03")).toContain(
      "Dry run: inconclusive (refused for a running server); not run again after the stop",
    );
    expect(text(p)).not.toContain("checked again");
    await expect(toGoldenJson(card(p))).toMatchFileSnapshot("golden/preflight-resize-inconclusive.json");

    // What the card promises: the approved resize stops the server and resizes it with no dry run before.
    const { deps } = env.fresh();
    const spec = createSpecFactory("resizefix");
    const result = await executeFlow(spec("resize", env.targets("web-03"), { flavorRef: "s6.large.2" }), {
      ...deps,
      cloud: proxied,
    });
    expect(result.ok).toBe(true);
    expect(proxy.dryRuns).toHaveLength(2);
    expect(env.sim.control.server("web-03")).toMatchObject({ status: "ACTIVE", flavorId: "s6.large.2" });
  });

  it("rejected: a dry run refused for a stopped server blocks; the row says who refused", async () => {
    // A start job just accepted: still INIT, so the server shows no task yet, but ECS holds it.
    await env.cloud.ecs.startServers([env.id("worker-01")]);
    const p = await runPreflight("resize", ref("worker-01"), { flavorRef: "s6.large.2" }, proxied, {
      flow: env.flows.resize,
    });
    expect(proxy.dryRuns).toEqual([{ serverId: env.id("worker-01"), refused: true }]);
    expect(p.blocking).toBe(true);
    expect(p.problems.map((x) => `${x.severity}:${x.code}`)).toEqual(["blocking:dry_run_rejected"]);
    expect(p.targets[0]!.resize).toMatchObject({
      dryRun: "rejected",
      dryRunMessage: expect.stringContaining("Ecs.0100"),
    });
    expect(row(p, "worker-01")).toContain("Dry run: refused by Huawei Cloud (the reason is under Blocking)");
  });
});
