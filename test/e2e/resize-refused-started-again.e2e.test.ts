/**
 * A resize the cloud refuses after the bot stopped the running server, end to end over signed Slack requests
 * against the simulated cloud: the bot starts the server again (once), the thread's summary says so and asks
 * nothing of anyone by hand, its status message shows the start again as a line of its own, and the server is
 * back ACTIVE on its old flavor.
 */
import { afterAll, beforeAll, beforeEach, expect, it } from "vitest";
import type { FakeSlackMessage } from "../../src/sandbox/slack/index.js";
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

function summary(card: FakeSlackMessage): Promise<string> {
  return h.fake.waitFor(() =>
    h
      .replies(card)
      .map(textOf)
      .find((t) => t.includes("your request finished")),
  );
}

it("/ecs resize of a running server refused after the stop: started again once, ACTIVE, said so", async () => {
  const before = h.sim.control.server("web-03")!;
  expect(before).toMatchObject({ status: "ACTIVE", flavorId: "s6.medium.2" });
  const command = "/ecs resize web-03 s6.large.2";
  await h.command(command.slice(5));
  const card = await h.waitCard(command, (t) => t.includes("Approval needed"));
  // After the preflight's dry run: the next resize the cloud sees is the run's own, and it is refused (busy).
  const sentAfter = h.sim.control.requests().length;
  h.sim.control.failNextRequests({ code: "Ecs.0603", method: "POST", match: "/resize" });
  await h.click(card, "ops.approval.approve", IDS.bob);
  const done = await summary(card);
  await h.ops.idle();

  expect(done).toContain(
    "The flavor change was refused (`Ecs.0603`); web-03 was started again, as before the run.",
  );
  expect(done).toContain(
    "The run stopped at: wait until the new flavor is in place. Nothing is left to finish by hand; ask for the change again if it is still needed.",
  );
  expect(done).not.toContain("left stopped");
  expect(done).not.toContain("finish what was not run by hand");
  expect(h.sim.control.server(before.id)).toMatchObject({ status: "ACTIVE", flavorId: "s6.medium.2" });

  // The status message shows the start again as a line of its own, after the step that failed. A run that
  // ends before its status message's first post (the jobs here take 80 ms) posts it once, in its final state.
  const status = h.replies(card).find((r) => textOf(r).includes("*resize* of 1 server:"));
  expect(status).toBeDefined();
  const lines = textOf(status).split("\n");
  const putBack = lines.indexOf(
    ":white_check_mark: Start again the servers stopped for the flavor change — 1 done",
  );
  expect(putBack).toBeGreaterThan(0);
  expect(lines[putBack - 1]).toContain("Wait until the new flavor is in place");
  expect(textOf(status)).not.toContain("start-stopped-again");

  const run = h.sim.control.requests().slice(sentAfter);
  const resizes = run.filter((r) => r.method === "POST" && r.path.endsWith("/resize"));
  expect(resizes.map((r) => r.status)).toEqual([501]);
  const ofWeb03 = (type: string) =>
    h.mutations(type).filter((r) => r.mutation!.serverIds.includes(before.id));
  expect(ofWeb03("batchStopServers")).toHaveLength(1);
  expect(ofWeb03("batchStartServers")).toHaveLength(1);
  // The start came after the refusal: it puts back the stop, nothing else.
  const start = ofWeb03("batchStartServers")[0]!;
  expect(start.seq).toBeGreaterThan(resizes[0]!.seq);
});
