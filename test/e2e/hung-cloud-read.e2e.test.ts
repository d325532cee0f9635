/**
 * A read against a hung cloud is bounded: over signed HTTP, `/ecs show` with every cloud answer held back (the
 * simulator's injected latency on a manual clock, so the requests hang until the test moves the clock) is
 * sent twice (each of its reads), not as often as the read's attempts allow (4, the default), and the user is told that Huawei
 * Cloud did not answer in time. A small request timeout (150 ms) keeps the real wait short.
 */
import { afterAll, beforeAll, expect, it, vi } from "vitest";
import { createManualClock } from "../../src/sandbox/cloud/create-manual-clock.js";
import type { ManualClock } from "../../src/sandbox/cloud/sim-clock.js";
import { SLACK_IDS } from "../../src/sandbox/slack/index.js";
import { blocksText } from "../helpers/read-slack-blocks.js";
import { sendSlashCommand } from "../helpers/slack-requests.js";
import { type BotHarness, startBotHarness } from "../helpers/start-bot-harness.js";

let clock: ManualClock;
let h: BotHarness;

beforeAll(async () => {
  clock = createManualClock();
  h = await startBotHarness({
    clock,
    // The default attempts (4) with a short backoff: what bounds the timeouts is the timeout rule alone.
    cloud: { requestTimeoutMs: 150, retry: { baseDelayMs: 10, maxDelayMs: 20 } },
  });
});
afterAll(async () => {
  await h?.close();
});

it("/ecs show against a cloud that never answers: sent twice, then 'did not answer in time'", async () => {
  h.sim.control.setFaults({ latencyMs: 3_600_000 });
  const ack = await sendSlashCommand(
    h.eventsUrl,
    h.fake.signingSecret,
    h.fake.buildSlashCommand({ command: "/ecs", text: "show web-04" }),
  );
  expect(ack.status).toBe(200);
  const answer = await h.fake.waitFor(() =>
    h.fake
      .ephemerals({ user: SLACK_IDS.alice })
      .find((m) => blocksText(m.blocks).includes("did not answer in time")),
  );
  expect(blocksText(answer.blocks)).toContain("Huawei Cloud did not answer in time. Try again in a moment.");

  // The held requests reach the simulator's log once they are let through: as many as were sent.
  h.sim.control.setFaults({ latencyMs: 0 });
  clock.advance(3_600_000);
  // `/ecs show` makes two reads (the servers named so, and the fleet for a suggestion), each sent twice.
  const attemptsByRead = () => {
    const counts = new Map<string, number>();
    for (const r of h.sim.control.requests()) {
      const read = `${r.method} ${r.path} ${JSON.stringify(r.query)}`;
      counts.set(read, (counts.get(read) ?? 0) + 1);
    }
    return [...counts.values()];
  };
  await vi.waitFor(() => expect(h.sim.control.requests().length).toBeGreaterThanOrEqual(4));
  // Nothing further was sent after the second timeouts (the log would show it by now).
  await new Promise((resolve) => setTimeout(resolve, 100));
  expect(
    h.sim.control.requests().every((r) => r.method === "GET" && r.path.endsWith("/cloudservers/detail")),
  ).toBe(true);
  expect(attemptsByRead()).toEqual([2, 2]);
});
