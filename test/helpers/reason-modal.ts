import type { Bot } from "../../src/bot/create-bot.js";
import { textInputValue } from "./slack-payloads.js";
import { responseJson, sendViewSubmission } from "./slack-requests.js";
import type { BotHarness } from "./start-bot-harness.js";

/** What the reason modal's validation answers for a reason under 5 characters. */
export const SHORT_REASON_ERROR = "Give a reason (5+ characters)";

/**
 * Registers on `bot` a modal (`callbackId`) that wants a reason of 5 or more characters; its handler collects
 * the values of every accepted submission into the array returned.
 */
export function registerReasonModal(bot: Bot, callbackId: string): Record<string, string | undefined>[] {
  const submissions: Record<string, string | undefined>[] = [];
  bot.registerView(callbackId, {
    validate: (s) => ((s.values.reason ?? "").length < 5 ? { reason: SHORT_REASON_ERROR } : undefined),
    async handle(s) {
      submissions.push(s.values);
    },
  });
  return submissions;
}

/** Submits `reason` to the modal `view` as Slack would; the ack's status, body and parsed JSON. */
export async function submitReason(
  h: BotHarness,
  view: { id: string; callback_id: string; private_metadata: string },
  reason: string,
) {
  const result = await sendViewSubmission(
    h.eventsUrl,
    h.fake.signingSecret,
    h.fake.buildViewSubmission({ view, values: { reason: { reason: textInputValue(reason) } } }),
  );
  return { status: result.status, body: result.body, json: responseJson(result) };
}
