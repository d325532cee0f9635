/**
 * Over signed Slack requests: a reinstall whose job fails leaves the server in ERROR, and the operator can
 * ask for it again through the bot (Huawei Cloud allows reinstalling "an ECS … for which OS reinstallation has
 * failed", 5.2.1): the card says so and what it will do, it still needs the policy's two approvals, and the
 * second reinstall ends ACTIVE. A server in ERROR for another reason is refused, saying what to do.
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

const APPROVE = "ops.approval.approve";
const COMMAND = "/ecs reinstall worker-01";

function reply(user: string, needle: string): Promise<string> {
  return h.fake.waitFor(() => h.ephemeralTexts(user).findLast((t) => t.includes(needle)));
}

function summary(card: FakeSlackMessage, needle: string): Promise<string> {
  return h.fake.waitFor(() =>
    h
      .replies(card)
      .map(textOf)
      .find((t) => t.includes(needle)),
  );
}

/**
 * Asks for the reinstall, checks the card (the newest one carrying `cardSays`), and approves it as Bob and
 * Carol (the shipped policy's two).
 */
async function reinstallApproved(cardSays: string[]): Promise<FakeSlackMessage> {
  const says = (t: string) => cardSays.every((words) => t.includes(words));
  await h.command("reinstall worker-01");
  const card = await h.waitCard(COMMAND, (t) => t.includes("Approval needed") && says(t));
  expect(textOf(card)).toContain("0 of 2");
  await h.click(card, APPROVE, IDS.bob);
  await h.waitCard(COMMAND, (t) => t.includes("1 of 2") && says(t));
  await h.click(card, APPROVE, IDS.carol);
  return card;
}

it("a failed reinstall leaves worker-01 in ERROR; asked again, approved twice, it is reinstalled", async () => {
  h.sim.control.failNextJob({ serverIds: [h.serverId("worker-01")] });
  const first = await reinstallApproved(["KeyPair-ops"]);
  expect(await summary(first, "Ecs.0202")).toContain("1 failed");
  expect(h.sim.control.server("worker-01")!.status).toBe("ERROR");

  const second = await reinstallApproved([
    "worker-01: is in ERROR after a failed reinstall or change of OS; reinstalling it again installs a new system disk from its image (it is not stopped first) and Huawei Cloud starts it, so it will be running afterwards",
    "*`worker-01`* · ERROR",
  ]);
  expect(await summary(second, "1 reinstalled")).toBeTruthy();
  expect(h.mutations("reinstallOS")).toHaveLength(2);
  expect(h.mutations("batchStopServers")).toHaveLength(0);
  expect(h.sim.control.server("worker-01")!.status).toBe("ACTIVE");
});

it("a server in ERROR for another reason: refused with what to do; nothing sent", async () => {
  h.sim.control.setServer(h.serverId("worker-01"), { status: "ERROR" });
  await h.command("reinstall worker-01");
  const text = await reply(IDS.alice, COMMAND);
  expect(text).toContain("Cannot go ahead");
  expect(text).toContain("worker-01: is in ERROR, not after a failed reinstall or change of OS");
  expect(text).toContain("/ecs actions worker-01 shows what it went through");
  expect(h.mutations()).toHaveLength(0);
});
