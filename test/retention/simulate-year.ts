/**
 * Retention: a store after a simulated year of use at 1,000 requests a day stays bounded. Every write goes
 * through the module that owns it in the bot (approval service, request details, delivery dedupe, saved
 * queries, run leases, audit log with a monthly export-and-prune), on the injected clock; the test counts
 * what the store holds (keys in the memory store's map, rows in the SQLite file) at the end of every month.
 */
import { randomUUID } from "node:crypto";
import { pino } from "pino";
import { expect } from "vitest";
import { createApprovalService } from "../../src/approvals/approval-service.js";
import { createAuditLog } from "../../src/audit/create-audit-log.js";
import { pruneAuditLog } from "../../src/audit/prune-audit-log.js";
import { createDeliveryDedupe } from "../../src/bot/create-delivery-dedupe.js";
import { createInteractionTokens } from "../../src/commands/create-interaction-tokens.js";
import { createRequestDetailsStore } from "../../src/operations/request-details.js";
import type { Store } from "../../src/store/store.js";
import type { Preflight } from "../../src/workflow/preflight-types.js";
import type { ManualClock } from "../store/manual-clock.js";

const DAY = 86_400_000;
const REQUESTS_PER_DAY = 1_000;
/** Of those, commands that need an approval (the rest are reads with result buttons). */
const MUTATIONS_PER_DAY = 20;
const logger = pino({ level: "silent" });

export interface Year {
  /** What the store holds at the end of each 30-day month. */
  monthly: number[];
  pendingIndex: string[];
}

export async function simulateYear(
  store: Store,
  clock: ManualClock,
  count: () => number | Promise<number>,
): Promise<Year> {
  const audit = createAuditLog({ store, clock, logger });
  const approvals = createApprovalService({ store, clock, audit });
  const details = createRequestDetailsStore(store);
  const dedupe = createDeliveryDedupe({ store, logger });
  const tokens = createInteractionTokens(store);
  const requirement = {
    approvers: { users: ["UBOB"], groups: [] },
    minApprovals: 1,
    allowSelfApproval: false,
    expiresInMs: 15 * 60_000,
    reasonRequired: false,
  };
  const monthly: number[] = [];
  const step = DAY / REQUESTS_PER_DAY;
  for (let day = 1; day <= 365; day++) {
    for (let n = 0; n < REQUESTS_PER_DAY; n++) {
      clock.advance(step);
      expect(await dedupe.claim(`command:${randomUUID()}`)).toBe("first");
      if (n % (REQUESTS_PER_DAY / MUTATIONS_PER_DAY) !== 0) {
        await tokens.saveQuery(tokens.newToken(), {
          owner: "UALICE",
          intent: { type: "ecs.list", filters: {} } as never,
        });
        continue;
      }
      const request = await approvals.create({
        requester: { userId: "UALICE", teamId: "T1" },
        channel: "C_OPS",
        action: "ecs:cloudServers:stop",
        commandText: "/ecs stop web-01 --hard",
        targets: [{ id: "srv-1", name: "web-01", status: "ACTIVE", flavor: "s6.large.2" }],
        parameters: { hard: true },
        ruleIds: ["hard-power"],
        requirement,
      });
      await details.create({
        requestId: request.id,
        kind: "approval",
        rules: [],
        preflight: {} as Preflight,
      });
      const outcome = (day + n) % 3;
      if (outcome === 2) continue; // left to expire
      await dedupe.claim(`click:${randomUUID()}`);
      if (outcome === 1) {
        await approvals.act(request.id, { type: "reject", userId: "UBOB" }, { isApprover: true });
        continue;
      }
      await approvals.act(request.id, { type: "approve", userId: "UBOB" }, { isApprover: true });
      const runId = `run_${randomUUID()}`;
      await approvals.claimExecution(request.id, runId);
      const lease = await store.acquireLease(`run:${runId}`, "replica-1", 30_000);
      await approvals.finishExecution(request.id, runId, "succeeded");
      await details.update(request.id, (d) => ({
        ...d,
        runId,
        result: { status: "succeeded", summary: "1 stopped" },
      }));
      if (lease !== undefined) await store.releaseLease(`run:${runId}`, "replica-1", lease.token);
    }
    await approvals.expireDue();
    if (day % 30 === 0) {
      // The operator's monthly routine: export, then prune what is older than a month.
      const pruned = await pruneAuditLog(audit, clock.now() - 30 * DAY, "cli:ops");
      expect(pruned.ok || pruned.reason === "nothing_to_prune").toBe(true);
      monthly.push(await count());
    }
  }
  expect((await audit.verify()).ok).toBe(true);
  return { monthly, pendingIndex: await store.members("approvals:status:pending") };
}

/** Steady state: the last months hold no more than the months after the longest retention (90 days). */
export function expectBounded(year: Year): void {
  const [, , , fourth, ...rest] = year.monthly;
  for (const later of rest) expect(later).toBeLessThanOrEqual(Math.ceil((fourth ?? 0) * 1.05));
  // 90 days of finished requests (record + card details) and at most two months of audit entries (six per
  // approved request), a day of saved queries, an hour of dedupe keys, plus a few dozen fixed keys.
  const bound =
    90 * MUTATIONS_PER_DAY * 2 + 60 * MUTATIONS_PER_DAY * 6 + REQUESTS_PER_DAY + REQUESTS_PER_DAY / 24 + 100;
  expect(year.monthly.at(-1)).toBeLessThanOrEqual(bound);
  expect(year.pendingIndex).toEqual([]);
}
