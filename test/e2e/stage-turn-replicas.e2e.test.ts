/**
 * The next stage's approvers are told once, whatever the replicas: two real bot processes share one Redis
 * namespace; the click that completes a staged request's first stage is delivered to both at once (a Slack
 * redelivery). Only the replica whose transition wins the store's compare-and-swap announces it: one thread
 * reply mentioning the next stage, one direct message to each of its approvers.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { stagedRebootPolicy } from "../helpers/staged-reboot-policy.js";
import { openSharedRedis, REDIS_URL, storeUrlOf } from "../replicas/helpers/shared-redis.js";
import type { BotProcess } from "../replicas/helpers/spawn-bot-process.js";
import {
  APPROVE,
  IDS,
  type ReplicaWorld,
  startReplicaWorld,
  textOf,
} from "../replicas/helpers/start-replica-world.js";

const namespace = `stage-turn-${process.pid}-${Date.now()}`;
let world: ReplicaWorld;
let cleanup: (() => Promise<void>) | undefined;
let a: BotProcess;
let b: BotProcess;

const STAGED = stagedRebootPolicy("dm");

beforeAll(async () => {
  const redis = await openSharedRedis(namespace);
  cleanup = redis.cleanup;
  const storeUrl = storeUrlOf(REDIS_URL, namespace);
  const dir = mkdtempSync(join(tmpdir(), "hwc-stage-turn-"));
  const policyFile = join(dir, "policy.yml");
  writeFileSync(policyFile, STAGED);
  world = await startReplicaWorld();
  [a, b] = await Promise.all([
    world.startBot("A", storeUrl, { POLICY_FILE: policyFile }),
    world.startBot("B", storeUrl, { POLICY_FILE: policyFile }),
  ]);
}, 120_000);

afterAll(async () => {
  await world?.close();
  await cleanup?.();
});

it("the approval completing a stage, delivered to both replicas: the next stage is messaged once each", async () => {
  world.addServer("rep-stage-01");
  await world.command(a, "reboot rep-stage-01 --hard", { user: IDS.dave });
  const card = await world.waitCard("/ecs reboot rep-stage-01 --hard", (t) => t.includes("Approval needed"));
  const dms = (channel: string) => world.fake.messages(channel).map((m) => textOf(m));
  await world.waitFor(() => (dms("D_BOB").length > 0 && dms("D_CAROL").length > 0) || undefined);
  expect(dms("D_ERIN")).toEqual([]);

  const payload = world.clickPayload(card, APPROVE, IDS.bob);
  const results = await Promise.all([
    world.deliver(a, payload),
    world.deliver(b, payload, { retryNum: 1, retryReason: "timeout" }),
  ]);
  expect(results.map((r) => r.status)).toEqual([200, 200]);
  await world.waitCard("/ecs reboot rep-stage-01 --hard", (t) => t.includes("now: security"));
  await world.waitFor(() => (dms("D_ERIN").length > 0 && dms("D_ALICE").length > 0) || undefined);
  const thread = () =>
    world.fake
      .thread(card.channel, card.ts)
      .slice(1)
      .map((m) => textOf(m));
  await world.waitFor(() => thread().some((t) => t.includes("which is complete")) || undefined);
  // Long enough for a second announcement, had the other replica made one.
  await new Promise((resolve) => setTimeout(resolve, 1_500));
  expect(dms("D_ERIN")).toHaveLength(1);
  expect(dms("D_ALICE")).toHaveLength(1);
  expect(dms("D_ERIN")[0]).toContain("stage *security* (2 of 2): 0 of 1");
  expect(thread().filter((t) => t.includes("which is complete"))).toHaveLength(1);
  expect(dms("D_BOB")).toHaveLength(1);
}, 120_000);
