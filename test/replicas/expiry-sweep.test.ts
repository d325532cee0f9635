/**
 * The expiry sweeper with several replicas: two operations instances, each with its own connection to one
 * Redis namespace (as two processes would have), sweeping the same due requests at the same time, again and
 * again. Every request is expired exactly once (one transition, one audit record); a request not yet due is
 * left pending by both.
 */
import { pino } from "pino";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createApprovalService } from "../../src/approvals/approval-service.js";
import { createAuditLog } from "../../src/audit/create-audit-log.js";
import type { CloudClient } from "../../src/cloud/types.js";
import { createOperations } from "../../src/operations/index.js";
import { loadPolicy } from "../../src/policy/load-policy.js";
import { createRedisStore } from "../../src/store/create-redis-store.js";
import type { Store } from "../../src/store/store.js";
import { loadFlows } from "../../src/workflow/load-flows.js";
import { createManualClock } from "../store/manual-clock.js";
import { openSharedRedis, REDIS_URL } from "./helpers/shared-redis.js";

const namespace = `replicas-expiry-${process.pid}-${Date.now()}`;
const clock = createManualClock();
const logger = pino({ level: "silent" });
let cleanup: (() => Promise<void>) | undefined;
const stores: Store[] = [];

beforeAll(async () => {
  cleanup = (await openSharedRedis(namespace)).cleanup;
});
afterAll(async () => {
  await Promise.all(stores.map((s) => s.close()));
  await cleanup?.();
});

async function replica(replicaId: string) {
  const store = createRedisStore({ url: REDIS_URL, namespace, clock });
  stores.push(store);
  const policy = await loadPolicy("flows/policy.yml");
  const flows = await loadFlows("flows");
  if (!policy.ok || !flows.ok) throw new Error("shipped files invalid");
  const ops = createOperations({
    policy: policy.policy,
    flows: flows.flows,
    store,
    cloud: {} as CloudClient,
    logger,
    clock,
    replicaId,
    sweepIntervalMs: 60 * 60_000,
  });
  return { store, ops };
}

it("two replicas sweeping the same due requests concurrently expire each exactly once", async () => {
  const [one, two] = await Promise.all([replica("one"), replica("two")]);
  const audit = createAuditLog({ store: one.store, logger, clock });
  const approvals = createApprovalService({ store: one.store, clock, audit });
  const create = (minutes: number, i: number) =>
    approvals.create({
      requester: { userId: "U_ALICE", teamId: "T0001" },
      channel: "C_OPS",
      action: "ecs:cloudServers:stop",
      commandText: `/ecs stop web-${i} --hard`,
      targets: [
        {
          id: `00000000-0000-0000-0000-${String(i).padStart(12, "0")}`,
          name: `web-${i}`,
          status: "ACTIVE",
          flavor: "s6.small.1",
        },
      ],
      parameters: { hard: true },
      ruleIds: ["hard-power-needs-approval"],
      requirement: {
        approvers: { users: [], groups: ["ops-approvers"] },
        minApprovals: 1,
        allowSelfApproval: false,
        expiresInMs: minutes * 60_000,
        reasonRequired: false,
      },
    });
  const due = await Promise.all(Array.from({ length: 20 }, (_, i) => create(10, i)));
  const later = await create(60, 99);
  clock.advance(11 * 60_000);

  // Each replica's pass races the other's (calls within one replica join its pass in progress).
  const counts: number[] = [];
  for (let round = 0; round < 5; round++)
    counts.push(...(await Promise.all([one.ops.sweepExpired(), two.ops.sweepExpired()])));
  expect(counts.reduce((sum, n) => sum + n, 0)).toBe(due.length);
  expect(counts.slice(2)).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);

  for (const request of due) expect((await approvals.get(request.id))?.status).toBe("expired");
  expect((await approvals.get(later.id))?.status).toBe("pending");
  const expired = await audit.query({ type: "request.expired", limit: 1000 });
  expect(expired.map((e) => e.requestId).sort()).toEqual(due.map((r) => r.id).sort());
}, 60_000);
