/**
 * The Slack calls of an allowed request that runs at once (issue 12: chat.update is rate-limited per workspace,
 * and every Web API call costs the bot CPU), end to end: signed Slack requests into the bot over loopback, the
 * fake Slack, the simulated cloud, the shipped policy and flows.
 */

import { afterAll, beforeAll, expect, it } from "vitest";
import { type OperationsHarness, startOperationsHarness, textOf } from "./helpers/operations-harness.js";

let h: OperationsHarness;
beforeAll(async () => {
  h = await startOperationsHarness({
    // A job long enough to be shown running before it ends.
    jobTiming: { initMs: 20, runningMs: 2_500 },
    // The run's end must come within the settle time after its job's end; on a loaded machine the few
    // milliseconds between them may be more than the default 250 ms, which this test is not about.
    operations: { statusSettleMs: 1_000 },
    // On a minute: the card first posted says since when it runs to the minute, and its run starts in the
    // same minute (one that starts in the next is edited: correct, but another count).
    clockStartsAt: Math.floor(Date.now() / 60_000) * 60_000,
  });
});
afterAll(async () => {
  await h?.close();
});

it("an allowed single-server stop makes 5 Slack calls: the card posted as it runs, the status posted and finished, the summary, the card done", async () => {
  // The shipped policy adds an approval for env=prod; as a dev server, a soft stop is allowed outright.
  for (const name of ["web-01", "web-02"])
    h.sim.control.setServer(h.serverId(name), { tags: { env: "dev", team: "platform", role: "web" } });
  // A first stop reads the user groups (kept a minute for decisions, ten for the cards' mentions): those reads
  // are the process's, not each request's, and are left out of the count.
  await h.command("stop web-02");
  await h.waitCard("/ecs stop web-02", (t) => t.includes("Done"));
  await h.ops.idle();
  await h.bot.idle();
  h.fake.reset();

  await h.command("stop web-01");
  const card = await h.waitCard("/ecs stop web-01", (t) => t.includes("Done"));
  await h.fake.waitFor(() => h.replies(card).length >= 2);
  await h.ops.idle();
  await h.bot.idle();
  // Read once everything has landed: the summary does not wait for the status message's last edit.
  const replies = h.replies(card);

  const byMethod: Record<string, number> = {};
  for (const call of h.fake.calls()) byMethod[call.method] = (byMethod[call.method] ?? 0) + 1;
  expect(byMethod).toEqual({ "chat.postMessage": 3, "chat.update": 2 });

  // The card: first posted running (no "Preparing" before it), then done, as an operator saw it before.
  expect(card.history.map((v) => v.text ?? "")).toEqual([
    expect.stringMatching(/^Running: /),
    expect.stringMatching(/^Done: /),
  ]);
  const first = textOf(card.history[0]);
  expect(first).toContain("*Running:* <@");
  expect(first).toContain("— progress in the thread");
  expect(first).toContain("Allowed by the policy: no approval needed.");
  expect(first).toMatch(/Running since <!date\^\d+\^\{time\}\|\d\d:\d\d UTC>\./);
  const final = textOf(card);
  expect(final).toContain("*Done:* <@");
  expect(final).toContain("Allowed by the policy: no approval needed.");
  expect(final).toMatch(/\*Result:\* 1 stopped in \d+s\. Details in the thread\./);
  expect(final).not.toContain("Running");

  // The status message: posted running, then edited once, to its end.
  const [status, summary] = replies;
  expect(status?.history).toHaveLength(2);
  expect(textOf(status?.history[0])).toContain("stop of 1 server: running since");
  expect(textOf(status?.history[0])).toContain("now: wait until they are stopped");
  expect(textOf(status)).toMatch(/\*stop\* of 1 server: finished after \d+s/);
  expect(textOf(status)).toContain(":white_check_mark: Wait until they are stopped — 1 done");
  expect(textOf(summary)).toContain(", your request finished:");
  expect(textOf(summary)).toContain("1 stopped");
  expect(summary?.history).toHaveLength(1);

  expect(h.sim.control.server("web-01")?.status).toBe("SHUTOFF");
});
