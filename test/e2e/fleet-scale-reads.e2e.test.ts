/**
 * Reads proportional to the work on a 10,000-server fleet: the cloud requests of a command are counted from
 * the simulator's request log (what the cloud saw), never from our own counters.
 */
import { afterAll, beforeAll, beforeEach, expect, it } from "vitest";
import { SLACK_IDS } from "../../src/sandbox/slack/index.js";
import { blocksText, findElement } from "../helpers/read-slack-blocks.js";
import { sendBlockAction } from "../helpers/slack-requests.js";
import { IDS, type OperationsHarness, startOperationsHarness } from "./helpers/operations-harness.js";

let h: OperationsHarness;
beforeAll(async () => {
  // Jobs finish before their first poll is due: one poll each, so the counts are the reads of the command.
  h = await startOperationsHarness({
    servers: 10_000,
    jobTiming: { initMs: 5, runningMs: 10 },
    jobPolls: { earlyIntervalMs: 100, lateIntervalMs: 100 },
  });
  // The fleet name index is listed in the background from the start (10 pages): done before counting.
  // (Polled: the fake Slack's waitFor re-checks on Slack traffic only, and there is none here.)
  for (let i = 0; i < 1_000 && fleetListings().length < 10; i++) await new Promise((r) => setTimeout(r, 50));
}, 60_000);
afterAll(async () => {
  await h?.close();
});
beforeEach(async () => {
  await h.ops.idle();
  h.sim.control.reset();
});

/** ECS requests the simulator received (IAM and HSS aside). */
function ecsRequests() {
  return h.sim.control
    .requests()
    .filter((r) => r.path.startsWith("/v1/") || r.path.startsWith("/v2/") || r.path.startsWith("/v2.1/"));
}

/** Alice clicks Next on her (ephemeral) list answer. */
function clickNext(message: { ts: string; blocks?: unknown[] }) {
  const next = findElement(message.blocks, "q.page.next");
  return sendBlockAction(
    h.eventsUrl,
    h.fake.signingSecret,
    h.fake.buildBlockAction({
      user: SLACK_IDS.alice,
      message,
      isEphemeral: true,
      actions: [{ actionId: "q.page.next", value: next?.value ?? "" }],
    }),
  );
}

const fleetListings = () =>
  ecsRequests().filter((r) => r.path.endsWith("servers/detail") && Object.keys(r.query).length <= 2);

it("/ecs stop web-01 (allowed) makes at most 5 ECS requests on a 10,000-server fleet", async () => {
  h.sim.control.setServer(h.serverId("web-01"), { tags: { env: "dev", team: "platform", role: "web" } });
  h.sim.control.clearRequests();
  await h.command("stop web-01");
  await h.waitCard("/ecs stop web-01", (t) => t.includes("Done"));
  await h.ops.idle();
  // Resolution (name filter), the fresh read before execution (shared by the re-check), the stop, one job
  // poll, the final state.
  expect(ecsRequests().length).toBeLessThanOrEqual(5);
  expect(fleetListings()).toEqual([]);
  expect(h.sim.control.server("web-01")?.status).toBe("SHUTOFF");
});

it("/ecs stop web-01 with an approval still makes at most 5 ECS requests, the re-read before execution fresh", async () => {
  h.sim.control.clearRequests();
  await h.command("stop web-01");
  const card = await h.waitCard("/ecs stop web-01", (t) => t.includes("Approval needed"));
  const beforeApproval = ecsRequests().length;
  expect(beforeApproval).toBe(1);
  await h.click(card, "ops.approval.approve", IDS.bob);
  await h.waitCard("/ecs stop web-01", (t) => t.includes("Done"));
  await h.ops.idle();
  const made = ecsRequests();
  expect(made.length).toBeLessThanOrEqual(5);
  // The approval happened after the preflight: the server is read again after it, before the stop is sent.
  const stopAt = made.findIndex((r) => r.method === "POST");
  expect(made.slice(beforeApproval, stopAt).filter((r) => r.method === "GET")).toHaveLength(1);
  expect(fleetListings()).toEqual([]);
});

