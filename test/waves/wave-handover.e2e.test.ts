/**
 * A run in waves that changes hands between two waves, end to end over signed Slack requests against the
 * simulated cloud: the replica that drove wave 1 is gone before its last edit of wave 1's status message
 * reached Slack (kill -9: Slack refuses its edits from the moment the wave's job ends, and it stops), and
 * another instance over the same store adopts the run during the pause. Wave 1's message ends as wave 1 ended
 * (redrawn from its record by the adopter), wave 2 runs once, and the summary says the run was resumed.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import type { ApprovalRequest } from "../../src/approvals/approval-request.js";
import { createOperations } from "../../src/operations/index.js";
import type { FakeSlackMessage } from "../../src/sandbox/slack/index.js";
import { createSlackChat } from "../../src/slack/create-slack-chat.js";
import { type WaveRunRecord, waveRunKey } from "../../src/waves/wave-run-record.js";
import { type OperationsHarness, startOperationsHarness, textOf } from "../e2e/helpers/operations-harness.js";
import { eventually } from "../helpers/eventually.js";

let h: OperationsHarness;
beforeAll(async () => {
  h = await startOperationsHarness({
    operations: {
      // The pause passes by the harness clock: the run's lease must outlive the jump.
      runLeaseTtlMs: 24 * 60 * 60_000,
      waves: { holdPollMs: 10, gate: { pollMs: 10, timeoutMs: 60_000 } },
    },
  });
});
afterAll(async () => {
  await h?.close();
});

function statusMessages(card: FakeSlackMessage): FakeSlackMessage[] {
  return h.replies(card).filter((m) => /^Wave \d+ of \d+ · \w+ of \d+ servers?: /.test(m.text ?? ""));
}

async function waveRecordOf(card: FakeSlackMessage): Promise<WaveRunRecord | undefined> {
  const requestId = /"value":"(apr_[^"]+)"/.exec(JSON.stringify(card.blocks))?.[1];
  const request = (await h.store.get<ApprovalRequest>(`approval:${requestId}`))?.value;
  const runId = request?.execution?.executionId;
  return runId === undefined ? undefined : (await h.store.get<WaveRunRecord>(waveRunKey(runId)))?.value;
}

// It stops the harness's operations (the owner dies).
it("the owner dies right after wave 1: the adopter ends wave 1's message, runs wave 2 once, says resumed", async () => {
  const names = ["wh-1", "wh-2"].map(
    (name) => h.sim.control.addServer({ name, status: "ACTIVE", tags: { env: "dev" } }).name,
  );
  const timing = h.sim.control.jobTiming();
  h.sim.control.setJobTiming({ runningMs: 60 * 60_000 });
  try {
    await h.command(`reboot ${names.join(" ")} --waves 2 --pause 10m`);
    const card = await h.waitCard(`/ecs reboot ${names.join(" ")}`);
    await h.fake.waitFor(() =>
      statusMessages(card).find((m) => textOf(m).includes("now: wait until they are back up")),
    );

    // From the end of wave 1's job on, the owner's edits never reach Slack: as if it died then.
    h.fake.failNext("chat.update", "fatal_error", 10_000);
    h.sim.control.setJobTiming(timing);
    h.sim.control.advance(61 * 60_000);
    await eventually(
      async () => {
        const record = await waveRecordOf(card);
        return record?.waves[0]?.status === "done" && record.nextWaveAt !== undefined;
      },
      30_000,
      "wave 1 done",
    );
    await h.ops.stop(2_000);
    h.fake.clearFaults("chat.update");
    // Before the adoption, wave 1's message still shows its run going.
    expect(statusMessages(card).map((m) => m.text)).toEqual([
      expect.stringMatching(
        /^Wave 1 of 2 · reboot of 1 server: running since <!date\^\d+\^\{time\}\|\d\d:\d\d UTC>$/,
      ),
    ]);

    const replica = createOperations({ ...h.opsOptions, chat: createSlackChat(h.bot.app.client) });
    await replica.start();
    // Redrawn from its record during the pause, before wave 2 starts.
    const redrawn = await h.fake.waitFor(() =>
      statusMessages(card).find((m) => m.text === "Wave 1 of 2 · reboot of 1 server: finished"),
    );
    expect(textOf(redrawn)).toContain(":white_check_mark: Wait until they are back up — 1 done");
    expect(textOf(redrawn)).not.toContain("(resumed)");
    expect(h.mutations("batchRebootServers")).toHaveLength(1);

    h.clock.advance(11 * 60_000);
    const summary = await h.fake.waitFor(
      () =>
        h
          .replies(card)
          .map(textOf)
          .find((t) => t.includes("your request finished")),
      30_000,
    );
    await replica.idle();
    expect(summary).toContain("2 restarted");
    // The run changed hands once: between the waves, where no wave's own run was resumed.
    expect(summary).toContain("resumed 1×");
    expect(h.mutations("batchRebootServers")).toHaveLength(2);
    await h.fake.waitFor(
      () => statusMessages(card).every((m) => !/: running since/.test(textOf(m))) || undefined,
    );
    expect(statusMessages(card).map((m) => m.text)).toEqual([
      "Wave 1 of 2 · reboot of 1 server: finished",
      "Wave 2 of 2 · reboot of 1 server: finished",
    ]);
    await replica.stop(2_000);
  } finally {
    h.sim.control.setJobTiming(timing);
  }
});
