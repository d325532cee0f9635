/**
 * A bot process dying inside a mutation, at the two points where a naive executor would resend it:
 * - between "intent saved" and "request sent" (`HWC_FAULT_POINT=after-intent`: the process exits 137 there);
 * - between "request sent" and "job ID saved": the simulator commits the stop and drops the response
 *   (commit-then-drop), and `HWC_FAULT_POINT=after-send` makes the process exit 137 before it records anything.
 * After a restart on the same SQLite file, no second mutation reaches the simulator and the outcome is
 * reported once, correctly: unknown when the call never left (nobody can know), done when the servers show it.
 */
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { type ReplicaWorld, startReplicaWorld, textOf } from "./helpers/start-replica-world.js";

let world: ReplicaWorld;

beforeAll(async () => {
  // A call that never left leaves its server as it was: its wait gives up after 5 s instead of 15 minutes.
  world = await startReplicaWorld({ stopWaitTimeout: "5s" });
});
afterAll(async () => {
  await world?.close();
});

const stopsOf = (serverId: string) =>
  world.mutations("batchStopServers").filter((r) => r.mutation?.serverIds.includes(serverId));

it("crash after the intent was saved, before the call: nothing is sent after the restart, the outcome is unknown", async () => {
  const server = world.addServer("crash-intent-01");
  const storeUrl = `sqlite://${join(world.dir, "crash-intent.sqlite")}`;
  const doomed = await world.startBot("doomed", storeUrl, { HWC_FAULT_POINT: "after-intent" });
  await world.command(doomed, "stop crash-intent-01");
  const { code } = await doomed.exited;
  expect(code).toBe(137);
  expect(doomed.output()).toContain("fault point after-intent reached");
  expect(stopsOf(server.id)).toHaveLength(0);
  const root = await world.waitCard("/ecs stop crash-intent-01");

  await world.startBot("restarted", storeUrl);
  await world.waitFor(() => world.summaries(root, "stop").length > 0 || undefined, 60_000);
  const [summary, ...more] = world.summaries(root, "stop");
  expect(more).toHaveLength(0);
  expect(summary?.text).toBe("stop: outcome unknown for 1 server");
  expect(textOf(summary)).toContain("may not have arrived");
  expect(stopsOf(server.id)).toHaveLength(0);
  expect(world.sim.control.server(server.id)?.status).toBe("ACTIVE");
  const card = await world.waitCard("/ecs stop crash-intent-01", (t) => /unknown/i.test(t));
  expect(textOf(card)).not.toContain("Done");
}, 120_000);

it("crash after the call was committed and its answer lost, before the job ID was saved: reconciled from the servers", async () => {
  const server = world.addServer("crash-send-01");
  const storeUrl = `sqlite://${join(world.dir, "crash-send.sqlite")}`;
  world.sim.control.setFaults({ dropAfterCommit: { count: 1, match: "/cloudservers/action" } });
  try {
    const doomed = await world.startBot("doomed-send", storeUrl, { HWC_FAULT_POINT: "after-send" });
    await world.command(doomed, "stop crash-send-01");
    const { code } = await doomed.exited;
    expect(code).toBe(137);
    expect(doomed.output()).toContain("fault point after-send reached");
  } finally {
    world.sim.control.setFaults({ dropAfterCommit: null });
  }
  // The simulator did stop it: the call arrived once.
  expect(stopsOf(server.id)).toHaveLength(1);
  const root = await world.waitCard("/ecs stop crash-send-01");

  await world.startBot("restarted-send", storeUrl);
  await world.waitFor(() => world.summaries(root, "stop").length > 0 || undefined, 60_000);
  const [summary, ...more] = world.summaries(root, "stop");
  expect(more).toHaveLength(0);
  expect(summary?.text).toBe("stop: 1 stopped");
  expect(textOf(summary)).toContain("resumed 1×");
  expect(stopsOf(server.id)).toHaveLength(1);
  expect(world.sim.control.server(server.id)?.status).toBe("SHUTOFF");
  expect(textOf(await world.waitCard("/ecs stop crash-send-01", (t) => t.includes("Done")))).toContain(
    "1 stopped",
  );
}, 120_000);