it("a page click of /ecs list serves from the command's listing: at most 1 cloud request, and no group read", async () => {
  const groupReads = h.fake.calls("usergroups.list").length;
  await h.command("list");
  const first = await h.fake.waitFor(() =>
    h.fake.ephemerals({ user: SLACK_IDS.alice }).find((e) => blocksText(e.blocks).includes("of 10,")),
  );
  const next = findElement(first.blocks, "q.page.next");
  expect(next?.value).toMatch(/^2:/);
  h.sim.control.clearRequests();
  await clickNext(first);
  const page2 = await h.fake.waitFor(() =>
    h.fake.ephemerals({ user: SLACK_IDS.alice }).find((e) => blocksText(e.blocks).includes("Showing 21–40")),
  );
  expect(blocksText(page2.blocks)).toMatch(/Showing 21–40 of 10,0\d\d/);
  expect(ecsRequests()).toHaveLength(1);
  expect(ecsRequests()[0]?.query.server_id?.toString().split(",")).toHaveLength(20);
  // No rule of the shipped policy for listing names requester groups: the command and its click read none
  // (Slack allows about 20 group listings a minute; 100 commands a second cannot each make one).
  expect(h.fake.calls("usergroups.list").length).toBe(groupReads);
});

it("a page click of /hss hosts reads its page's 20 hosts by ID, not the 50 pages of every host", async () => {
  await h.command("hosts", { command: "/hss" });
  const first = await h.fake.waitFor(() =>
    h.fake
      .ephemerals({ user: SLACK_IDS.alice })
      .find((e) => /HSS hosts[\s\S]*Showing 1–20/.test(blocksText(e.blocks))),
  );
  const header = (text: string) => text.match(/agent .*? with risks/)?.[0];
  expect(blocksText(first.blocks)).toContain("Showing 1–20 of 10,000");
  h.sim.control.clearRequests();
  await clickNext(first);
  const page2 = await h.fake.waitFor(() =>
    h.fake
      .ephemerals({ user: SLACK_IDS.alice })
      .find((e) => /HSS hosts[\s\S]*Showing 21–40/.test(blocksText(e.blocks))),
  );
  const hssRequests = h.sim.control.requests().filter((r) => r.path.endsWith("/host-management/hosts"));
  expect(hssRequests.length).toBeGreaterThan(0);
  expect(hssRequests.length).toBeLessThanOrEqual(20);
  for (const r of hssRequests) expect(r.query.host_id).toBeDefined();
  expect(ecsRequests()).toEqual([]);
  // The listing's order and counts: hosts 21-40 by name, under the same counts as the first page.
  const text = blocksText(page2.blocks);
  expect(header(text)).toBe(header(blocksText(first.blocks)));
  const byName = h.sim.control
    .servers()
    .map((s) => s.name)
    .sort();
  const shown = byName.slice(20, 40).filter((name) => text.includes(`\`${name}\``));
  expect(shown).toHaveLength(20);
});

it("an unknown name gets suggestions without a blocking fleet listing: the name query, and the index behind", async () => {
  h.sim.control.clearRequests();
  await h.command("stop web-1");
  const answer = await h.fake.waitFor(() =>
    h.ephemeralTexts(IDS.alice).find((t) => t.includes("web-1") && /did you mean/i.test(t)),
  );
  expect(answer).toContain("web-10");
  // The answer came from the name query; the fleet index refreshes in the background (at most once).
  // ("web-1" matches over a thousand of web-1000…web-1999: two pages of the filtered query.)
  const filtered = ecsRequests().filter((r) => r.query.name === "web-1");
  expect(filtered.length).toBeGreaterThanOrEqual(1);
  expect(filtered.length).toBeLessThanOrEqual(2);
  expect(fleetListings().length).toBeLessThanOrEqual(10);
  await h.ops.idle();
  h.sim.control.clearRequests();
  await h.command("stop wbe-01");
  await h.fake.waitFor(() => h.ephemeralTexts(IDS.alice).find((t) => t.includes("wbe-01")));
  // A second miss within the index's age: one filtered query, nothing else.
  expect(ecsRequests().length).toBeLessThanOrEqual(1);
});

