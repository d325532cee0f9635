/**
 * The bot's runs meeting the ECS error answers the reference documents (over signed Slack requests against
 * the simulated cloud, the answer injected by code at its gateway): a stop answered 501 `Ecs.0603` ("Other
 * commands are being executed. Try again 1 minute later") is refused, said as busy, never taken as unknown
 * nor sent again (and a read so answered is told as busy); a stop or a resize answered 400 `Ecs.1002`
 * (OpenStack access timed out: the service failing inside) has an unknown outcome, is never sent again, and
 * is settled from the servers.
 */
import { afterAll, beforeAll, beforeEach, expect, it } from "vitest";
import type { FakeSlackMessage } from "../../src/sandbox/slack/index.js";
import { SERVER_BUSY_REFUSAL } from "../../src/views/build-cloud-error-view.js";
import { IDS, type OperationsHarness, startOperationsHarness, textOf } from "./helpers/operations-harness.js";

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
/** A dev server of our own: a soft stop of it is allowed outright. */
function addServer(status: "ACTIVE" | "SHUTOFF" = "ACTIVE"): { id: string; name: string } {
  seq++;
  return h.sim.control.addServer({ name: `answers-${seq}`, status, tags: { env: "dev" } });
}

/** The run's summary in the card's thread (`stop: …`, `resize: …`). */
const summaryOf = (card: FakeSlackMessage, operation: string) =>
  h.replies(card).find((m) => (m.text ?? "").startsWith(`${operation}: `));

/** Every POST the simulator received whose path ends with `suffix`, with its status. */
const posts = (suffix: string) =>
  h.sim.control
    .requests()
    .filter((r) => r.method === "POST" && r.path.endsWith(suffix))
    .map((r) => r.status);

it("a stop answered 501 Ecs.0603: refused, said as busy (try again); not unknown, not resent", async () => {
  const server = addServer();
  h.sim.control.failNextRequests({ code: "Ecs.0603", method: "POST", match: "/cloudservers/action" });
  await h.command(`stop ${server.name}`);
  const card = await h.waitCard(`/ecs stop ${server.name}`);
  const summary = await h.fake.waitFor(() => summaryOf(card, "stop"));
  expect(summary.text).toBe("stop: 1 failed");
  const text = textOf(summary);
  expect(text).toContain(SERVER_BUSY_REFUSAL);
  expect(text).toContain("Ecs.0603");
  expect(text).not.toContain("Outcome unknown");
  expect(text).not.toContain("outcome unknown");
  expect(posts("/action")).toEqual([501]);
  expect(h.sim.control.server(server.id)?.status).toBe("ACTIVE");
  // Nothing recorded as in doubt: the audit says the call was rejected.
  const entries = await h.audit.query({ serverId: server.id, limit: 50 });
  const calls = entries.filter((e) => e.serverIds?.includes(server.id) && e.type === "execution.step");
  expect(calls.some((e) => e.detail?.phase === "call_rejected" && e.detail?.code === "Ecs.0603")).toBe(true);
  expect(calls.some((e) => e.detail?.phase === "call_outcome_unknown")).toBe(false);
});

it("a stop answered 400 Ecs.1002: outcome unknown, never resent, settled once the server stops", async () => {
  const server = addServer();
  h.sim.control.failNextRequests({ code: "Ecs.1002", method: "POST", match: "/cloudservers/action" });
  await h.command(`stop ${server.name}`);
  const card = await h.waitCard(`/ecs stop ${server.name}`);
  await h.fake.waitFor(() => h.replies(card).find((m) => textOf(m).includes("running")));
  // Never "rejected: nothing happened": while nothing shows, nothing is concluded.
  await new Promise((resolve) => setTimeout(resolve, 300));
  expect(summaryOf(card, "stop")).toBeUndefined();
  h.sim.control.setServer(server.id, { status: "SHUTOFF" });
  const summary = await h.fake.waitFor(() => summaryOf(card, "stop"), 10_000);
  expect(summary.text).toBe("stop: 1 stopped");
  expect(posts("/action")).toEqual([400]);
  const entries = await h.audit.query({ serverId: server.id, limit: 50 });
  const unknown = entries.find(
    (e) => e.serverIds?.includes(server.id) && e.detail?.phase === "call_outcome_unknown",
  );
  expect(unknown?.detail?.answer).toMatch(/^the cloud answered 400 Ecs\.1002: /);
});

it("a resize answered 400 Ecs.1002: outcome unknown, never resent, settled from its flavor", async () => {
  const server = addServer("SHUTOFF");
  const command = `/ecs resize ${server.name} s6.large.2`;
  await h.command(`resize ${server.name} s6.large.2`);
  const card = await h.waitCard(command, (t) => t.includes("Approval needed"));
  // After the preflight's dry run: the next resize call is the change itself.
  h.sim.control.failNextRequests({ code: "Ecs.1002", method: "POST", match: /\/resize$/ });
  await h.click(card, "ops.approval.approve", IDS.bob);
  await h.fake.waitFor(() => (posts("/resize").at(-1) === 400 ? true : undefined));
  await new Promise((resolve) => setTimeout(resolve, 300));
  expect(summaryOf(card, "resize")).toBeUndefined();
  // The resize shows on the server (as if ECS had carried it out after all): settled as done.
  h.sim.control.setServer(server.id, { flavorId: "s6.large.2" });
  const summary = await h.fake.waitFor(() => summaryOf(card, "resize"), 10_000);
  expect(summary.text).toBe("resize: 1 resized");
  // The dry run (200 or 202) and the one resize call (400): never sent again.
  expect(posts("/resize").slice(1)).toEqual([400]);
});

it("/ecs show answered 501 Ecs.0603 on every try: told busy, try again in a minute", async () => {
  const server = addServer();
  h.sim.control.failNextRequests({
    code: "Ecs.0603",
    count: 20,
    method: "GET",
    match: "/cloudservers/detail",
  });
  const before = h.ephemeralTexts(IDS.alice).length;
  await h.command(`show ${server.id}`);
  const answer = await h.fake.waitFor(() =>
    h
      .ephemeralTexts(IDS.alice)
      .slice(before)
      .find((t) => t.includes("Ecs.0603")),
  );
  expect(answer).toContain(`Huawei Cloud answered ${SERVER_BUSY_REFUSAL}.`);
  // A read is sent again (the harness's transport makes two attempts), both refused.
  const reads = h.sim.control.requests().filter((r) => r.method === "GET" && r.path.endsWith("/detail"));
  expect(reads.map((r) => r.status).slice(0, 2)).toEqual([501, 501]);
});
