import { getEventListeners } from "node:events";
import { describe, expect, it } from "vitest";
import { followAbort } from "../../src/cloud/transport-helpers.js";

describe("followAbort", () => {
  it("aborts the controller with the signal's reason, until it stops following", () => {
    const outer = new AbortController();
    const inner = new AbortController();
    const unfollow = followAbort(outer.signal, inner);
    expect(getEventListeners(outer.signal, "abort")).toHaveLength(1);
    const reason = new Error("cancelled");
    outer.abort(reason);
    expect(inner.signal.aborted).toBe(true);
    expect(inner.signal.reason).toBe(reason);
    unfollow();
  });

  it("aborts at once when the signal already has, and leaves nothing listening after", () => {
    const outer = new AbortController();
    outer.abort(new Error("before"));
    const inner = new AbortController();
    followAbort(outer.signal, inner)();
    expect(inner.signal.reason).toBe(outer.signal.reason);

    const later = new AbortController();
    const untouched = new AbortController();
    followAbort(later.signal, untouched)();
    later.abort();
    expect(untouched.signal.aborted).toBe(false);
    expect(getEventListeners(later.signal, "abort")).toHaveLength(0);
    expect(() => followAbort(undefined, untouched)()).not.toThrow();
  });
});
