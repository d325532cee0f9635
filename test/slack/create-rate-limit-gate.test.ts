import { describe, expect, it } from "vitest";
import { ChatDeliveryError } from "../../src/app/ports.js";
import { createRateLimitGate } from "../../src/slack/create-rate-limit-gate.js";

/** Sleeps the test releases, a clock it moves. */
function heldTime() {
  let now = 0;
  const sleeps: { ms: number; release: () => void }[] = [];
  return {
    now: () => now,
    advance(ms: number) {
      now += ms;
    },
    sleeps,
    sleep: (ms: number) =>
      new Promise<void>((resolve) => {
        sleeps.push({ ms, release: resolve });
      }),
    /** Releases every sleep so far and lets what waited on them run. */
    async releaseAll() {
      for (const s of sleeps.splice(0)) s.release();
      await settle();
    },
  };
}

/** Lets every promise chain that can move, move. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

const limited = (method: string, retryAfterMs?: number) =>
  new ChatDeliveryError("ratelimited", `${method} failed: ratelimited`, retryAfterMs, method);

/** A Web API method that answers 429 for its first `refusals` calls, then "ok"; counts its calls. */
function method(name: string, refusals: number, retryAfterMs = 2_000) {
  let calls = 0;
  return {
    get calls() {
      return calls;
    },
    async call() {
      calls++;
      if (calls <= refusals) throw limited(name, retryAfterMs);
      return `${name} ok`;
    },
  };
}

