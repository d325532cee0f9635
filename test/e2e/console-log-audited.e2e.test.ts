/**
 * `/ecs console-log` may show secrets: each attempt is in the audit log, allowed (a member of @sre) or denied
 * (anyone else, with the policy's reasons), and `/ops audit <server>` shows both. End to end: signed Slack
 * requests over HTTP, the simulated cloud, the shipped policy.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { IDS, type OperationsHarness, startOperationsHarness, textOf } from "./helpers/operations-harness.js";

let h: OperationsHarness;
beforeAll(async () => {
  h = await startOperationsHarness({ sweepIntervalMs: 60 * 60_000 });
  await h.setUserGroupMembers("sre", [IDS.alice, IDS.erin]);
});
afterAll(async () => {
  await h?.close();
});

it("an allowed and a denied read are both audited, and shown by /ops audit", async () => {
  await h.command("console-log web-03", { user: IDS.alice });
  await h.fake.waitFor(() => h.fake.ephemerals({ user: IDS.alice }).length > 0);
  await h.command("console-log web-03", { user: IDS.dave });
  await h.fake.waitFor(() => h.fake.ephemerals({ user: IDS.dave }).length > 0);
  await h.bot.idle();
  const reads = await h.audit.query({ type: "console_log.read", limit: 10 });
  expect(reads.map((e) => [e.actorId, e.decision, e.detail?.allowed])).toEqual([
    [IDS.dave, "deny", false],
    [IDS.alice, "allow", true],
  ]);
  expect(reads[0]?.serverIds).toEqual([h.serverId("web-03")]);
  expect(((reads[0]?.detail?.reasons ?? []) as string[]).join(" ")).toContain("console-log-for-sre");

  const before = h.fake.ephemerals({ user: IDS.erin }).length;
  await h.command("audit web-03", { command: "/ops", user: IDS.erin });
  const view = textOf(await h.fake.waitFor(() => h.fake.ephemerals({ user: IDS.erin }).slice(before).at(-1)));
  expect(view).toContain("Console log of web-03: refused — reasons:");
  expect(view).toContain("Console log of web-03: shown");
});
