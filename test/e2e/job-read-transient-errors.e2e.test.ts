/**
 * A passing cloud fault while the bot follows a job is not an outcome: a stop whose job read meets an HTTP 500
 * (`Common.0001` "A system exception occurred. Try again later") goes on polling and ends "stopped", over signed
 * Slack requests against the simulated cloud. The stop itself (a mutation) is sent once.
 */
import { afterAll, beforeAll, beforeEach, expect, it } from "vitest";
import type { FakeSlackMessage } from "../../src/sandbox/slack/index.js";
import { type OperationsHarness, startOperationsHarness, textOf } from "./helpers/operations-harness.js";

let h: OperationsHarness;
beforeAll(async () => {
  h = await startOperationsHarness();
});
afterAll(async () => {
  await h?.close();
});
beforeEach(async () => {
  await h.ops.idle();
  h.sim.control.reset();
});

let seq = 0;
function addServer(): { id: string; name: string } {
  seq++;
  return h.sim.control.addServer({ name: `jr${seq}-web`, status: "ACTIVE", tags: { env: "dev" } });
}

const summaryOf = (card: FakeSlackMessage, op: string) =>
  h.fake.waitFor(() => h.replies(card).find((m) => (m.text ?? "").startsWith(`${op}: `)), 15_000);

const jobReads = () =>
  h.sim.control.requests().filter((r) => r.method === "GET" && r.path.includes("/jobs/"));

it("one 500 on the job read: the stop goes on and ends 'stopped', the stop sent once", async () => {
  const s = addServer();
  h.sim.control.setJobTiming({ runningMs: 500 });
  h.sim.control.failNextRequests({ status: 500, count: 1, method: "GET", match: "/jobs/" });
  await h.command(`stop ${s.name}`);
  const card = await h.waitCard(`/ecs stop ${s.name}`);
  const summary = await summaryOf(card, "stop");
  expect(summary.text).toBe("stop: 1 stopped");
  expect(textOf(summary)).not.toContain("unknown");
  expect(jobReads()[0]?.status).toBe(500);
  expect(jobReads().at(-1)?.status).toBe(200);
  expect(h.mutations("batchStopServers")).toHaveLength(1);
  expect(h.sim.control.server(s.id)?.status).toBe("SHUTOFF");
});

it("500s past the client's own retries: the job wait keeps polling and the stop ends 'stopped'", async () => {
  const s = addServer();
  h.sim.control.setJobTiming({ runningMs: 500 });
  // The harness's client tries a read twice: five failures reach the job wait as failed polls.
  h.sim.control.failNextRequests({ status: 500, count: 5, method: "GET", match: "/jobs/" });
  await h.command(`stop ${s.name}`);
  const card = await h.waitCard(`/ecs stop ${s.name}`);
  const summary = await summaryOf(card, "stop");
  expect(summary.text).toBe("stop: 1 stopped");
  expect(
    jobReads()
      .slice(0, 5)
      .map((r) => r.status),
  ).toEqual([500, 500, 500, 500, 500]);
  expect(h.mutations("batchStopServers")).toHaveLength(1);
});
