/**
 * Slack's user groups at fleet scale, over signed HTTP with the fake Slack, the simulated cloud and the shipped
 * policy: policy decisions share one `usergroups.list` for up to `USER_GROUPS_MAX_AGE` (Slack allows about 20
 * a minute), a change Slack announces (`subteam_members_changed`) is used by the next decision, and an approval
 * click still reads the groups at the click.
 */
import { afterAll, beforeAll, beforeEach, expect, it } from "vitest";
import { DEFAULT_USER_GROUPS_MAX_AGE_MS } from "../../src/slack/create-user-group-cache.js";
import { waitForEphemeral } from "../helpers/wait-for-ephemeral.js";
import { IDS, type OperationsHarness, startOperationsHarness, textOf } from "./helpers/operations-harness.js";

const APPROVE = "ops.approval.approve";

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
  h.fake.reset();
  await h.setUserGroupMembers("ops-approvers", [IDS.bob, IDS.carol]);
});

const groupReads = () => h.fake.calls("usergroups.list").length;

const ephemeral = (user: string, needle: string) => waitForEphemeral(h, user, needle, "newest");

/** Stops each server (allowed by the shipped policy: dev servers) and waits until every stop has run. */
async function stopAll(names: readonly string[]): Promise<void> {
  const before = h.mutations("batchStopServers").length;
  for (const name of names) await h.command(`stop ${name}`);
  await h.fake.waitFor(() => h.mutations("batchStopServers").length - before === names.length || undefined);
  await h.ops.idle();
}

it("allowed stops, their re-decisions before they run included, share one read a minute", async () => {
  const names = Array.from({ length: 12 }, (_, i) => `batch-${String(i + 1).padStart(2, "0")}`);
  for (const name of names) h.sim.control.addServer({ name, status: "ACTIVE", tags: { env: "dev" } });
  // The first read of a minute (and the card's group mentions, kept for 10 minutes) happen here.
  h.clock.advance(DEFAULT_USER_GROUPS_MAX_AGE_MS);
  await stopAll(names.slice(0, 1));
  const before = groupReads();
  await stopAll(names.slice(1, 6));
  expect(groupReads() - before).toBe(0);
  // A minute later one read serves the next five requests and their five re-decisions.
  h.clock.advance(DEFAULT_USER_GROUPS_MAX_AGE_MS);
  await stopAll(names.slice(6));
  expect(groupReads() - before).toBe(1);
  for (const name of names) expect(h.sim.control.server(name)?.status).toBe("SHUTOFF");
});

it("a change Slack announces decides the next request; an unannounced one, once the read is a minute old", async () => {
  // A prod delete needs 3 approvals; @ops-approvers has 2 members: refused at once.
  await h.command("delete web-01");
  expect(await ephemeral(IDS.alice, "Not allowed")).toContain("only 2 people could approve it");

  // A third member added, but Slack's event is lost: the next decision still uses the kept read…
  h.fake.setUserGroupMembers("ops-approvers", [IDS.bob, IDS.carol, IDS.erin]);
  const refusals = h.ephemeralTexts(IDS.alice).length;
  await h.command("delete web-01");
  await h.fake.waitFor(() => h.ephemeralTexts(IDS.alice).length > refusals || undefined);
  expect(h.ephemeralTexts(IDS.alice).at(-1)).toContain("only 2 people could approve it");
  // …until it is USER_GROUPS_MAX_AGE old.
  h.clock.advance(DEFAULT_USER_GROUPS_MAX_AGE_MS);
  await h.command("delete web-01");
  const card = await h.waitCard("/ecs delete web-01", (t) => t.includes("Approve"));
  expect(textOf(card)).toContain("0 of 3");

  // Announced (the event reaches the bot): the very next decision uses it, with no time passing. A staging
  // delete needs 2 approvals; with Bob alone in the group nobody else could give the second.
  await h.setUserGroupMembers("ops-approvers", [IDS.bob]);
  const before = groupReads();
  await h.command("delete web-03");
  expect(await ephemeral(IDS.alice, "only 1 person could approve it")).toContain("Not allowed");
  expect(groupReads() - before).toBe(1);
});

it("an approval click reads the groups at the click: a member removed a moment ago cannot approve", async () => {
  await h.command("delete web-03");
  const card = await h.waitCard("/ecs delete web-03", (t) => t.includes("Approve"));
  expect(textOf(card)).toContain("0 of 2");
  // Bob leaves the group; the event has not arrived (or was lost). The decisions' kept read still has him.
  h.fake.setUserGroupMembers("ops-approvers", [IDS.carol, IDS.erin]);
  const before = groupReads();
  await h.click(card, APPROVE, IDS.bob);
  expect(await ephemeral(IDS.bob, "not an approver")).toBeTruthy();
  expect(groupReads() - before).toBe(1);
  expect(textOf(await h.waitCard("/ecs delete web-03"))).toContain("0 of 2");
  // Erin, added in the same change, may approve at once: her click reads the groups too.
  await h.click(card, APPROVE, IDS.erin);
  expect(textOf(await h.waitCard("/ecs delete web-03", (t) => t.includes("1 of 2")))).toContain(
    `<@${IDS.erin}>`,
  );
  expect(groupReads() - before).toBe(2);
});
