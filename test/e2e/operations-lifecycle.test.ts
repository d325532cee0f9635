/**
 * Time and restarts end to end: expiry on a controllable clock (sweep and late click), and start() picking up
 * approved, claimed and half-run requests after a "restart" (a new Operations instance over the same store).
 */
import { afterAll, beforeAll, beforeEach, expect, it } from "vitest";
import type { ApprovalRequest } from "../../src/approvals/approval-request.js";
import { createApprovalService } from "../../src/approvals/approval-service.js";
import { createOperations } from "../../src/operations/index.js";
import { createSlackChat } from "../../src/slack/create-slack-chat.js";
import { newRunRecord } from "../../src/workflow/execute-flow.js";
import { OPEN_RUNS_SET, runKey } from "../../src/workflow/run-record.js";
import {
  actionIdsOf,
  IDS,
  type OperationsHarness,
  startOperationsHarness,
  textOf,
} from "./helpers/operations-harness.js";

let h: OperationsHarness;
beforeAll(async () => {
  // The interval sweeper stays out of the way: these tests sweep when they mean to.
  h = await startOperationsHarness({ sweepIntervalMs: 60 * 60_000 });
});
afterAll(async () => {
  await h?.close();
});
beforeEach(async () => {
  await h.ops.idle();
  h.sim.control.reset();
});

const THIRTY_ONE_MINUTES = 31 * 60_000;

function requestIdOf(text: string): string {
  const match = /apr_[A-Za-z0-9_-]{22,}/.exec(text);
  if (!match) throw new Error("no request ID");
  return match[0];
}

it("the sweeper expires a due request and updates its card; a later click only says so", async () => {
  await h.command("resize web-03 s6.large.2");
  const card = await h.waitCard("/ecs resize web-03 s6.large.2", (t) => t.includes("Approval needed"));
  expect(await h.ops.sweepExpired()).toBe(0);

  h.clock.advance(THIRTY_ONE_MINUTES);
  expect(await h.ops.sweepExpired()).toBe(1);
  const expired = await h.waitCard("/ecs resize web-03 s6.large.2", (t) => t.includes("Expired"));
  expect(textOf(expired)).toContain("Nothing was done");
  expect(actionIdsOf(expired)).toEqual(["ops.request.details"]);
  // The thread says so too, mentioning the requester.
  const reply = await h.fake.waitFor(() => h.replies(card).find((m) => textOf(m).includes("Expired after")));
  expect(textOf(reply)).toContain("Expired after 30m with 0 of 1 approvals");
  expect(textOf(reply)).toContain(`<@${IDS.alice}>`);

  await h.click(card, "ops.approval.approve", IDS.bob);
  const told = await h.fake.waitFor(() => h.ephemeralTexts(IDS.bob).find((t) => t.includes("expired")));
  expect(told).toContain("expired at");
  expect(h.mutations()).toHaveLength(0);
});

it("a click after the expiry time expires the request itself and says so", async () => {
  await h.command("resize web-04 s6.large.2");
  const card = await h.waitCard("/ecs resize web-04 s6.large.2", (t) => t.includes("Approval needed"));
  const id = requestIdOf(JSON.stringify(card.blocks));
  h.clock.advance(THIRTY_ONE_MINUTES);

  await h.click(card, "ops.approval.approve", IDS.carol);
  const told = await h.fake.waitFor(() => h.ephemeralTexts(IDS.carol).find((t) => t.includes("expired")));
  expect(told).toContain("nothing was done");
  await h.waitCard("/ecs resize web-04 s6.large.2", (t) => t.includes("Expired"));
  const [entry] = await h.audit.query({ requestId: id, type: "request.expired", limit: 5 });
  expect(entry?.detail).toMatchObject({ observedBy: IDS.carol });
  expect(await h.ops.sweepExpired()).toBe(0);
});

it("start() after a restart runs approved, claimed and half-run requests exactly once, however often it is called", async () => {
  const chat = createSlackChat(h.bot.app.client);
  const approvals = createApprovalService({ store: h.store, clock: h.clock, audit: h.audit });
  const target = (name: string) => {
    const s = h.sim.control.server(name)!;
    return { id: s.id, name: s.name, status: s.status, flavor: s.flavorId };
  };
  /** A stop request as a crashed instance left it: approved by Bob, with its root message posted. */
  const approvedStop = async (name: string): Promise<ApprovalRequest> => {
    const root = await chat.postMessage(IDS.ops, { text: `stop ${name}`, blocks: [] });
    const created = await approvals.create({
      requester: { userId: IDS.alice, teamId: IDS.team },
      channel: IDS.ops,
      action: "ecs:cloudServers:stop",
      commandText: `/ecs stop ${name} --hard`,
      targets: [target(name)],
      parameters: { hard: true },
      ruleIds: ["hard-power-needs-approval"],
      requirement: {
        approvers: { users: [], groups: ["ops-approvers"] },
        minApprovals: 1,
        allowSelfApproval: false,
        expiresInMs: 30 * 60_000,
        reasonRequired: true,
      },
      message: root,
    });
    const approved = await approvals.act(
      created.id,
      { type: "approve", userId: IDS.bob },
      { isApprover: true },
    );
    if (!approved.ok) throw new Error(approved.code);
    return approved.request;
  };

  // 1. approved, never claimed; 2. claimed, run never created; 3. claimed, run created, nothing sent yet.
  // The policy is decided again before the unclaimed one runs: as a dev server, one approval still suffices.
  h.sim.control.setServer(h.serverId("web-01"), { tags: { env: "dev" } });
  const unclaimed = await approvedStop("web-01");
  const claimedOnly = await approvedStop("web-02");
  await approvals.claimExecution(claimedOnly.id, "run_claimed_only_0001");
  const halfRun = await approvedStop("db-01");
  const claim = await approvals.claimExecution(halfRun.id, "run_half_run_0000001");
  if (!claim.ok) throw new Error(claim.code);
  const record = newRunRecord(
    {
      runId: "run_half_run_0000001",
      requestId: halfRun.id,
      operation: "stop",
      targets: [target("db-01")],
      parameters: { hard: true },
      actorId: IDS.bob,
    },
    h.opsOptions.flows.stop,
    h.clock.now(),
  );
  await h.store.createIfAbsent(runKey(record.runId), record, {
    addToSets: [{ setKey: OPEN_RUNS_SET, member: record.runId }],
  });

  // Two "replicas" restarting at once, one of them twice.
  const a = createOperations({ ...h.opsOptions, chat });
  const b = createOperations({ ...h.opsOptions, chat });
  await Promise.all([a.start(), b.start(), a.start()]);
  await Promise.all([a.idle(), b.idle()]);

  for (const [request, name] of [
    [unclaimed, "web-01"],
    [claimedOnly, "web-02"],
    [halfRun, "db-01"],
  ] as const) {
    expect((await approvals.get(request.id))?.status).toBe("succeeded");
    expect(h.sim.control.server(name)!.status).toBe("SHUTOFF");
    const root = h.fake.message(IDS.ops, request.message!.ts)!;
    expect(textOf(root)).toContain("Done");
    expect(h.replies(root).some((m) => textOf(m).includes("1 stopped"))).toBe(true);
  }
  const stops = h.mutations("batchStopServers");
  expect(stops).toHaveLength(3);
  expect(new Set(stops.flatMap((s) => s.mutation!.serverIds)).size).toBe(3);
  expect(await h.store.members(OPEN_RUNS_SET)).toEqual([]);

  await Promise.all([a.stop(), b.stop()]);
});
