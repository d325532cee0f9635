import { webApi } from "@slack/bolt";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { ChatDeliveryError } from "../../src/app/ports.js";
import { md, section } from "../../src/render/message-model.js";
import { type FakeSlack, SLACK_IDS, startFakeSlack } from "../../src/sandbox/slack/index.js";
import { createRateLimitGate } from "../../src/slack/create-rate-limit-gate.js";
import { createSlackChat } from "../../src/slack/create-slack-chat.js";
import { createUserGroupCache } from "../../src/slack/create-user-group-cache.js";
import { createMemoryStore } from "../../src/store/create-memory-store.js";

/** The ChatPort over a real WebClient against the fake Slack (loopback HTTP). */
let fake: FakeSlack;
let chat: ReturnType<typeof createSlackChat>;

beforeAll(async () => {
  fake = await startFakeSlack();
  const client = new webApi.WebClient(fake.botToken, {
    slackApiUrl: fake.apiUrl,
    retryConfig: { retries: 0 },
    logLevel: webApi.LogLevel.ERROR,
  });
  chat = createSlackChat(client);
});
afterAll(async () => {
  await fake.close();
});
beforeEach(() => fake.reset());

const hello = { text: md`hello`, blocks: [section({ text: md`Hello ${"<!channel>"}` })] };

