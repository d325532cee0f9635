import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Actor } from "../../src/app/ports.js";
import { md, section, userMention } from "../../src/render/message-model.js";
import { SLACK_IDS } from "../../src/sandbox/slack/index.js";
import { blocksText, findElement } from "../helpers/read-slack-blocks.js";
import { type BotHarness, startBotHarness } from "../helpers/start-bot-harness.js";

/** The same bot over Socket Mode: envelopes from the fake's WebSocket, acked, replies via response_url. */
let h: BotHarness;

const homeOpenedBy: Actor[] = [];

beforeAll(async () => {
  h = await startBotHarness({
    transport: "socket",
    sim: { servers: 30 },
    // A Home handler through the public extension point (the operations' own is tested over HTTP).
    handlers: {
      home: async (viewer, ctx) => {
        homeOpenedBy.push(viewer);
        await ctx.chat.publishHome(viewer.userId, {
          text: "Home",
          blocks: [section({ text: md`Home of ${userMention(viewer.userId)}` })],
        });
      },
    },
  });
});
afterAll(async () => {
  await h?.close();
});

describe("Socket Mode", () => {
  it("connects without opening an HTTP port", () => {
    expect(h.bot.url).toBeUndefined();
    expect(h.fake.calls("apps.connections.open")).toHaveLength(1);
  });

  it("/ecs list: the envelope is acked and the fleet comes back; Next pages over the socket too", async () => {
    const ack = await h.fake.deliverSocket("slash_commands", h.fake.buildSlashCommand({ text: "list" }));
    expect(ack).toEqual({});
    const list = await h.fake.waitFor(() => h.fake.ephemerals({ user: SLACK_IDS.alice })[0]);
    const text = blocksText(list.blocks);
    expect(text).toContain("Showing 1–20 of 30");
    const names = h.sim.control
      .servers()
      .map((s) => s.name)
      .sort();
    for (const name of names.slice(0, 20)) expect(text).toContain(`*\`${name}\`*`);

    const next = findElement(list.blocks, "q.page.next");
    await h.fake.deliverSocket(
      "interactive",
      h.fake.buildBlockAction({
        user: SLACK_IDS.alice,
        message: list,
        isEphemeral: true,
        actions: [{ actionId: "q.page.next", value: next?.value ?? "" }],
      }),
    );
    await h.fake.waitFor(() => h.fake.responses().find((r) => r.effect.kind === "replaced_ephemeral"));
    const page2 = blocksText(h.fake.ephemerals({ user: SLACK_IDS.alice })[0]?.blocks);
    expect(page2).toContain("Showing 21–30 of 30");
    for (const name of names.slice(20)) expect(page2).toContain(`*\`${name}\`*`);
  });

  it("app_home_opened over the socket: acked, the Home published for that user; the Messages tab is ignored", async () => {
    const messagesTab = h.fake.buildAppHomeOpened(SLACK_IDS.carol, { tab: "messages" });
    expect(await h.fake.deliverSocket("events_api", messagesTab)).toEqual({});
    expect(await h.fake.deliverSocket("events_api", h.fake.buildAppHomeOpened(SLACK_IDS.bob))).toEqual({});
    const home = await h.fake.waitFor(() => h.fake.homeView(SLACK_IDS.bob));
    expect(JSON.stringify(home.view.blocks)).toContain(`Home of <@${SLACK_IDS.bob}>`);
    expect(homeOpenedBy).toEqual([{ userId: SLACK_IDS.bob, teamId: SLACK_IDS.team }]);
    // A malformed one is refused before Bolt (acked, logged), and nothing is published.
    const broken = h.fake.buildAppHomeOpened(SLACK_IDS.dave) as { event: Record<string, unknown> };
    delete broken.event.user;
    await h.fake.deliverSocket("events_api", broken);
    await h.fake.waitFor(() => h.logs.find((l) => JSON.stringify(l).includes("event.user: is missing")));
    expect(h.fake.homeViews().map((v) => v.user)).toEqual([SLACK_IDS.bob]);
  });

  it("stop() disconnects", async () => {
    await h.bot.stop();
    await h.fake.waitFor(() => h.fake.socketConnections().every((c) => !c.open));
  });
});
