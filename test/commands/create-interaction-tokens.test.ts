import { describe, expect, it } from "vitest";
import { createInteractionTokens } from "../../src/commands/create-interaction-tokens.js";
import { createMemoryStore } from "../../src/store/create-memory-store.js";

function clock(start = 1_000_000) {
  let now = start;
  return {
    now: () => now,
    advance(ms: number) {
      now += ms;
    },
  };
}

const QUERY = { owner: "U1", intent: { type: "ecs.list" as const, filters: { tags: [] } } };

describe("createInteractionTokens", () => {
  it("tokens are short, URL-safe and distinct", () => {
    const tokens = createInteractionTokens(createMemoryStore());
    const seen = new Set(Array.from({ length: 200 }, () => tokens.newToken()));
    expect(seen.size).toBe(200);
    for (const t of seen) expect(t).toMatch(/^[A-Za-z0-9_-]{12}$/);
  });

  it("queries expire after their TTL", async () => {
    const c = clock();
    const tokens = createInteractionTokens(createMemoryStore({ clock: c }), { queryTtlMs: 1000 });
    await tokens.saveQuery("tok", QUERY);
    expect(await tokens.loadQuery("tok")).toEqual(QUERY);
    c.advance(1001);
    expect(await tokens.loadQuery("tok")).toBeUndefined();
  });

  it("a shared listing is saved once for every token that shows it, and each token keeps its full TTL", async () => {
    const c = clock();
    const store = createMemoryStore({ clock: c });
    const written: string[] = [];
    const counting = {
      ...store,
      createIfAbsent: ((key, value, options) => {
        written.push(key);
        return store.createIfAbsent(key, value, options);
      }) as typeof store.createIfAbsent,
    };
    const tokens = createInteractionTokens(counting, { snapshotTtlMs: 120_000, now: c.now });
    const listing = { id: "L1", ids: ["a", "b", "c"], statusCounts: { ACTIVE: 3 } };
    await tokens.saveSnapshot("t1", listing);
    c.advance(4_000);
    await tokens.saveSnapshot("t2", listing);
    expect(written.filter((k) => k.startsWith("ui:listing:"))).toEqual(["ui:listing:L1"]);
    expect(await tokens.loadSnapshot("t1")).toEqual(listing);
    // The later token still pages its full TTL after it was saved, past the first token's expiry.
    c.advance(118_000);
    expect(await tokens.loadSnapshot("t1")).toBeUndefined();
    expect(await tokens.loadSnapshot("t2")).toEqual(listing);
    c.advance(3_000);
    expect(await tokens.loadSnapshot("t2")).toBeUndefined();
    // A snapshot of its own (no shared listing) is kept under its token.
    await tokens.saveSnapshot("t3", { ids: ["x"], statusCounts: { SHUTOFF: 1 } });
    expect(await tokens.loadSnapshot("t3")).toEqual({ ids: ["x"], statusCounts: { SHUTOFF: 1 } });
  });

  it("a pick is used at most once, even by concurrent takers", async () => {
    const tokens = createInteractionTokens(createMemoryStore());
    const pick = {
      owner: "U1",
      request: {
        actor: { userId: "U1", teamId: "T" },
        channelId: "C",
        commandLine: "/ecs show dup",
        requestId: "r",
      },
      intent: { type: "ecs.show" as const, server: { kind: "name" as const, name: "dup" } },
      target: { kind: "name" as const, name: "dup" },
      candidateIds: ["a", "b"],
    };
    await tokens.savePick("p1", pick);
    expect(await tokens.peekPick("p1")).toEqual(pick);
    const taken = await Promise.all([tokens.takePick("p1"), tokens.takePick("p1"), tokens.takePick("p1")]);
    expect(taken.filter((t) => t !== undefined)).toHaveLength(1);
    expect(await tokens.peekPick("p1")).toBeUndefined();
    // Used, and by whom, is remembered: a second click is told the choice was made, not that it expired.
    expect(await tokens.pickUsedBy("p1")).toBe("U1");
    await tokens.savePick("p2", pick);
    expect(await tokens.pickUsedBy("p2")).toBeUndefined();
    expect(await tokens.pickUsedBy("never-saved")).toBeUndefined();
  });

  it("malformed tokens from a click are not looked up", async () => {
    const tokens = createInteractionTokens(createMemoryStore());
    expect(await tokens.loadQuery("../../x")).toBeUndefined();
    expect(await tokens.takePick("")).toBeUndefined();
  });
});