describe("createRateLimitGate", () => {
  it("a 429 holds back its key only: other methods and other channels go at once", async () => {
    const time = heldTime();
    const gate = createRateLimitGate(time);
    const update = method("chat.update", 1);
    const limitedUpdate = gate.run({ method: "chat.update" }, () => update.call());
    await settle();
    expect(time.sleeps.map((s) => s.ms)).toEqual([2_000]);

    expect(await gate.run({ method: "chat.postMessage", channel: "C1" }, async () => "posted")).toBe(
      "posted",
    );
    expect(await gate.run({ method: "views.publish" }, async () => "published")).toBe("published");

    // Slack's posting limit is per channel: a 429 in C1 holds back C1's posts, never C2's.
    const post = method("chat.postMessage", 1);
    const limitedPost = gate.run({ method: "chat.postMessage", channel: "C1" }, () => post.call());
    await settle();
    expect(await gate.run({ method: "chat.postMessage", channel: "C2" }, async () => "C2")).toBe("C2");
    expect(await gate.run({ method: "chat.postEphemeral", channel: "C1" }, async () => "eph")).toBe("eph");

    await time.releaseAll();
    expect(await limitedUpdate).toBe("chat.update ok");
    expect(await limitedPost).toBe("chat.postMessage ok");
    expect(update.calls).toBe(2);
    expect(post.calls).toBe(2);
  });

  it("calls made meanwhile to the held key make no call until Retry-After has passed, then all go", async () => {
    const time = heldTime();
    const gate = createRateLimitGate(time);
    const update = method("chat.update", 1);
    const first = gate.run({ method: "chat.update" }, () => update.call());
    await settle();
    const second = gate.run({ method: "chat.update" }, () => update.call());
    const third = gate.run({ method: "chat.update" }, () => update.call());
    await settle();
    expect(update.calls).toBe(1);
    // One wait for the 429, however many callers wait for it.
    expect(time.sleeps).toHaveLength(1);

    await time.releaseAll();
    expect(await Promise.all([first, second, third])).toEqual(Array(3).fill("chat.update ok"));
    expect(update.calls).toBe(4);
  });

  it("a 429 while waiting is waited for too: the latest Retry-After is Slack's word", async () => {
    const time = heldTime();
    const gate = createRateLimitGate(time);
    const update = method("chat.update", 2, 1_000);
    const first = gate.run({ method: "chat.update" }, () => update.call());
    await settle();
    await time.releaseAll();
    // The retry was refused again: a second wait, and still no third call.
    expect(time.sleeps.map((s) => s.ms)).toEqual([1_000]);
    const waiting = gate.run({ method: "chat.update" }, () => update.call());
    await settle();
    expect(update.calls).toBe(2);
    await time.releaseAll();
    expect(await first).toBe("chat.update ok");
    expect(await waiting).toBe("chat.update ok");
  });

  it("retries a limited call at most twice (three attempts), then fails with Slack's answer", async () => {
    const time = heldTime();
    const gate = createRateLimitGate(time);
    const update = method("chat.update", 5);
    const outcome = gate.run({ method: "chat.update" }, () => update.call()).catch((e: unknown) => e);
    await settle();
    for (let i = 0; i < 2; i++) await time.releaseAll();
    expect(await outcome).toMatchObject({ code: "ratelimited", retryAfterMs: 2_000 });
    expect(update.calls).toBe(3);
    // The key stays held after the last refusal: a call made now waits for it.
    expect(time.sleeps).toHaveLength(1);
    const after = gate.run({ method: "chat.update" }, () => update.call()).catch((e: unknown) => e);
    await settle();
    expect(update.calls).toBe(3);
    await time.releaseAll();
    expect(update.calls).toBe(4);
    await time.releaseAll();
    await time.releaseAll();
    expect(await after).toBe("chat.update ok");
    expect(update.calls).toBe(6);
  });

  it("does not retry other failures", async () => {
    const time = heldTime();
    const gate = createRateLimitGate(time);
    let calls = 0;
    const refused = new ChatDeliveryError("not_in_channel", "no", undefined, "chat.postMessage");
    await expect(
      gate.run({ method: "chat.postMessage", channel: "C1" }, async () => {
        calls++;
        throw refused;
      }),
    ).rejects.toBe(refused);
    expect(calls).toBe(1);
    expect(time.sleeps).toHaveLength(0);
  });

  it("a Retry-After beyond the bound is not waited for: the call and those meanwhile fail at once", async () => {
    const time = heldTime();
    const gate = createRateLimitGate(time);
    const update = method("chat.update", 1, 10 * 60_000);
    await expect(gate.run({ method: "chat.update" }, () => update.call())).rejects.toMatchObject({
      code: "ratelimited",
      retryAfterMs: 10 * 60_000,
    });
    expect(time.sleeps).toHaveLength(0);
    time.advance(60_000);
    // Refused without a call: Slack would only refuse it too.
    await expect(gate.run({ method: "chat.update" }, () => update.call())).rejects.toMatchObject({
      code: "ratelimited",
      method: "chat.update",
      retryAfterMs: 9 * 60_000,
    });
    expect(update.calls).toBe(1);
    time.advance(9 * 60_000);
    expect(await gate.run({ method: "chat.update" }, () => update.call())).toBe("chat.update ok");
  });

  it("views.open is never waited for (its trigger lives 3 s): it fails at once, and while held", async () => {
    const time = heldTime();
    const gate = createRateLimitGate(time);
    const open = method("views.open", 1, 1_000);
    await expect(gate.run({ method: "views.open" }, () => open.call())).rejects.toMatchObject({
      code: "ratelimited",
    });
    await expect(gate.run({ method: "views.open" }, () => open.call())).rejects.toMatchObject({
      code: "ratelimited",
      retryAfterMs: 1_000,
    });
    expect(open.calls).toBe(1);
    // Once Retry-After has passed it is tried again.
    await time.releaseAll();
    expect(await gate.run({ method: "views.open" }, () => open.call())).toBe("views.open ok");
  });

  it("understands the Web client's own rate-limit error (Retry-After in seconds)", async () => {
    const time = heldTime();
    const gate = createRateLimitGate(time);
    let calls = 0;
    const answer = gate.run({ method: "auth.test" }, async () => {
      calls++;
      if (calls === 1)
        throw Object.assign(new Error("limited"), { code: "slack_webapi_rate_limited_error", retryAfter: 3 });
      return "ok";
    });
    await settle();
    expect(time.sleeps.map((s) => s.ms)).toEqual([3_000]);
    await time.releaseAll();
    expect(await answer).toBe("ok");
  });
});
