import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SLACK_IDS } from "../../src/sandbox/slack/index.js";
import { blocksText, findElement } from "../helpers/read-slack-blocks.js";
import { type BotHarness, startBotHarness } from "../helpers/start-bot-harness.js";

/** The same bot over Socket Mode: envelopes from the fake's WebSocket, acked, replies via response_url. */
let h: BotHarness;

beforeAll(async () => {
  h = await startBotHarness({ transport: "socket", sim: { servers: 30 } });
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
    for (const name of names.slice(0, 20)) expect(text).toContain(`*${name}*`);

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
    for (const name of names.slice(20)) expect(page2).toContain(`*${name}*`);
  });

  it("stop() disconnects", async () => {
    await h.bot.stop();
    await h.fake.waitFor(() => h.fake.socketConnections().every((c) => !c.open));
  });
});