describe("createSlackChat", () => {
  it("posts, threads and updates rendered messages", async () => {
    const ref = await chat.postMessage(SLACK_IDS.ops, hello);
    expect(ref.channel).toBe(SLACK_IDS.ops);
    const posted = fake.message(SLACK_IDS.ops, ref.ts);
    expect(posted?.text).toBe("hello");
    expect(JSON.stringify(posted?.blocks)).toContain("Hello &lt;!channel&gt;");

    const reply = await chat.postMessage(
      SLACK_IDS.ops,
      { text: md`in thread`, blocks: [] },
      { threadTs: ref.ts },
    );
    expect(reply.threadTs).toBe(ref.ts);
    expect(fake.thread(SLACK_IDS.ops, ref.ts)).toHaveLength(2);

    await chat.updateMessage(ref, { text: md`updated`, blocks: [] });
    expect(fake.message(SLACK_IDS.ops, ref.ts)?.text).toBe("updated");
  });

  it("posts ephemerals to one user", async () => {
    await chat.postEphemeral(SLACK_IDS.ops, SLACK_IDS.alice, hello);
    expect(fake.ephemerals({ user: SLACK_IDS.alice }).map((e) => e.text)).toEqual(["hello"]);
  });

  it("a link Slack refused is asked again next time, never kept", async () => {
    const ref = await chat.postMessage(SLACK_IDS.ops, { text: "card", blocks: [] });
    fake.failNext("chat.getPermalink", "message_not_found");
    await expect(chat.getPermalink(ref)).rejects.toMatchObject({ code: "message_not_found" });
    expect(await chat.getPermalink(ref)).toContain(`/archives/${SLACK_IDS.ops}/`);
    expect(fake.calls("chat.getPermalink")).toHaveLength(2);
  });

  it("maps Slack errors to ChatDeliveryError with Slack's code", async () => {
    await expect(chat.postMessage(SLACK_IDS.random, hello)).rejects.toMatchObject({
      name: "ChatDeliveryError",
      code: "not_in_channel",
    });
    await expect(chat.postMessage("D_NOBODY", hello)).rejects.toBeInstanceOf(ChatDeliveryError);
    await expect(chat.postMessage("D_NOBODY", hello)).rejects.toMatchObject({ code: "channel_not_found" });
    fake.failNext("chat.update", "message_not_found");
    await expect(chat.updateMessage({ channel: SLACK_IDS.ops, ts: "1.2" }, hello)).rejects.toMatchObject({
      code: "message_not_found",
    });
    const strict = createSlackChat(
      new webApi.WebClient(fake.botToken, {
        slackApiUrl: fake.apiUrl,
        rejectRateLimitedCalls: true,
        logLevel: webApi.LogLevel.ERROR,
      }),
    );
    fake.rateLimitNext("chat.postMessage", 2);
    await expect(strict.postMessage(SLACK_IDS.ops, hello)).rejects.toMatchObject({
      code: "ratelimited",
      retryAfterMs: 2_000,
    });
  });

  it("opens a modal built from a ModalSpec", async () => {
    await chat.openModal(fake.mintTriggerId(SLACK_IDS.bob), {
      id: "approval.reject",
      title: "Reject",
      submitLabel: "Reject",
      privateMetadata: "req-1",
      inputs: [{ id: "reason", label: "Reason" }],
    });
    const [view] = fake.views({ user: SLACK_IDS.bob });
    expect(view).toMatchObject({ callbackId: "approval.reject", privateMetadata: "req-1" });
  });

  it("reads user groups on every call", async () => {
    expect(await chat.userGroupsOf(SLACK_IDS.bob)).toEqual(["ops-approvers"]);
    expect(await chat.userGroupsOf(SLACK_IDS.alice)).toEqual(["sre"]);
    expect(await chat.userGroupsOf(SLACK_IDS.dave)).toEqual([]);
    expect(fake.calls("usergroups.list")).toHaveLength(3);
  });

  it("calls made while a read is in flight share it; a later call reads again", async () => {
    fake.clearCalls();
    const [bob, alice] = await Promise.all([
      chat.userGroupsOf(SLACK_IDS.bob),
      chat.userGroupsOf(SLACK_IDS.alice),
      chat.listUserGroups(),
    ]);
    expect([bob, alice]).toEqual([["ops-approvers"], ["sre"]]);
    expect(fake.calls("usergroups.list")).toHaveLength(1);
    // A change made after that read is seen by the next call: nothing is cached.
    const members = (await chat.listUserGroups()).find((g) => g.handle === "ops-approvers")?.users ?? [];
    fake.setUserGroupMembers("ops-approvers", [SLACK_IDS.alice]);
    try {
      expect(await chat.userGroupsOf(SLACK_IDS.bob)).toEqual([]);
      expect(fake.calls("usergroups.list")).toHaveLength(3);
    } finally {
      fake.setUserGroupMembers("ops-approvers", members);
    }
  });

  it("with a group cache, decisions share one read and clicks read now; each caller gets its own copy", async () => {
    const client = new webApi.WebClient(fake.botToken, { slackApiUrl: fake.apiUrl });
    const cached = createSlackChat(client, { groups: createUserGroupCache({ store: createMemoryStore() }) });
    fake.clearCalls();
    const first = await cached.recentUserGroups();
    first[0]?.users.push("U_INTRUDER");
    expect(await cached.recentUserGroups()).not.toContainEqual(
      expect.objectContaining({ users: expect.arrayContaining(["U_INTRUDER"]) }),
    );
    expect(fake.calls("usergroups.list")).toHaveLength(1);
    expect(await cached.userGroupsOf(SLACK_IDS.bob)).toEqual(["ops-approvers"]);
    await cached.listUserGroups();
    expect(fake.calls("usergroups.list")).toHaveLength(3);
    await cached.recentUserGroups();
    expect(fake.calls("usergroups.list")).toHaveLength(3);
  });

  it("lists user groups with their IDs and members", async () => {
    const groups = await chat.listUserGroups();
    expect(groups).toContainEqual({
      id: SLACK_IDS.opsApprovers,
      handle: "ops-approvers",
      users: [SLACK_IDS.bob, SLACK_IDS.carol],
    });
  });

  it("publishes a Home tab: rendered like a message, up to 100 blocks, replaced on every publish", async () => {
    await chat.publishHome(SLACK_IDS.bob, hello);
    const many = {
      text: md`many`,
      blocks: Array.from({ length: 120 }, (_, i) => section({ text: md`row ${String(i)}` })),
    };
    await chat.publishHome(SLACK_IDS.bob, many);
    const home = fake.homeView(SLACK_IDS.bob);
    expect(home?.history).toHaveLength(2);
    expect(JSON.stringify(home?.history[0]?.view.blocks)).toContain("Hello &lt;!channel&gt;");
    const blocks = home?.view.blocks as unknown[];
    // Cut to Slack's 100 blocks of a view, saying so, rather than refused.
    expect(blocks).toHaveLength(100);
    expect(JSON.stringify(blocks.at(-1))).toMatch(/more|omitted|not shown/i);
    fake.failNext("views.publish", "not_enabled");
    const error = await chat.publishHome(SLACK_IDS.bob, hello).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ChatDeliveryError);
    expect((error as ChatDeliveryError).code).toBe("not_enabled");
  });

  it("links to a message and posts directly to a user", async () => {
    const ref = await chat.postMessage(SLACK_IDS.ops, { text: "card", blocks: [] });
    expect(await chat.getPermalink(ref)).toMatch(
      new RegExp(`/archives/${SLACK_IDS.ops}/p${ref.ts.replace(".", "")}$`),
    );
    // Asked of Slack once per message, however often and however many at once.
    const again = await Promise.all([chat.getPermalink(ref), chat.getPermalink({ ...ref })]);
    expect(new Set(again).size).toBe(1);
    expect(fake.calls("chat.getPermalink")).toHaveLength(1);
    const dm = await chat.postDirect(SLACK_IDS.bob, { text: "your approval is needed", blocks: [] });
    expect(fake.messages(dm.channel).map((m) => m.text)).toEqual(["your approval is needed"]);
    expect(fake.world().channels.find((c) => c.id === dm.channel)).toMatchObject({
      isIm: true,
      user: SLACK_IDS.bob,
    });
  });
});

