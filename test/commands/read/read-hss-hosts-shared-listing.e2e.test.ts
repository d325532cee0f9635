/**
 * `/hss hosts` commands with the same filters share one listing of HSS (10 pages of 200 for 2,000 hosts), as
 * `/ecs list` commands do: counted from the simulator's request log (what HSS saw). A command that did not
 * list reads its page by ID, so its rows are as fresh as a page click's; its counts are the listing's.
 */
import { afterAll, beforeAll, beforeEach, expect, it } from "vitest";
import { IDS, type OperationsHarness, startOperationsHarness } from "../../e2e/helpers/operations-harness.js";
import { blocksText } from "../../helpers/read-slack-blocks.js";

const HOSTS = 2_000;
/** HSS pages 200 hosts at most: one listing of every host. */
const LISTING_PAGES = HOSTS / 200;

let h: OperationsHarness;
beforeAll(async () => {
  h = await startOperationsHarness({ servers: HOSTS });
}, 60_000);
afterAll(async () => {
  await h?.close();
});
beforeEach(async () => {
  await h.ops.idle();
  // Past any listing an earlier test left serving.
  h.clock.advance(60_000);
  h.sim.control.clearRequests();
});

/** HSS host requests since the log was cleared: listing pages (no host filter) and reads of one host by ID. */
function hssRequests() {
  const all = h.sim.control.requests().filter((r) => r.path.endsWith("/host-management/hosts"));
  return {
    listing: all.filter((r) => r.query.host_id === undefined),
    byId: all.filter((r) => r.query.host_id !== undefined),
  };
}

/** Sends `n` concurrent `/hss hosts` and waits for their `n` first pages: their texts. */
async function hosts(n: number): Promise<string[]> {
  const before = h.fake.ephemerals({ user: IDS.alice }).length;
  await Promise.all(Array.from({ length: n }, () => h.command("hosts", { command: "/hss" })));
  const answers = await h.fake.waitFor(() => {
    const shown = h.fake
      .ephemerals({ user: IDS.alice })
      .slice(before)
      .map((e) => blocksText(e.blocks))
      .filter((t) => /HSS hosts[\s\S]*Showing 1–20 of 2,000/.test(t));
    return shown.length === n ? shown : undefined;
  });
  await h.ops.idle();
  return answers;
}

const summaryOf = (text: string) => text.match(/agent .*? with risks/)?.[0];
const INSTALLING = "agent :hourglass_flowing_sand: installing";
const occurrences = (text: string, part: string) => text.split(part).length - 1;

it("five concurrent /hss hosts share one listing of every host; the others read their page by ID", async () => {
  const answers = await hosts(5);
  const { listing, byId } = hssRequests();
  expect(listing).toHaveLength(LISTING_PAGES);
  // Four commands read their page's 20 hosts one by one (as a page click does), not the 10 pages each.
  expect(byId.length).toBeLessThanOrEqual(4 * 20);
  expect(new Set(answers.map(summaryOf)).size).toBe(1);
  expect(new Set(answers).size).toBe(1);
});

it("a command within the window shows its rows as they are now and the listing's counts; after it, a new listing", async () => {
  const [first] = await hosts(1);
  expect(hssRequests().listing).toHaveLength(LISTING_PAGES);

  // A host on the first page changes after the listing.
  const firstPage = h.sim.control
    .servers()
    .map((s) => s.name)
    .sort()
    .slice(0, 20);
  const changed = h.sim.control
    .servers()
    .find((s) => firstPage.includes(s.name) && h.sim.control.host(s.id)?.agentStatus === "online");
  expect(changed).toBeDefined();
  h.sim.control.setHost(changed!.id, { agentStatus: "installing" });

  h.sim.control.clearRequests();
  const [reused] = await hosts(1);
  // No listing: the page's hosts read by ID, the changed one as it is now; the counts are the listing's.
  expect(hssRequests().listing).toEqual([]);
  expect(hssRequests().byId).toHaveLength(20);
  expect(occurrences(reused!, INSTALLING)).toBe(occurrences(first!, INSTALLING) + 1);
  expect(summaryOf(reused!)).toBe(summaryOf(first!));

  // Past the window (5 s): listed again, counts included.
  h.clock.advance(5_000);
  h.sim.control.clearRequests();
  const [later] = await hosts(1);
  expect(hssRequests().listing).toHaveLength(LISTING_PAGES);
  expect(hssRequests().byId).toEqual([]);
  expect(summaryOf(later!)).not.toBe(summaryOf(first!));
  expect(occurrences(later!, INSTALLING)).toBe(occurrences(reused!, INSTALLING));
});

it("a listing HSS gave in one request is listed again, not read by ID: one request, where a page would be 20", async () => {
  const failed = h.sim.control
    .servers()
    .filter((s) => h.sim.control.host(s.id)?.agentStatus === "install_failed").length;
  // One page of HSS, more than one page of the answer.
  expect(failed).toBeGreaterThan(20);
  expect(failed).toBeLessThanOrEqual(200);
  const before = h.fake.ephemerals({ user: IDS.alice }).length;
  await Promise.all([1, 2, 3].map(() => h.command("hosts agent=install_failed", { command: "/hss" })));
  await h.fake.waitFor(() => {
    const shown = h.fake
      .ephemerals({ user: IDS.alice })
      .slice(before)
      .filter((e) => blocksText(e.blocks).includes(`Showing 1–20 of ${failed}`));
    return shown.length === 3 ? shown : undefined;
  });
  await h.ops.idle();
  expect(hssRequests().listing).toHaveLength(3);
  expect(hssRequests().byId).toEqual([]);
});
