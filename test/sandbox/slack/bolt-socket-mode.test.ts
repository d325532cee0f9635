import { App, LogLevel, SocketModeReceiver } from "@slack/bolt";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  buildEventCallbackPayload,
  type FakeSlack,
  SLACK_IDS,
  SocketDeliveryError,
  startFakeSlack,
} from "../../../src/sandbox/slack/index.js";

/**
 * Minimal Bolt apps in Socket Mode against the fake's `apps.connections.open` + WebSocket.
 * `App({ socketMode: true, appToken, clientOptions: { slackApiUrl } })` hands `clientOptions` to its
 * SocketModeReceiver (via `installerOptions.clientOptions`), so the WebSocket URL comes from the fake.
 */
let fake: FakeSlack;
const apps: App[] = [];

function buildApp(name: string, receiver?: SocketModeReceiver): App {
  const app = new App({
    token: fake.botToken,
    ...(receiver ? { receiver } : { socketMode: true, appToken: fake.appToken }),
    clientOptions: { slackApiUrl: fake.apiUrl },
    logLevel: LogLevel.ERROR,
  });
  app.command("/ecs", async ({ command, ack, respond, client }) => {
    if (command.text === "quick") {
      // A slash command ack may carry the reply itself.
      await ack({ text: `${name}: on it` });
      return;
    }
    await ack();
    await respond({ text: `${name} working on: ${command.text}` });
    await client.chat.postMessage({ channel: command.channel_id, text: `${name} handled ${command.text}` });
  });
  app.command("/hang", async () => {
    // Never acks: lets the fake observe a missing ack.
  });
  app.event("app_mention", async ({ event, say }) => {
    await say({ text: `${name} heard: ${event.text}`, thread_ts: event.ts });
  });
  app.action("approve", async ({ ack, respond }) => {
    await ack();
    await respond({ replace_original: true, text: `approved via ${name}` });
  });
  apps.push(app);
  return app;
}

beforeAll(async () => {
  fake = await startFakeSlack({ socketAckTimeoutMs: 10_000 });
});

afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.stop()));
  fake.reset();
});

afterAll(async () => {
  await fake.close();
});

