import { ErrorCode, LogLevel, WebClient, WebClientEvent } from "@slack/web-api";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  type FakeSlack,
  type FakeSlackChange,
  SLACK_IDS,
  startFakeSlack,
} from "../../../src/sandbox/slack/index.js";

const FAST_RETRIES = { retries: 2, factor: 1, minTimeout: 10, maxTimeout: 10 };

let fake: FakeSlack;
let client: WebClient;

beforeAll(async () => {
  fake = await startFakeSlack();
  client = new WebClient(fake.botToken, {
    slackApiUrl: fake.apiUrl,
    retryConfig: FAST_RETRIES,
    logLevel: LogLevel.ERROR,
  });
});

afterAll(async () => {
  await fake.close();
});

beforeEach(() => {
  fake.reset();
});

/** The Slack error code of a rejected WebClient call. */
async function slackError(call: Promise<unknown>): Promise<string> {
  try {
    await call;
  } catch (error) {
    const e = error as { code?: string; data?: { error?: string } };
    if (e.code === ErrorCode.PlatformError) return e.data?.error ?? "?";
    throw error;
  }
  throw new Error("call succeeded");
}

const section = (text: string, blockId: string) => ({
  type: "section",
  block_id: blockId,
  text: { type: "mrkdwn", text },
});

