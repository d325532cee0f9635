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
