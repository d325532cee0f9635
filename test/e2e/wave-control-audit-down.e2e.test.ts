/**
 * Pause / Resume / Abort of a run in waves while the audit log cannot record them, end to end over signed
 * Slack requests against the simulated cloud. Stopping is the safe direction: a Pause or an Abort is applied
 * anyway, logged at error. A Resume lets the change go on changing servers: refused, nothing changes, and the
 * clicker is told. The audit log's failure is injected into the bot's own audit log, for the wave controls'
 * entries only (the rest of the request is audited as usual).
 */
import { readFile } from "node:fs/promises";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { ApprovalRequest } from "../../src/approvals/approval-request.js";
import type { AuditEntryInput } from "../../src/audit/audit-entry.js";
import type { FakeSlackMessage } from "../../src/sandbox/slack/index.js";
import { type WaveRunRecord, waveRunKey } from "../../src/waves/wave-run-record.js";
import { waitForWaveList } from "../helpers/wait-for-wave-list.js";
import {
  IDS,
  type OperationsHarness,
  startOperationsHarness,
  textOf,
  WAVES_ON_THE_HARNESS_CLOCK,
} from "./helpers/operations-harness.js";

let h: OperationsHarness;
/** While true, the audit log refuses the wave controls' entries (as riders and on their own). */
let auditDown = false;
beforeAll(async () => {
  h = await startOperationsHarness({ operations: WAVES_ON_THE_HARNESS_CLOCK });
  await h.policy.replace(await readFile("flows/policy.yml", "utf8"));
  const { prepare, record } = h.audit;
  const refuses = (entry: AuditEntryInput) => auditDown && entry.detail?.phase === "waves_control";
  h.audit.prepare = (entry) => {
    if (refuses(entry)) throw new Error("audit log unavailable");
    return prepare(entry);
  };
  h.audit.record = async (entry) => {
    if (refuses(entry)) throw new Error("audit log unavailable");
    return record(entry);
  };
});
afterAll(async () => {
  await h?.close();
});

const SERVERS = ["web-03", "web-04", "cache-02"] as const;

function waveMessage(card: FakeSlackMessage): FakeSlackMessage | undefined {
  return h.replies(card).find((m) => textOf(m).includes("*Wave 1*"));
}

const waveList = (card: FakeSlackMessage, check: (text: string) => boolean) =>
  waitForWaveList(h, card, check);

async function record(card: FakeSlackMessage): Promise<WaveRunRecord> {
  const requestId = /"value":"([^"]+)"/.exec(JSON.stringify(card.blocks))?.[1] ?? "";
  const request = await h.store.get<ApprovalRequest>(`approval:${requestId}`);
  const stored = await h.store.get<WaveRunRecord>(waveRunKey(request?.value.execution?.executionId ?? ""));
  if (stored === undefined) throw new Error("no wave record");
  return stored.value;
}

const rebootCalls = () => h.mutations("batchRebootServers").map((r) => [...(r.mutation?.serverIds ?? [])]);
const errorsLogged = (from: number, words: string) =>
  h.logs.slice(from).filter((l) => (l.level as number) >= 50 && String(l.msg).includes(words));
async function controlsAudited(): Promise<string[]> {
  const steps = await h.audit.query({ type: "execution.step", limit: 200 });
  return steps
    .filter((e) => e.detail?.phase === "waves_control")
    .map((e) => e.message ?? "")
    .reverse();
}

it("the audit log down: Pause and Abort still stop the waves (logged at error); Resume changes nothing and says why", async () => {
  const ids = SERVERS.map((n) => h.serverId(n));
  await h.command(`reboot ${SERVERS.join(" ")} --waves 3 --pause 10m`);
  const card = await h.waitCard("--pause 10m");
  await waveList(card, (t) => t.includes("— done") && t.includes("Next wave after the pause"));
  expect(rebootCalls()).toEqual([[ids[0]]]);

  auditDown = true;
  let logs = h.logs.length;
  await h.click(waveMessage(card)!, "ops.waves.pause", IDS.alice);
  await h.fake.waitFor(() => h.ephemeralTexts(IDS.alice).find((t) => t.includes("Paused:")));
  await waveList(card, (t) => t.includes("*Paused* by"));
  expect((await record(card)).control).toBe("paused");
  expect(errorsLogged(logs, "not in the audit log")).toHaveLength(1);

  // Resume with the audit log still down: refused, the waves stay paused past their pause.
  logs = h.logs.length;
  await h.click(waveMessage(card)!, "ops.waves.resume", IDS.alice);
  const refused = await h.fake.waitFor(() =>
    h.ephemeralTexts(IDS.alice).find((t) => t.includes("Not resumed")),
  );
  expect(refused).toContain("the audit log could not record the Resume");
  expect(refused).toContain("the waves stay paused");
  expect(errorsLogged(logs, "wave resume refused")).toHaveLength(1);
  // The pause is over by the clock, yet nothing starts: the run is still paused.
  h.clock.advance(11 * 60_000);
  const paused = await record(card);
  expect(paused.control).toBe("paused");
  expect(paused.waves[1]?.status).toBe("pending");
  expect(rebootCalls()).toEqual([[ids[0]]]);

  // The audit log back: Resume is audited with the change, and wave 2 runs.
  auditDown = false;
  await h.click(waveMessage(card)!, "ops.waves.resume", IDS.alice);
  await waveList(card, (t) => /\*Wave 2\*.*— done/.test(t) && t.includes("Next wave after the pause"));
  expect(rebootCalls()).toEqual([[ids[0]], [ids[1]]]);

  // Down again: Abort still stops the run after the running wave.
  auditDown = true;
  logs = h.logs.length;
  await h.click(waveMessage(card)!, "ops.waves.abort", IDS.alice);
  await waveList(card, (t) => t.includes("*Aborted* by"));
  await h.ops.idle();
  expect(rebootCalls()).toEqual([[ids[0]], [ids[1]]]);
  expect((await record(card)).stop).toEqual({ kind: "abort", by: IDS.alice, afterWave: 2 });
  expect(errorsLogged(logs, "not in the audit log")).toHaveLength(1);
  auditDown = false;

  // Only what was recorded: the one Resume that went through.
  expect(await controlsAudited()).toEqual(["waves resumed"]);
});
