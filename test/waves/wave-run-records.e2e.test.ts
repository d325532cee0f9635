/**
 * What the approval record, the audit trail and the metrics keep of a run in waves that did not run all its
 * waves, end to end over signed Slack requests against the simulated cloud (pauses pass by the harness clock):
 * a run aborted by a person with nothing failed is recorded as a run its re-check aborted is (the approval
 * `failed`, its error saying it was aborted and where; the audit's end of execution the same; the metrics'
 * executions counted `failed`), never `succeeded`. And a run nobody approved (the policy allowed it) that its
 * re-check stops says the servers changed "since it was asked", while an approved one keeps "since approval".
 */
import { afterAll, beforeAll, beforeEach, expect, it } from "vitest";
import type { ApprovalRequest } from "../../src/approvals/approval-request.js";
import { createPrometheusMetrics } from "../../src/metrics/create-prometheus-metrics.js";
import type { FakeSlackMessage } from "../../src/sandbox/slack/index.js";
import {
  IDS,
  type OperationsHarness,
  startOperationsHarness,
  textOf,
  WAVES_ON_THE_HARNESS_CLOCK,
} from "../e2e/helpers/operations-harness.js";
import { sample } from "../metrics/scrape-metrics.js";

const metrics = createPrometheusMetrics();
let h: OperationsHarness;
beforeAll(async () => {
  h = await startOperationsHarness({ operations: { ...WAVES_ON_THE_HARNESS_CLOCK, metrics } });
});
afterAll(async () => {
  await h?.close();
});
beforeEach(async () => {
  await h.ops.idle();
  h.sim.control.reset();
});

let seq = 0;
/** A fresh running server of its own (the tests change their servers' state). */
function addServer(): { id: string; name: string } {
  seq++;
  return h.sim.control.addServer({ name: `rec-${seq}`, status: "ACTIVE", tags: { env: "dev" } });
}

/** The thread's wave list passing `check`. */
function waveList(card: FakeSlackMessage, check: (text: string) => boolean): Promise<FakeSlackMessage> {
  return h.fake.waitFor(() =>
    h.replies(card).find((m) => textOf(m).includes("*Wave 1*") && check(textOf(m))),
  );
}

function summaryOf(card: FakeSlackMessage): Promise<string> {
  return h.fake.waitFor(() =>
    h
      .replies(card)
      .map(textOf)
      .find((t) => t.includes("your request finished")),
  );
}

/** The request of a card: its button value (the wave list's buttons carry it too). */
function requestIdOf(message: FakeSlackMessage): string {
  const id = /"value":"([^"]+)"/.exec(JSON.stringify(message.blocks))?.[1];
  if (id === undefined) throw new Error("no request ID on the message");
  return id;
}

async function approvalOf(requestId: string): Promise<ApprovalRequest> {
  const stored = await h.store.get<ApprovalRequest>(`approval:${requestId}`);
  if (stored === undefined) throw new Error(`no approval ${requestId}`);
  return stored.value;
}

async function finishedEntry(requestId: string) {
  const entries = await h.audit.query({ type: "execution.finished", limit: 50 });
  return entries.find((e) => e.requestId === requestId);
}

async function executions(outcome: string): Promise<number> {
  return sample(await metrics.render(), "hwc_chatops_executions_total", { outcome });
}

