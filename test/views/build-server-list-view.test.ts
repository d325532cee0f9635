import { describe, expect, it } from "vitest";
import { BLOCK_KIT_LIMITS } from "../../src/render/block-kit-limits.js";
import { pageOf } from "../../src/views/build-paged-list.js";
import { buildServerListView } from "../../src/views/build-server-list-view.js";
import { countListedItems } from "../render/block-kit-test-helpers.js";
import { HOSTILE_NAMES, makeServer } from "./fixtures.js";
import { expectHarmless, interactiveElements, render } from "./view-test-helpers.js";

const NO_FILTERS = { tags: [] };

function counts(servers: { status: string }[]) {
  const c: Record<string, number> = {};
  for (const s of servers) c[s.status] = (c[s.status] ?? 0) + 1;
  return c;
}

describe("buildServerListView", () => {
  it("a page of servers with totals, status counts, paging and sharing", async () => {
    const all = Array.from({ length: 45 }, (_, i) => makeServer(i));
    const page = pageOf(all, 2);
    const { kit, golden } = render(
      buildServerListView({
        servers: page.items,
        total: all.length,
        page: page.page,
        filters: { name: "ecs", status: undefined, tags: [{ key: "env", value: "prod" }] },
        statusCounts: counts(all),
        controls: { token: "tok123" },
      }),
    );
    expect(countListedItems(kit)).toBe(20);
    expect(interactiveElements(kit)).toEqual([
      { action_id: "q.page.prev", type: "button", value: "1:tok123" },
      { action_id: "q.page.next", type: "button", value: "3:tok123" },
      { action_id: "q.share", type: "button", value: "2:tok123" },
    ]);
    await expect(golden).toMatchFileSnapshot("golden/server-list-page-2.json");
  });

  it("10,000 servers: one page, within Block Kit limits, buttons carry only page + token", async () => {
    const all = Array.from({ length: 10_000 }, (_, i) => makeServer(i));
    const page = pageOf(all, 250);
    const { kit, golden } = render(
      buildServerListView({
        servers: page.items,
        total: all.length,
        page: page.page,
        filters: NO_FILTERS,
        statusCounts: counts(all),
        controls: { token: "AbCdEf123456" },
      }),
    );
    expect(countListedItems(kit)).toBe(20);
    const text = JSON.stringify(kit);
    expect(text).toContain("Showing 4,981–5,000 of 10,000");
    expect(text).toContain("Page 250 of 500");
    for (const el of interactiveElements(kit)) expect(el.value).toMatch(/^\d+:AbCdEf123456$/);
    await expect(golden).toMatchFileSnapshot("golden/server-list-10000.json");
  });

  it("all 10,000 servers handed over at once are still cut to one page within limits", () => {
    const all = Array.from({ length: 10_000 }, (_, i) => makeServer(i));
    const { kit } = render(
      buildServerListView({
        servers: all,
        total: all.length,
        page: 1,
        filters: NO_FILTERS,
        controls: { token: "t" },
      }),
    );
    expect(countListedItems(kit)).toBe(20);
    expect(JSON.stringify(kit.blocks).length).toBeLessThanOrEqual(BLOCK_KIT_LIMITS.defaultBlocksJsonBudget);
  });

  it("empty result with filters says so, and offers no buttons but paging none", async () => {
    const { kit, golden } = render(
      buildServerListView({
        servers: [],
        total: 0,
        page: 1,
        filters: { status: "ERROR", tags: [] },
        controls: { token: "t" },
      }),
    );
    expect(interactiveElements(kit)).toEqual([]);
    expect(JSON.stringify(kit)).toContain("No servers match these filters.");
    await expect(golden).toMatchFileSnapshot("golden/server-list-empty.json");
  });

  it("a shared copy names who shared it and has no buttons", () => {
    const servers = [makeServer(1), makeServer(2)];
    const { kit } = render(
      buildServerListView({ servers, total: 2, page: 1, filters: NO_FILTERS, sharedBy: "U012ALICE" }),
    );
    expect(interactiveElements(kit)).toEqual([]);
    expect(JSON.stringify(kit)).toContain("Shared by <@U012ALICE>");
  });

  it("hostile server names are rendered harmless", async () => {
    const servers = HOSTILE_NAMES.map((name, i) =>
      makeServer(i, { name, status: i === 0 ? "<!here>" : "ACTIVE" }),
    );
    const { kit, golden } = render(
      buildServerListView({
        servers,
        total: servers.length,
        page: 1,
        filters: { name: "*x*", tags: [{ key: "owner", value: "<!channel>" }] },
        statusCounts: { "<!channel>": 1, ACTIVE: 10 },
        controls: { token: "t" },
      }),
    );
    expectHarmless(kit);
    await expect(golden).toMatchFileSnapshot("golden/server-list-hostile.json");
  });
});

describe("a page of an earlier listing whose servers were deleted since", () => {
  it("keeps the page's range and says how many no longer exist, so pages still add up", () => {
    const servers = Array.from({ length: 15 }, (_, i) => makeServer(i + 21));
    const { kit } = render(
      buildServerListView({
        servers,
        total: 50,
        gone: 5,
        page: 2,
        filters: { tags: [] },
        controls: { token: "t" },
      }),
    );
    const text = JSON.stringify(kit.blocks);
    expect(text).toContain("Showing 21–40 of 50; 5 of them no longer exist");
  });
});
