/**
 * A run handed over at a safe point (the replica stops while it follows the job) and adopted by another
 * instance over the same store, end to end over signed Slack requests against the simulated cloud: the one
 * status message of the run is continued, showing the steps that finished before the hand-over as finished,
 * and its elapsed time counts from the run's start, as the summary's does.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { createOperations } from "../../src/operations/index.js";
import type { FakeSlackMessage } from "../../src/sandbox/slack/index.js";
import { createSlackChat } from "../../src/slack/create-slack-chat.js";
import { type OperationsHarness, startOperationsHarness, textOf } from "../e2e/helpers/operations-harness.js";

let h: OperationsHarness;
beforeAll(async () => {
  h = await startOperationsHarness();
});
afterAll(async () => {
  await h?.close();
});

function statusMessages(card: FakeSlackMessage): FakeSlackMessage[] {
  return h.replies(card).filter((m) => /^stop of \d+ servers?: /.test(m.text ?? ""));
}

it("the adopted run's status message shows what was done before the hand-over and the run's whole time", async () => {
  const name = h.sim.control.addServer({ name: "handover-1", status: "ACTIVE", tags: { env: "dev" } }).name;
  const timing = h.sim.control.jobTiming();
  // The stop job runs for an hour of the cloud's clock: the hand-over comes while the run follows it.
  h.sim.control.setJobTiming({ runningMs: 60 * 60_000 });
  try {
    await h.command(`stop ${name}`);
    const card = await h.waitCard(`/ecs stop ${name}`);
    await h.fake.waitFor(() =>
      statusMessages(card).find((m) => textOf(m).includes("now: wait until they are stopped")),
    );
    expect(h.mutations("batchStopServers")).toHaveLength(1);

    await h.ops.stop(2_000);
    // The hand-over takes a while by the bot's clock: the run's time goes on.
    h.clock.advance(30_000);
    const replica = createOperations({ ...h.opsOptions, chat: createSlackChat(h.bot.app.client) });
    await replica.start();
    const adopted = await h.fake.waitFor(() =>
      statusMessages(card).find((m) => textOf(m).includes("(resumed)")),
    );
    // As adopted: what was done is shown done, and the time counts from the run's start.
    expect(textOf(adopted)).toContain(":white_check_mark: Check that nothing changed since it was asked");
    expect(textOf(adopted)).toContain(":white_check_mark: Stop the servers");
    const since =
      /running since <!date\^(\d+)\^\{time\}\|[^>]+> · now: wait until they are stopped \(resumed\)/.exec(
        textOf(adopted),
      );
    expect(since).not.toBeNull();
    expect(Number(since![1]) * 1000).toBeLessThanOrEqual(h.clock.now() - 30_000);

    h.sim.control.setJobTiming(timing);
    h.sim.control.advance(61 * 60_000);
    const summary = await h.fake.waitFor(
      () => h.replies(card).find((m) => (m.text ?? "").startsWith("stop: ")),
      30_000,
    );
    await replica.idle();
    const final = await h.fake.waitFor(() =>
      statusMessages(card).find((m) => (m.text ?? "").includes("finished")),
    );
    expect(statusMessages(card)).toHaveLength(1);
    expect(h.mutations("batchStopServers")).toHaveLength(1);
    const took = /1 stopped in (\d+s)/.exec(textOf(summary))?.[1];
    expect(took).toMatch(/^3\ds$/);
    expect(textOf(final).split("\n").slice(1)).toEqual([
      `*stop* of 1 server: finished after ${took} (resumed)`,
      ":white_check_mark: Check that nothing changed since it was asked",
      ":white_check_mark: Stop the servers",
      ":white_check_mark: Wait until they are stopped — 1 done",
    ]);
    await replica.stop(2_000);
  } finally {
    h.sim.control.setJobTiming(timing);
  }
});
