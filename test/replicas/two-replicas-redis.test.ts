/**
 * Two real bot processes (`node src/main.ts`) sharing one Redis namespace, behind no load balancer: the test
 * delivers each request to whichever replica it wants, or to both.
 * - The same approval clicked 50 times, each click delivered to both replicas at once: one execution (the
 *   simulator saw one stop call), every click answered exactly once.
 * - `kill -9` of the replica following a long job: the other adopts the run when its lease expires, finishes
 *   it and posts the one final summary.
 * - SIGTERM of the replica following a job: the run is handed over at once (lease released), finished by the
 *   other replica, reported once.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import type { FakeSlackMessage } from "../../src/sandbox/slack/index.js";
import type { Store } from "../../src/store/store.js";
import type { RunRecord } from "../../src/workflow/run-record.js";
import { openSharedRedis, REDIS_URL, storeUrlOf } from "./helpers/shared-redis.js";
import type { BotProcess } from "./helpers/spawn-bot-process.js";
import {
  APPROVE,
  eventually,
  IDS,
  type ReplicaWorld,
  requestIdOf,
  startReplicaWorld,
  textOf,
} from "./helpers/start-replica-world.js";

const namespace = `replicas-${process.pid}-${Date.now()}`;
let world: ReplicaWorld;
let store: Store;
let cleanup: (() => Promise<void>) | undefined;
let storeUrl: string;
let a: BotProcess;
let b: BotProcess;

beforeAll(async () => {
  const redis = await openSharedRedis(namespace);
  store = redis.store;
  cleanup = redis.cleanup;
  storeUrl = storeUrlOf(REDIS_URL, namespace);
  world = await startReplicaWorld();
  [a, b] = await Promise.all([world.startBot("A", storeUrl), world.startBot("B", storeUrl)]);
}, 120_000);

afterAll(async () => {
  await world?.close();
  await cleanup?.();
});

const stopsOf = (serverId: string) =>
  world.mutations("batchStopServers").filter((r) => r.mutation?.serverIds.includes(serverId));

/** The run of a request, once claimed: its ID, and the replica holding its lease. */
async function runOf(requestId: string): Promise<{ runId: string; ownerPid: number; record: RunRecord }> {
  return eventually(
    async () => {
      const request = (await store.get<{ execution?: { executionId: string } }>(`approval:${requestId}`))
        ?.value;
      const runId = request?.execution?.executionId;
      if (runId === undefined) return undefined;
      const [lease, record] = await Promise.all([
        store.getLease(`run:${runId}`),
        store.get<RunRecord>(`flowrun:${runId}`),
      ]);
      if (lease === undefined || record === undefined) return undefined;
      return { runId, ownerPid: Number(lease.owner.split("-")[0]), record: record.value };
    },
    60_000,
    "the run and its lease",
  );
}

/** Waits until the run's stop call was accepted and its job ID saved, and its status message recorded. */
async function jobSaved(requestId: string) {
  return eventually(
    async () => {
      const run = await runOf(requestId);
      const stop = run.record.steps.find((s) => s.id === "stop");
      const details = await store.get<{ statusMessage?: unknown }>(`opsrequest:${requestId}`);
      return stop?.mutations[0]?.state === "accepted" && details?.value.statusMessage !== undefined
        ? run
        : undefined;
    },
    60_000,
    "the job ID and the status message to be saved",
  );
}

function replicaWithPid(pid: number): { owner: BotProcess; other: BotProcess } {
  if (a.child.pid === pid) return { owner: a, other: b };
  if (b.child.pid === pid) return { owner: b, other: a };
  throw new Error(`no replica with pid ${pid}`);
}

