/**
 * A run in waves in the lists of what runs now, end to end over signed Slack requests, the fake Slack and the
 * simulated cloud: `/ops jobs` and the Home tab's "Running now" show the whole request once (its operation and
 * servers, the wave it is at, the servers done), during a wave and between waves, timed or paused by someone,
 * never a wave's own run. Time between waves comes from the harness's clock.
 */
import { afterAll, beforeAll, beforeEach, expect, it } from "vitest";
import type { FakeSlackMessage } from "../../src/sandbox/slack/index.js";
import { sendEvent } from "../helpers/slack-requests.js";
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

/** `/ops jobs` as Alice sees it (the newest answer with its running list). */
async function jobs(): Promise<string> {
  const before = h.ephemeralTexts(IDS.alice).length;
  await h.command("jobs", { command: "/ops" });
  return h.fake.waitFor(() =>
    h
      .ephemeralTexts(IDS.alice)
      .slice(before)
      .find((t) => t.includes("*Running now*")),
  );
}

/** Alice's Home tab, published again as she opens it. */
async function home(): Promise<string> {
  const before = h.fake.homeView(IDS.alice)?.history.length ?? 0;
  const sent = await sendEvent(h.eventsUrl, h.fake.signingSecret, h.fake.buildAppHomeOpened(IDS.alice));
  expect(sent.status).toBe(200);
  const view = await h.fake.waitFor(() => {
    const v = h.fake.homeView(IDS.alice);
    return v !== undefined && v.history.length > before ? v : undefined;
  });
  return textOf({ blocks: view.view.blocks as unknown[] });
}

const waveList = (card: FakeSlackMessage, check: (text: string) => boolean) =>
  waitForWaveList(h, card, check);

const waveMessage = (card: FakeSlackMessage) => h.replies(card).find((m) => textOf(m).includes("*Wave 1*"));

it("/ops jobs and Home list a run in waves once, as the whole request: in its pause, paused, and during a wave", async () => {
  const timing = h.sim.control.jobTiming();
  try {
    await h.command(`reboot ${SERVERS.join(" ")} --waves 3 --pause 10m`);
    const card = await h.waitCard("--pause 10m");
    await waveList(card, (t) => t.includes("— done") && t.includes("Next wave after the pause"));

    // Between waves no run is open, yet the request runs: listed, with the time to the next wave.
    const pause = await jobs();
    expect(pause).toContain("*Running now* (1)");
    expect(pause).toContain("reboot 3 servers");
    expect(pause).toMatch(/next wave \(2 of 3\) in (10m|9m \d\ds) · 1 of 3 servers done/);
    const tab = await home();
    expect(tab).toContain("*Running now* (1)");
    expect(tab).toMatch(
      /reboot 3 servers\* — .*next wave \(2 of 3\) in (10m|9m \d\ds) · 1 of 3 servers done/,
    );

    await h.click(waveMessage(card)!, "ops.waves.pause", IDS.alice);
    await waveList(card, (t) => t.includes("*Paused* by"));
    const paused = await jobs();
    expect(paused).toContain(`paused by <@${IDS.alice}> before wave 2 of 3 · 1 of 3 servers done`);
    expect(await home()).toContain(`paused by <@${IDS.alice}> before wave 2 of 3 · 1 of 3 servers done`);

    // Wave 2's job runs for an hour of the cloud's clock: the list shows the request at that wave, once.
    h.sim.control.setJobTiming({ runningMs: 60 * 60_000 });
    await h.click(waveMessage(card)!, "ops.waves.resume", IDS.alice);
    h.clock.advance(11 * 60_000);
    await waveList(card, (t) => /\*Wave 2\*.*— running/.test(t));
    for (let i = 0; i < 500 && h.mutations("batchRebootServers").length < 2; i++)
      await new Promise((r) => setTimeout(r, 10));
    const during = await jobs();
    expect(during).toContain("*Running now* (1)");
    expect(during).toContain("reboot 3 servers");
    expect(during).not.toContain("reboot 1 server");
    expect(during).toMatch(/wave 2 of 3: wait until they are back up · 1 of 3 servers done/);
    const tabDuring = await home();
    expect(tabDuring).toContain("*Running now* (1)");
    expect(tabDuring).toMatch(/wave 2 of 3: wait until they are back up · 1 of 3 servers done/);

    h.sim.control.setJobTiming(timing);
    h.sim.control.advance(61 * 60_000);
    await waveList(card, (t) => /\*Wave 2\*.*— done/.test(t));
    await h.click(waveMessage(card)!, "ops.waves.abort", IDS.alice);
    await waveList(card, (t) => t.includes("*Aborted* by"));
    await h.ops.idle();
    expect(await jobs()).toContain("*Running now* (0)");
    expect(await home()).toContain("*Running now* (0)");
  } finally {
    h.sim.control.setJobTiming(timing);
  }
});
