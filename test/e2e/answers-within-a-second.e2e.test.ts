import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createManualClock } from "../../src/sandbox/cloud/create-manual-clock.js";
import type { ManualClock } from "../../src/sandbox/cloud/sim-clock.js";
import { type FakeSlackResponse, SLACK_IDS } from "../../src/sandbox/slack/index.js";
import { blocksText, findElement } from "../helpers/read-slack-blocks.js";
import { sendBlockAction, sendSlashCommand } from "../helpers/slack-requests.js";
import { type BotHarness, startBotHarness } from "../helpers/start-bot-harness.js";

/**
 * Issue 11 §3, over signed HTTP: with 5 s of cloud latency every command still gets a visible answer within a
 * second of its ack ("⏳ Looking up web-04…"), which the result then replaces; a fast result shows no
 * placeholder at all. One manual clock drives the simulator's latency, the fake Slack's receive times and the
 * bot's placeholder timer, so the second is measured on the fake Slack's clock without real waits.
 */
const LATENCY_MS = 5_000;
let clock: ManualClock;
let h: BotHarness;

beforeAll(async () => {
  clock = createManualClock();
  h = await startBotHarness({ clock, sim: { servers: 45 } });
});
afterAll(async () => {
  await h?.close();
});
beforeEach(() => {
  h.fake.reset();
  h.sim.control.clearFaults();
  h.logs.length = 0;
});

const yieldToIo = () => new Promise((resolve) => setTimeout(resolve, 10));

/** Waits (in real time, for loopback I/O only) until the bot has logged `msg` `count` times. */
async function loggedTimes(msg: string, count: number): Promise<void> {
  await h.fake.waitFor(() => h.logs.filter((l) => l.msg === msg).length >= count);
}

/** Moves the shared clock in steps until `check` holds: in-flight cloud requests finish as their delay passes. */
async function advanceUntil<T>(check: () => T | undefined, stepMs = 500, maxMs = 60_000): Promise<T> {
  for (let moved = 0; moved <= maxMs; moved += stepMs) {
    const value = check();
    if (value !== undefined) return value;
    await yieldToIo();
    clock.advance(stepMs);
  }
  throw new Error("condition not reached on the manual clock");
}

const toAlice = (r: FakeSlackResponse) => r.effect.kind !== "rejected";

describe("answers within a second, at 5 s of cloud latency", () => {
  it("/ecs show web-04: ⏳ Looking up web-04… at 300 ms, replaced by the server in place", async () => {
    h.sim.control.setFaults({ latencyMs: LATENCY_MS });
    const ackedAt = clock.now();
    const ack = await sendSlashCommand(
      h.eventsUrl,
      h.fake.signingSecret,
      h.fake.buildSlashCommand({ command: "/ecs", text: "show web-04" }),
    );
    expect(ack.status).toBe(200);
    await loggedTimes("command received", 1);

    clock.advance(300);
    const placeholder = await h.fake.waitFor(() => h.fake.ephemerals({ user: SLACK_IDS.alice })[0]);
    expect(blocksText(placeholder.blocks)).toContain(":hourglass_flowing_sand: Looking up `web-04`…");
    const first = h.fake.responses().filter(toAlice)[0];
    expect(Date.parse(first?.at ?? "") - ackedAt).toBeLessThanOrEqual(1_000);

    const shown = await advanceUntil(() => {
      const e = h.fake.ephemerals({ user: SLACK_IDS.alice })[0];
      return e && blocksText(e.blocks).includes("web-04") && !blocksText(e.blocks).includes("Looking up")
        ? e
        : undefined;
    });
    // The placeholder became the answer: one message for the user, two versions of it.
    expect(h.fake.ephemerals({ user: SLACK_IDS.alice })).toHaveLength(1);
    expect(shown.history).toHaveLength(2);
    expect(h.fake.responses().map((r) => r.effect.kind)).toEqual(["ephemeral", "replaced_ephemeral"]);
    expect(Date.parse(h.fake.responses()[1]?.at ?? "") - ackedAt).toBeGreaterThanOrEqual(LATENCY_MS);
  });

  it("/ecs list: ⏳ Fetching the list… within a second, then the list in its place", async () => {
    h.sim.control.setFaults({ latencyMs: LATENCY_MS });
    const ackedAt = clock.now();
    await sendSlashCommand(
      h.eventsUrl,
      h.fake.signingSecret,
      h.fake.buildSlashCommand({ command: "/ecs", text: "list" }),
    );
    await loggedTimes("command received", 1);
    clock.advance(300);
    await h.fake.waitFor(() => h.fake.ephemerals({ user: SLACK_IDS.alice })[0]);
    expect(Date.parse(h.fake.responses()[0]?.at ?? "") - ackedAt).toBeLessThanOrEqual(1_000);
    const list = await advanceUntil(() => {
      const e = h.fake.ephemerals({ user: SLACK_IDS.alice })[0];
      return e && /Showing \d+–\d+ of 45/.test(blocksText(e.blocks)) ? e : undefined;
    });
    expect(blocksText(list.blocks)).not.toContain("Fetching the list");
  });

  it("a fast answer shows no placeholder, even when the clock moves on afterwards", async () => {
    await sendSlashCommand(
      h.eventsUrl,
      h.fake.signingSecret,
      h.fake.buildSlashCommand({ command: "/ecs", text: "show web-01" }),
    );
    const answer = await h.fake.waitFor(() => h.fake.ephemerals({ user: SLACK_IDS.alice })[0]);
    expect(blocksText(answer.blocks)).toContain("web-01");
    clock.advance(2_000);
    await yieldToIo();
    expect(h.fake.responses().map((r) => r.effect.kind)).toEqual(["ephemeral"]);
    expect(answer.history).toHaveLength(1);
  });

  it("a slow page click: ⏳ replaces the page within a second, then the next page replaces it", async () => {
    await sendSlashCommand(
      h.eventsUrl,
      h.fake.signingSecret,
      h.fake.buildSlashCommand({ command: "/ecs", text: "list" }),
    );
    const list = await h.fake.waitFor(() => h.fake.ephemerals({ user: SLACK_IDS.alice })[0]);
    h.sim.control.setFaults({ latencyMs: LATENCY_MS });
    const next = findElement(list.blocks, "q.page.next");
    expect(next?.value).toBeDefined();
    const clickedAt = clock.now();
    await sendBlockAction(
      h.eventsUrl,
      h.fake.signingSecret,
      h.fake.buildBlockAction({
        user: SLACK_IDS.alice,
        message: list,
        isEphemeral: true,
        actions: [{ actionId: "q.page.next", value: next?.value ?? "" }],
      }),
    );
    // Time moves in 100 ms steps from the click: the placeholder must land before a second has passed.
    const placeholder = await advanceUntil(() => h.fake.responses()[1], 100);
    expect(placeholder?.effect.kind).toBe("replaced_ephemeral");
    expect(Date.parse(placeholder?.at ?? "") - clickedAt).toBeLessThanOrEqual(1_000);
    expect(JSON.stringify(placeholder?.body)).toContain("Working on it");
    await advanceUntil(() => {
      const e = h.fake.ephemerals({ user: SLACK_IDS.alice })[0];
      return e && blocksText(e.blocks).includes("Showing 21–40 of 45") ? e : undefined;
    });
    expect(h.fake.ephemerals({ user: SLACK_IDS.alice })).toHaveLength(1);
  });
});
