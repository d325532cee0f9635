import { webApi } from "@slack/bolt";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ChatDeliveryError } from "../../src/app/ports.js";
import { retryAfterMsOf } from "../../src/app/retry-after-ms-of.js";
import { createChannelSender } from "../../src/notify/create-channel-sender.js";
import { md } from "../../src/render/message-model.js";
import { createManualClock, type ManualClock } from "../../src/sandbox/cloud/index.js";
import { type FakeSlack, SLACK_IDS, startFakeSlack } from "../../src/sandbox/slack/index.js";
import { createSlackChat } from "../../src/slack/create-slack-chat.js";

const hello = { text: md`hello`, blocks: [] };

describe("retryAfterMsOf", () => {
  it("prefers the ChatDeliveryError's retryAfterMs, else one second for a bare rate limit", () => {
    expect(retryAfterMsOf(new ChatDeliveryError("ratelimited", "m", 4_000))).toBe(4_000);
    expect(retryAfterMsOf(new ChatDeliveryError("ratelimited", "m"))).toBe(1_000);
    expect(retryAfterMsOf(new ChatDeliveryError("not_in_channel", "m"))).toBeUndefined();
  });
});

describe("createChannelSender over the Slack ChatPort (fake Slack, loopback HTTP)", () => {
  let fake: FakeSlack;
  let clock: ManualClock;
  let sleeps: number[];
  let sender: ReturnType<typeof createChannelSender>;

  beforeAll(async () => {
    fake = await startFakeSlack();
  });
  afterAll(async () => {
    await fake.close();
  });
  beforeEach(() => {
    fake.reset();
    clock = createManualClock(Date.UTC(2026, 0, 5, 7, 0, 0));
    sleeps = [];
    // As the notifier's WebClient would be: 429s reach the sender instead of being retried inside.
    const client = new webApi.WebClient(fake.botToken, {
      slackApiUrl: fake.apiUrl,
      rejectRateLimitedCalls: true,
      retryConfig: { retries: 0 },
      logLevel: webApi.LogLevel.ERROR,
    });
    sender = createChannelSender({
      chat: createSlackChat(client),
      clock,
      sleep: async (ms) => {
        sleeps.push(ms);
        clock.advance(ms);
      },
      minIntervalMs: 1_000,
      maxAttempts: 3,
    });
  });

  it("waits Slack's Retry-After, carried as ChatDeliveryError.retryAfterMs, then posts", async () => {
    fake.rateLimitNext("chat.postMessage", 7);
    const result = await sender.send(SLACK_IDS.ops, hello);
    expect(result).toMatchObject({ ok: true, attempts: 2 });
    expect(sleeps).toEqual([7_000]);
    expect(fake.calls("chat.postMessage").map((c) => c.response.status)).toEqual([429, 200]);
    expect(fake.messages(SLACK_IDS.ops)).toHaveLength(1);
  });

  it("gives up after maxAttempts and reports the rate limit", async () => {
    fake.rateLimitNext("chat.postMessage", 2, 3);
    const result = await sender.send(SLACK_IDS.ops, hello);
    expect(result).toEqual({ ok: false, error: "ratelimited", attempts: 3 });
    expect(sleeps).toEqual([2_000, 2_000]);
    expect(fake.messages(SLACK_IDS.ops)).toEqual([]);
  });
});
