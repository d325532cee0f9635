/**
 * The `/invite` hints name the bot as the workspace installed it: by the user ID Slack's `auth.test` gave at
 * start, as a mention (Slack shows the bot's current name), never the manifest's `@hwc-chatops`, which may be
 * no one there. The whole bot (`startHwcChatops`) over loopback, with a fake Slack whose bot is `@ops-helper`
 * (`U_OPSBOT`): the notifier's alert about a channel it is not in, `/ops watch list`, and the answer to a
 * command run in such a channel.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningBot } from "../../src/app/start-hwc-chatops.js";
import { createCloudClient } from "../../src/cloud/create-cloud-client.js";
import type { CloudConfig } from "../../src/cloud/load-cloud-config.js";
import type { CloudClient } from "../../src/cloud/types.js";
import {
  type CloudSimulator,
  simulatorCloudConfig,
  startCloudSimulator,
} from "../../src/sandbox/cloud/index.js";
import { type FakeSlack, SLACK_IDS, startFakeSlack } from "../../src/sandbox/slack/index.js";
import { eventually } from "../helpers/eventually.js";
import { sendSlashCommand } from "../helpers/slack-requests.js";
import { startShippedBot } from "../helpers/start-shipped-bot.js";
import { textOf } from "./helpers/operations-harness.js";

/** The bot as this workspace installed it: another name and user ID than the manifest's. */
const BOT = { userId: "U_OPSBOT", botId: "B_OPSBOT", appId: "A_APP", name: "ops-helper" };
const INVITE = `\`/invite\` <@${BOT.userId}>`;

/** Changes go to #ops and to #random, which the bot is not in; its alerts go to #ops. */
const NOTIFICATIONS = `
version: 1
defaults:
  interval: 1h
  quiet_period: 0s
  alert_channels: [C_OPS]
watchers:
  - id: ecs-servers
    kind: ecs_servers
routes:
  - id: ops
    channels: [C_OPS]
  - id: random
    channels: [C_RANDOM]
`;

let fake: FakeSlack;
let sim: CloudSimulator;
let cloud: CloudClient;
let bot: RunningBot;
let dir: string;

function command(text: string, input: { channel?: string; command?: string } = {}) {
  return sendSlashCommand(
    `${bot.url}/slack/events`,
    fake.signingSecret,
    fake.buildSlashCommand({ text, command: input.command ?? "/ecs", user: SLACK_IDS.alice, ...input }),
  );
}

/** The first reply (response_url) to Alice whose text includes `needle`. */
function replyWith(needle: string): Promise<string> {
  return fake.waitFor(() =>
    fake
      .ephemerals({ user: SLACK_IDS.alice })
      .map((m) => textOf(m))
      .find((t) => t.includes(needle)),
  );
}

beforeAll(async () => {
  fake = await startFakeSlack({ world: { bot: BOT } });
  sim = await startCloudSimulator();
  const cloudConfig: CloudConfig = {
    ...simulatorCloudConfig(sim),
    connectTimeoutMs: 2_000,
    requestTimeoutMs: 10_000,
  };
  cloud = createCloudClient(cloudConfig, { retry: { maxAttempts: 2, baseDelayMs: 10, maxDelayMs: 50 } });
  dir = await mkdtemp(join(tmpdir(), "hwc-invite-e2e-"));
  const notificationsFile = join(dir, "notifications.yml");
  await writeFile(notificationsFile, NOTIFICATIONS);
  bot = await startShippedBot(fake, cloudConfig, notificationsFile, { cloudClient: cloud });
});

afterAll(async () => {
  await bot?.stop(2_000);
  await cloud?.close();
  await sim?.close();
  await fake?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe("the /invite hints name the bot by the user ID auth.test gave", () => {
  it("the alert about a channel the bot is not in, and /ops watch list", async () => {
    expect(bot.bot.botUserId).toBe(BOT.userId);
    // The baseline (the notifier's first tick at start), then a change made out of band: announced to #ops and
    // (refused) to #random.
    await eventually(
      async () => (await bot.notifier.listWatchers()).every((w) => w.lastSuccessAt !== undefined),
      10_000,
      "the baseline",
    );
    const server = sim.control.servers().find((s) => s.status === "ACTIVE" && s.name !== "web-01")!;
    sim.control.setServer(server.id, { status: "SHUTOFF" });
    expect(await bot.notifier.runOnce("ecs-servers")).toMatchObject({
      deliveryErrors: ["C_RANDOM: not_in_channel"],
    });
    const alert = await fake.waitFor(() =>
      fake
        .messages(SLACK_IDS.ops)
        .map((m) => textOf(m))
        .find((t) => t.includes("Notifications cannot be posted to <#C_RANDOM>")),
    );
    expect(alert).toContain(`the bot is not in the channel: invite it there (${INVITE})`);
    expect(alert).not.toContain("hwc-chatops");

    await command("watch list", { command: "/ops" });
    const list = await replyWith("To fix");
    expect(list).toContain(`• <#C_RANDOM>: the bot is not in the channel: invite it there (${INVITE})`);
    expect(list).not.toContain("hwc-chatops");
  });

  it("the answer to a change asked in a channel the bot is not in", async () => {
    await command("stop web-01", { channel: SLACK_IDS.random });
    const answer = await replyWith("not a member");
    expect(answer).toContain(`Invite me with ${INVITE} and try again.`);
    expect(answer).not.toContain("hwc-chatops");
    expect(fake.messages(SLACK_IDS.random).filter((m) => m.user === BOT.userId)).toHaveLength(0);
  });
});