describe("fake Slack Web API via the real WebClient", () => {
  it("auth.test identifies the bot", async () => {
    const result = await client.auth.test();
    expect(result).toMatchObject({
      ok: true,
      team_id: "T0001",
      user_id: SLACK_IDS.bot,
      bot_id: SLACK_IDS.botId,
    });
  });

  it("posts a message with blocks, replies in its thread, and updates it with history", async () => {
    const parent = await client.chat.postMessage({
      channel: SLACK_IDS.ops,
      text: "Reboot requested",
      blocks: [section("*Reboot* `web-01`", "req")],
    });
    expect(parent.ok).toBe(true);
    expect(parent.channel).toBe(SLACK_IDS.ops);
    const ts = parent.ts as string;
    expect(ts).toMatch(/^\d{10}\.\d{6}$/);

    const reply = await client.chat.postMessage({ channel: SLACK_IDS.ops, thread_ts: ts, text: "approved" });
    // Replying to a reply lands in the parent's thread.
    await client.chat.postMessage({ channel: SLACK_IDS.ops, thread_ts: reply.ts as string, text: "done" });

    const updated = await client.chat.update({ channel: SLACK_IDS.ops, ts, text: "Reboot approved" });
    expect(updated).toMatchObject({ ok: true, ts, text: "Reboot approved" });

    const thread = fake.thread(SLACK_IDS.ops, ts);
    expect(thread.map((m) => m.text)).toEqual(["Reboot approved", "approved", "done"]);
    expect(thread[1]?.threadTs).toBe(ts);
    expect(thread[2]?.threadTs).toBe(ts);

    const [stored] = fake.messages(SLACK_IDS.ops);
    expect(fake.messages(SLACK_IDS.ops)).toHaveLength(1);
    expect(stored).toMatchObject({ ts, user: SLACK_IDS.bot, botId: SLACK_IDS.botId, replyCount: 2 });
    // chat.update without blocks keeps the blocks, as Slack does.
    expect(stored?.blocks).toEqual([section("*Reboot* `web-01`", "req")]);
    expect(stored?.history.map((v) => [v.via, v.text])).toEqual([
      ["chat.postMessage", "Reboot requested"],
      ["chat.update", "Reboot approved"],
    ]);

    const call = fake.calls("chat.postMessage")[0];
    expect(call?.args.blocks).toEqual([section("*Reboot* `web-01`", "req")]);
    expect(call?.auth).toBe("bot");
  });

  it("refuses a reply to an unknown thread and an update of a missing message", async () => {
    expect(
      await slackError(client.chat.postMessage({ channel: SLACK_IDS.ops, thread_ts: "1.000001", text: "x" })),
    ).toBe("thread_not_found");
    expect(await slackError(client.chat.update({ channel: SLACK_IDS.ops, ts: "1.000001", text: "x" }))).toBe(
      "message_not_found",
    );
  });

  it("refuses invalid blocks the way Slack does", async () => {
    const duplicate = [section("a", "same"), section("b", "same")];
    expect(
      await slackError(client.chat.postMessage({ channel: SLACK_IDS.ops, text: "x", blocks: duplicate })),
    ).toBe("invalid_blocks");
    expect(await slackError(client.chat.postMessage({ channel: SLACK_IDS.ops, text: "" }))).toBe("no_text");
    expect(fake.messages(SLACK_IDS.ops)).toEqual([]);
  });

  it("stores an ephemeral for its target user", async () => {
    const result = await client.chat.postEphemeral({
      channel: SLACK_IDS.ops,
      user: SLACK_IDS.dave,
      text: "denied",
    });
    expect(result.ok).toBe(true);
    expect(fake.ephemerals({ user: SLACK_IDS.dave })).toMatchObject([
      { channel: SLACK_IDS.ops, user: SLACK_IDS.dave, text: "denied", ts: result.message_ts },
    ]);
    expect(
      await slackError(
        client.chat.postEphemeral({ channel: SLACK_IDS.prod, user: SLACK_IDS.dave, text: "x" }),
      ),
    ).toBe("user_not_in_channel");
  });

  it("answers not_in_channel where the bot is not a member, until it joins", async () => {
    expect(await slackError(client.chat.postMessage({ channel: SLACK_IDS.random, text: "hi" }))).toBe(
      "not_in_channel",
    );
    expect(await slackError(client.chat.postMessage({ channel: "C_NOPE", text: "hi" }))).toBe(
      "channel_not_found",
    );
    await client.conversations.join({ channel: SLACK_IDS.random });
    const posted = await client.chat.postMessage({ channel: SLACK_IDS.random, text: "hi" });
    expect(posted.ok).toBe(true);
  });

  it("posts to a user ID through the DM with the bot", async () => {
    const posted = await client.chat.postMessage({ channel: SLACK_IDS.alice, text: "your request" });
    expect(posted.channel).toBe(SLACK_IDS.dmAlice);
    expect(fake.messages(SLACK_IDS.dmAlice).map((m) => m.text)).toEqual(["your request"]);
  });

  it("opens, updates and pushes views; trigger_id is required and single-use", async () => {
    const modal = {
      type: "modal" as const,
      callback_id: "reboot_confirm",
      title: { type: "plain_text" as const, text: "Confirm" },
      blocks: [section("Reboot web-01?", "q")],
      private_metadata: "req-1",
    };
    const triggerId = fake.mintTriggerId(SLACK_IDS.alice);
    const opened = await client.views.open({ trigger_id: triggerId, view: modal });
    const viewId = opened.view?.id as string;
    expect(viewId).toMatch(/^V/);
    expect(await slackError(client.views.open({ trigger_id: triggerId, view: modal }))).toBe(
      "exchanged_trigger_id",
    );
    expect(await slackError(client.views.open({ trigger_id: "", view: modal }))).toBe("invalid_arguments");

    await client.views.update({
      view_id: viewId,
      hash: opened.view?.hash as string,
      view: { ...modal, private_metadata: "req-2" },
    });
    expect(await slackError(client.views.update({ view_id: viewId, hash: "stale", view: modal }))).toBe(
      "hash_conflict",
    );

    const pushed = await client.views.push({ trigger_id: fake.mintTriggerId(SLACK_IDS.alice), view: modal });
    expect(pushed.view?.root_view_id).toBe(viewId);

    const stored = fake.view(viewId);
    expect(stored).toMatchObject({
      user: SLACK_IDS.alice,
      callbackId: "reboot_confirm",
      privateMetadata: "req-2",
    });
    expect(stored?.history.map((h) => h.via)).toEqual(["views.open", "views.update"]);
    expect(fake.views({ user: SLACK_IDS.alice })).toHaveLength(2);
  });

  it("publishes Home tabs per user: one stable view ID, every version kept, bad views refused", async () => {
    const home = (text: string) => ({ type: "home" as const, blocks: [section(text, "h")] });
    const changes: FakeSlackChange[] = [];
    const unsubscribe = fake.subscribe((c) => changes.push(c));
    const first = await client.views.publish({ user_id: SLACK_IDS.bob, view: home("Waiting for you: 1") });
    const second = await client.views.publish({
      user_id: SLACK_IDS.bob,
      hash: first.view?.hash as string,
      view: home("Waiting for you: 0"),
    });
    unsubscribe();
    expect(second.view).toMatchObject({ id: first.view?.id, type: "home", app_id: SLACK_IDS.app });
    expect(fake.homeView(SLACK_IDS.bob)?.history.map((v) => JSON.stringify(v.view.blocks))).toEqual([
      expect.stringContaining("Waiting for you: 1"),
      expect.stringContaining("Waiting for you: 0"),
    ]);
    expect(changes.filter((c) => c.type === "home_published")).toHaveLength(2);
    // Home tabs are not modals: they never show among the open views.
    expect(fake.views()).toEqual([]);

    await client.views.publish({ user_id: SLACK_IDS.carol, view: home("Carol's") });
    expect(fake.homeViews().map((h) => h.user)).toEqual([SLACK_IDS.bob, SLACK_IDS.carol]);
    expect(fake.homeView(SLACK_IDS.carol)?.id).not.toBe(first.view?.id);
    expect(fake.homeView(SLACK_IDS.dave)).toBeUndefined();

    expect(
      await slackError(client.views.publish({ user_id: SLACK_IDS.bob, hash: "stale", view: home("x") })),
    ).toBe("hash_conflict");
    expect(await slackError(client.views.publish({ user_id: "U_NOBODY", view: home("x") }))).toBe(
      "invalid_arguments",
    );
    const modal = { type: "modal" as const, title: { type: "plain_text" as const, text: "M" }, blocks: [] };
    expect(await slackError(client.views.publish({ user_id: SLACK_IDS.bob, view: modal }))).toBe(
      "invalid_arguments",
    );
    const tooMany = {
      type: "home" as const,
      blocks: Array.from({ length: 101 }, (_, i) => section("x", `b${i}`)),
    };
    expect(await slackError(client.views.publish({ user_id: SLACK_IDS.bob, view: tooMany }))).toBe(
      "invalid_arguments",
    );
    expect(JSON.stringify(fake.homeView(SLACK_IDS.bob)?.view.blocks)).toContain("Waiting for you: 0");

    // app_home_opened carries the Home view the user has, as Slack's does.
    const event = fake.buildAppHomeOpened(SLACK_IDS.bob) as { event: Record<string, unknown> };
    expect(event.event).toMatchObject({
      type: "app_home_opened",
      user: SLACK_IDS.bob,
      channel: SLACK_IDS.dmBob,
      tab: "home",
      view: { id: first.view?.id, type: "home" },
    });
    expect((fake.buildAppHomeOpened(SLACK_IDS.dave) as { event: object }).event).not.toHaveProperty("view");
    fake.reset();
    expect(fake.homeViews()).toEqual([]);
  });

  it("answers users.info, usergroups and conversations.info from the seeded world", async () => {
    const erin = await client.users.info({ user: SLACK_IDS.erin });
    expect(erin.user).toMatchObject({ id: SLACK_IDS.erin, name: "erin", is_admin: true, team_id: "T0001" });
    expect(await slackError(client.users.info({ user: "U_NOBODY" }))).toBe("user_not_found");

    const groups = await client.usergroups.list({ include_users: true });
    expect(groups.usergroups?.map((g) => g.handle)).toEqual(["ops-approvers", "sre"]);
    const approvers = await client.usergroups.users.list({ usergroup: SLACK_IDS.opsApprovers });
    expect(approvers.users).toEqual([SLACK_IDS.bob, SLACK_IDS.carol]);
    expect(await slackError(client.usergroups.users.list({ usergroup: "S_NOPE" }))).toBe("no_such_subteam");

    const ops = await client.conversations.info({ channel: SLACK_IDS.ops });
    expect(ops.channel).toMatchObject({ id: SLACK_IDS.ops, name: "ops", is_member: true });
    const random = await client.conversations.info({ channel: SLACK_IDS.random });
    expect(random.channel?.is_member).toBe(false);
    const members = await client.conversations.members({ channel: SLACK_IDS.prod });
    expect(members.members).toContain(SLACK_IDS.bot);
    expect(members.members).not.toContain(SLACK_IDS.dave);
  });

  it("gives a permalink for a stored message", async () => {
    const posted = await client.chat.postMessage({ channel: SLACK_IDS.ops, text: "x" });
    const link = await client.chat.getPermalink({ channel: SLACK_IDS.ops, message_ts: posted.ts as string });
    expect(link.permalink).toBe(
      `https://hwc-fake.slack.com/archives/${SLACK_IDS.ops}/p${(posted.ts as string).replace(".", "")}`,
    );
  });

  it("answers 429 with Retry-After, which the WebClient waits out and retries", async () => {
    fake.rateLimitNext("chat.postMessage", 1);
    const waited: number[] = [];
    const onRateLimited = (retrySec: number) => waited.push(retrySec);
    client.on(WebClientEvent.RATE_LIMITED, onRateLimited);
    try {
      const posted = await client.chat.postMessage({ channel: SLACK_IDS.ops, text: "after the limit" });
      expect(posted.ok).toBe(true);
    } finally {
      client.off(WebClientEvent.RATE_LIMITED, onRateLimited);
    }
    expect(waited).toEqual([1]);
    const calls = fake.calls("chat.postMessage");
    expect(calls.map((c) => c.response.status)).toEqual([429, 200]);
    expect(calls[0]?.response.headers).toEqual({ "retry-after": "1" });
    expect(calls[0]?.fault).toBe("rate_limited");
    expect(fake.messages(SLACK_IDS.ops)).toHaveLength(1);
  });

  it("answers an injected error for the next N calls only", async () => {
    fake.failNext("users.info", "fatal_error", 2);
    expect(await slackError(client.users.info({ user: SLACK_IDS.bob }))).toBe("fatal_error");
    expect(await slackError(client.users.info({ user: SLACK_IDS.bob }))).toBe("fatal_error");
    expect((await client.users.info({ user: SLACK_IDS.bob })).ok).toBe(true);
  });

  it("answers invalid_auth, not_authed and not_allowed_token_type", async () => {
    const wrong = new WebClient("xoxb-wrong", {
      slackApiUrl: fake.apiUrl,
      retryConfig: FAST_RETRIES,
      logLevel: LogLevel.ERROR,
    });
    expect(await slackError(wrong.auth.test())).toBe("invalid_auth");
    const none = new WebClient(undefined, {
      slackApiUrl: fake.apiUrl,
      retryConfig: FAST_RETRIES,
      logLevel: LogLevel.ERROR,
    });
    expect(await slackError(none.auth.test())).toBe("not_authed");
    const app = new WebClient(fake.appToken, {
      slackApiUrl: fake.apiUrl,
      retryConfig: FAST_RETRIES,
      logLevel: LogLevel.ERROR,
    });
    expect(await slackError(app.chat.postMessage({ channel: SLACK_IDS.ops, text: "x" }))).toBe(
      "not_allowed_token_type",
    );
    expect(await slackError(client.apps.connections.open())).toBe("not_allowed_token_type");
    expect(fake.calls("auth.test").map((c) => c.auth)).toEqual(["invalid", "none"]);
  });

  it("answers and records unknown methods", async () => {
    expect(await slackError(client.apiCall("chat.teleport", { channel: SLACK_IDS.ops }))).toBe(
      "unknown_method",
    );
    expect(fake.calls("chat.teleport")).toMatchObject([{ args: { channel: SLACK_IDS.ops } }]);
  });

  it("accepts JSON bodies with the token in the Authorization header", async () => {
    const response = await fetch(`${fake.apiUrl}chat.postMessage`, {
      method: "POST",
      headers: {
        "content-type": "application/json; charset=utf-8",
        authorization: `Bearer ${fake.botToken}`,
      },
      body: JSON.stringify({ channel: SLACK_IDS.ops, text: "json", blocks: [section("json", "j")] }),
    });
    expect(await response.json()).toMatchObject({ ok: true, channel: SLACK_IDS.ops });
    expect(fake.messages(SLACK_IDS.ops)[0]?.blocks).toEqual([section("json", "j")]);
  });

  it("streams every change to subscribers", async () => {
    const seen: FakeSlackChange[] = [];
    const unsubscribe = fake.subscribe((change) => seen.push(change));
    const posted = await client.chat.postMessage({ channel: SLACK_IDS.ops, text: "one" });
    await client.chat.update({ channel: SLACK_IDS.ops, ts: posted.ts as string, text: "two" });
    unsubscribe();
    await client.chat.postMessage({ channel: SLACK_IDS.ops, text: "unseen" });
    expect(seen.map((c) => c.type)).toEqual(["message_posted", "api_call", "message_updated", "api_call"]);
    expect(seen.map((c) => c.seq)).toEqual([...seen.map((c) => c.seq)].sort((a, b) => a - b));
  });
});

