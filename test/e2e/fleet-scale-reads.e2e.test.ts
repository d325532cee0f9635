/**
 * Reads proportional to the work on a 10,000-server fleet: the cloud requests of a command are counted from
 * the simulator's request log (what the cloud saw), never from our own counters.
 */
import { afterAll, beforeAll, beforeEach, expect, it } from "vitest";
import { IDS, type OperationsHarness, startOperationsHarness, textOf } from "./helpers/operations-harness.js";

let h: OperationsHarness;
beforeAll(async () => {
  // Jobs finish before their first poll is due: one poll each, so the counts are the reads of the command.
  h = await startOperationsHarness({
    servers: 10_000,
    jobTiming: { initMs: 5, runningMs: 10 },
    jobPolls: { earlyIntervalMs: 100, lateIntervalMs: 100 },
  });
}, 60_000);
afterAll(async () => {
  await h?.close();
});
beforeEach(async () => {
  await h.ops.idle();
  h.sim.control.reset();
});

function ecsRequests() {
  return h.sim.control.requests().filter((r) => !r.path.includes("/auth/") && !r.path.startsWith("/v5/"));
}

it("/ecs stop web-01 (allowed) makes at most 5 ECS requests on a 10,000-server fleet", async () => {
  h.sim.control.setServer(h.serverId("web-01"), { tags: { env: "dev", team: "platform", role: "web" } });
  h.sim.control.clearRequests?.();
  const before = h.sim.control.requests().length;
  await h.command("stop web-01");
  await h.waitCard("/ecs stop web-01", (t) => t.includes("Done"));
  await h.ops.idle();
  const made = ecsRequests().slice(before);
  console.log(made.map((r) => `${r.method} ${r.path} ${JSON.stringify(r.query)}`).join("\n"));
  expect(made.length).toBeLessThanOrEqual(5);
});
