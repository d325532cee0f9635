/**
 * Rolling waves end to end over signed Slack requests: the plan on the card, a wave at a time against the
 * simulated cloud, the failure threshold stopping the run with the later waves untouched (the simulator's
 * "fail next job"), Pause / Resume / Abort in the thread (refused for anyone but the requester and the
 * approvers), and `require_waves` policy rules. Time between waves comes from the harness's clock.
 */
import { afterAll, beforeAll, beforeEach, expect, it } from "vitest";
import type { ApprovalRequest } from "../../src/approvals/approval-request.js";
import { createOperations } from "../../src/operations/index.js";
import type { FakeSlackMessage } from "../../src/sandbox/slack/index.js";
import { createSlackChat } from "../../src/slack/create-slack-chat.js";
import { type WaveRunRecord, waveRunKey } from "../../src/waves/wave-run-record.js";
import { type ApprovalHarness, startApprovalHarness } from "../helpers/start-approval-harness.js";
import { waitForWaveList } from "../helpers/wait-for-wave-list.js";
import { IDS, textOf, WAVES_ON_THE_HARNESS_CLOCK } from "./helpers/operations-harness.js";

let h: ApprovalHarness;
beforeAll(async () => {
  h = await startApprovalHarness({ operations: WAVES_ON_THE_HARNESS_CLOCK });
});
afterAll(async () => {
  await h?.close();
});
beforeEach(() => h.reset());

const SERVERS = ["web-03", "web-04", "cache-02"] as const;

const waveList = (card: FakeSlackMessage, check: (text: string) => boolean) =>
  waitForWaveList(h, card, check);

function waveMessage(card: FakeSlackMessage): FakeSlackMessage | undefined {
  return h.replies(card).find((m) => textOf(m).includes("*Wave 1*"));
}

/** The server IDs each batch reboot call carried, in order. */
function rebootCalls(): string[][] {
  return h.mutations("batchRebootServers").map((r) => [...(r.mutation?.serverIds ?? [])]);
}

/** The run's wave record, read from the store (the request ID is the card's button value). */
async function record(card: FakeSlackMessage): Promise<WaveRunRecord> {
  const requestId = /"value":"([^"]+)"/.exec(JSON.stringify(card.blocks))?.[1] ?? "";
  const request = await h.store.get<ApprovalRequest>(`approval:${requestId}`);
  const runId = request?.value.execution?.executionId ?? "";
  const stored = await h.store.get<WaveRunRecord>(waveRunKey(runId));
  if (stored === undefined) throw new Error("no wave record");
  return stored.value;
}

it("the plan is on the card; a 3-wave reboot stops at the failure threshold and never touches the later waves", async () => {
  const ids = SERVERS.map((n) => h.serverId(n));
  h.sim.control.failNextJob({ serverIds: [ids[0]!], reason: "simulated boot failure" });
  await h.command(`reboot ${SERVERS.join(" ")} --waves 3 --max-failures 1`);
  const card = await h.waitCard("--max-failures 1`");
  expect(textOf(card)).toContain("*Waves:* 3 waves (1, 1, 1 servers) · stops at 1 failed or unknown server");

  const list = await waveList(card, (t) => t.includes("*Stopped:*"));
  expect(list).toContain("1 failed or unknown server reached the limit of 1; the later waves were not run");
  expect(list).toMatch(
    /\*Wave 1\* \(1 server: web-03\) — 1 failed or unknown · 0 ok — the limit was reached here/,
  );
  expect(list).toMatch(/\*Wave 2\* \(1 server: web-04\) — not run/);
  expect(list).toMatch(/\*Wave 3\* \(1 server: cache-02\) — not run/);
  expect(list).toContain("*Totals:* 0 ok · 1 failed or unknown · 2 not run");
  // No buttons once it stopped.
  expect(JSON.stringify(waveMessage(card)?.blocks)).not.toContain("ops.waves.");
  // Exactly one call: wave 1's, with wave 1's server only.
  expect(rebootCalls()).toEqual([[ids[0]]]);
  const summary = await h.fake.waitFor(() =>
    h
      .replies(card)
      .map(textOf)
      .find((t) => t.includes("your request finished")),
  );
  expect(summary).toContain("failed");
  // A real failure stays one: red, and the waves not run say why.
  expect(summary).toContain(":x: *reboot*: 1 failed, 2 not started");
  expect(summary).toMatch(/web-04`.*not started: the failed or unknown servers reached the limit of 1/);
  expect(textOf(await h.waitCard("--max-failures 1`", (t) => t.includes("*Result:*")))).toContain(
    ":x: *Failed:*",
  );
  await h.ops.idle();
  expect(rebootCalls()).toEqual([[ids[0]]]);
});

