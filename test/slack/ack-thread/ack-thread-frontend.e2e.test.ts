import { createServer } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createBot } from "../../../src/bot/create-bot.js";
import { createLogger } from "../../../src/log/create-logger.js";
import { SLACK_IDS } from "../../../src/sandbox/slack/index.js";
import { SlackStartError } from "../../../src/slack/slack-start-error.js";
import { eventually } from "../../helpers/eventually.js";
import { mentionTheBot } from "../../helpers/mention-the-bot.js";
import { blocksText } from "../../helpers/read-slack-blocks.js";
import { registerReasonModal, SHORT_REASON_ERROR, submitReason } from "../../helpers/reason-modal.js";
import { sendBlockAction, sendSignedRequest, sendSlashCommand } from "../../helpers/slack-requests.js";
import { type BotHarness, startBotHarness } from "../../helpers/start-bot-harness.js";

/**
 * The ack thread (`ACK_THREAD=on`, the production default): the whole bot over real HTTP, with the front in a
 * worker thread. Slash commands and clicks are acked there and worked on in the bot's thread; a modal's
 * validation errors, the probes and the front's log lines cross between the threads.
 */
let h: BotHarness;
let submissions: Record<string, string | undefined>[];

beforeAll(async () => {
  h = await startBotHarness({ ackThread: true });
  submissions = registerReasonModal(h.bot, "ack.reason");
});
afterAll(async () => {
  await h?.close();
});
beforeEach(() => {
  h.fake.reset();
});

describe("the ack thread", () => {
  it("acks a slash command with an empty 200, then the bot's thread answers it", async () => {
    const result = await sendSlashCommand(
      h.eventsUrl,
      h.fake.signingSecret,
      h.fake.buildSlashCommand({ command: "/ecs", text: "show web-01" }),
    );
    expect(result.status).toBe(200);
    expect(result.body).toBe("");
    const reply = await h.fake.waitFor(() => h.fake.ephemerals({ user: SLACK_IDS.alice })[0]);
    expect(blocksText(reply.blocks)).toContain("web-01");
  });

  it("commands and clicks go to their listeners without Bolt's dispatch; an event and a command of another app through it", async () => {
    // Bolt's global middleware runs for every request Bolt dispatches, and for nothing else.
    const dispatched: string[] = [];
    h.bot.app.use(async ({ body, next }) => {
      const { type, command } = body as { type?: unknown; command?: unknown };
      dispatched.push(String(type ?? command));
      await next();
    });
    const clicks: { actionId: string; userId: string }[] = [];
    h.bot.registerAction("direct", async (action) => {
      clicks.push({ actionId: action.actionId, userId: action.actor.userId });
    });

    await sendSlashCommand(
      h.eventsUrl,
      h.fake.signingSecret,
      h.fake.buildSlashCommand({ command: "/ecs", text: "show web-01" }),
    );
    const reply = await h.fake.waitFor(() => h.fake.ephemerals({ user: SLACK_IDS.alice })[0]);
    expect(blocksText(reply.blocks)).toContain("web-01");
    const message = h.fake.postUserMessage(SLACK_IDS.ops, SLACK_IDS.alice, "a message with a button");
    const click = await sendBlockAction(
      h.eventsUrl,
      h.fake.signingSecret,
      h.fake.buildBlockAction({
        user: SLACK_IDS.bob,
        channel: SLACK_IDS.ops,
        message,
        actions: [{ actionId: "direct.go" }],
      }),
    );
    expect(click.status).toBe(200);
    await eventually(() => clicks[0], 10_000, "the click");
    expect(clicks).toEqual([{ actionId: "direct.go", userId: SLACK_IDS.bob }]);
    expect(dispatched).toEqual([]);

    const human = await mentionTheBot(h);
    const answer = await h.fake.waitFor(() => h.fake.thread(SLACK_IDS.ops, human.ts)[1]);
    expect(blocksText(answer.blocks)).toContain("/ecs help");
    await sendSlashCommand(
      h.eventsUrl,
      h.fake.signingSecret,
      h.fake.buildSlashCommand({ command: "/weather", text: "today" }),
    );
    await eventually(() => dispatched.length === 2, 10_000, "two dispatches by Bolt");
    expect(dispatched).toEqual(["event_callback", "/weather"]);
  });

  it("a modal submission waits for the bot's thread: its validation errors are the ack", async () => {
    const view = { id: "V_ACK", callback_id: "ack.reason", private_metadata: "" };
    const short = await submitReason(h, view, "no");
    expect(short.status).toBe(200);
    expect(short.json).toEqual({ response_action: "errors", errors: { reason: SHORT_REASON_ERROR } });
    const good = await submitReason(h, view, "patch night");
    expect(good.status).toBe(200);
    expect(good.body).toBe("");
    await h.fake.waitFor(() => submissions.length === 1 || undefined);
    expect(submissions).toEqual([{ reason: "patch night" }]);
  });

  it("the probes are answered by the bot's thread, from its own state", async () => {
    const health = await fetch(`${h.bot.url}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({
      status: "ok",
      transport: "http",
      ackThread: true,
      running: 0,
      queued: 0,
    });
    const ready = await fetch(`${h.bot.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: "ready", checks: { slack: "ok", store: "ok" } });
    // Not configured in the harness: not served.
    expect((await fetch(`${h.bot.url}/metrics`)).status).toBe(404);
    expect((await fetch(`${h.bot.url}/elsewhere`)).status).toBe(404);
  });

  it("refuses a forged request in the ack thread: nothing reaches the bot, the log says why", async () => {
    const calls = h.fake.calls.length;
    const forged = await sendSlashCommand(
      h.eventsUrl,
      h.fake.signingSecret,
      h.fake.buildSlashCommand({ command: "/ecs", text: "stop web-01" }),
      { signature: "corrupt" },
    );
    expect(forged.status).toBe(401);
    const malformed = await sendSignedRequest(
      h.eventsUrl,
      h.fake.signingSecret,
      "payload=null",
      "application/x-www-form-urlencoded",
    );
    expect(malformed.status).toBe(400);
    await h.fake.waitFor(() =>
      h.logs.find((l) => l.msg === "refused a signed Slack request: malformed payload") ? true : undefined,
    );
    expect(h.logs.some((l) => l.msg === "refused a Slack request: missing or wrong signature")).toBe(true);
    expect(h.fake.calls.length).toBe(calls);
    expect(h.fake.ephemerals()).toEqual([]);
  });
});

describe("starting and stopping with the ack thread", () => {
  it("a busy port fails the start at the listen stage, with the listen error's code", async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, "127.0.0.1", resolve));
    const port = (taken.address() as { port: number }).port;
    const bot = createBot({
      slack: {
        botToken: h.fake.botToken,
        apiUrl: h.fake.apiUrl,
        transport: { kind: "http", signingSecret: h.fake.signingSecret, port },
      },
      cloud: h.cloud,
      logger: createLogger({ level: "silent" }),
      host: "127.0.0.1",
      ackThread: true,
    });
    try {
      const error = await bot.start().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(SlackStartError);
      expect((error as SlackStartError).stage).toBe("listen");
      expect(((error as SlackStartError).cause as { code?: string }).code).toBe("EADDRINUSE");
    } finally {
      await bot.stop(0);
      await new Promise((resolve) => taken.close(resolve));
    }
  });

  it("stop closes the port: the bot no longer answers", async () => {
    const other = await startBotHarness({ ackThread: true });
    const url = other.bot.url;
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    await other.close();
    await expect(fetch(`${url}/healthz`)).rejects.toThrow();
  });
});