/** A chat as the bot has it (429s thrown, not waited out by the client) whose rate-limit waits the test releases. */
function gatedChat() {
  const sleeps: { ms: number; release: () => void }[] = [];
  const recorded: string[] = [];
  const gated = createSlackChat(
    new webApi.WebClient(fake.botToken, {
      slackApiUrl: fake.apiUrl,
      rejectRateLimitedCalls: true,
      retryConfig: { retries: 0 },
      logLevel: webApi.LogLevel.ERROR,
    }),
    {
      metrics: { slackCall: (method, outcome) => recorded.push(`${method} ${outcome}`) },
      rateLimits: createRateLimitGate({
        sleep: (ms) => new Promise((release) => sleeps.push({ ms, release: () => release() })),
      }),
    },
  );
  return { chat: gated, sleeps, recorded };
}

/** Until the calls the test started have reached the fake Slack (loopback) and come back. */
const waitUntil = (check: () => boolean) => vi.waitFor(() => expect(check()).toBe(true));
const rateLimited = (method: string) => fake.calls(method).filter((c) => c.response.status === 429);

describe("createSlackChat: a rate limit holds back only what it limits", () => {
  it("an edit rate-limited holds back the edits after it, not posts; after Retry-After both edits land", async () => {
    const { chat: gated, sleeps, recorded } = gatedChat();
    const ref = await gated.postMessage(SLACK_IDS.ops, { text: "status", blocks: [] });
    fake.rateLimitNext("chat.update", 7);
    const first = gated.updateMessage(ref, { text: "first edit", blocks: [] });
    await waitUntil(() => sleeps.length === 1);
    expect(sleeps[0]?.ms).toBe(7_000);

    // Meanwhile: a second edit waits without calling (Slack would refuse it too); a post made after it goes
    // at once.
    const second = gated.updateMessage(ref, { text: "second edit", blocks: [] });
    const card = await gated.postMessage(SLACK_IDS.ops, { text: "an approval card", blocks: [] });
    expect(fake.message(SLACK_IDS.ops, card.ts)?.text).toBe("an approval card");
    expect(fake.calls("chat.update")).toHaveLength(1);

    sleeps[0]?.release();
    await Promise.all([first, second]);
    const updates = fake.calls("chat.update");
    expect(updates.map((c) => c.args.text).sort()).toEqual(["first edit", "first edit", "second edit"]);
    expect(rateLimited("chat.update")).toHaveLength(1);
    // Every attempt is in the metrics, the refused one too.
    expect(recorded.filter((r) => r.startsWith("chat.update"))).toEqual([
      "chat.update ratelimited",
      "chat.update ok",
      "chat.update ok",
    ]);
    expect(["first edit", "second edit"]).toContain(fake.message(SLACK_IDS.ops, ref.ts)?.text);
  });

  it("a post rate-limited in one channel does not delay a post in another", async () => {
    const { chat: gated, sleeps } = gatedChat();
    fake.rateLimitNext("chat.postMessage", 1);
    const held = gated.postMessage(SLACK_IDS.ops, { text: "in ops", blocks: [] });
    await waitUntil(() => sleeps.length === 1);
    const other = await gated.postMessage(SLACK_IDS.prod, { text: "in prod", blocks: [] });
    expect(fake.message(SLACK_IDS.prod, other.ts)?.text).toBe("in prod");
    expect(fake.messages(SLACK_IDS.ops)).toHaveLength(0);

    sleeps[0]?.release();
    const posted = await held;
    expect(fake.message(SLACK_IDS.ops, posted.ts)?.text).toBe("in ops");
    expect(rateLimited("chat.postMessage")).toHaveLength(1);
  });

  it("a modal rate-limited fails at once: its trigger would be dead after the wait", async () => {
    const { chat: gated, sleeps } = gatedChat();
    fake.rateLimitNext("views.open", 1);
    await expect(
      gated.openModal(fake.mintTriggerId(SLACK_IDS.bob), {
        id: "approval.reject",
        title: "Reject",
        submitLabel: "Reject",
        privateMetadata: "req-1",
        inputs: [{ id: "reason", label: "Reason" }],
      }),
    ).rejects.toMatchObject({ code: "ratelimited", retryAfterMs: 1_000 });
    expect(fake.calls("views.open")).toHaveLength(1);
    expect(sleeps.map((s) => s.ms)).toEqual([1_000]);
  });
});
