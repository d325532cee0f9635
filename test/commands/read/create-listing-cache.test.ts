import { describe, expect, it } from "vitest";
import type { Server } from "../../../src/cloud/types.js";
import { createListingCache } from "../../../src/commands/read/create-listing-cache.js";

const server = (id: string, status = "ACTIVE") => ({ id, name: id, status }) as unknown as Server;

function clock() {
  let t = 1_000_000;
  return {
    now: () => t,
    advance(ms: number) {
      t += ms;
    },
  };
}

/** A listing that stays in flight until `release`, counting how often it was asked for. */
function heldListing() {
  let calls = 0;
  let release: (servers: Server[]) => void = () => {};
  return {
    list: () => {
      calls += 1;
      return new Promise<Server[]>((resolve) => {
        release = resolve;
      });
    },
    release: (servers: Server[]) => release(servers),
    calls: () => calls,
  };
}

describe("createListingCache", () => {
  it("concurrent commands with the same filters share one listing; only the first made it", async () => {
    const c = clock();
    const cache = createListingCache({ now: c.now, reuseMs: 5_000 });
    const held = heldListing();
    const all = Promise.all([
      cache.get("k", held.list),
      cache.get("k", held.list),
      cache.get("k", held.list),
    ]);
    held.release([server("a"), server("b", "SHUTOFF"), server("c")]);
    const results = await all;
    expect(held.calls()).toBe(1);
    expect(results.map((r) => r.made)).toEqual([true, false, false]);
    expect(new Set(results.map((r) => r.listing.id)).size).toBe(1);
    expect(results[0]?.listing.statusCounts).toEqual({ ACTIVE: 2, SHUTOFF: 1 });
  });

  it("gives the servers to the command that listed and keeps only their IDs and counts for the others", async () => {
    const cache = createListingCache({ now: clock().now, reuseMs: 5_000 });
    const listed = [server("a"), server("b", "SHUTOFF")];
    const first = await cache.get("k", async () => listed);
    expect(first.made && first.servers).toEqual(listed);
    const reused = await cache.get("k", async () => []);
    expect(reused.made).toBe(false);
    expect("servers" in reused).toBe(false);
    // What the cache holds for the window: no server records (10,000 of them would stay on the heap).
    expect(reused.listing).toEqual({
      id: first.listing.id,
      ids: ["a", "b"],
      statusCounts: { ACTIVE: 1, SHUTOFF: 1 },
    });
  });

  it("reuses a finished listing within the window, lists again after it, and keeps filters apart", async () => {
    const c = clock();
    const cache = createListingCache({ now: c.now, reuseMs: 5_000 });
    let calls = 0;
    const list = async () => {
      calls += 1;
      return [server(`s${calls}`)];
    };
    const first = await cache.get("k", list);
    c.advance(4_999);
    expect((await cache.get("k", list)).listing.id).toBe(first.listing.id);
    expect(calls).toBe(1);
    expect((await cache.get("other", list)).made).toBe(true);
    expect(calls).toBe(2);
    c.advance(1);
    const later = await cache.get("k", list);
    expect(later.made).toBe(true);
    expect(later.listing.id).not.toBe(first.listing.id);
    expect(calls).toBe(3);
  });

  it("a listing that served a burst serves for the burst window; one below the burst does not", async () => {
    const c = clock();
    const cache = createListingCache({ now: c.now, reuseMs: 5_000, burstReuseMs: 30_000, burstUses: 4 });
    let calls = 0;
    const list = async () => {
      calls += 1;
      return [server(`s${calls}`)];
    };
    // Three commands: not a burst. The listing ends with the normal window.
    const quiet = await cache.get("quiet", list);
    await cache.get("quiet", list);
    await cache.get("quiet", list);
    c.advance(5_000);
    expect((await cache.get("quiet", list)).listing.id).not.toBe(quiet.listing.id);
    expect(calls).toBe(2);

    // Four commands on one listing: a burst. It serves until 30 s after it was made, not a moment longer.
    const busy = await cache.get("busy", list);
    for (let i = 0; i < 3; i++) await cache.get("busy", list);
    c.advance(29_999);
    const reused = await cache.get("busy", list);
    expect(reused.made).toBe(false);
    expect(reused.listing.id).toBe(busy.listing.id);
    expect(calls).toBe(3);
    c.advance(1);
    const fresh = await cache.get("busy", list);
    expect(fresh.made).toBe(true);
    expect(calls).toBe(4);
    // The new listing starts over: it is not a burst's until it serves one.
    c.advance(5_000);
    expect((await cache.get("busy", list)).made).toBe(true);
    expect(calls).toBe(5);
  });

  it("commands waiting on a listing in flight count toward the burst", async () => {
    const c = clock();
    const cache = createListingCache({ now: c.now, reuseMs: 5_000, burstReuseMs: 30_000, burstUses: 3 });
    const held = heldListing();
    const all = Promise.all([
      cache.get("k", held.list),
      cache.get("k", held.list),
      cache.get("k", held.list),
    ]);
    held.release([server("a")]);
    await all;
    c.advance(20_000);
    expect((await cache.get("k", held.list)).made).toBe(false);
    expect(held.calls()).toBe(1);
  });

  it("does not keep a failed listing: the next command lists again", async () => {
    const cache = createListingCache({ now: clock().now });
    await expect(cache.get("k", () => Promise.reject(new Error("cloud down")))).rejects.toThrow("cloud down");
    const again = await cache.get("k", async () => [server("a")]);
    expect(again.made).toBe(true);
  });

  it("keeps at most maxEntries filter sets", async () => {
    const c = clock();
    const cache = createListingCache({ now: c.now, maxEntries: 2 });
    let calls = 0;
    const list = async () => {
      calls += 1;
      return [server("a")];
    };
    await cache.get("a", list);
    await cache.get("b", list);
    await cache.get("c", list);
    expect(calls).toBe(3);
    // "a" was the oldest: listed again; "c" is still shared.
    await cache.get("c", list);
    expect(calls).toBe(3);
    await cache.get("a", list);
    expect(calls).toBe(4);
  });
});