it("a burst of /ecs list shares one fleet listing; each later command reads only its page, and pages still click", async () => {
  // The shared listing of the earlier test may still serve, or be kept current by its changes: move past both.
  h.clock.advance(6 * 60_000);
  h.sim.control.clearRequests();
  const before = h.fake.ephemerals({ user: SLACK_IDS.alice }).length;
  await Promise.all([1, 2, 3, 4, 5].map(() => h.command("list")));
  await h.fake.waitFor(() => {
    const answers = h.fake
      .ephemerals({ user: SLACK_IDS.alice })
      .slice(before)
      .filter((e) => blocksText(e.blocks).includes("Showing 1–20 of 10,"));
    return answers.length === 5 ? answers : undefined;
  });
  await h.ops.idle();
  // One listing of the fleet (10 pages of 1,000), not five; the other commands read their page by ID.
  const listed = ecsRequests().filter(
    (r) => r.path.endsWith("servers/detail") && r.query.server_id === undefined,
  );
  expect(listed).toHaveLength(10);
  const byId = ecsRequests().filter((r) => r.query.server_id !== undefined);
  expect(byId.length).toBeLessThanOrEqual(4);
  for (const r of byId) expect(r.query.server_id?.toString().split(",")).toHaveLength(20);

  // A page click of the last answer is still served from the saved (shared) listing: one request.
  const last = h.fake.ephemerals({ user: SLACK_IDS.alice }).at(-1);
  h.sim.control.clearRequests();
  await clickNext(last ?? { ts: "0" });
  await h.fake.waitFor(() =>
    // The click replaces the message it was on.
    h.fake
      .ephemerals({ user: SLACK_IDS.alice })
      .find((e) => e.ts === last?.ts && blocksText(e.blocks).includes("Showing 21–40")),
  );
  expect(ecsRequests()).toHaveLength(1);
});

it("clicks on a list whose snapshot expired share one listing with each other, and keep its snapshot for later clicks", async () => {
  h.clock.advance(60_000);
  const before = h.fake.ephemerals({ user: SLACK_IDS.alice }).length;
  await h.command("list");
  const answer = await h.fake.waitFor(() =>
    h.fake
      .ephemerals({ user: SLACK_IDS.alice })
      .slice(before)
      .find((e) => blocksText(e.blocks).includes("Showing 1–20 of 10,")),
  );
  await h.ops.idle();
  // Past the snapshot's 2 minutes, the listing's reuse and its 5 minutes kept current: a click must list again.
  h.clock.advance(6 * 60_000);
  h.sim.control.clearRequests();
  /** Waits for `n` more answers showing the second page (each click answers its response URL once). */
  const pagesShown = async (n: number) => {
    const shown = () =>
      h.fake.responses().filter((r) => blocksText(r.body.blocks).includes("Showing 21–40")).length;
    const from = shown();
    return async () => h.fake.waitFor(() => (shown() >= from + n ? true : undefined));
  };
  const three = await pagesShown(3);
  await Promise.all([clickNext(answer), clickNext(answer), clickNext(answer)]);
  await three();
  // One listing of the fleet (10 pages) for the three clicks, not one each; the others read their page by ID.
  const listed = ecsRequests().filter(
    (r) => r.path.endsWith("servers/detail") && r.query.server_id === undefined,
  );
  expect(listed).toHaveLength(10);
  expect(ecsRequests().length).toBeLessThanOrEqual(12);

  // The listing's snapshot is kept under the answer's token: the next click reads only its page.
  h.sim.control.clearRequests();
  const one = await pagesShown(1);
  await clickNext(answer);
  await one();
  expect(ecsRequests()).toHaveLength(1);
  expect(ecsRequests()[0]?.query.server_id?.toString().split(",")).toHaveLength(20);
});

/** Alice sends `/ecs <text>` and waits for her new list answer: its total, and any other number it shows. */
async function listAnswer(text: string) {
  const before = h.fake.ephemerals({ user: SLACK_IDS.alice }).length;
  await h.command(text);
  const answer = await h.fake.waitFor(() =>
    h.fake
      .ephemerals({ user: SLACK_IDS.alice })
      .slice(before)
      .find((e) => /Showing 1–20 of [\d,]+/.test(blocksText(e.blocks))),
  );
  await h.ops.idle();
  const shown = blocksText(answer.blocks);
  const number = (pattern: RegExp) => Number(pattern.exec(shown)?.[1]?.replaceAll(",", "") ?? Number.NaN);
  return { total: number(/Showing 1–20 of ([\d,]+)/), number };
}

