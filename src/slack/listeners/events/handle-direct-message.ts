import type { AllMiddlewareArgs, SlackEventMiddlewareArgs } from "@slack/bolt";
import { admitDelivery, enqueueOrTellBusy } from "../admit-delivery.js";
import { eventDeliveryKey } from "../delivery-keys.js";
import type { ListenerDeps } from "../listener-deps.js";
import { buildUsageHint } from "./build-usage-hint.js";
import { type AuthoredEvent, isFromBot } from "./is-from-bot.js";

/**
 * A direct message to the bot: points at the slash commands. Ignores bots (itself included), edits,
 * deletions and every other subtype, and messages outside DMs.
 */
export function handleDirectMessage(deps: ListenerDeps) {
  return async ({
    message,
    body,
    context,
  }: SlackEventMiddlewareArgs<"message"> & AllMiddlewareArgs): Promise<void> => {
    const event = message as AuthoredEvent & { channel: string; channel_type?: string; ts: string };
    if (event.channel_type !== "im" || event.subtype !== undefined) return;
    if (isFromBot(event, context.botUserId)) return;
    await enqueueOrTellBusy(
      deps,
      async () => {
        if (!(await admitDelivery(deps, eventDeliveryKey(body, event), undefined))) return;
        await deps.chat.postMessage(event.channel, buildUsageHint()).then(
          () => undefined,
          (error: unknown) =>
            deps.logger.warn({ err: error, channel: event.channel }, "could not answer a DM"),
        );
      },
      undefined,
    );
  };
}