it("a run in waves aborted by a person after wave 1, nothing failed: recorded failed (aborted, where), never succeeded", async () => {
  const servers = [addServer(), addServer(), addServer()];
  const before = { succeeded: await executions("succeeded"), failed: await executions("failed") };
  // A graceful reboot needs no approval (the policy allows it): it starts at once.
  const command = `reboot ${servers.map((s) => s.name).join(" ")} --waves 3 --pause 10m`;
  await h.command(command);
  const card = await h.waitCard(command);
  const list = await waveList(card, (t) => t.includes("— done") && t.includes("Next wave after the pause"));
  const requestId = requestIdOf(list);

  await h.click(list, "ops.waves.abort", IDS.alice);
  await waveList(card, (t) => t.includes("*Aborted* by"));
  const summary = await summaryOf(card);
  await h.ops.idle();

  // The thread says it as before: stopped on purpose, who and where, what the wave that ran did.
  expect(summary).toContain(
    `:octagonal_sign: *reboot* aborted by <@${IDS.alice}> after wave 1 of 3: 1 restarted, 2 not started`,
  );
  // Only wave 1 was sent.
  expect(h.mutations("batchRebootServers").map((r) => r.mutation?.serverIds)).toEqual([[servers[0]!.id]]);

  const said = "aborted by a person after wave 1 of 3: 1 restarted, 2 not started";
  const approval = await approvalOf(requestId);
  expect(approval.status).toBe("failed");
  expect(approval.execution).toMatchObject({ outcome: "failed", error: said });
  const entry = await finishedEntry(requestId);
  expect(entry).toMatchObject({ outcome: "failed", detail: { error: said } });
  expect(await executions("failed")).toBe(before.failed + 1);
  expect(await executions("succeeded")).toBe(before.succeeded);
});

it("as a run its re-check aborted is recorded: an approved hard reboot of a server changed since approval", async () => {
  const server = addServer();
  const before = await executions("failed");
  await h.command(`reboot ${server.name} --hard`);
  const card = await h.waitCard(`/ecs reboot ${server.name}`, (t) => t.includes("Approval needed"));
  h.sim.control.setServer(server.id, { status: "SHUTOFF" });
  await h.click(card, "ops.approval.approve", IDS.bob);
  const summary = await summaryOf(card);
  await h.ops.idle();

  // People approved it: "since approval" stays.
  expect(summary).toContain("The servers changed since the request was approved:");
  const said =
    "not run: the servers changed since approval, so nothing was sent; ask again to get fresh approval";
  const requestId = requestIdOf(card);
  const approval = await approvalOf(requestId);
  expect(approval.status).toBe("failed");
  expect(approval.execution).toMatchObject({ outcome: "failed", error: said });
  expect(await finishedEntry(requestId)).toMatchObject({ outcome: "failed", detail: { error: said } });
  const drift = (await h.audit.query({ type: "execution.step", limit: 200 })).find(
    (e) => e.requestId === requestId && (e.detail as { phase?: string } | undefined)?.phase === "drift",
  );
  expect(drift?.message).toContain("the servers changed since approval:");
  expect(await executions("failed")).toBe(before + 1);
  expect(h.mutations()).toEqual([]);
});

it("a run nobody approved, stopped by wave 2's re-check: the servers changed since it was asked, not since approval", async () => {
  const servers = [addServer(), addServer()];
  const command = `reboot ${servers.map((s) => s.name).join(" ")} --waves 2 --pause 10m`;
  await h.command(command);
  const card = await h.waitCard(command);
  const list = await waveList(card, (t) => t.includes("— done") && t.includes("Next wave after the pause"));
  const requestId = requestIdOf(list);
  // Wave 2's server changes during the pause; its re-check finds it.
  h.sim.control.setServer(servers[1]!.id, { status: "SHUTOFF" });
  h.clock.advance(11 * 60_000);
  const stopped = textOf(await waveList(card, (t) => t.includes("*Stopped:*")));
  const summary = await summaryOf(card);
  await h.ops.idle();

  expect(stopped).toContain(
    "*Stopped:* the re-check of a wave stopped it (its servers changed since it was asked, or could not be read)",
  );
  expect(summary).toContain(`The servers changed since the request was made:\n• ${servers[1]!.name}: status`);
  const drift = (await h.audit.query({ type: "execution.step", limit: 200 })).find(
    (e) => e.requestId === requestId && (e.detail as { phase?: string } | undefined)?.phase === "drift",
  );
  expect(drift?.message).toContain("aborted before any call: the servers changed since it was asked:");
  for (const text of [stopped, summary, drift?.message ?? ""]) expect(text).not.toContain("approv");
  // Wave 2 sent nothing.
  expect(h.mutations("batchRebootServers").map((r) => r.mutation?.serverIds)).toEqual([[servers[0]!.id]]);
  expect((await approvalOf(requestId)).status).toBe("failed");
});
