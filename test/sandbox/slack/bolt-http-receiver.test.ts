import type { AddressInfo } from "node:net";
import { App, LogLevel } from "@slack/bolt";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type FakeSlack, SLACK_IDS, startFakeSlack } from "../../../src/sandbox/slack/index.js";
import { textInputValue } from "../../helpers/slack-payloads.js";
import {
  redeliver,
  responseJson,
  sendBlockAction,
  sendSlashCommand,
  sendViewSubmission,
} from "../../helpers/slack-requests.js";

/**
 * A minimal Bolt app over HTTP, pointed at the fake with `clientOptions.slackApiUrl`: proves the signed
 * harness and the fake together (the real bot is tested elsewhere).
 */
let fake: FakeSlack;
let app: App;
let url: string;
const seenRetryNums: Array<number | undefined> = [];

beforeAll(async () => {
  fake = await startFakeSlack();
  app = new App({
    token: fake.botToken,
    signingSecret: fake.signingSecret,
    clientOptions: { slackApiUrl: fake.apiUrl },
    logLevel: LogLevel.ERROR,
  });
  app.command("/ecs", async ({ command, ack, respond, client, context }) => {
    await ack();
    seenRetryNums.push(context.retryNum);
    await respond({ text: `Working on: ${command.text}` });
    await client.chat.postMessage({
      channel: command.channel_id,
      text: `<@${command.user_id}> asked: ${command.text}`,
      blocks: [
        { type: "section", block_id: "ask", text: { type: "mrkdwn", text: `Run \`${command.text}\`?` } },
        {
          type: "actions",
          block_id: "decide",
          elements: [
            {
              type: "button",
              action_id: "approve",
              style: "primary",
              value: "req-1",
              text: { type: "plain_text", text: "Approve" },
            },
          ],
        },
      ],
    });
  });
  app.action("approve", async ({ ack, respond, body }) => {
    await ack();
    await respond({ replace_original: true, text: `Approved by <@${body.user.id}>` });
  });
  app.view("reboot_form", async ({ ack, view }) => {
    const reason = view.state.values.reason?.reason_input?.value ?? "";
    if (reason.length < 5) {
      await ack({ response_action: "errors", errors: { reason: "Give a reason (5+ characters)" } });
      return;
    }
    await ack();
  });
  const server = await app.start(0);
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/slack/events`;
});

afterAll(async () => {
  await app.stop();
  await fake.close();
});

beforeEach(() => {
  fake.reset();
  seenRetryNums.length = 0;
});

describe("signed requests to a Bolt HTTP receiver backed by the fake", () => {
  it("a signed slash command is acked with 200; respond() and chat.postMessage reach the fake", async () => {
    const result = await sendSlashCommand(
      url,
      fake.signingSecret,
      fake.buildSlashCommand({ text: "reboot web-01" }),
    );
    expect(result.status).toBe(200);

    const message = await fake.waitFor(() => fake.messages(SLACK_IDS.ops)[0]);
    expect(message.text).toBe(`<@${SLACK_IDS.alice}> asked: reboot web-01`);
    const response = await fake.waitFor(() => fake.responses()[0]);
    expect(response.effect.kind).toBe("ephemeral");
    expect(fake.ephemerals({ user: SLACK_IDS.alice }).map((e) => e.text)).toEqual([
      "Working on: reboot web-01",
    ]);
  });

  it("a wrong, missing or stale signature is refused with 401 and nothing is posted", async () => {
    const fields = fake.buildSlashCommand({ text: "reboot web-01" });
    expect((await sendSlashCommand(url, fake.signingSecret, fields, { signature: "corrupt" })).status).toBe(
      401,
    );
    expect((await sendSlashCommand(url, "not-the-secret", fields)).status).toBe(401);
    expect((await sendSlashCommand(url, fake.signingSecret, fields, { signature: "omit" })).status).toBe(401);
    expect((await sendSlashCommand(url, fake.signingSecret, fields, { skewSeconds: -6 * 60 })).status).toBe(
      401,
    );
    expect(fake.calls("chat.postMessage")).toEqual([]);
    expect(fake.responses()).toEqual([]);
  });

  it("redelivers the same body with X-Slack-Retry-Num", async () => {
    const first = await sendSlashCommand(url, fake.signingSecret, fake.buildSlashCommand({ text: "status" }));
    const again = await redeliver(url, fake.signingSecret, first, {
      retryNum: 1,
      retryReason: "http_timeout",
    });
    expect([first.status, again.status]).toEqual([200, 200]);
    expect(again.sent.rawBody).toBe(first.sent.rawBody);
    await fake.waitFor(() => fake.calls("chat.postMessage").length === 2);
    expect(seenRetryNums).toEqual([undefined, 1]);
  });

  it("a block action on the posted message replaces it through its response_url", async () => {
    await sendSlashCommand(url, fake.signingSecret, fake.buildSlashCommand({ text: "reboot web-01" }));
    const message = await fake.waitFor(() => fake.messages(SLACK_IDS.ops)[0]);
    const payload = fake.buildBlockAction({
      user: SLACK_IDS.bob,
      message,
      actions: [{ actionId: "approve" }],
    });
    expect(payload.actions).toMatchObject([
      { action_id: "approve", block_id: "decide", value: "req-1", type: "button" },
    ]);

    const result = await sendBlockAction(url, fake.signingSecret, payload);
    expect(result.status).toBe(200);
    const replaced = await fake.waitFor(() =>
      fake.responses().find((r) => r.effect.kind === "replaced_message"),
    );
    expect(replaced.body).toMatchObject({ replace_original: true });
    expect(fake.message(SLACK_IDS.ops, message.ts)?.text).toBe(`Approved by <@${SLACK_IDS.bob}>`);
  });

  it("a view submission gets the app's response_action in the HTTP answer", async () => {
    const view = { id: "V_TEST", callback_id: "reboot_form", title: { type: "plain_text", text: "Reboot" } };
    const short = await sendViewSubmission(
      url,
      fake.signingSecret,
      fake.buildViewSubmission({ view, values: { reason: { reason_input: textInputValue("no") } } }),
    );
    expect(short.status).toBe(200);
    expect(responseJson(short)).toEqual({
      response_action: "errors",
      errors: { reason: "Give a reason (5+ characters)" },
    });
    const good = await sendViewSubmission(
      url,
      fake.signingSecret,
      fake.buildViewSubmission({
        view,
        values: { reason: { reason_input: textInputValue("kernel patch") } },
      }),
    );
    expect(good.status).toBe(200);
    expect(good.body).toBe("");
  });
});
