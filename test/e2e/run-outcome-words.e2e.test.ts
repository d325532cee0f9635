/**
 * What the thread, the card and the audit say about how a run ended, over signed HTTP against the fake Slack
 * and the simulated cloud with its fault controls: a cloud that does not answer the re-check is not "the servers
 * changed", a call answered 5xx keeps the cloud's answer (status, code, request ID) for Huawei support, a call
 * its wait settled is shown settled, and no summary shows a flow step ID or the flow file's text.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { FakeSlackMessage } from "../../src/sandbox/slack/index.js";
import { IDS, type OperationsHarness, startOperationsHarness, textOf } from "./helpers/operations-harness.js";

describe("how a run's end is worded", () => {
  let h: OperationsHarness;
  beforeAll(async () => {
    // The outcome-unknown case moves the clock past the stop's 15 minute wait: the run keeps its lease.
    h = await startOperationsHarness({ operations: { runLeaseTtlMs: 24 * 3600_000 } });
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
    return h.sim.control.addServer({ name: `words-${seq}`, status: "ACTIVE", tags: { env: "dev" } });
  }
  const summaryOf = (card: FakeSlackMessage, op: string) =>
    h.replies(card).find((m) => /^\S+( not run)?: /.test(m.text ?? "") && (m.text ?? "").startsWith(op));
  const statusOf = (card: FakeSlackMessage, op: string) =>
    h.replies(card).find((m) => new RegExp(`^${op} of \\d+ servers?: `).test(m.text ?? ""));
  const cardNow = (card: FakeSlackMessage) => textOf(h.fake.messages(IDS.ops).find((m) => m.ts === card.ts));
  const calls = () => h.sim.control.requests().filter((r) => r.method === "POST" || r.method === "DELETE");

  it("approved while every read answers 503: the servers could not be read, nothing was sent; asked again, it runs", async () => {
    const server = addServer();
    await h.command(`reboot ${server.name} --hard`);
    const card = await h.waitCard(`/ecs reboot ${server.name}`, (t) => t.includes("Approval needed"));
    h.sim.control.failNextRequests({ status: 503, count: 100_000, method: "GET" });
    await h.click(card, "ops.approval.approve", IDS.bob);
    const summary = await h.fake.waitFor(() => summaryOf(card, "reboot"), 15_000);
    h.sim.control.clearFaults();
    await h.ops.idle();

    expect(summary.text).toBe("reboot not run: the servers could not be read, so nothing was sent");
    const said = textOf(summary);
    // With the request ID the cloud gave, for Huawei support.
    expect(said).toMatch(
      new RegExp(
        `${server.name}: could not be read \\(APIG\\.0202: Backend unavailable, request [0-9a-f]{8,}\\)`,
      ),
    );
    expect(said).toContain("Ask again once the cloud answers.");
    expect(said).not.toContain("changed since");
    const status = textOf(statusOf(card, "reboot"));
    expect(status).toContain("The servers could not be read before the change; nothing was sent:");
    expect(status).not.toContain("changed since approval;");
    // The card's result carries the reason (its note for an aborted run is build-request-card.ts's).
    await h.fake.waitFor(() => cardNow(card).includes("Not run — servers could not be read") || undefined);
    const finished = await h.audit.query({ type: "execution.finished", limit: 5 });
    expect(finished.find((e) => e.serverIds?.includes(server.id))?.detail).toEqual({
      error: "not run: the servers could not be read, so nothing was sent; ask again once the cloud answers",
    });
    // Safety: nothing was sent to a server that could not be checked.
    expect(calls()).toEqual([]);

    // Once the cloud answers, the same request asked again runs.
    await h.command(`reboot ${server.name} --hard`);
    const again = await h.waitCard(
      `/ecs reboot ${server.name}`,
      (t, m) => m.ts !== card.ts && t.includes("Approval needed"),
    );
    await h.click(again, "ops.approval.approve", IDS.bob);
    const done = await h.fake.waitFor(() => summaryOf(again, "reboot"), 15_000);
    expect(done.text).toBe("reboot: 1 restarted");
  });

  it("a stop answered 503 and then seen stopped: a success, stopped nowhere, its call shown settled", async () => {
    const server = addServer();
    h.sim.control.failNextRequests({ status: 503, method: "POST", match: "/cloudservers/action" });
    await h.command(`stop ${server.name}`);
    const card = await h.waitCard(`/ecs stop ${server.name}`);
    // While nothing shows, the call's line says it was not sent again and the servers are followed.
    const waiting = await h.fake.waitFor(() => {
      const t = textOf(statusOf(card, "stop"));
      return t.includes("watching the servers to see if it worked") ? t : undefined;
    });
    expect(waiting).toContain(":grey_question: Stop the servers — ");
    h.sim.control.setServer(server.id, { status: "SHUTOFF" });
    const summary = await h.fake.waitFor(() => summaryOf(card, "stop"), 15_000);
    await h.ops.idle();

    expect(summary.text).toBe("stop: 1 stopped");
    expect(textOf(summary)).not.toMatch(/stopped at/i);
    expect(textOf(summary)).not.toContain("The intent is saved before the call");
    const status = textOf(statusOf(card, "stop"));
    expect(status).toContain(
      ":white_check_mark: Stop the servers — Huawei Cloud's answer was lost; the servers show it worked (not sent again)",
    );
    expect(status).not.toContain(":grey_question:");
    expect(calls().map((r) => r.status)).toEqual([503]);
  });

  it("a stop answered 503 that nothing settles: the summary and the call's line give the cloud's answer and request ID", async () => {
    const server = addServer();
    h.sim.control.failNextRequests({ status: 503, method: "POST", match: "/cloudservers/action" });
    await h.command(`stop ${server.name}`);
    const card = await h.waitCard(`/ecs stop ${server.name}`);
    await h.fake.waitFor(
      () => textOf(statusOf(card, "stop")).includes("watching the servers to see if it worked") || undefined,
    );
    // Past the stop's 15 minute wait, on the injected clock: the next poll of the server concludes.
    h.clock.advance(16 * 60_000);
    const summary = await h.fake.waitFor(() => summaryOf(card, "stop"), 15_000);
    await h.ops.idle();

    const [call] = calls();
    expect(calls()).toHaveLength(1);
    expect(call!.status).toBe(503);
    const answer = `the cloud answered 503 APIG.0202: Backend unavailable (request ${call!.requestId})`;
    expect(summary.text).toBe("stop: outcome unknown for 1 server");
    expect(textOf(summary)).toContain(`The stop: ${answer}`);
    expect(textOf(statusOf(card, "stop"))).toContain(
      `:grey_question: Stop the servers — ${answer}; not sent again`,
    );
    // The audit keeps it too, with the call.
    const steps = await h.audit.query({ type: "execution.step", limit: 50 });
    const unknown = steps.find(
      (e) => e.detail?.phase === "call_outcome_unknown" && e.serverIds?.includes(server.id),
    );
    expect(unknown?.detail).toMatchObject({ code: "server-error", answer });
  }, 30_000);

  it("a delete whose sub-job fails: the summary names no step ID and quotes no flow file", async () => {
    const a = addServer();
    const b = addServer();
    h.sim.control.failNextJob({ serverIds: [b.id], errorCode: "Ecs.0200", reason: "volume in use" });
    await h.command(`delete ${a.name} ${b.name}`);
    const command = `/ecs delete ${a.name} ${b.name}`;
    const card = await h.waitCard(command, (t) => t.includes("Approval needed"));
    await h.click(card, "ops.approval.approve", IDS.bob);
    await h.waitCard(command, (t) => t.includes("1 of 2"));
    await h.click(card, "ops.approval.approve", IDS.carol);
    const summary = await h.fake.waitFor(() => summaryOf(card, "delete"), 15_000);

    expect(summary.text).toBe("delete: 1 deleted, 1 failed");
    const said = textOf(summary);
    expect(said).toContain("Ecs.0200");
    expect(said).not.toContain("`wait_deleted`");
    expect(said).not.toContain("Follow the delete jobs");
    expect(said).not.toMatch(/stopped at/i);
  });
});
