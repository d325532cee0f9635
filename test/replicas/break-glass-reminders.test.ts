/**
 * Break-glass reviews with three replicas on one Redis namespace (each with its own connection, as two
 * processes would have) posting to the fake Slack over loopback: the use is recorded and alerted once, each
 * reminder period gets exactly one reminder however often and concurrently both replicas look, and of two
 * reviewers acknowledging at once on different replicas exactly one wins (one audit record); then the
 * reminders stop. Time is the injected manual clock.
 */
import { WebClient } from "@slack/web-api";
import { pino } from "pino";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createApprovalService } from "../../src/approvals/approval-service.js";
import { createAuditLog } from "../../src/audit/create-audit-log.js";
import { createBreakGlass } from "../../src/operations/create-break-glass.js";
import type { BreakGlassPolicy } from "../../src/policy/types.js";
import { type FakeSlack, SLACK_IDS as IDS, startFakeSlack } from "../../src/sandbox/slack/index.js";
import { createSlackChat } from "../../src/slack/create-slack-chat.js";
import { createRedisStore } from "../../src/store/create-redis-store.js";
import type { Store } from "../../src/store/store.js";
import { createManualClock } from "../store/manual-clock.js";
import { openSharedRedis, REDIS_URL } from "./helpers/shared-redis.js";

const namespace = `replicas-break-glass-${process.pid}-${Date.now()}`;
const clock = createManualClock();
const logger = pino({ level: "silent" });
const HOUR = 60 * 60_000;
const POLICY: BreakGlassPolicy = {
  groups: ["sre"],
  alertChannel: IDS.prod,
  remindEveryMs: HOUR,
  reviewers: { users: [], groups: ["ops-approvers"] },
  minReasonLength: 15,
};
let fake: FakeSlack;
let cleanup: (() => Promise<void>) | undefined;
const stores: Store[] = [];

beforeAll(async () => {
  cleanup = (await openSharedRedis(namespace)).cleanup;
  fake = await startFakeSlack();
});
afterAll(async () => {
  await Promise.all(stores.map((s) => s.close()));
  await cleanup?.();
  await fake?.close();
});

function replica() {
  const store = createRedisStore({ url: REDIS_URL, namespace, clock });
  stores.push(store);
  const audit = createAuditLog({ store, logger, clock });
  const chat = createSlackChat(new WebClient(fake.botToken, { slackApiUrl: fake.apiUrl }));
  const breakGlass = createBreakGlass({ store, clock, audit, logger, chat: () => chat });
  return { store, audit, chat, breakGlass, approvals: createApprovalService({ store, clock, audit }) };
}

it("one alert, one reminder per period across three replicas, one acknowledgement wins, then silence", async () => {
  const [a, b, c] = [replica(), replica(), replica()];
  const root = await a.chat.postMessage(IDS.ops, { text: "card", blocks: [] });
  const request = await a.approvals.create({
    requester: { userId: IDS.alice, teamId: IDS.team },
    channel: IDS.ops,
    action: "ecs:cloudServers:stop",
    commandText: "/ecs stop web-01 --hard",
    targets: [
      { id: "00000000-0000-0000-0000-000000000001", name: "web-01", status: "ACTIVE", flavor: "s6.small.1" },
    ],
    parameters: { hard: true },
    ruleIds: ["hard-power-needs-approval"],
    requirement: {
      approvers: { users: ["system:policy"], groups: [] },
      minApprovals: 1,
      allowSelfApproval: false,
      expiresInMs: 600_000,
      reasonRequired: false,
    },
    breakGlass: { reason: "web tier down, INC-4711 rollback" },
  });

  // Both replicas record the same use (a redelivery, a retry): one record, one alert, one audit entry.
  await Promise.all([
    a.breakGlass.record(request, root, POLICY, a.chat),
    b.breakGlass.record(request, root, POLICY, b.chat),
  ]);
  const alerts = () => fake.messages(IDS.prod).filter((m) => m.user === IDS.bot);
  expect(alerts()).toHaveLength(1);
  expect(await a.audit.query({ type: "break_glass.used", limit: 10 })).toHaveLength(1);
  const [alert] = alerts();
  if (alert === undefined) throw new Error("no alert");
  const reminders = () => fake.thread(IDS.prod, alert.ts).slice(1);

  const race = async (rounds: number) => {
    let posted = 0;
    for (let i = 0; i < rounds; i++) {
      const counts = await Promise.all([
        a.breakGlass.remindDue(),
        b.breakGlass.remindDue(),
        c.breakGlass.remindDue(),
      ]);
      posted += counts.reduce((x, y) => x + y, 0);
    }
    return posted;
  };

  expect(await race(3)).toBe(0);
  clock.advance(HOUR);
  expect(await race(5)).toBe(1);
  expect(reminders()).toHaveLength(1);
  clock.advance(30 * 60_000);
  expect(await race(3)).toBe(0);
  // Three periods pass with nobody looking: one reminder, not three.
  clock.advance(3 * HOUR);
  expect(await race(5)).toBe(1);
  expect(reminders()).toHaveLength(2);

  const [first, second] = await Promise.all([
    a.breakGlass.acknowledge(request.id, { userId: IDS.bob, teamId: IDS.team, groups: ["ops-approvers"] }),
    b.breakGlass.acknowledge(request.id, { userId: IDS.carol, teamId: IDS.team, groups: ["ops-approvers"] }),
  ]);
  const changed = [first, second].filter((r) => r.ok && r.changed);
  expect(changed).toHaveLength(1);
  expect(await a.audit.query({ type: "break_glass.acknowledged", limit: 10 })).toHaveLength(1);
  const use = await b.breakGlass.get(request.id);
  expect(use?.acknowledged?.userId).toBe(changed[0]?.ok ? changed[0].use.acknowledged?.userId : undefined);
  expect(use?.reminders).toBe(2);

  clock.advance(10 * HOUR);
  expect(await race(3)).toBe(0);
  expect(reminders()).toHaveLength(2);
  expect(await a.store.members("breakglass:open")).toEqual([]);
  expect(await b.store.members("breakglass:uses")).toEqual([request.id]);
});
