/**
 * While the bot reads the servers after a stop whose outcome is unknown (a 5xx on the call), over signed HTTP
 * against the fake Slack and the simulated cloud, the thread's status message says the outcome is not known yet
 * and that the servers are watched until the wait's deadline, never that the stop is "in progress"; once the
 * server shows the stop, the run is settled.
 */
import { afterAll, beforeAll, beforeEach, expect, it } from "vitest";
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

it("a 5xx on the stop: the status message says the outcome is not known yet while the servers are watched", async () => {
  const server = h.sim.control.addServer({ name: "unknown-words-1", status: "ACTIVE", tags: { env: "dev" } });
  // Answered before the service: the stop never happened, but the bot cannot know that.
  h.sim.control.failNextRequests({ status: 503, method: "POST", match: "/cloudservers/action" });
  await h.command(`stop ${server.name}`);
  const card = await h.waitCard(`/ecs stop ${server.name}`);
  const status = await h.fake.waitFor(() =>
    h
      .replies(card)
      .map(textOf)
      .find((t) => t.includes("watching the servers")),
  );
  expect(status).toContain(
    "Wait until they are stopped — 0 of 1 done; outcome not known yet: watching the servers",
  );
  expect(status).not.toContain("in progress");
  // Until the wait's deadline (the shipped flow's 15 minutes), as a date each reader's Slack shows in their time.
  expect(status).toMatch(/watching the servers until <!date\^\d+\^\{time\}\|/);
  // Someone stops it (in the console): settled from the server, the one call never sent again.
  h.sim.control.setServer(server.id, { status: "SHUTOFF" });
  const summary = await h.fake.waitFor(() =>
    h.replies(card).find((m) => (m.text ?? "").startsWith("stop: ")),
  );
  expect(summary.text).toBe("stop: 1 stopped");
  const calls = h.sim.control.requests().filter((r) => r.method === "POST" && r.path.endsWith("/action"));
  expect(calls.map((r) => r.status)).toEqual([503]);
});