describe("Bolt Socket Mode against the fake", () => {
  it("connects through the fake's apps.connections.open and handles a slash_commands envelope", async () => {
    const app = buildApp("bot");
    await app.start();
    const opens = fake.calls("apps.connections.open");
    expect(opens).toHaveLength(1);
    expect(opens[0]?.auth).toBe("app");
    expect(opens[0]?.response.body.url).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/socket\?ticket=/);
    expect(fake.socketConnections().filter((c) => c.open)).toHaveLength(1);

    const ack = await fake.deliverSocket("slash_commands", fake.buildSlashCommand({ text: "reboot web-01" }));
    expect(ack).toEqual({});
    const message = await fake.waitFor(() => fake.messages(SLACK_IDS.ops)[0]);
    expect(message.text).toBe("bot handled reboot web-01");
    const response = await fake.waitFor(() => fake.responses()[0]);
    expect(response.effect.kind).toBe("ephemeral");
    expect(fake.envelopes()).toMatchObject([{ type: "slash_commands", ack: { payload: {} } }]);
  });

  it("returns the ack payload and shows a slash command ack message as Slack would", async () => {
    await buildApp("bot").start();
    const ack = await fake.deliverSocket("slash_commands", fake.buildSlashCommand({ text: "quick" }));
    expect(ack).toEqual({ text: "bot: on it" });
    expect(fake.responses()).toMatchObject([{ via: "ack", effect: { kind: "ephemeral" } }]);
    expect(fake.ephemerals({ user: SLACK_IDS.alice }).map((e) => e.text)).toEqual(["bot: on it"]);
  });

  it("handles an interactive envelope (block_actions)", async () => {
    await buildApp("bot").start();
    const message = fake.postUserMessage(SLACK_IDS.ops, SLACK_IDS.alice, "please approve");
    const payload = fake.buildBlockAction({
      user: SLACK_IDS.bob,
      message,
      actions: [{ actionId: "approve" }],
    });
    await fake.deliverSocket("interactive", payload);
    const replaced = await fake.waitFor(() => fake.responses()[0]);
    expect(replaced.effect.kind).toBe("replaced_message");
  });

  it("handles an events_api envelope (app_mention) and acks it", async () => {
    await buildApp("bot").start();
    const mention = fake.postUserMessage(SLACK_IDS.ops, SLACK_IDS.alice, `<@${SLACK_IDS.bot}> status`);
    const payload = buildEventCallbackPayload({
      type: "app_mention",
      user: SLACK_IDS.alice,
      text: mention.text,
      ts: mention.ts,
      channel: SLACK_IDS.ops,
    });
    expect(await fake.deliverSocket("events_api", payload)).toEqual({});
    const reply = await fake.waitFor(() => fake.thread(SLACK_IDS.ops, mention.ts)[1]);
    expect(reply.text).toBe(`bot heard: <@${SLACK_IDS.bot}> status`);
  });

  it("fails a delivery nobody acks, and one whose connection drops", async () => {
    await buildApp("bot").start();
    const noAck = fake.deliverSocket("slash_commands", fake.buildSlashCommand({ command: "/hang" }), {
      ackTimeoutMs: 200,
    });
    await expect(noAck).rejects.toMatchObject({ reason: "timeout" });

    const dropped = fake.deliverSocket("slash_commands", fake.buildSlashCommand({ command: "/hang" }));
    await fake.waitFor(() => fake.envelopes().length === 2);
    fake.dropSocket();
    await expect(dropped).rejects.toBeInstanceOf(SocketDeliveryError);
    await expect(dropped).rejects.toMatchObject({ reason: "connection_closed" });
  });

  it("rejects when no client is connected", async () => {
    await expect(fake.deliverSocket("events_api", {})).rejects.toMatchObject({ reason: "no_connection" });
  });

  it("spreads envelopes over several replicas and survives a disconnect message", async () => {
    // An explicit receiver: the way to set Socket Mode client options (faster reconnect here).
    const receiver = () =>
      new SocketModeReceiver({
        appToken: fake.appToken,
        clientPingTimeout: 2_000,
        logLevel: LogLevel.ERROR,
        installerOptions: { clientOptions: { slackApiUrl: fake.apiUrl } },
      });
    await buildApp("replica-a", receiver()).start();
    await buildApp("replica-b", receiver()).start();
    await fake.waitForSocketConnections(2);

    await fake.deliverSocket("slash_commands", fake.buildSlashCommand({ text: "one" }));
    await fake.deliverSocket("slash_commands", fake.buildSlashCommand({ text: "two" }));
    await fake.waitFor(() => fake.messages(SLACK_IDS.ops).length === 2);
    const handledBy = fake.messages(SLACK_IDS.ops).map((m) => m.text?.split(" ")[0]);
    expect(new Set(handledBy)).toEqual(new Set(["replica-a", "replica-b"]));

    const [first] = fake.socketConnections().filter((c) => c.open);
    fake.disconnectSocket(first?.id, "refresh_requested");
    await fake.waitFor(() => fake.socketConnections().find((c) => c.id === first?.id && !c.open));
    await fake.waitForSocketConnections(2);
    // At least one reconnect (more only if a stalled event loop made a client give up on pongs).
    expect(fake.calls("apps.connections.open").length).toBeGreaterThanOrEqual(3);
    expect(fake.socketConnections().find((c) => c.id === first?.id)?.open).toBe(false);

    const ack = await fake.deliverSocket("slash_commands", fake.buildSlashCommand({ text: "quick" }));
    expect(ack.text).toMatch(/^replica-[ab]: on it$/);
  });
});