it("50 concurrent clicks on one approval, each delivered to both replicas: one execution, each click answered once", async () => {
  const server = world.addServer("rep-click-01");
  await world.command(a, "stop rep-click-01 --hard");
  const card = await world.waitCard("/ecs stop rep-click-01 --hard", (t) => t.includes("Approval needed"));

  const payloads = Array.from({ length: 50 }, (_, i) =>
    world.clickPayload(card, APPROVE, i % 2 === 0 ? IDS.bob : IDS.carol),
  );
  const results = await Promise.all(
    payloads.flatMap((p) => [
      world.deliver(a, p),
      world.deliver(b, p, { retryNum: 1, retryReason: "timeout" }),
    ]),
  );
  expect(results.map((r) => r.status)).toEqual(results.map(() => 200));

  const responseIds = payloads.map((p) => String(p.response_url).split("/").at(-1));
  let done: FakeSlackMessage;
  try {
    done = await world.waitCard("/ecs stop rep-click-01 --hard", (t) => t.includes("Done"));
    await world.waitFor(() => world.summaries(done, "stop").length > 0 || undefined);
    // Every click got exactly one answer, from one replica: the other delivery of it was a redelivery.
    await world.waitFor(
      () =>
        responseIds.every((id) => world.fake.responses().some((r) => r.responseUrlId === id)) || undefined,
    );
  } catch (error) {
    const unanswered = responseIds.filter(
      (id) => !world.fake.responses().some((r) => r.responseUrlId === id),
    );
    const problems = (bot: BotProcess) =>
      bot
        .output()
        .split("\n")
        .filter((l) => /"level":(40|50|60)/.test(l))
        .slice(-20)
        .join("\n");
    throw new Error(
      `${(error as Error).message}\ncard: ${textOf(world.fake.message(card.channel, card.ts))}\n` +
        `unanswered clicks: ${unanswered.length}; stops: ${stopsOf(server.id).length}\n` +
        `A:\n${problems(a)}\nB:\n${problems(b)}`,
    );
  }
  for (const id of responseIds)
    expect(world.fake.responses().filter((r) => r.responseUrlId === id)).toHaveLength(1);

  expect(stopsOf(server.id)).toHaveLength(1);
  expect(world.summaries(done, "stop").map((m) => m.text)).toEqual(["stop: 1 stopped"]);
  expect(world.sim.control.server(server.id)?.status).toBe("SHUTOFF");
  const audit = await store.readLog<{ type: string; requestId?: string }>("audit", {
    limit: 1000,
    filter: (e) => e.requestId === requestIdOf(card),
  });
  expect(audit.filter((e) => e.record.type === "request.approved")).toHaveLength(1);
  expect(audit.filter((e) => e.record.type === "execution.started")).toHaveLength(1);
}, 120_000);

/** Starts a soft stop (allowed: it runs at once) of a long job; resolves once its job ID is saved. */
async function startLongStop(name: string, via: BotProcess) {
  const server = world.addServer(name);
  world.sim.control.setJobTiming({ runningMs: 10_000 });
  await world.command(via, `stop ${name}`);
  const root = await world.waitCard(`/ecs stop ${name}`, (t) => t.includes("Running"));
  const run = await jobSaved(requestIdOf(root));
  world.sim.control.setJobTiming({ runningMs: 300 });
  return { server, root, run };
}

async function expectFinishedOnce(root: FakeSlackMessage, serverId: string, name: string) {
  await world.waitFor(() => world.summaries(root, "stop").length > 0 || undefined, 90_000);
  const done = await world.waitCard(`/ecs stop ${name}`, (t) => t.includes("Done"));
  expect(textOf(done)).toContain("1 stopped");
  expect(world.summaries(root, "stop").map((m) => m.text)).toEqual(["stop: 1 stopped"]);
  expect(stopsOf(serverId)).toHaveLength(1);
  expect(world.sim.control.server(serverId)?.status).toBe("SHUTOFF");
  // The replica that took over carried on the same status message.
  expect(world.replies(root).filter((m) => (m.text ?? "").startsWith("stop of 1 server"))).toHaveLength(1);
}

it("kill -9 of the replica following a long job: the other finishes it and reports once", async () => {
  const { server, root, run } = await startLongStop("rep-kill-01", a);
  const { owner, other } = replicaWithPid(run.ownerPid);
  await owner.killHard();
  expect(world.sim.control.server(server.id)?.status).not.toBe("SHUTOFF");

  await expectFinishedOnce(root, server.id, "rep-kill-01");
  expect(textOf(world.summaries(root, "stop")[0])).toContain("resumed 1×");
  // The survivor drove it: the lease was taken by its process.
  expect(other.output()).toContain("adopting an unfinished run");

  // Bring the killed one back for the next test.
  const restarted = await world.startBot(`${owner.name}2`, storeUrl);
  if (owner === a) a = restarted;
  else b = restarted;
}, 180_000);

it("SIGTERM of the replica following a job hands the run over at once; the other finishes it, reported once", async () => {
  const { server, root, run } = await startLongStop("rep-term-01", b);
  const { owner, other } = replicaWithPid(run.ownerPid);
  expect(await owner.terminate()).toBe(0);
  // Released, not expired: the other replica adopts it without waiting for the lease TTL.
  expect(await store.getLease(`run:${run.runId}`).then((l) => l?.owner.split("-")[0])).not.toBe(
    String(run.ownerPid),
  );

  await expectFinishedOnce(root, server.id, "rep-term-01");
  expect(other.output()).toContain("adopting an unfinished run");
}, 180_000);
