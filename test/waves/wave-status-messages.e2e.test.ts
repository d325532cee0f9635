/**
 * The thread of a run in waves, end to end over signed Slack requests against the simulated cloud: each wave is
 * a run of its own, with its own status message saying which wave it is and ending as that wave ended (its
 * heading agreeing with its lines); the wave list holds the whole request, the summary its outcome. A restart
 * in the middle of a wave continues in the same messages: one status message per wave, never two.
 */
import { afterAll, beforeAll, beforeEach, expect, it } from "vitest";
import { createOperations } from "../../src/operations/index.js";
import type { FakeSlackMessage } from "../../src/sandbox/slack/index.js";
import { createSlackChat } from "../../src/slack/create-slack-chat.js";
import { type OperationsHarness, startOperationsHarness, textOf } from "../e2e/helpers/operations-harness.js";

let h: OperationsHarness;
beforeAll(async () => {
  h = await startOperationsHarness({
    operations: {
      // Pauses of minutes pass by the harness clock: the run's lease must outlive the jumps.
      runLeaseTtlMs: 24 * 60 * 60_000,
      waves: { holdPollMs: 10, gate: { pollMs: 10, timeoutMs: 60_000 } },
    },
  });
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
function addServer(): string {
  seq++;
  return h.sim.control.addServer({ name: `wv-${seq}`, status: "ACTIVE", tags: { env: "dev" } }).name;
}

/** The status messages of the thread (one per wave's run), in order. */
function statusMessages(card: FakeSlackMessage): FakeSlackMessage[] {
  return h.replies(card).filter((m) => /^Wave \d+ of \d+ · \w+ of \d+ servers?: /.test(m.text ?? ""));
}

function summaries(card: FakeSlackMessage): string[] {
  return h
    .replies(card)
    .map(textOf)
    .filter((t) => t.includes("your request finished"));
}

/** A status message's heading says failed exactly when one of its lines has failed: they agree. */
function expectHeadingAgreesWithLines(message: FakeSlackMessage): void {
  const text = textOf(message);
  const heading = /\*\w+\* of \d+ servers?: ([a-z ,]+?) after/.exec(text)?.[1];
  expect(heading).toBeDefined();
  expect(heading === "failed").toBe(text.includes(":x: "));
  if (heading === "finished") expect(text).not.toMatch(/:x:|:grey_question:|:white_small_square:/);
}

it("a stop of 6 servers in 3 waves, one failing in wave 1: a status message per wave, each true of its wave", async () => {
  const names = [addServer(), addServer(), addServer(), addServer(), addServer(), addServer()];
  h.sim.control.failNextJob({
    serverIds: [h.serverId(names[0]!)],
    errorCode: "Ecs.0111",
    reason: "disk busy",
  });
  await h.command(`stop ${names.join(" ")} --waves 3 --max-failures 3`);
  const card = await h.waitCard(`/ecs stop ${names.join(" ")}`);
  await h.fake.waitFor(() => summaries(card)[0], 30_000);
  await h.ops.idle();
  // The last updates of the status messages come at their interval.
  await h.fake.waitFor(
    () => statusMessages(card).every((m) => !/: running since/.test(textOf(m))) || undefined,
  );

  const statuses = statusMessages(card);
  expect(statuses.map((m) => m.text)).toEqual([
    "Wave 1 of 3 · stop of 2 servers: failed",
    "Wave 2 of 3 · stop of 2 servers: finished",
    "Wave 3 of 3 · stop of 2 servers: finished",
  ]);
  for (const m of statuses) expectHeadingAgreesWithLines(m);
  expect(textOf(statuses[0])).toContain(":x: Wait until they are stopped — 1 done, 1 failed");
  expect(textOf(statuses[2])).toContain(":white_check_mark: Wait until they are stopped — 2 done");
  // Nothing in the thread says a wave's 2 servers are the request's outcome: the summary gives the request's.
  expect(h.replies(card).filter((m) => /^\w+ of \d+ servers?: /.test(m.text ?? ""))).toEqual([]);
  expect(summaries(card)).toHaveLength(1);
  expect(summaries(card)[0]).toContain("5 stopped, 1 failed");
  const list = h
    .replies(card)
    .map(textOf)
    .find((t) => t.includes("*Wave 1*"));
  expect(list).toContain("*Totals:* 5 ok · 1 failed or unknown · 0 not run");
});

// Last: it stops the harness's operations (a restart).
it("a restart while a wave's job runs continues that wave's status message: one per wave, never two", async () => {
  const names = [addServer(), addServer(), addServer()];
  const timing = h.sim.control.jobTiming();
  // Wave 1's reboot job runs for an hour of the cloud's clock: the restart comes while it runs.
  h.sim.control.setJobTiming({ runningMs: 60 * 60_000 });
  try {
    await h.command(`reboot ${names.join(" ")} --waves 3 --max-failures 2`);
    const card = await h.waitCard(`/ecs reboot ${names.join(" ")}`);
    await h.fake.waitFor(() =>
      statusMessages(card).find((m) => textOf(m).includes("now: wait until they are back up")),
    );
    expect(h.mutations("batchRebootServers")).toHaveLength(1);

    // The replica stops while it follows the job; another instance over the same store adopts the run.
    await h.ops.stop(2_000);
    const replica = createOperations({ ...h.opsOptions, chat: createSlackChat(h.bot.app.client) });
    await replica.start();
    await h.fake.waitFor(() => statusMessages(card).find((m) => textOf(m).includes("(resumed)")));
    h.sim.control.setJobTiming(timing);
    h.sim.control.advance(61 * 60_000);
    await h.fake.waitFor(() => summaries(card)[0], 30_000);
    await replica.idle();
    await h.fake.waitFor(
      () => statusMessages(card).every((m) => !/: running since/.test(textOf(m))) || undefined,
    );

    // Wave 1's message was continued by the replica (no second one), its finished steps as they were.
    expect(statusMessages(card).map((m) => m.text)).toEqual([
      "Wave 1 of 3 · reboot of 1 server: finished",
      "Wave 2 of 3 · reboot of 1 server: finished",
      "Wave 3 of 3 · reboot of 1 server: finished",
    ]);
    for (const m of statusMessages(card)) expectHeadingAgreesWithLines(m);
    expect(textOf(statusMessages(card)[0])).toMatch(
      /\*reboot\* of 1 server: finished after \d+s \(resumed\)/,
    );
    expect(h.mutations("batchRebootServers")).toHaveLength(3);
    expect(summaries(card)).toHaveLength(1);
    await replica.stop(2_000);
  } finally {
    h.sim.control.setJobTiming(timing);
  }
});
