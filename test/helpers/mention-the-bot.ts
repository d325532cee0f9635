import { buildEventCallbackPayload, type FakeSlack, SLACK_IDS } from "../../src/sandbox/slack/index.js";
import { sendEvent } from "./slack-requests.js";

/**
 * A person mentions the bot in #ops, as Slack has it: the message is stored in the fake Slack and its
 * `app_mention` event sent, signed, to the bot. Returns the message (the bot answers in its thread).
 */
export async function mentionTheBot(
  target: { eventsUrl: string; fake: FakeSlack },
  user: string = SLACK_IDS.alice,
  extra: { botId?: string } = {},
) {
  const message = target.fake.postUserMessage(SLACK_IDS.ops, user, `<@${SLACK_IDS.bot}> hi`);
  await sendEvent(
    target.eventsUrl,
    target.fake.signingSecret,
    buildEventCallbackPayload({
      type: "app_mention",
      user,
      ...(extra.botId !== undefined && { bot_id: extra.botId }),
      text: message.text,
      ts: message.ts,
      channel: SLACK_IDS.ops,
    }),
  );
  return message;
}
