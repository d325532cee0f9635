/**
 * An unknown mutation outcome is settled as soon as the servers show it, over signed HTTP against the fake
 * Slack and the simulated cloud: the answer of the call lost after it was committed, a job that cannot be read,
 * a 5xx on the call, and (as real processes) a crash after the intent was saved. The shipped flows wait up to
 * 15 minutes; nothing here waits for that, and nothing is ever sent twice.
 */
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { FakeSlackMessage } from "../../src/sandbox/slack/index.js";
import { type ReplicaWorld, startReplicaWorld } from "../replicas/helpers/start-replica-world.js";
import { type OperationsHarness, startOperationsHarness, textOf } from "./helpers/operations-harness.js";

describe("in the bot (one process)", () => {
  let h: OperationsHarness;
  beforeAll(async () => {
    h = await startOperationsHarness();
  });
  afterAll(async () => {
    await h?.close();
  });
  beforeEach(async () => {
    await h.ops.idle();
    h.sim.control.reset();
  });

  let seq = 0;
  /** A dev server of our own: a soft stop of it is allowed outright. */
  function addServer(): { id: string; name: string } {
    seq++;
    return h.sim.control.addServer({ name: `unknown-${seq}`, status: "ACTIVE", tags: { env: "dev" } });
  }

  async function stop(name: string): Promise<FakeSlackMessage> {
    expect((await h.command(`stop ${name}`)).status).toBe(200);
    return h.waitCard(`/ecs stop ${name}`);
  }

  const summaryOf = (card: FakeSlackMessage) =>
    h.replies(card).find((m) => (m.text ?? "").startsWith("stop: "));

  it("the stop was committed but its answer lost: settled as stopped from the server, not resent", async () => {
    const server = addServer();
    h.sim.control.setFaults({ dropAfterCommit: { count: 1, match: "/cloudservers/action" } });
    const card = await stop(server.name);
    const summary = await h.fake.waitFor(() => summaryOf(card));
    expect(summary.text).toBe("stop: 1 stopped");
    expect(h.mutations("batchStopServers")).toHaveLength(1);
    expect(h.mutations("batchStopServers")[0]).toMatchObject({ fault: "drop" });
    expect(h.sim.control.server(server.id)?.status).toBe("SHUTOFF");
    await h.waitCard(`/ecs stop ${server.name}`, (t) => t.includes("Done"));
  });

  it("the stop was accepted but its job answers 5xx on every poll: settled once the server is SHUTOFF", async () => {
    const server = addServer();
    h.sim.control.failNextRequests({ status: 503, count: 100_000, method: "GET", match: "/jobs/" });
    const card = await stop(server.name);
    // Without the servers' state this waited for the step's 15 minute timeout, and ended "unknown".
    const summary = await h.fake.waitFor(() => summaryOf(card), 20_000);
    expect(summary.text).toBe("stop: 1 stopped");
    expect(h.mutations("batchStopServers")).toHaveLength(1);
    const jobPolls = h.sim.control.requests().filter((r) => r.path.includes("/jobs/"));
    expect(jobPolls.length).toBeGreaterThan(0);
    expect(jobPolls.every((r) => r.status === 503)).toBe(true);
  });

  it("a 5xx on the call: nothing is concluded while nothing shows, then it is settled the moment the server stops", async () => {
    const server = addServer();
    // Answered before the service: the stop never happened, but the bot cannot know that.
    h.sim.control.failNextRequests({ status: 503, method: "POST", match: "/cloudservers/action" });
    const card = await stop(server.name);
    await h.fake.waitFor(() => h.replies(card).find((m) => textOf(m).includes("running")));
    // Many polls of the server pass (every 15–40 ms); it is still ACTIVE, so nothing is concluded.
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(summaryOf(card)).toBeUndefined();
    // Someone stops it (in the console): the transition the stop was waiting for is now visible.
    h.sim.control.setServer(server.id, { status: "SHUTOFF" });
    const summary = await h.fake.waitFor(() => summaryOf(card), 10_000);
    expect(summary.text).toBe("stop: 1 stopped");
    // The one call, answered 503 before the service; never sent again.
    const calls = h.sim.control.requests().filter((r) => r.method === "POST" && r.path.endsWith("/action"));
    expect(calls.map((r) => r.status)).toEqual([503]);
  });
});

describe("after a crash (real processes, the shipped 15 minute wait)", () => {
  let world: ReplicaWorld;
  beforeAll(async () => {
    world = await startReplicaWorld();
  });
  afterAll(async () => {
    await world?.close();
  });

  const stopsOf = (serverId: string) =>
    world.mutations("batchStopServers").filter((r) => r.mutation?.serverIds.includes(serverId));

  it("crash after the intent was saved: the restarted bot settles it as soon as the server shows the stop", async () => {
    const server = world.addServer("crash-unknown-01");
    const storeUrl = `sqlite://${join(world.dir, "crash-unknown.sqlite")}`;
    const doomed = await world.startBot("doomed", storeUrl, { HWC_FAULT_POINT: "after-intent" });
    await world.command(doomed, "stop crash-unknown-01");
    expect((await doomed.exited).code).toBe(137);
    const root = await world.waitCard("/ecs stop crash-unknown-01");
    await world.startBot("restarted", storeUrl);
    // The call never left, and nothing shows: no conclusion yet (the wait would go on for 15 minutes).
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    expect(world.summaries(root, "stop")).toEqual([]);
    // The server stops (by hand, in the console): settled at the next poll, nothing sent.
    world.sim.control.setServer(server.id, { status: "SHUTOFF" });
    await world.waitFor(() => world.summaries(root, "stop")[0], 30_000);
    expect(world.summaries(root, "stop").map((m) => m.text)).toEqual(["stop: 1 stopped"]);
    expect(stopsOf(server.id)).toHaveLength(0);
  }, 120_000);

  it("crash after the call was committed and its answer lost: settled from the server at once", async () => {
    const server = world.addServer("crash-unknown-02");
    const storeUrl = `sqlite://${join(world.dir, "crash-unknown-send.sqlite")}`;
    world.sim.control.setFaults({ dropAfterCommit: { count: 1, match: "/cloudservers/action" } });
    try {
      const doomed = await world.startBot("doomed-send", storeUrl, { HWC_FAULT_POINT: "after-send" });
      await world.command(doomed, "stop crash-unknown-02");
      expect((await doomed.exited).code).toBe(137);
    } finally {
      world.sim.control.setFaults({ dropAfterCommit: null });
    }
    const root = await world.waitCard("/ecs stop crash-unknown-02");
    await world.startBot("restarted-send", storeUrl);
    // Well inside the 15 minute wait: the stop shows on the server at the first poll.
    await world.waitFor(() => world.summaries(root, "stop")[0], 30_000);
    expect(world.summaries(root, "stop").map((m) => m.text)).toEqual(["stop: 1 stopped"]);
    expect(stopsOf(server.id)).toHaveLength(1);
  }, 120_000);
});
