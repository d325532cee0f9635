/**
 * A delete answered 500 (its outcome unknown, never sent again), over signed HTTP against the fake Slack and
 * the simulated cloud: the server stays ACTIVE with no task in progress. A couple of minutes (on the run's
 * clock) after the watch began, the thread is told so, with what to check, while the watch goes on to the
 * wait's deadline (without the call's job ID the cloud's job cannot be seen: never "not done" early). The
 * audit line of the unknown outcome is logged at warn.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { UNKNOWN_OUTCOME_NOTICE_MS } from "../../src/workflow/run-wait-step.js";
import { IDS, type OperationsHarness, startOperationsHarness, textOf } from "./helpers/operations-harness.js";

const APPROVE = "ops.approval.approve";

let h: OperationsHarness;
beforeAll(async () => {
  // Minutes pass by jumps of the clock: the run's lease must outlive them.
  h = await startOperationsHarness({ operations: { runLeaseTtlMs: 24 * 60 * 60_000 } });
});
afterAll(async () => {
  await h?.close();
});

it("a delete answered 500, the server still ACTIVE: the thread is told after a short while, nothing resent", async () => {
  const server = h.sim.control.addServer({ name: "notice-01", status: "ACTIVE", tags: { env: "dev" } });
  h.sim.control.failNextRequests({ status: 500, method: "POST", match: "/delete" });
  await h.command(`delete ${server.name}`);
  const card = await h.waitCard(`/ecs delete ${server.name}`, (t) => t.includes("Approve"));
  await h.click(card, APPROVE, IDS.bob);
  await h.waitCard(`/ecs delete ${server.name}`, (t) => t.includes("1 of 2"));
  await h.click(card, APPROVE, IDS.carol);
  const replies = () => h.replies(card).map(textOf);
  await h.fake.waitFor(() => replies().find((t) => t.includes("watching the servers")));
  const warned = h.logs.find(
    (l) => l.audit === true && (l.detail as { phase?: string })?.phase === "call_outcome_unknown",
  );
  expect(warned).toMatchObject({ level: 40, type: "execution.step" });

  // Not before the notice time: nothing but the status message.
  h.clock.advance(UNKNOWN_OUTCOME_NOTICE_MS - 1_000);
  await new Promise((resolve) => setTimeout(resolve, 200));
  expect(replies().filter((t) => t.includes("Outcome unknown"))).toEqual([]);
  h.clock.advance(1_000);
  const notice = await h.fake.waitFor(() => replies().find((t) => t.includes("Outcome unknown")));
  expect(notice).toContain(
    "Outcome unknown: *notice-01* is still ACTIVE with no task in progress 2 minutes after the delete was sent (the cloud answered 500",
  );
  expect(notice).toContain(
    "the cloud may not have taken it. Nothing will be sent again. Check the servers in the Huawei Cloud console",
  );
  expect(notice).toContain(`<@${IDS.alice}>`);
  expect(h.logs.find((l) => l.msg === "outcome unknown: the servers show nothing of the call")).toMatchObject(
    {
      level: 40,
      call: "ecs.delete",
    },
  );
  // Told once; the watch goes on (the run is not ended as "not done"), and the delete is never sent again.
  h.clock.advance(UNKNOWN_OUTCOME_NOTICE_MS);
  await new Promise((resolve) => setTimeout(resolve, 200));
  expect(replies().filter((t) => t.includes("Outcome unknown"))).toHaveLength(1);
  expect(replies().some((t) => t.startsWith("delete: "))).toBe(false);
  const deletes = () =>
    h.sim.control.requests().filter((r) => r.method === "POST" && r.path.endsWith("/cloudservers/delete"));
  expect(deletes().map((r) => r.status)).toEqual([500]);
  // Someone deletes it in the console: settled from the server as usual.
  h.sim.control.deleteServer(server.id);
  const summary = await h.fake.waitFor(() => replies().find((t) => t.startsWith("delete: ")));
  expect(summary).toContain("deleted");
  expect(deletes()).toHaveLength(1);
});
