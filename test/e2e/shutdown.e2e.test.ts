import { afterAll, beforeAll, expect, it } from "vitest";
import { createBot } from "../../src/bot/create-bot.js";
import { createLogger } from "../../src/log/create-logger.js";
import { SLACK_IDS } from "../../src/sandbox/slack/index.js";
import { blocksText } from "../helpers/read-slack-blocks.js";
import { sendSlashCommand } from "../helpers/slack-requests.js";
import { type BotHarness, startBotHarness } from "../helpers/start-bot-harness.js";

/** stop() (what main runs on SIGTERM): acked work finishes, then the port is closed. */
let h: BotHarness;

beforeAll(async () => {
  h = await startBotHarness();
});
afterAll(async () => {
  await h?.close();
});

it("work acked before stop() still gets its reply; afterwards nothing is accepted", async () => {
  // Slow cloud answers keep the command in flight after the ack.
  h.sim.control.setFaults({ latencyMs: 300 });
  const result = await sendSlashCommand(
    h.eventsUrl,
    h.fake.signingSecret,
    h.fake.buildSlashCommand({ text: "list" }),
  );
  expect(result.status).toBe(200);
  const url = h.eventsUrl;
  await h.bot.stop();
  const answer = h.fake.ephemerals({ user: SLACK_IDS.alice })[0];
  expect(blocksText(answer?.blocks)).toContain("ECS servers");
  await expect(fetch(url, { method: "POST" })).rejects.toThrow();
  await h.bot.stop();
});

it("a bad bot token fails start() without listening; stop() is still clean", async () => {
  const bot = createBot({
    slack: {
      botToken: "xoxb-not-the-right-token",
      apiUrl: h.fake.apiUrl,
      transport: { kind: "http", signingSecret: h.fake.signingSecret, port: 0 },
    },
    cloud: h.cloud,
    logger: createLogger({ level: "silent" }),
    host: "127.0.0.1",
  });
  await expect(bot.start()).rejects.toMatchObject({
    stage: "auth",
    cause: { data: { error: "invalid_auth" } },
  });
  expect(bot.url).toBeUndefined();
  await expect(bot.stop()).resolves.toBeUndefined();
});
