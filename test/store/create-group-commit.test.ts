import { describe, expect, it } from "vitest";
import { createGroupCommit } from "../../src/store/create-group-commit.js";

/** A sync the test finishes by hand, and a defer the test runs by hand: no timers, no disk. */
function harness() {
  const syncs: { resolve(): void; reject(error: Error): void }[] = [];
  const deferred: (() => void)[] = [];
  const commit = createGroupCommit(
    () => new Promise<void>((resolve, reject) => syncs.push({ resolve, reject })),
    (run) => deferred.push(run),
  );
  const settled = <T>(p: Promise<T>) => {
    const state = { done: false, error: undefined as unknown };
    p.then(
      () => {
        state.done = true;
      },
      (error: unknown) => {
        state.error = error;
      },
    );
    return state;
  };
  const turn = () => new Promise((resolve) => setImmediate(resolve));
  return { commit, syncs, deferred, settled, turn };
}

describe("createGroupCommit", () => {
  it("answers a flush only after a sync that started after it has finished", async () => {
    const h = harness();
    const first = h.settled(h.commit.flush());
    await h.turn();
    expect(h.syncs).toHaveLength(0);
    expect(first.done).toBe(false);
    h.deferred.shift()?.();
    expect(h.syncs).toHaveLength(1);
    await h.turn();
    expect(first.done).toBe(false);
    h.syncs[0]?.resolve();
    await h.turn();
    expect(first.done).toBe(true);
  });

  it("flushes of one turn share a sync; flushes while it runs share the next one", async () => {
    const h = harness();
    const a = h.settled(h.commit.flush());
    const b = h.settled(h.commit.flush());
    h.deferred.shift()?.();
    expect(h.syncs).toHaveLength(1);
    // Committed while the first sync runs: the first sync may have started before these writes.
    const c = h.settled(h.commit.flush());
    const d = h.settled(h.commit.flush());
    h.syncs[0]?.resolve();
    await h.turn();
    expect([a.done, b.done, c.done, d.done]).toEqual([true, true, false, false]);
    expect(h.deferred).toHaveLength(1);
    h.deferred.shift()?.();
    expect(h.syncs).toHaveLength(2);
    h.syncs[1]?.resolve();
    await h.turn();
    expect([c.done, d.done]).toEqual([true, true]);
    expect(h.deferred).toHaveLength(0);
  });

  it("a failed sync fails exactly the flushes it was to cover; the next flush syncs again", async () => {
    const h = harness();
    const a = h.settled(h.commit.flush());
    h.deferred.shift()?.();
    const b = h.settled(h.commit.flush());
    h.syncs[0]?.reject(new Error("EIO: i/o error, fsync"));
    await h.turn();
    expect((a.error as Error).message).toContain("EIO");
    expect(b.done).toBe(false);
    expect(b.error).toBeUndefined();
    h.deferred.shift()?.();
    h.syncs[1]?.resolve();
    await h.turn();
    expect(b.done).toBe(true);
  });

  it("idle() waits for the sync that is running and for the one still to run", async () => {
    const h = harness();
    void h.commit.flush();
    h.deferred.shift()?.();
    void h.commit.flush();
    const idle = h.settled(h.commit.idle());
    h.syncs[0]?.resolve();
    await h.turn();
    expect(idle.done).toBe(false);
    h.deferred.shift()?.();
    h.syncs[1]?.resolve();
    await h.turn();
    await h.turn();
    expect(idle.done).toBe(true);
    // Nothing running: answers at once.
    const again = h.settled(h.commit.idle());
    await h.turn();
    expect(again.done).toBe(true);
  });
});

describe("createGroupCommit: a sync that throws", () => {
  it("fails the flushes it covered instead of throwing out of the event loop", async () => {
    const deferred: (() => void)[] = [];
    const commit = createGroupCommit(
      () => {
        throw new Error("EBADF: bad file descriptor");
      },
      (run) => deferred.push(run),
    );
    const flushed = commit.flush();
    expect(() => deferred.shift()?.()).not.toThrow();
    await expect(flushed).rejects.toThrow("EBADF");
    await commit.idle();
  });
});
