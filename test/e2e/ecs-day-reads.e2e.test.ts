/**
 * The operator's-day reads end to end over signed Slack requests: tags, the tag index behind
 * `/ecs list tag:k=v`, the console log (listed groups only, answered privately, never shareable), quotas,
 * NICs, security groups, ECS groups, and a server's history next to the bot's own audit. Each read of one
 * server reads that server, not the fleet.
 */

import { afterAll, beforeAll, beforeEach, expect, it } from "vitest";
import { DEFAULT_USER_GROUPS_MAX_AGE_MS } from "../../src/slack/create-user-group-cache.js";
import {
  fleetListingCount,
  IDS,
  type OperationsHarness,
  requestPaths,
  startOperationsHarness,
  textOf,
} from "./helpers/operations-harness.js";

let h: OperationsHarness;
beforeAll(async () => {
  h = await startOperationsHarness();
  // The background listing of names for "did you mean" (started with the bot, refreshed every 5 minutes
  // when used, never awaited by a command) is done here, so the request counts below are the commands' own.
  await h.command("show web-01");
  await answer(IDS.alice, "web-01");
  await h.fake.waitFor(() => fleetListings() > 0 || undefined);
});
afterAll(async () => {
  await h?.close();
});
beforeEach(async () => {
  await h.ops.idle();
  h.sim.control.reset();
});

/** The newest reply (response_url) to `user` whose text includes `needle`, with its blocks. */
function answer(user: string, needle: string) {
  return h.fake.waitFor(() =>
    h.fake
      .responses()
      .map((r) =>
        r.effect.kind === "ephemeral" && r.effect.ephemeral.user === user ? r.effect.ephemeral : undefined,
      )
      .filter((m) => m !== undefined && textOf(m).includes(needle))
      .at(-1),
  );
}

/** Action IDs of a reply's buttons. */
function buttons(message: { blocks?: unknown[] }): string[] {
  return JSON.stringify(message.blocks ?? []).match(/"action_id":"[^"]+"/g) ?? [];
}

const paths = () => requestPaths(h.sim);
const fleetListings = () => fleetListingCount(h.sim);

it("/ecs show reads the user groups only when they can change an answer, and keeps that read for a minute", async () => {
  // Whatever an earlier test read is too old now.
  h.clock.advance(DEFAULT_USER_GROUPS_MAX_AGE_MS);
  const before = h.fake.calls("usergroups.list").length;
  // web-03 is staging: reading it and its power buttons are allowed outright by rules that name no groups.
  await h.command("show web-03");
  expect(buttons(await answer(IDS.alice, "web-03")).length).toBeGreaterThan(0);
  expect(h.fake.calls("usergroups.list").length - before).toBe(0);
  // web-02 is prod: its power actions need approval, and whether enough people could approve needs the
  // groups' members. One read serves every button.
  await h.command("show web-02");
  expect(buttons(await answer(IDS.alice, "web-02")).length).toBeGreaterThan(0);
  expect(h.fake.calls("usergroups.list").length - before).toBe(1);
  // A later command within USER_GROUPS_MAX_AGE decides on the same read (Slack allows about 20 a minute)…
  const answered = () => h.fake.responses().length;
  const shown = answered();
  await h.command("show web-02");
  await h.fake.waitFor(() => answered() > shown);
  expect(h.fake.calls("usergroups.list").length - before).toBe(1);
  // …and one after it reads them again.
  h.clock.advance(DEFAULT_USER_GROUPS_MAX_AGE_MS);
  await h.command("show web-02");
  await h.fake.waitFor(() => (h.fake.calls("usergroups.list").length - before === 2 ? true : undefined));
});

it("/ecs tags web-01 shows its tags; /ecs tags the project's keys and values", async () => {
  await h.command("tags web-01");
  const tags = textOf(await answer(IDS.alice, "Tags of web-01"));
  for (const t of ["env=prod", "team=platform", "role=web", "3 tags of at most 10"])
    expect(tags).toContain(t);

  await h.command("tags");
  const keys = textOf(await answer(IDS.alice, "Tags of the project"));
  for (const t of ["env", "prod", "staging", "dev", "team", "role"]) expect(keys).toContain(t);
});

it("/ecs list tag:env=staging is answered from the tag index, a page at a time, without listing the fleet", async () => {
  h.sim.control.clearRequests();
  await h.command("list tag:env=staging");
  const text = textOf(await answer(IDS.alice, "tag `env=staging`"));
  for (const name of ["web-03", "web-04", "api-02"]) expect(text).toContain(name);
  expect(text).not.toContain("web-01");
  const made = paths();
  expect(made.filter((p) => p.endsWith("/servers/resource_instances/action"))).toHaveLength(1);
  expect(fleetListings()).toBe(0);
});

it("/ecs list with two values of one tag key matches nothing, without asking the cloud", async () => {
  h.sim.control.clearRequests();
  await h.command("list tag:env=prod tag:env=dev");
  expect(textOf(await answer(IDS.alice, "No servers match these filters"))).toContain("env=dev");
  expect(paths().filter((p) => p.includes("resource_instances"))).toHaveLength(0);
});

