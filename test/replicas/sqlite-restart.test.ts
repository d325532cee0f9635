/**
 * The embedded SQLite store across restarts of real bot processes (`node src/main.ts`): a second process on
 * the file is refused at the process level; a pending approval survives a restart and executes when approved
 * after it; a job started before a restart (SIGTERM) is followed to the end by the next process.
 */
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import {
  APPROVE,
  IDS,
  type ReplicaWorld,
  requestIdOf,
  startReplicaWorld,
  textOf,
} from "./helpers/start-replica-world.js";

let world: ReplicaWorld;
let storeUrl: string;

beforeAll(async () => {
  world = await startReplicaWorld();
  storeUrl = `sqlite://${join(world.dir, "state.sqlite")}`;
});
afterAll(async () => {
  await world?.close();
});

it("a second process on the same SQLite file is refused, telling the operator to use Redis", async () => {
  const first = await world.startBot("first", storeUrl);
  const second = await world.startBot("second", storeUrl, {}, false);
  const { code } = await second.exited;
  expect(code).not.toBe(0);
  expect(second.output()).toContain("is already used by another hwc-chatops process");
  expect(second.output()).toContain("use Redis (STORE_URL=redis://…) to run more than one replica");
  // The first one is unaffected.
  expect((await fetch(`http://127.0.0.1:${first.port}/healthz`)).status).toBe(200);
  expect(await first.terminate()).toBe(0);
}, 120_000);

it("a pending approval made before a restart is approved after it and executes", async () => {
  const server = world.addServer("sqlite-pending-01");
  const before = await world.startBot("before", storeUrl);
  await world.command(before, "stop sqlite-pending-01 --hard");
  const card = await world.waitCard("/ecs stop sqlite-pending-01 --hard", (t) =>
    t.includes("Approval needed"),
  );
  expect(await before.terminate()).toBe(0);

  const after = await world.startBot("after", storeUrl);
  await world.deliver(after, world.clickPayload(card, APPROVE, IDS.bob));
  const done = await world.waitCard("/ecs stop sqlite-pending-01 --hard", (t) => t.includes("Done"));
  expect(requestIdOf(done)).toBe(requestIdOf(card));
  await world.waitFor(() => world.summaries(done, "stop").length === 1 || undefined);
  expect(world.sim.control.server(server.id)?.status).toBe("SHUTOFF");
  expect(
    world.mutations("batchStopServers").filter((r) => r.mutation?.serverIds.includes(server.id)),
  ).toHaveLength(1);
  expect(await after.terminate()).toBe(0);
}, 120_000);

it("a job started before a restart is followed to the end after it, reported once", async () => {
  const server = world.addServer("sqlite-job-01");
  world.sim.control.setJobTiming({ runningMs: 6_000 });
  try {
    const before = await world.startBot("before-job", storeUrl);
    // A soft stop is allowed: it runs at once.
    await world.command(before, "stop sqlite-job-01");
    const root = await world.waitCard("/ecs stop sqlite-job-01", (t) => t.includes("Running"));
    await world.waitFor(
      () =>
        world.mutations("batchStopServers").some((r) => r.mutation?.serverIds.includes(server.id)) ||
        undefined,
    );
    // SIGTERM while the job runs: the run stops at its safe point (the wait), its lease is released.
    expect(await before.terminate()).toBe(0);
    expect(world.sim.control.server(server.id)?.status).not.toBe("SHUTOFF");

    await world.startBot("after-job", storeUrl);
    await world.waitFor(() => world.summaries(root, "stop").length > 0 || undefined, 60_000);
    expect(world.summaries(root, "stop").map((m) => m.text)).toEqual(["stop: 1 stopped"]);
    expect(textOf(await world.waitCard("/ecs stop sqlite-job-01", (t) => t.includes("Done")))).toContain(
      "1 stopped",
    );
    expect(world.sim.control.server(server.id)?.status).toBe("SHUTOFF");
    expect(
      world.mutations("batchStopServers").filter((r) => r.mutation?.serverIds.includes(server.id)),
    ).toHaveLength(1);
    // One status message, carried on by the new process (not a second one).
    const statuses = world.replies(root).filter((m) => (m.text ?? "").startsWith("stop of 1 server"));
    expect(statuses).toHaveLength(1);
  } finally {
    world.sim.control.setJobTiming({ runningMs: 300 });
  }
}, 120_000);
