/**
 * The bot's flavor check against the simulator over loopback: a flavor sold out or abandoned in the server's
 * AZ is refused before approval, naming the flavor, the AZ, where it is sold and similar flavors on sale
 * there, from the one flavor list the check reads anyway (no AZ query, no extra server read, no dry run for
 * the refused server). A flavor in open beta there is not refused, and the card says so.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { renderBlockKit } from "../../src/render/render-block-kit.js";
import { preflightMessageParts } from "../../src/workflow/preflight-message-parts.js";
import type { Preflight } from "../../src/workflow/preflight-types.js";
import { runPreflight } from "../../src/workflow/run-preflight.js";
import { collectMrkdwn, collectPlainText, toGoldenJson } from "../render/block-kit-test-helpers.js";
import { startWorkflowEnv, type WorkflowEnv } from "./helpers/start-workflow-env.js";

let env: WorkflowEnv;
beforeAll(async () => {
  env = await startWorkflowEnv();
});
afterAll(async () => {
  await env.close();
});
beforeEach(() => env.sim.control.reset());

const ref = (...names: string[]) => names.map((name) => ({ id: env.id(name), name }));
const card = (p: Preflight) => renderBlockKit({ text: "preflight", blocks: preflightMessageParts(p) });
const text = (p: Preflight) => {
  const kit = card(p);
  return [...collectMrkdwn(kit), ...collectPlainText(kit)].join("\n");
};
const row = (p: Preflight, name: string) => {
  const lines = text(p).split("\n");
  return lines[lines.findIndex((l) => l.includes(`*\`${name}\`*`)) + 1] ?? "";
};
const requests = () => env.sim.control.requests();
const dryRuns = () => requests().filter((r) => r.path.endsWith("/resize"));
const flavorReads = () => requests().filter((r) => r.path.endsWith("/cloudservers/flavors"));

describe("the bot's flavor check: sold in the server's AZ", () => {
  it("sold out in the server's AZ: refused before approval, with where it is sold and similar flavors", async () => {
    // web-02 is in cn-north-4b, where m6.2xlarge.8 is sold out.
    const p = await runPreflight("resize", ref("web-02"), { flavorRef: "m6.2xlarge.8" }, env.cloud, {
      flow: env.flows.resize,
    });
    expect(p.blocking).toBe(true);
    expect(p.problems.filter((x) => x.severity === "blocking")).toEqual([
      {
        severity: "blocking",
        code: "flavor_not_sold",
        serverId: env.id("web-02"),
        message:
          "web-02: flavor m6.2xlarge.8 is sold out (sellout) in cn-north-4b, the AZ of web-02, and a resize cannot " +
          "move it to another AZ. It is sold in the region's other AZs. Similar flavors on sale in cn-north-4b: " +
          "c7.2xlarge.4 (8 vCPU, 32 GiB), m6.large.8 (2 vCPU, 16 GiB), c7.xlarge.2 (4 vCPU, 8 GiB). " +
          "/ecs flavors az=cn-north-4b lists them.",
      },
    ]);
    expect(row(p, "web-02")).toContain("Flavor check: failed (the reason is under Blocking)");
    // One flavor list, the region's (no AZ query), and no dry run: the bot's check already refused it.
    expect(flavorReads().map((r) => r.query)).toEqual([{}]);
    expect(dryRuns()).toEqual([]);
    expect(env.sim.control.jobs()).toEqual([]);
    await expect(toGoldenJson(card(p))).toMatchFileSnapshot("golden/preflight-resize-flavor-not-sold.json");
  });

  it("abandoned but sold in one AZ: 'sold only in' it; the other server of the request is checked as usual", async () => {
    // worker-01 (cn-north-4c) is on s6.small.1 and stays out of it; web-03 is in cn-north-4a, web-04 in cn-north-4c.
    const p = await runPreflight("resize", ref("web-03", "web-04"), { flavorRef: "s6.small.1" }, env.cloud, {
      flow: env.flows.resize,
    });
    expect(p.problems.filter((x) => x.severity === "blocking").map((x) => [x.serverId, x.message])).toEqual([
      [
        env.id("web-04"),
        expect.stringMatching(
          /^web-04: flavor s6\.small\.1 is no longer sold \(abandoned\) in cn-north-4c, the AZ of web-04, .* It is sold only in cn-north-4a\. Similar flavors on sale in cn-north-4c: /,
        ),
      ],
    ]);
    expect(dryRuns().map((r) => r.path)).toEqual([expect.stringContaining(env.id("web-03"))]);
    expect(row(p, "web-03")).toContain(
      "Flavor check: in the region's flavor list, differs from the current one",
    );
    expect(row(p, "web-04")).toContain("Flavor check: failed (the reason is under Blocking)");
  });

  it("in open beta in the server's AZ: not refused, and the card says so", async () => {
    // cache-02 is in cn-north-4c, where c7.2xlarge.4 is in open beta (obt).
    const p = await runPreflight("resize", ref("cache-02"), { flavorRef: "c7.2xlarge.4" }, env.cloud, {
      flow: env.flows.resize,
    });
    expect(p.problems.filter((x) => x.code === "flavor_not_sold")).toEqual([]);
    expect(p.targets[0]!.resize?.sale).toEqual({
      availabilityZone: "cn-north-4c",
      status: "obt",
      sale: "open_beta",
    });
    expect(row(p, "cache-02")).toContain(
      "Flavor check: in the region's flavor list, in open beta in cn-north-4c (obt), differs from the current one (the bot's own check)",
    );
  });
});