it("an /ecs list after the fleet's listing expired reads its changes and the count, not the fleet; a deletion they miss lists it again", async () => {
  /** The list's total and its count of SHUTOFF servers. */
  const list = async () => {
    const answer = await listAnswer("list");
    return { total: answer.total, shutoff: answer.number(/([\d,]+) SHUTOFF/) };
  };
  const fleetPages = () =>
    ecsRequests().filter(
      (r) =>
        r.path.endsWith("/cloudservers/detail") &&
        r.query.server_id === undefined &&
        r.query.limit === "1000",
    );

  // A listing of the whole fleet (ten pages), past any kept one.
  h.clock.advance(6 * 60_000);
  h.sim.control.clearRequests();
  const first = await list();
  expect(fleetPages()).toHaveLength(10);

  // A server stopped in the console; a minute later (past the listing's reuse) the next /ecs list shows it
  // stopped from two requests (its changes and the count) and the page it shows, read by ID.
  const running = h.sim.control.servers().find((s) => s.status === "ACTIVE" && /^[a-z]+-\d+$/.test(s.name));
  h.sim.control.setServer(running?.id ?? "", { status: "SHUTOFF" });
  h.clock.advance(60_000);
  h.sim.control.clearRequests();
  const second = await list();
  expect(second).toEqual({ total: first.total, shutoff: first.shutoff + 1 });
  expect(fleetPages()).toEqual([]);
  const made = ecsRequests();
  expect(made.filter((r) => r.query["changes-since"] !== undefined)).toHaveLength(1);
  expect(made.filter((r) => r.query.limit === "1" && r.path.endsWith("/cloudservers/detail"))).toHaveLength(
    1,
  );
  expect(made.filter((r) => r.query.server_id !== undefined)).toHaveLength(1);
  expect(made).toHaveLength(3);

  // A deleted server, which the changes do not report: the count tells, and the fleet is listed again.
  h.sim.control.deleteServer(h.sim.control.servers().find((s) => s.status === "SHUTOFF")?.id ?? "");
  h.clock.advance(60_000);
  h.sim.control.clearRequests();
  const third = await list();
  expect(third).toEqual({ total: first.total - 1, shutoff: first.shutoff });
  expect(fleetPages()).toHaveLength(10);
});

it("/ecs list status=SHUTOFF is kept current the same way; a server that leaves SHUTOFF shows in the count and lists it again", async () => {
  const listShutoff = async () => (await listAnswer("list status=SHUTOFF")).total;
  const shutoffPages = () =>
    ecsRequests().filter(
      (r) =>
        r.path.endsWith("/cloudservers/detail") && r.query.status === "SHUTOFF" && r.query.limit === "1000",
    );
  h.clock.advance(6 * 60_000);
  h.sim.control.clearRequests();
  const first = await listShutoff();
  expect(shutoffPages().length).toBeGreaterThanOrEqual(1);

  // One more stopped: its change and the count, both of SHUTOFF's servers, and the page by ID.
  const running = h.sim.control.servers().find((s) => s.status === "ACTIVE" && /^[a-z]+-\d+$/.test(s.name));
  h.sim.control.setServer(running?.id ?? "", { status: "SHUTOFF" });
  h.clock.advance(60_000);
  h.sim.control.clearRequests();
  expect(await listShutoff()).toBe(first + 1);
  expect(shutoffPages()).toEqual([]);
  expect(
    ecsRequests().filter((r) => r.query["changes-since"] !== undefined && r.query.status === "SHUTOFF"),
  ).toHaveLength(1);
  expect(ecsRequests()).toHaveLength(3);

  // One started again: it leaves SHUTOFF without being among its changes; the count tells, and it is listed again.
  h.sim.control.setServer(running?.id ?? "", { status: "ACTIVE" });
  h.clock.advance(60_000);
  h.sim.control.clearRequests();
  expect(await listShutoff()).toBe(first);
  expect(shutoffPages().length).toBeGreaterThanOrEqual(1);
});