describe("createListingCache: a listing kept current by its changes", () => {
  /** A server with the time of its last status change (the cloud's clock). */
  const at = (id: string, name: string, status: string, updated: string) =>
    ({ id, name, status, updated }) as unknown as Server;
  const fleet = () => [
    at("i1", "app-1", "ACTIVE", "2026-12-01T10:00:00Z"),
    at("i2", "app-2", "ACTIVE", "2026-12-01T11:00:00Z"),
    at("i3", "db-1", "SHUTOFF", "2026-12-01T12:00:00Z"),
  ];

  /** The cloud's side: how often the fleet was listed, and the changes asked for (their `since`). */
  function cloud(initial: Server[]) {
    const state = { servers: initial, lists: 0, since: [] as string[], changed: [] as Server[], count: -1 };
    return {
      state,
      list: async () => {
        state.lists += 1;
        return [...state.servers];
      },
      changes: async (since: string) => {
        state.since.push(since);
        return { changed: state.changed, count: state.count < 0 ? state.servers.length : state.count };
      },
    };
  }

  /** A cache that has listed the three-server fleet once (kept current by its changes from then on). */
  async function listedOnce() {
    const c = clock();
    const cache = createListingCache({ now: c.now, reuseMs: 5_000 });
    const cl = cloud(fleet());
    await cache.get("all", cl.list, cl.changes);
    return { c, cache, cl };
  }

  it("an expired listing is brought up to date from the changes since its newest change, less the listing's time and a minute", async () => {
    const c = clock();
    const cache = createListingCache({ now: c.now, reuseMs: 5_000 });
    const cl = cloud(fleet());
    // The listing itself took 2 s: a change made while its pages were read may be in none of them.
    const first = await cache.get(
      "all",
      async () => {
        c.advance(2_000);
        return cl.list();
      },
      cl.changes,
    );
    expect(first.made).toBe(true);
    expect(first.listing.ids).toEqual(["i1", "i2", "i3"]);

    // app-2 stopped, db-1 renamed to app-0 (reported with its change): counts and order follow.
    cl.state.changed = [
      at("i2", "app-2", "SHUTOFF", "2026-12-01T12:30:00Z"),
      at("i3", "app-0", "SHUTOFF", "2026-12-01T12:31:00Z"),
    ];
    c.advance(5_000);
    const updated = await cache.get("all", cl.list, cl.changes);
    expect(cl.state.lists).toBe(1);
    expect(cl.state.since).toEqual(["2026-12-01T11:58:58.000Z"]);
    expect(updated.made).toBe(false);
    expect(updated.listing.ids).toEqual(["i3", "i1", "i2"]);
    expect(updated.listing.statusCounts).toEqual({ ACTIVE: 1, SHUTOFF: 2 });
    expect(updated.listing.id).not.toBe(first.listing.id);
    // Served like a new listing for its window.
    expect((await cache.get("all", cl.list, cl.changes)).listing.id).toBe(updated.listing.id);
    expect(cl.state.since).toHaveLength(1);

    // Nothing changed since: the same listing (and saved copy) serves on; the next changes are asked from
    // the newest change seen, less the same margin.
    c.advance(5_000);
    cl.state.changed = [];
    const same = await cache.get("all", cl.list, cl.changes);
    expect(same.listing).toEqual(updated.listing);
    expect(cl.state.since[1]).toBe("2026-12-01T12:30:00.000Z");
    expect(cl.state.lists).toBe(1);
  });

  it("a server the changes report deleted leaves; one they report new joins", async () => {
    const { c, cache, cl } = await listedOnce();
    cl.state.changed = [
      at("i1", "app-1", "DELETED", "2026-12-01T13:00:00Z"),
      at("i4", "web-1", "BUILD", "2026-12-01T13:01:00Z"),
    ];
    cl.state.count = 3;
    c.advance(5_000);
    const use = await cache.get("all", cl.list, cl.changes);
    expect(use.listing.ids).toEqual(["i2", "i3", "i4"]);
    expect(use.listing.statusCounts).toEqual({ ACTIVE: 1, SHUTOFF: 1, BUILD: 1 });
    expect(cl.state.lists).toBe(1);
  });

  it("lists again in full when the changes do not account for every server the cloud counts", async () => {
    const { c, cache, cl } = await listedOnce();
    // db-1 was deleted and the changes do not say so: the cloud counts 2, the listing would hold 3.
    cl.state.servers = fleet().slice(0, 2);
    cl.state.changed = [];
    c.advance(5_000);
    const use = await cache.get("all", cl.list, cl.changes);
    expect(cl.state.lists).toBe(2);
    expect(use.made).toBe(false);
    expect(use.listing.ids).toEqual(["i1", "i2"]);
    // The full listing is kept current in turn.
    c.advance(5_000);
    await cache.get("all", cl.list, cl.changes);
    expect(cl.state.lists).toBe(2);
    expect(cl.state.since).toHaveLength(2);
  });

  it("lists again in full when the changes cannot be read, and after relistMs whatever they say", async () => {
    const c = clock();
    const cache = createListingCache({ now: c.now, reuseMs: 5_000, relistMs: 60_000 });
    const cl = cloud(fleet());
    await cache.get("all", cl.list, cl.changes);
    c.advance(5_000);
    const failing = async () => {
      throw new Error("changes unavailable");
    };
    expect((await cache.get("all", cl.list, failing)).listing.ids).toEqual(["i1", "i2", "i3"]);
    expect(cl.state.lists).toBe(2);
    // Within relistMs of that full listing: changes; past it: the fleet again.
    c.advance(30_000);
    await cache.get("all", cl.list, cl.changes);
    expect(cl.state.lists).toBe(2);
    c.advance(30_000);
    const relisted = await cache.get("all", cl.list, cl.changes);
    expect(relisted.made).toBe(true);
    expect(cl.state.lists).toBe(3);
  });

  it("a listing without changes, or whose servers have no change time, is listed again in full as before", async () => {
    const c = clock();
    const cache = createListingCache({ now: c.now, reuseMs: 5_000 });
    const cl = cloud([server("a"), server("b")]);
    await cache.get("timeless", cl.list, cl.changes);
    c.advance(5_000);
    expect((await cache.get("timeless", cl.list, cl.changes)).made).toBe(true);
    const filtered = cloud(fleet());
    await cache.get("filtered", filtered.list);
    c.advance(5_000);
    expect((await cache.get("filtered", filtered.list)).made).toBe(true);
    expect(cl.state.since).toEqual([]);
    expect(filtered.state.lists).toBe(2);
  });

  it("commands arriving while a listing is brought up to date share it: one read of the changes", async () => {
    const { c, cache, cl } = await listedOnce();
    c.advance(5_000);
    let release: () => void = () => {};
    const held = (since: string) =>
      new Promise<{ changed: Server[]; count: number }>((resolve) => {
        release = () => resolve({ changed: [], count: 3 });
        cl.state.since.push(since);
      });
    const all = Promise.all([
      cache.get("all", cl.list, held),
      cache.get("all", cl.list, held),
      cache.get("all", cl.list, held),
    ]);
    release();
    const uses = await all;
    expect(cl.state.since).toHaveLength(1);
    expect(new Set(uses.map((u) => u.listing.id)).size).toBe(1);
  });
});