describe("response_url", () => {
  it("records ephemeral, in_channel, replace_original and delete_original responses", async () => {
    const posted = await client.chat.postMessage({ channel: SLACK_IDS.prod, text: "Approve?" });
    const ts = posted.ts as string;
    const url = fake.mintResponseUrl({ channel: SLACK_IDS.prod, user: SLACK_IDS.bob, messageTs: ts });
    const post = (body: Record<string, unknown>) =>
      fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      });

    expect((await post({ text: "only you see this" })).status).toBe(200);
    expect((await post({ response_type: "in_channel", text: "for everyone" })).status).toBe(200);
    expect((await post({ replace_original: true, text: "Approved by Bob" })).status).toBe(200);
    expect((await post({ delete_original: true })).status).toBe(200);

    expect(fake.responses().map((r) => r.effect.kind)).toEqual([
      "ephemeral",
      "in_channel",
      "replaced_message",
      "deleted_message",
    ]);
    expect(fake.ephemerals({ user: SLACK_IDS.bob }).map((e) => e.text)).toEqual(["only you see this"]);
    const original = fake.message(SLACK_IDS.prod, ts);
    expect(original?.history.map((v) => v.text)).toEqual(["Approve?", "Approved by Bob"]);
    expect(original?.deleted).toBe(true);
    expect(fake.messages(SLACK_IDS.prod).map((m) => m.text)).toEqual(["for everyone"]);
  });

  it("allows five uses and refuses unknown URLs", async () => {
    const url = fake.mintResponseUrl({ channel: SLACK_IDS.ops, user: SLACK_IDS.alice });
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) {
      const r = await fetch(url, { method: "POST", body: JSON.stringify({ text: `#${i}` }) });
      statuses.push(r.status);
    }
    expect(statuses).toEqual([200, 200, 200, 200, 200, 404]);
    const unknown = await fetch(`${fake.baseUrl}/response/RNOPE`, { method: "POST", body: "{}" });
    expect(unknown.status).toBe(404);
    expect(fake.responses().at(-1)?.effect).toEqual({ kind: "rejected", error: "invalid_url" });
  });
});

