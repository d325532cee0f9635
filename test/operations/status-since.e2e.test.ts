/**
 * A job that stays RUNNING for minutes, end to end over signed Slack requests against the simulated cloud: the
 * thread's status message says since when the run runs (a date each reader's Slack shows in their own time),
 * so ten minutes later, by the bot's clock, it does not read as freshly started, and the minute redraws while
 * nothing changes cost no chat.update. At the deadline the summary sends the reader to the job, which is
 * still running.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import type { Timers } from "../../src/operations/timers.js";
import type { FakeSlackMessage } from "../../src/sandbox/slack/index.js";
import { type OperationsHarness, startOperationsHarness, textOf } from "../e2e/helpers/operations-harness.js";

/**
 * Real timers, but for the status message's periodic redraw (an interval of a minute; with the day-long run
 * leases below nothing else of the bot repeats every minute): the test fires it as the bot's clock moves.
 */
function redrawsOnDemand() {
  const redraws = new Map<number, () => void>();
  let next = 1;
  const real: Timers = {
    setTimeout: (fn, ms) => setTimeout(fn, ms).unref(),
    clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
    setInterval: (fn, ms) => setInterval(fn, ms).unref(),
    clearInterval: (handle) => clearInterval(handle as NodeJS.Timeout),
  };
  const timers: Timers = {
    ...real,
    setInterval(fn, ms) {
      if (ms !== 60_000) return real.setInterval(fn, ms);
      const id = next++;
      redraws.set(id, fn);
      return { redraw: id };
    },
    clearInterval(handle) {
      const redraw = (handle as { redraw?: number } | undefined)?.redraw;
      if (redraw !== undefined) redraws.delete(redraw);
      else real.clearInterval(handle);
    },
  };
  return {
    timers,
    fire: () => {
      for (const fn of redraws.values()) fn();
    },
    count: () => redraws.size,
  };
}

const redraws = redrawsOnDemand();
let h: OperationsHarness;
beforeAll(async () => {
  h = await startOperationsHarness({
    operations: { runLeaseTtlMs: 24 * 3600_000, timers: redraws.timers },
  });
});
afterAll(async () => {
  await h?.close();
});

function statusOf(card: FakeSlackMessage): FakeSlackMessage | undefined {
  return h.replies(card).find((m) => /^reboot of \d+ servers?: /.test(m.text ?? ""));
}

it("a job RUNNING for 10 minutes: the status says since when it runs, never 'for 0s'; redraws without news are not sent", async () => {
  for (const i of [1, 2])
    h.sim.control.addServer({
      name: `since-web-${i}`,
      status: "ACTIVE",
      tags: { env: "dev", tier: "since" },
    });
  // The cloud's job stays RUNNING for a day: no news from it after its sub-jobs start.
  h.sim.control.setJobTiming({ runningMs: 24 * 3600_000 });
  const asked = h.clock.now();
  await h.command("reboot tag:tier=since");
  const card = await h.waitCard("/ecs reboot tag:tier=since");
  const running = await h.fake.waitFor(() => {
    const status = statusOf(card);
    return status !== undefined && textOf(status).includes("2 in progress") ? status : undefined;
  });
  const drawn = textOf(running);
  expect(redraws.count()).toBe(1);

  // Ten minutes by the bot's clock, a redraw each minute, and no news from the job.
  const updates = () => h.fake.calls("chat.update").filter((c) => c.args.ts === running.ts).length;
  const before = updates();
  for (let minute = 1; minute <= 10; minute++) {
    h.clock.advance(60_000);
    redraws.fire();
  }
  // A redraw would be sent after the reporter's settle time (250 ms): give it twice that.
  await new Promise((resolve) => setTimeout(resolve, 500));
  expect(updates()).toBe(before);

  const status = textOf(statusOf(card));
  expect(status).toBe(drawn);
  expect(status).not.toMatch(/running for|\b0s\b/);
  // Since the run's start, shown in each reader's own time (UTC where Slack cannot): ten minutes ago by now.
  const since =
    /reboot\* of 2 servers: running since <!date\^(\d+)\^\{time\}\|\d\d:\d\d UTC> · now: wait until they are back up/.exec(
      status,
    );
  expect(since).not.toBeNull();
  const startedAt = Number(since![1]) * 1000;
  expect(startedAt).toBeGreaterThanOrEqual(Math.floor(asked / 1000) * 1000);
  expect(startedAt).toBeLessThanOrEqual(h.clock.now() - 10 * 60_000);
  expect(statusOf(card)?.text).toMatch(/^reboot of 2 servers: running since /);

  // The deadline passes with the job still RUNNING: the summary sends the reader to the job.
  const job = h.sim.control.jobs().find((j) => j.status === "RUNNING");
  expect(job).toBeDefined();
  h.clock.advance(6 * 60_000);
  const summary = await h.fake.waitFor(
    () => h.replies(card).find((m) => (m.text ?? "").startsWith("reboot: ")),
    15_000,
  );
  expect(summary.text).toBe("reboot: outcome unknown for 2 servers");
  expect(textOf(summary)).toContain(
    `*Outcome unknown* (not sent again): the cloud's job was still running when the bot stopped waiting: follow it with \`/ecs job ${job!.id}\`, then ask again if the change is still needed`,
  );
  expect(textOf(summary)).not.toContain("/ecs show");
  await h.ops.idle();
  // The run ended: its redraw stopped with it.
  expect(redraws.count()).toBe(0);
});