describe("createListingCache: share (any listing but /ecs list's, e.g. /hss hosts)", () => {
  const host = (hostId: string, agent: string) => ({ hostId, agent });
  const summarize = (hosts: readonly { hostId: string; agent: string }[]) => {
    const statusCounts: Record<string, number> = {};
    for (const h of hosts) statusCounts[h.agent] = (statusCounts[h.agent] ?? 0) + 1;
    return { ids: hosts.map((h) => h.hostId), statusCounts };
  };

  it("shares in flight and for the window like get, gives the items to the one that listed, and keeps a failure for no one", async () => {
    const c = clock();
    const cache = createListingCache({ now: c.now, reuseMs: 5_000 });
    let calls = 0;
    let release: () => void = () => {};
    const list = () => {
      calls += 1;
      return new Promise<{ hostId: string; agent: string }[]>((resolve) => {
        release = () => resolve([host("h1", "online"), host("h2", "offline")]);
      });
    };
    const all = Promise.all([1, 2, 3].map(() => cache.share("hss.hosts []", list, summarize)));
    release();
    const uses = await all;
    expect(calls).toBe(1);
    expect(uses.map((u) => u.made)).toEqual([true, false, false]);
    expect(uses[0]?.made && uses[0].items.map((h) => h.hostId)).toEqual(["h1", "h2"]);
    expect(uses[1]?.listing).toEqual({
      id: uses[0]?.listing.id,
      ids: ["h1", "h2"],
      statusCounts: { online: 1, offline: 1 },
    });
    c.advance(4_999);
    expect((await cache.share("hss.hosts []", list, summarize)).made).toBe(false);
    c.advance(1);
    const again = cache.share("hss.hosts []", list, summarize);
    release();
    expect((await again).made).toBe(true);
    expect(calls).toBe(2);

    c.advance(5_000);
    await expect(
      cache.share("hss.hosts []", () => Promise.reject(new Error("HSS down")), summarize),
    ).rejects.toThrow("HSS down");
    const after = cache.share("hss.hosts []", list, summarize);
    release();
    expect((await after).made).toBe(true);
  });

  it("keeps its listings apart from /ecs list's, whatever the key", async () => {
    const cache = createListingCache({ now: clock().now });
    await cache.get("hss.hosts []", async () => [server("s1")]);
    const shared = await cache.share("hss.hosts []", async () => [host("h1", "online")], summarize);
    expect(shared.made).toBe(true);
    const ecs = await cache.get("hss.hosts []", async () => []);
    expect(ecs.made).toBe(false);
    expect(ecs.listing.ids).toEqual(["s1"]);
  });
});
