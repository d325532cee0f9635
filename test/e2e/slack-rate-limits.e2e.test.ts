/**
 * A Slack rate limit holds back only what it limits, end to end: signed Slack requests into the bot over
 * loopback, the fake Slack answering a 429, the simulated cloud, the shipped policy and flows. The bot's
 * rate-limit waits are the test's to release (no real wait for Slack's Retry-After).
 */

import { afterAll, beforeAll, expect, it, vi } from "vitest";
import { createApprovalService } from "../../src/approvals/approval-service.js";
import { createRateLimitGate } from "../../src/slack/create-rate-limit-gate.js";
import {
  IDS,
  latestCard,
  type OperationsHarness,
  startOperationsHarness,
  textOf,
} from "./helpers/operations-harness.js";

let h: OperationsHarness;
/** The rate-limit waits the bot started, each released by the test. */
const waits: { ms: number; release: () => void }[] = [];

beforeAll(async () => {
  h = await startOperationsHarness({
    // A job long enough for its status message to be posted before it ends.
    jobTiming: { initMs: 20, runningMs: 1_000 },
    rateLimits: createRateLimitGate({
      sleep: (ms) => new Promise((resolve) => waits.push({ ms, release: () => resolve() })),
    }),
  });
});
afterAll(async () => {
  for (const wait of waits) wait.release();
  await h?.close();
});

it("a rate-limited status message holds back neither the summary nor the run's end; it shows the end after the wait", async () => {
  // The shipped policy adds an approval for env=prod; as a dev server, a soft stop is allowed outright.
  h.sim.control.setServer(h.serverId("web-01"), { tags: { env: "dev", team: "platform", role: "web" } });
  await h.command("stop web-01");
  const card = await h.fake.waitFor(() => latestCard(h.fake, "/ecs stop web-01"));
  const status = await h.fake.waitFor(() =>
    h.replies(card).find((m) => textOf(m).includes("stop of 1 server: running since")),
  );
  // From now on (the job still runs), Slack refuses the next chat.update: the status message's next edit.
  const edited = () => h.fake.calls("chat.update").filter((c) => c.response.status === 200).length;
  const editsBefore = edited();
  h.fake.rateLimitNext("chat.update", 30);

  // The run ends while that edit waits out Slack's 30 s: its summary is posted in the thread all the same.
  const summary = await h.fake.waitFor(() =>
    h.replies(card).find((m) => textOf(m).includes("your request finished")),
  );
  expect(textOf(summary)).toContain("1 stopped");
  await vi.waitFor(() => expect(waits.map((w) => w.ms)).toEqual([30_000]));
  expect(textOf(h.fake.message(IDS.ops, status.ts))).toContain("running since");
  expect(h.sim.control.server("web-01")?.status).toBe("SHUTOFF");
  // The request's outcome is recorded without waiting for Slack either.
  const approvals = createApprovalService({ store: h.store, clock: h.clock, audit: h.audit });
  await vi.waitFor(async () => expect(await approvals.listByStatus("executing")).toEqual([]));
  // The card's own edit is a chat.update too, and Slack limits chat.update per method: it waits for the same
  // 30 s (Slack would only refuse it); no other call of the bot waits.
  expect(edited()).toBe(editsBefore);

  waits[0]?.release();
  await h.fake.waitFor(() => latestCard(h.fake, "/ecs stop web-01", (t) => t.includes("Done")));
  await h.ops.idle();
  const shown = textOf(h.fake.message(IDS.ops, status.ts));
  expect(shown).toMatch(/stop\* of 1 server: finished after \d+s/);
  expect(shown).toContain("Wait until they are stopped — 1 done");
  expect(h.fake.calls("chat.update").filter((c) => c.response.status === 429)).toHaveLength(1);
});
