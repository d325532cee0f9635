import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCloudClient } from "../../src/cloud/create-cloud-client.js";
import type { CloudClient } from "../../src/cloud/types.js";
import { runReadQuery } from "../../src/commands/read/run-read-query.js";
import type { ReadIntent } from "../../src/commands/types.js";
import { parseIntent } from "../../src/intents/index.js";
import { renderBlockKit } from "../../src/render/render-block-kit.js";
import {
  type CloudSimulator,
  simulatorCloudConfig,
  startCloudSimulator,
} from "../../src/sandbox/cloud/index.js";
import { blocksText } from "../helpers/read-slack-blocks.js";

/** The read-only queries against the simulated cloud (the ones the Slack e2e tests do not cover). */
let sim: CloudSimulator;
let cloud: CloudClient;

beforeAll(async () => {
  sim = await startCloudSimulator({ servers: 40 });
  cloud = createCloudClient({
    ...simulatorCloudConfig(sim),
    connectTimeoutMs: 2_000,
    requestTimeoutMs: 10_000,
  });
});
afterAll(async () => {
  await cloud.close();
  await sim.close();
});

function read(command: string, text: string, page = 1): Promise<string> {
  const parsed = parseIntent(command, text);
  if (!parsed.ok) throw new Error(parsed.error.message);
  return runReadQuery(parsed.intent as ReadIntent, { page, controls: { token: "tok" } }, { cloud }).then(
    (m) => blocksText(renderBlockKit(m).blocks),
  );
}

describe("runReadQuery against the simulator", () => {
  it("/ecs list with filters: status and tag", async () => {
    const text = await read("/ecs", "list status=SHUTOFF tag=env=prod");
    const expected = sim.control
      .servers()
      .filter((s) => s.status === "SHUTOFF" && s.tags.env === "prod")
      .map((s) => s.name);
    expect(expected.length).toBeGreaterThan(0);
    for (const name of expected) expect(text).toContain(`*\`${name}\`*`);
    expect(text).toContain(`${expected.length} in total`);
    expect(text).toContain("status `SHUTOFF`");
  });

  it("/ecs flavors: min vCPUs and RAM applied, smallest first", async () => {
    const text = await read("/ecs", "flavors min-vcpus=4 min-ram=8G");
    const expected = sim.control.flavors().filter((f) => f.vcpus >= 4 && f.ramMb >= 8192);
    expect(expected.length).toBeGreaterThan(0);
    for (const f of expected.slice(0, 20)) expect(text).toContain(f.id);
    for (const f of sim.control.flavors().filter((x) => x.vcpus < 4))
      expect(text).not.toContain(`\`${f.id}\``);
  });

  it("/ecs job: a real job's status; an unknown job is explained", async () => {
    const shutoff = sim.control.servers().find((s) => s.status === "SHUTOFF");
    const result = await cloud.ecs.startServers([shutoff?.id ?? ""]);
    const jobId = result.jobs[0]?.jobId ?? "";
    const text = await read("/ecs", `job ${jobId}`);
    expect(text).toContain(jobId);
    expect(text).toMatch(/INIT|RUNNING|SUCCESS/);
    expect(await read("/ecs", "job ff80808288d41e1b0189902609550000")).toContain("No ECS job");
  });

  it("/hss hosts risk: only hosts with risks, with counts", async () => {
    const text = await read("/hss", "hosts risk");
    expect(text).toContain("with risks");
    const clean = sim.control
      .servers()
      .map((s) => sim.control.host(s.id))
      .filter((h) => h && h.detectResult !== "risk" && h.vulnerability + h.baseline + h.intrusion === 0);
    for (const h of clean) expect(text).not.toContain(`*${h?.hostName}*`);
  });

  it("/hss hosts agent=offline: the service filter", async () => {
    const text = await read("/hss", "hosts agent=offline");
    expect(text).toContain("agent `offline`");
    expect(text).not.toContain(":large_green_circle: online");
  });

  it("/hss scan: a task's hosts, failures first", async () => {
    const task = sim.control.scanTasks()[0];
    expect(task).toBeDefined();
    const text = await read("/hss", `scan ${task?.id}`);
    expect(text).toContain(task?.id);
    const n = task?.hostCount ?? 0;
    expect(text).toContain(n > 20 ? `Showing 1–20 of ${n}` : `${n} in total`);
    if ((task?.failed ?? 0) > 0)
      expect(text.indexOf(":x:")).toBeLessThan(text.indexOf(":large_green_circle:"));
  });

  it("an unknown scan task is answered plainly (HSS.0011 is not shown as a rejected request)", async () => {
    const text = await read("/hss", "scan no-such-task status=failed");
    expect(text).toContain("No HSS scan task `no-such-task`");
    expect(text).toContain("`/hss scan` lists the recent ones");
    expect(text).not.toContain("HSS.0011");
  });

  it("page 2 of the list", async () => {
    const text = await read("/ecs", "list", 2);
    expect(text).toContain("Showing 21–40 of 40");
  });
});