it("/ecs console-log: for @sre only, the last lines, answered privately with no button to share", async () => {
  h.sim.control.appendConsoleOutput(h.serverId("web-02"), [
    "line one",
    "the <!channel> line",
    "the last line",
  ]);
  h.sim.control.clearRequests();
  // Whatever an earlier test read is too old now.
  h.clock.advance(DEFAULT_USER_GROUPS_MAX_AGE_MS);
  const groupReads = h.fake.calls("usergroups.list").length;
  await h.command("console-log web-02 3");
  const log = await answer(IDS.alice, "Console log of web-02");
  const text = textOf(log);
  expect(text).toContain("the last line");
  expect(text).toContain("line one");
  expect(text).toContain("Only you can see this");
  expect(text).not.toContain("<!channel>");
  expect(buttons(log)).toEqual([]);
  expect(paths().filter((p) => p.endsWith("/action"))).toHaveLength(1);
  expect(fleetListings()).toBe(0);
  // A rule for this read names requester groups (`console-log-for-sre`): they are read, once, and that
  // read decides Dave's request below too.
  expect(h.fake.calls("usergroups.list").length - groupReads).toBe(1);

  // Dave is not in @sre: refused, and nothing is read.
  h.sim.control.clearRequests();
  await h.command("console-log web-02", { user: IDS.dave });
  // Told who may, in the policy's words, as code spans (not look-alike characters), not a permission name.
  expect(textOf(await answer(IDS.dave, "Not allowed by the policy"))).toContain(
    "the only rule for this action, `console-log-for-sre` (A console log can reveal secrets, so only members of @sre may read it), does not cover this request",
  );
  expect(paths().filter((p) => p.endsWith("/action"))).toHaveLength(0);
  expect(h.fake.calls("usergroups.list").length - groupReads).toBe(1);
});

it("/ecs console-log defaults to the last 50 lines", async () => {
  h.sim.control.appendConsoleOutput(
    h.serverId("web-02"),
    Array.from({ length: 80 }, (_, i) => `boot line ${i + 1}`),
  );
  await h.command("console-log web-02");
  const text = textOf(await answer(IDS.alice, "boot line 80"));
  expect(text).toContain("The last 50 lines (50 asked)");
  expect(text).toContain("boot line 31");
  expect(text).not.toContain("boot line 30\n");
});

it("/ecs quotas shows use against the limits", async () => {
  const q = h.sim.control.quotas();
  await h.command("quotas");
  const text = textOf(await answer(IDS.alice, "Quotas of the project"));
  expect(text).toContain(
    `${q.totalCoresUsed.toLocaleString("en-US")} of ${q.maxTotalCores.toLocaleString("en-US")}`,
  );
  expect(text).toContain("vCPUs");
  expect(text).toContain("RAM");
});

it("/ecs nics and /ecs sg read that one server", async () => {
  h.sim.control.clearRequests();
  await h.command("nics web-01");
  const nics = textOf(await answer(IDS.alice, "Network interfaces of web-01"));
  expect(nics).toContain(h.sim.control.server("web-01")!.privateIp);
  await h.command("sg web-01");
  const sg = textOf(await answer(IDS.alice, "Security groups of web-01"));
  expect(sg).toContain("sg-web");
  expect(sg).toContain("tcp 443 from 0.0.0.0/0");
  expect(fleetListings()).toBe(0);
});

it("/ecs groups lists the ECS groups; /ecs group <id> shows one with its members", async () => {
  await h.command("groups");
  const list = textOf(await answer(IDS.alice, "Members of one"));
  expect(list).toContain("SvrGrp-db");
  const group = h.sim.control.serverGroups().find((g) => g.name === "SvrGrp-db")!;
  await h.command(`group ${group.id}`);
  const one = textOf(await answer(IDS.alice, "ECS group SvrGrp-db"));
  expect(one).toContain("db-01");
  expect(one).toContain("db-02");
  expect(one).toContain("anti-affinity");

  await h.command("group 00000000-0000-4000-8000-000000000000");
  expect(textOf(await answer(IDS.alice, "No ECS group"))).toContain("/ecs groups");
});

it("/ecs actions shows the cloud's record, saying which operations came through the bot", async () => {
  // Through the bot: a soft stop of a staging server (allowed). Not through it: a lock made straight on
  // the cloud's API, as the console or another tool would.
  const id = h.serverId("web-04");
  await h.command("stop web-04");
  await h.waitCard("/ecs stop web-04", (t) => t.includes("Done"));
  await h.cloud.ecs.lockServer(id);
  await h.command("actions web-04");
  const text = textOf(await answer(IDS.alice, "Operations on web-04"));
  expect(text).toMatch(/through the bot: request `apr_[^`]+` asked by <@U_ALICE>/);
  expect(text).toContain("not through the bot");
  // The stop came through the bot; the lock and the server's creation did not.
  expect(text).toMatch(/3 operations in the cloud's record, 1 through the bot, 2 not/);
  expect(text).toMatch(/\*lock\*[^\n]*\n[^\n]*not through the bot/);
  // The bot's record says how it stopped it (the cloud's does not): graceful, the default.
  expect(text).toMatch(/\*stop \(soft\)\*[^\n]*\n[^\n]*through the bot: request/);
});