it("Pause holds the next wave past its pause, Resume continues, Abort stops after the running wave; others are refused", async () => {
  const ids = SERVERS.map((n) => h.serverId(n));
  await h.command(`reboot ${SERVERS.join(" ")} --waves 3 --pause 10m`);
  const card = await h.waitCard("--pause 10m");
  expect(textOf(card)).toContain("10m pause between waves");

  // Wave 1 done; the run waits out the 10-minute pause (by the harness clock: nothing moves it yet).
  await waveList(card, (t) => t.includes("— done") && t.includes("Next wave after the pause"));
  expect(rebootCalls()).toEqual([[ids[0]]]);
  const message = waveMessage(card)!;
  expect(JSON.stringify(message.blocks)).toContain("ops.waves.pause");

  // Dave neither asked nor approved: refused, nothing changes.
  await h.click(message, "ops.waves.pause", IDS.dave);
  await h.fake.waitFor(() =>
    h.ephemeralTexts(IDS.dave).find((t) => t.includes("Only the requester and the request's approvers")),
  );
  expect((await record(card)).control).toBe("run");

  await h.click(message, "ops.waves.pause", IDS.alice);
  await h.fake.waitFor(() => h.ephemeralTexts(IDS.alice).find((t) => t.includes("Paused:")));
  await waveList(card, (t) => t.includes("*Paused* by"));
  // The pause is over by the clock, yet nothing starts while paused.
  h.clock.advance(11 * 60_000);
  expect(rebootCalls()).toEqual([[ids[0]]]);
  expect((await record(card)).waves[1]?.status).toBe("pending");

  await h.click(waveMessage(card)!, "ops.waves.resume", IDS.alice);
  await waveList(card, (t) => /\*Wave 2\*.*— done/.test(t) && t.includes("Next wave after the pause"));
  expect(rebootCalls()).toEqual([[ids[0]], [ids[1]]]);

  await h.click(waveMessage(card)!, "ops.waves.abort", IDS.alice);
  const list = await waveList(card, (t) => t.includes("*Aborted* by"));
  expect(list).toMatch(/\*Wave 3\* \(1 server: cache-02\) — not run/);
  expect(list).toContain("*Totals:* 2 ok · 0 failed or unknown · 1 not run");
  await h.ops.idle();
  expect(rebootCalls()).toEqual([[ids[0]], [ids[1]]]);
  // Stopped on purpose, nothing failed: the card and the summary say who stopped it and where, not "Failed".
  const done = textOf(await h.waitCard("--pause 10m", (t) => t.includes("*Result:*")));
  expect(done).toContain(
    `:octagonal_sign: *Aborted by the requester after wave 2 of 3:* <@${IDS.alice}> asked to`,
  );
  expect(done).toContain("*Result:* 2 restarted, 1 not started");
  expect(done).not.toMatch(/Failed|:x:/);
  const summary = await h.fake.waitFor(() =>
    h
      .replies(card)
      .map(textOf)
      .find((t) => t.includes("your request finished")),
  );
  expect(summary).toContain(
    `:octagonal_sign: *reboot* aborted by <@${IDS.alice}> after wave 2 of 3: 2 restarted, 1 not started`,
  );
  expect(summary).toMatch(/cache-02`.*not started: the run was aborted by a person after wave 2 of 3/);
  expect(summary).not.toContain(":x:");
  expect((await record(card)).stop).toEqual({ kind: "abort", by: IDS.alice, afterWave: 2 });
  const before = h.ephemeralTexts(IDS.alice).length;
  await h.command("jobs", { command: "/ops" });
  const jobs = await h.fake.waitFor(() =>
    h
      .ephemeralTexts(IDS.alice)
      .slice(before)
      .find((t) => t.includes("*Recent runs*")),
  );
  expect(jobs).toContain(":octagonal_sign: reboot 3 servers: 2 restarted, 1 not started");

  // A click on a button shown before the end answers that the waves were already aborted: the click did nothing.
  await h.click(message, "ops.waves.pause", IDS.alice);
  await h.fake.waitFor(() =>
    h
      .ephemeralTexts(IDS.alice)
      .find((t) => t.includes("already aborted these waves") && t.includes("Your click did nothing")),
  );
  expect(rebootCalls()).toEqual([[ids[0]], [ids[1]]]);
});

it("Abort while a wave's jobs are still running lets that wave finish, then nothing more starts", async () => {
  const ids = SERVERS.map((n) => h.serverId(n));
  const timing = h.sim.control.jobTiming();
  // Wave 1's reboot job runs for an hour of the cloud's clock, so the click lands while it runs.
  h.sim.control.setJobTiming({ runningMs: 60 * 60_000 });
  try {
    await h.command(`reboot ${SERVERS.join(" ")} --waves 3`);
    const card = await h.waitCard("--waves 3`");
    await waveList(card, (t) => /\*Wave 1\*.*— running/.test(t));
    // The wave is running from before its call: wait (polled, the cloud's requests make no Slack traffic)
    // until the cloud has the reboot.
    for (let i = 0; i < 500 && rebootCalls().length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(rebootCalls()).toEqual([[ids[0]]]);

    await h.click(waveMessage(card)!, "ops.waves.abort", IDS.alice);
    const aborting = await waveList(card, (t) => t.includes("*Aborting*"));
    expect(aborting).toContain("the running wave finishes, nothing more starts");
    expect(aborting).toMatch(/\*Wave 1\*.*— running/);
    // No more Abort button once aborting.
    expect(JSON.stringify(waveMessage(card)?.blocks)).not.toContain("ops.waves.abort");

    // The job finishes: wave 1 completes (its job followed to the end), and the run stops there.
    h.sim.control.setJobTiming(timing);
    h.sim.control.advance(61 * 60_000);
    const list = await waveList(card, (t) => t.includes("*Aborted* by"));
    expect(list).toMatch(/\*Wave 1\* \(1 server: web-03\) — done/);
    expect(list).toMatch(/\*Wave 2\* \(1 server: web-04\) — not run/);
    expect(list).toMatch(/\*Wave 3\* \(1 server: cache-02\) — not run/);
    expect(list).toContain("*Totals:* 1 ok · 0 failed or unknown · 2 not run");
    await h.ops.idle();
    expect(rebootCalls()).toEqual([[ids[0]]]);
  } finally {
    h.sim.control.setJobTiming(timing);
  }
});

it("require_waves: a request without compliant waves is refused saying what to add; explain shows it; compliant runs", async () => {
  await h.policy.replace(
    `${h.shipped}
  - id: big-reboots-in-waves
    description: Reboots of more than two servers go in waves.
    actions: [ecs:cloudServers:reboot]
    match:
      target_count: { min: 3 }
    effect:
      require_waves: { min_waves: 3, max_failures: "10%" }
`,
  );
  await h.command(`reboot ${SERVERS.join(" ")}`);
  const refusal = await h.fake.waitFor(() =>
    h.ephemeralTexts(IDS.alice).find((t) => t.includes("must run in at least 3 waves")),
  );
  // The bot's own backticks in policy reasons are code spans, the flags to add copyable as typed.
  expect(refusal).toContain("add `--waves 3 --max-failures 10%`");
  expect(refusal).not.toContain("ˋ");

  await h.command(`reboot ${SERVERS.join(" ")} --waves 2`);
  await h.fake.waitFor(() =>
    h.ephemeralTexts(IDS.alice).find((t) => t.includes("2 waves planned, at least 3 needed")),
  );
  await h.command(`reboot ${SERVERS.join(" ")} --waves 3 --max-failures 2`);
  await h.fake.waitFor(() => h.ephemeralTexts(IDS.alice).find((t) => t.includes("at most 1 (10%) allowed")));
  expect(rebootCalls()).toEqual([]);

  await h.command(`policy explain /ecs reboot ${SERVERS.join(" ")} --waves 3`, { command: "/ops" });
  const explained = await h.fake.waitFor(() =>
    h.ephemeralTexts(IDS.alice).find((t) => t.includes("Runs in at least 3 waves")),
  );
  expect(explained).toContain("big-reboots-in-waves");

  await h.command(`reboot ${SERVERS.join(" ")} --waves 3 --max-failures 10%`);
  const card = await h.waitCard("--max-failures 10%");
  await waveList(card, (t) => t.includes("*Waves finished*"));
  expect(rebootCalls()).toHaveLength(3);
});

it("a server the reboot leaves out (SHUTOFF) is counted skipped in its wave and the totals, as on the card", async () => {
  const ids = SERVERS.map((n) => h.serverId(n));
  h.sim.control.setServer(ids[1]!, { status: "SHUTOFF" });
  await h.command("reboot web-03,web-04 --waves 2");
  const card = await h.waitCard("reboot web-03,web-04 --waves 2", (t) => t.includes("Result"));
  expect(textOf(card)).toContain("web-04: is SHUTOFF; it will be left out of the reboot");
  expect(textOf(card)).toContain("1 restarted, 1 skipped");
  const list = await waveList(card, (t) => t.includes("*Waves finished*"));
  expect(list).toMatch(/\*Wave 1\* \(1 server: web-03\) — done: 1 ok\n/);
  expect(list).toMatch(/\*Wave 2\* \(1 server: web-04\) — done: 0 ok · 1 skipped/);
  expect(list).toContain("*Totals:* 1 ok · 1 skipped · 0 failed or unknown · 0 not run");
  expect(rebootCalls()).toEqual([[ids[0]]]);
});

it("wave flags that cannot be planned are refused before anything is requested", async () => {
  await h.command("reboot web-03 web-04 --waves 3");
  await h.fake.waitFor(() =>
    h.ephemeralTexts(IDS.alice).find((t) => t.includes("`--waves 3` is more waves than the 2 servers")),
  );
  await h.command("reboot web-03 --pause 5m");
  await h.fake.waitFor(() => h.ephemeralTexts(IDS.alice).find((t) => t.includes("works with waves")));
  expect(rebootCalls()).toEqual([]);
});

// Last: it stops the harness's operations (a restart), which the other tests need.
it("a run in waves survives a restart: another instance continues after the pause, each wave sent once", async () => {
  const ids = SERVERS.map((n) => h.serverId(n));
  await h.command(`reboot ${SERVERS.join(" ")} --waves 3 --pause 10m --max-failures 2`);
  const card = await h.waitCard("--max-failures 2");
  await waveList(card, (t) => t.includes("— done") && t.includes("Next wave after the pause"));
  expect(rebootCalls()).toEqual([[ids[0]]]);

  // The replica stops during the pause: its run stops at a safe point and its lease is released.
  await h.ops.stop(2_000);
  const replica = createOperations({ ...h.opsOptions, chat: createSlackChat(h.bot.app.client) });
  h.clock.advance(11 * 60_000);
  await replica.start();
  await waveList(card, (t) => /\*Wave 2\*.*— done/.test(t) && t.includes("Next wave after the pause"));
  h.clock.advance(11 * 60_000);
  const list = await waveList(card, (t) => t.includes("*Waves finished*"));
  expect(list).toContain("*Totals:* 3 ok · 0 failed or unknown · 0 not run");
  await replica.idle();
  expect(rebootCalls()).toEqual([[ids[0]], [ids[1]], [ids[2]]]);
  const summaries = h
    .replies(card)
    .map(textOf)
    .filter((t) => t.includes("your request finished"));
  expect(summaries).toHaveLength(1);
  await replica.stop(2_000);
});
