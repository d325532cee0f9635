import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createManualClock } from "../../src/sandbox/cloud/create-manual-clock.js";
import type { ManualClock } from "../../src/sandbox/cloud/sim-clock.js";
import { SLACK_IDS } from "../../src/sandbox/slack/index.js";
import { blocksText } from "../helpers/read-slack-blocks.js";
import { sendSlashCommand } from "../helpers/slack-requests.js";
import { type BotHarness, startBotHarness } from "../helpers/start-bot-harness.js";

/**
 * The bounded work queue over signed HTTP: with one slot and no room to wait, a command that arrives while
 * another waits for a slow cloud is acked and told "busy, try again in a moment" (nothing done), and once the
 * slot is free commands run again. The cloud's latency runs on a manual clock, so nothing waits for real.
 */
let clock: ManualClock;
let h: BotHarness;

beforeAll(async () => {
  clock = createManualClock();
  h = await startBotHarness({ clock, work: { concurrency: 1, queueSize: 0 } });
});
afterAll(async () => {
  await h?.close();
});

const command = (text: string, user: string) =>
  sendSlashCommand(
    h.eventsUrl,
    h.fake.signingSecret,
    h.fake.buildSlashCommand({ command: "/ecs", text, user }),
  );

describe("a full work queue", () => {
  it("acks every request, answers busy to the one it cannot take, and takes work again when free", async () => {
    h.sim.control.setFaults({ latencyMs: 5_000 });
    expect((await command("show web-01", SLACK_IDS.alice)).status).toBe(200);
    await h.fake.waitFor(() => h.logs.some((l) => l.msg === "command received"));

    expect((await command("show web-02", SLACK_IDS.bob)).status).toBe(200);
    const busy = await h.fake.waitFor(() => h.fake.ephemerals({ user: SLACK_IDS.bob })[0]);
    expect(blocksText(busy.blocks)).toContain("busy, try again in a moment");
    expect(h.logs.filter((l) => l.msg === "command received")).toHaveLength(1);
    expect(h.logs.some((l) => l.msg === "work queue full: request turned away as busy")).toBe(true);

    // The first command finishes once its cloud calls do; then the slot is free again.
    for (let i = 0; i < 200; i++) {
      const answered = h.fake
        .ephemerals({ user: SLACK_IDS.alice })
        .some((e) => blocksText(e.blocks).includes("web-01") && !blocksText(e.blocks).includes("Looking up"));
      if (answered) break;
      await new Promise((resolve) => setTimeout(resolve, 10));
      clock.advance(500);
    }
    h.sim.control.clearFaults();
    // `/healthz` reports the queue: the slot is free once the first request has completely finished.
    for (;;) {
      const health = (await (await fetch(`${h.bot.url}/healthz`)).json()) as {
        running: number;
        queued: number;
      };
      if (health.running === 0 && health.queued === 0) break;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect((await command("show web-02", SLACK_IDS.bob)).status).toBe(200);
    const answer = await h.fake.waitFor(() =>
      h.fake.ephemerals({ user: SLACK_IDS.bob }).find((e) => blocksText(e.blocks).includes("web-02")),
    );
    expect(blocksText(answer.blocks)).not.toContain("busy");
  });
});
