import type { MessageLike } from "../../src/sandbox/slack/build-slack-payloads.js";
import { IDS, type OperationsHarness } from "../e2e/helpers/operations-harness.js";
import { sendBlockAction } from "./slack-requests.js";

/**
 * Clicks the button `actionId` of the ephemeral `message` (shown in #ops) as `user`, signed as Slack sends it;
 * resolves with the bot's ack.
 */
export function clickEphemeralButton(
  h: OperationsHarness,
  message: MessageLike,
  user: string,
  actionId: string,
) {
  return sendBlockAction(
    h.eventsUrl,
    h.fake.signingSecret,
    h.fake.buildBlockAction({ user, channel: IDS.ops, message, isEphemeral: true, actions: [{ actionId }] }),
  );
}