describe("fake Slack options", () => {
  it("with strictTriggers, only minted trigger_ids younger than 3 s open views", async () => {
    let now = Date.parse("2025-01-01T00:00:00Z");
    const strict = await startFakeSlack({ strictTriggers: true, now: () => now });
    try {
      const web = new WebClient(strict.botToken, {
        slackApiUrl: strict.apiUrl,
        retryConfig: FAST_RETRIES,
        logLevel: LogLevel.ERROR,
      });
      const view = { type: "modal" as const, title: { type: "plain_text" as const, text: "T" }, blocks: [] };
      expect(await slackError(web.views.open({ trigger_id: "123.456.abc", view }))).toBe(
        "invalid_trigger_id",
      );
      const late = strict.mintTriggerId(SLACK_IDS.alice);
      now += 3_001;
      expect(await slackError(web.views.open({ trigger_id: late, view }))).toBe("expired_trigger_id");
      const fresh = strict.mintTriggerId(SLACK_IDS.alice);
      expect((await web.views.open({ trigger_id: fresh, view })).ok).toBe(true);
      // ts values follow the injected clock.
      const posted = await web.chat.postMessage({ channel: SLACK_IDS.ops, text: "x" });
      expect(posted.ts).toBe(`${Math.floor(now / 1000)}.${String((now % 1000) * 1000).padStart(6, "0")}`);
    } finally {
      await strict.close();
    }
  });

  it("serves a configured world and tokens", async () => {
    const custom = await startFakeSlack({
      botToken: "xoxb-custom",
      world: {
        userGroups: [{ id: "S_DBA", handle: "dba", name: "DBA", description: "", users: [SLACK_IDS.dave] }],
      },
    });
    try {
      const web = new WebClient("xoxb-custom", { slackApiUrl: custom.apiUrl, logLevel: LogLevel.ERROR });
      const groups = await web.usergroups.list({});
      expect(groups.usergroups?.map((g) => g.handle)).toEqual(["dba"]);
      expect(custom.world().channels.map((c) => c.id)).toContain(SLACK_IDS.dmDave);
    } finally {
      await custom.close();
    }
  });
});
