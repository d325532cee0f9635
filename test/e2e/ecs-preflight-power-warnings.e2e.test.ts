/**
 * What the approval card says about a server's running state where the operation changes it in a way the
 * approvers might not expect, end to end over signed Slack requests: a running server migrated to a dedicated
 * host the ECS API cannot show (Huawei Cloud checks the ID only after the stop: a wrong one costs a stop and a
 * start, the bot starting it again), and a stopped server reinstalled or given a new OS (it ends running).
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
const NO_SUCH_HOST = "11111111-2222-3333-4444-555555555555";
const UNCONFIRMED = (host: string) =>
  `web-03: Huawei Cloud checks dedicated host ${host} only after the stop: if the ID is wrong, the migration fails and the bot starts web-03 again (it stays stopped only if the outcome is unknown)`;

function summary(card: FakeSlackMessage, needle: string): Promise<string> {
  return h.fake.waitFor(() =>
    h
      .replies(card)
      .map(textOf)
      .find((t) => t.includes(needle)),
  );
}

it("migrate of a running server to a host that does not exist: the card warns of the stop, and the refused server is started again", async () => {
  expect(h.sim.control.server("web-03")!.status).toBe("ACTIVE");
  const command = `/ecs migrate web-03 --dedicated-host ${NO_SUCH_HOST}`;
  await h.command(command.slice(5));
  const card = await h.waitCard(command, (t) => t.includes("Approval needed"));
  const text = textOf(card);
  expect(text).toContain("Checks passed, with 2 warnings");
  expect(text).toContain("web-03: is running; it will be stopped, migrated and started again");
  expect(text).toContain(UNCONFIRMED(NO_SUCH_HOST));
  // What the warning says happens, happens: the host is refused after the stop, once, and web-03 is started again.
  await h.click(card, APPROVE, IDS.bob);
  await h.waitCard(command, (t) => t.includes("Failed"));
  const done = await summary(card, "your request finished");
  expect(done).toContain(
    "The migration was refused (`Ecs.0005`); web-03 was started again, as before the run.",
  );
  expect(done).not.toContain("left stopped");
  expect(h.mutations("batchStopServers")).toHaveLength(1);
  const migrates = h.sim.control.requests().filter((r) => r.method === "POST" && r.path.endsWith("/migrate"));
  expect(migrates.map((r) => r.status)).toEqual([400]);
  expect(h.mutations("batchStartServers")).toHaveLength(1);
  expect(h.sim.control.server("web-03")!.status).toBe("ACTIVE");
});

it("migrate of a running server to a host that exists: the same warning (nothing documented can prove a host), and it moves", async () => {
  const host = h.sim.control.dedicatedHosts()[0]!;
  const command = `/ecs migrate web-03 --dedicated-host ${host}`;
  await h.command(command.slice(5));
  const card = await h.waitCard(command, (t) => t.includes("Approval needed"));
  const text = textOf(card);
  expect(text).toContain("Checks passed, with 2 warnings");
  expect(text).toContain("web-03: is running; it will be stopped, migrated and started again");
  expect(text).toContain(UNCONFIRMED(host));
  await h.click(card, APPROVE, IDS.bob);
  await h.waitCard(command, (t) => t.includes("Done"));
  expect(h.sim.control.server("web-03")).toMatchObject({ status: "ACTIVE", dedicatedHostId: host });
});

it("migrate of a stopped server to a host no server is on: no warning (a refusal leaves it as it was)", async () => {
  expect(h.sim.control.server("api-02")!.status).toBe("SHUTOFF");
  const command = `/ecs migrate api-02 --dedicated-host ${NO_SUCH_HOST}`;
  await h.command(command.slice(5));
  const card = await h.waitCard(command, (t) => t.includes("Approval needed"));
  expect(textOf(card)).not.toMatch(/only after the stop|:warning:/);
});

it("reinstall of a stopped server: the card says it will be running afterwards, and it is", async () => {
  const command = "/ecs reinstall worker-01";
  expect(h.sim.control.server("worker-01")!.status).toBe("SHUTOFF");
  await h.command(command.slice(5));
  const card = await h.waitCard(command, (t) => t.includes("Approval needed"));
  expect(textOf(card)).toContain(
    "worker-01: is stopped; Huawei Cloud starts it on its new system disk, so it will be running afterwards",
  );
  await h.click(card, APPROVE, IDS.bob);
  await h.waitCard(command, (t) => t.includes("1 of 2"));
  await h.click(card, APPROVE, IDS.carol);
  await h.waitCard(command, (t) => t.includes("Done"));
  expect(h.sim.control.server("worker-01")!.status).toBe("ACTIVE");
});

it("change-os of a stopped server: the card says it will be running afterwards", async () => {
  const image = "1b1d5f3c-6a6f-4d1e-9a43-2b8d2d7c0a01";
  const command = `/ecs change-os api-02 ${image}`;
  expect(h.sim.control.server("api-02")!.status).toBe("SHUTOFF");
  await h.command(command.slice(5));
  const card = await h.waitCard(command, (t) => t.includes("Approval needed"));
  expect(textOf(card)).toContain(
    "api-02: is stopped; Huawei Cloud starts it on its new system disk, so it will be running afterwards",
  );
});

it("reinstall of a running server: the stop and the start are said once, not the stopped server's warning", async () => {
  const command = "/ecs reinstall web-03";
  await h.command(command.slice(5));
  const card = await h.waitCard(command, (t) => t.includes("Approval needed"));
  const text = textOf(card);
  expect(text).toContain("web-03: is running; it will be stopped, then start on its new system disk");
  expect(text).not.toContain("is stopped;");
});
