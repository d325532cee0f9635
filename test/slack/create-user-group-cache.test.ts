import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ChatUserGroup } from "../../src/app/ports.js";
import {
  createUserGroupCache,
  DEFAULT_USER_GROUPS_MAX_AGE_MS,
  USER_GROUPS_GENERATION_KEY,
} from "../../src/slack/create-user-group-cache.js";
import { createMemoryStore } from "../../src/store/create-memory-store.js";
import type { Store } from "../../src/store/store.js";
import { openSharedRedis } from "../replicas/helpers/shared-redis.js";

const SRE: ChatUserGroup[] = [{ id: "S1", handle: "sre", users: ["U1"] }];
const SRE_AND_U2: ChatUserGroup[] = [{ id: "S1", handle: "sre", users: ["U1", "U2"] }];

/** Slack's groups as the test sets them, counting the reads. */
function slack(initial: ChatUserGroup[]) {
  let groups = initial;
  let reads = 0;
  return {
    read: async () => {
      reads++;
      return groups;
    },
    set(next: ChatUserGroup[]) {
      groups = next;
    },
    reads: () => reads,
  };
}

function clockAt(start = 1_000_000) {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

describe("createUserGroupCache", () => {
  it("answers decisions from one read until it is a minute old, then reads again", async () => {
    const clock = clockAt();
    const cache = createUserGroupCache({ store: createMemoryStore({ clock }), clock });
    const s = slack(SRE);
    expect(await cache.recent(s.read)).toEqual(SRE);
    s.set(SRE_AND_U2);
    clock.advance(59_999);
    expect(await cache.recent(s.read)).toEqual(SRE);
    expect(s.reads()).toBe(1);
    clock.advance(1);
    expect(await cache.recent(s.read)).toEqual(SRE_AND_U2);
    expect(s.reads()).toBe(2);
  });

  it("a change Slack announced makes the next decision read again", async () => {
    const clock = clockAt();
    const cache = createUserGroupCache({ store: createMemoryStore({ clock }), clock });
    const s = slack(SRE);
    await cache.recent(s.read);
    s.set(SRE_AND_U2);
    await cache.forget();
    expect(await cache.recent(s.read)).toEqual(SRE_AND_U2);
    expect(await cache.recent(s.read)).toEqual(SRE_AND_U2);
    expect(s.reads()).toBe(2);
  });

  it("a read made now (a click) always reads, and what it read answers the next decisions", async () => {
    const clock = clockAt();
    const cache = createUserGroupCache({ store: createMemoryStore({ clock }), clock });
    const s = slack(SRE);
    await cache.recent(s.read);
    s.set(SRE_AND_U2);
    expect(await cache.fresh(s.read)).toEqual(SRE_AND_U2);
    expect(await cache.fresh(s.read)).toEqual(SRE_AND_U2);
    expect(s.reads()).toBe(3);
    clock.advance(30_000);
    expect(await cache.recent(s.read)).toEqual(SRE_AND_U2);
    expect(s.reads()).toBe(3);
  });

  it("a change announced while a read is in flight is not hidden by that read", async () => {
    const clock = clockAt();
    const cache = createUserGroupCache({ store: createMemoryStore({ clock }), clock });
    let release: (groups: ChatUserGroup[]) => void = () => {};
    const slow = () => new Promise<ChatUserGroup[]>((resolve) => (release = resolve));
    const pending = cache.recent(slow);
    await new Promise((resolve) => setImmediate(resolve));
    await cache.forget();
    release(SRE);
    expect(await pending).toEqual(SRE);
    const s = slack(SRE_AND_U2);
    expect(await cache.recent(s.read)).toEqual(SRE_AND_U2);
    expect(s.reads()).toBe(1);
  });

  it("calls made while a read is in flight share it, unless a change was announced since it began", async () => {
    const clock = clockAt();
    const store = createMemoryStore({ clock });
    const cache = createUserGroupCache({ store, clock });
    const releases: ((groups: ChatUserGroup[]) => void)[] = [];
    let reads = 0;
    const slow = () => {
      reads++;
      return new Promise<ChatUserGroup[]>((resolve) => releases.push(resolve));
    };
    const settle = () => new Promise((resolve) => setImmediate(resolve));
    const first = cache.recent(slow);
    await settle();
    const [second, click] = [cache.recent(slow), cache.fresh(slow)];
    await settle();
    expect(reads).toBe(1);
    releases[0]?.(SRE);
    expect(await Promise.all([first, second, click])).toEqual([SRE, SRE, SRE]);

    /**
     * A decision's read begins (its answer is Slack's groups before the change), `announce` says a change
     * happened, then a click asks: it must not get that read's answer.
     */
    const changeDuringRead = async (announce: () => Promise<void>) => {
      clock.advance(DEFAULT_USER_GROUPS_MAX_AGE_MS);
      const before = cache.recent(slow);
      await settle();
      await announce();
      const after = cache.fresh(slow);
      await settle();
      releases.at(-2)?.(SRE);
      releases.at(-1)?.(SRE_AND_U2);
      return [await before, await after];
    };
    // Announced here, then on another replica (the generation moved): each time the click reads again.
    expect(await changeDuringRead(() => cache.forget())).toEqual([SRE, SRE_AND_U2]);
    expect(reads).toBe(3);
    const other = createUserGroupCache({ store, clock });
    expect(await changeDuringRead(() => other.forget())).toEqual([SRE, SRE_AND_U2]);
    expect(await cache.recent(slow)).toEqual(SRE_AND_U2);
    expect(reads).toBe(5);
  });

  it("the same when the store could not record the change: this replica still reads again", async () => {
    const clock = clockAt();
    const store = createMemoryStore({ clock });
    const broken: Store = Object.assign(Object.create(store) as Store, {
      update: async () => {
        throw new Error("store unavailable");
      },
    });
    const cache = createUserGroupCache({ store: broken, clock });
    let release: (groups: ChatUserGroup[]) => void = () => {};
    const pending = cache.recent(() => new Promise<ChatUserGroup[]>((resolve) => (release = resolve)));
    await new Promise((resolve) => setImmediate(resolve));
    await cache.forget();
    release(SRE);
    await pending;
    const s = slack(SRE_AND_U2);
    expect(await cache.recent(s.read)).toEqual(SRE_AND_U2);
    expect(s.reads()).toBe(1);
  });

  it("without the generation (store unavailable) every decision reads Slack", async () => {
    const clock = clockAt();
    const store = createMemoryStore({ clock });
    const broken: Store = Object.assign(Object.create(store) as Store, {
      get: async () => {
        throw new Error("store unavailable");
      },
    });
    const cache = createUserGroupCache({ store: broken, clock });
    const s = slack(SRE);
    await cache.recent(s.read);
    await cache.recent(s.read);
    expect(s.reads()).toBe(2);
  });

  it("a failed read is not kept: the next decision reads again", async () => {
    const clock = clockAt();
    const cache = createUserGroupCache({ store: createMemoryStore({ clock }), clock });
    await expect(
      cache.recent(async () => {
        throw new Error("ratelimited");
      }),
    ).rejects.toThrow("ratelimited");
    const s = slack(SRE);
    expect(await cache.recent(s.read)).toEqual(SRE);
    expect(s.reads()).toBe(1);
  });

  it("a maximum age of 0 reads for every decision", async () => {
    const clock = clockAt();
    const cache = createUserGroupCache({ store: createMemoryStore({ clock }), clock, maxAgeMs: 0 });
    const s = slack(SRE);
    await cache.recent(s.read);
    await cache.recent(s.read);
    expect(s.reads()).toBe(2);
  });
});

describe("createUserGroupCache across replicas (Redis)", () => {
  let shared: Awaited<ReturnType<typeof openSharedRedis>>;
  let second: Awaited<ReturnType<typeof openSharedRedis>>;
  beforeAll(async () => {
    const namespace = `groups-${randomUUID()}`;
    shared = await openSharedRedis(namespace);
    second = await openSharedRedis(namespace);
  });
  afterAll(async () => {
    await shared?.cleanup();
    await second?.cleanup();
  });

  it("a change announced to one replica makes every replica's next decision read again", async () => {
    const clock = clockAt();
    const one = createUserGroupCache({ store: shared.store, clock });
    const two = createUserGroupCache({ store: second.store, clock });
    const s = slack(SRE);
    await one.recent(s.read);
    await two.recent(s.read);
    await two.recent(s.read);
    expect(s.reads()).toBe(2);
    s.set(SRE_AND_U2);
    // Slack delivers the event to one replica only.
    await one.forget();
    expect((await second.store.get(USER_GROUPS_GENERATION_KEY))?.version).toBeGreaterThan(0);
    expect(await two.recent(s.read)).toEqual(SRE_AND_U2);
    expect(await one.recent(s.read)).toEqual(SRE_AND_U2);
    expect(s.reads()).toBe(4);
  });
});
