/**
 * Two real bot processes in Socket Mode (one WebSocket each, the same app token) on one Redis namespace: the
 * fake Slack spreads envelopes over the connections; a click re-sent on the other connection (as Slack does
 * when an envelope goes unacknowledged) is handled once, and the approved request executes once.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { openSharedRedis, REDIS_URL, storeUrlOf } from "./helpers/shared-redis.js";
import { APPROVE, IDS, type ReplicaWorld, startReplicaWorld, textOf } from "./helpers/start-replica-world.js";

const namespace = `replicas-socket-${process.pid}-${Date.now()}`;
let world: ReplicaWorld;
let cleanup: (() => Promise<void>) | undefined;

beforeAll(async () => {
  cleanup = (await openSharedRedis(namespace)).cleanup;
  world = await startReplicaWorld();
  // The default lease TTL, not the world's 3 s: nothing here is taken over, and on a loaded CI machine a
  // renewal late by 3 s would suspend the run mid-stop (an unknown outcome, rightly never re-sent).
  const socket = { SLACK_APP_TOKEN: world.fake.appToken, RUN_LEASE_TTL: "30s" };
  const storeUrl = storeUrlOf(REDIS_URL, namespace);
  // Socket Mode opens no port: ready means connected.
  await world.startBot("S1", storeUrl, socket, false);
  await world.startBot("S2", storeUrl, socket, false);
  await world.fake.waitForSocketConnections(2, 60_000);
}, 120_000);

afterAll(async () => {
  await world?.close();
  await cleanup?.();
});

it("commands and clicks over two connections; a click re-sent on the other connection is handled once", async () => {
  const server = world.addServer("sock-01");
  const [one, two] = world.fake.socketConnections().filter((c) => c.open);
  if (one === undefined || two === undefined) throw new Error("two connections expected");
  await world.fake.deliverSocket(
    "slash_commands",
    world.fake.buildSlashCommand({ text: "stop sock-01 --hard", command: "/ecs", user: IDS.alice }),
    { connectionId: one.id },
  );
  const card = await world.waitCard("/ecs stop sock-01 --hard", (t) => t.includes("Approval needed"));

  const click = world.clickPayload(card, APPROVE, IDS.bob);
  await Promise.all([
    world.fake.deliverSocket("interactive", click, { connectionId: one.id }),
    world.fake.deliverSocket("interactive", click, { connectionId: two.id }),
  ]);
  const done = await world.waitCard("/ecs stop sock-01 --hard", (t) => t.includes("Done"));
  expect(textOf(done)).toContain("1 stopped");
  await world.waitFor(() => world.summaries(done, "stop").length > 0 || undefined);
  expect(world.summaries(done, "stop")).toHaveLength(1);
  expect(
    world.mutations("batchStopServers").filter((r) => r.mutation?.serverIds.includes(server.id)),
  ).toHaveLength(1);
  const responseId = String(click.response_url).split("/").at(-1);
  expect(world.fake.responses().filter((r) => r.responseUrlId === responseId)).toHaveLength(1);
}, 120_000);
