import type { AllMiddlewareArgs, SlackEventMiddlewareArgs } from "@slack/bolt";
import { ChatDeliveryError } from "../../../app/ports.js";
import { admitDelivery, enqueueOrTellBusy } from "../admit-delivery.js";
import { eventDeliveryKey } from "../delivery-keys.js";
import type { ListenerDeps } from "../listener-deps.js";
import { buildUsageHint } from "./build-usage-hint.js";
import { isFromBot } from "./is-from-bot.js";

/** `@hwc-chatops …`: points people at the slash commands, in the mention's thread. Ignores bots. */
export function handleAppMention(deps: ListenerDeps) {
  return async ({
    event,
    body,
    context,
  }: SlackEventMiddlewareArgs<"app_mention"> & AllMiddlewareArgs): Promise<void> => {
    if (isFromBot(event, context.botUserId)) return;
    const threadTs = event.thread_ts ?? event.ts;
    await enqueueOrTellBusy(
      deps,
      async () => {
        if (!(await admitDelivery(deps, eventDeliveryKey(body, event), undefined))) return;
        await deps.chat.postMessage(event.channel, buildUsageHint(), { threadTs }).then(
          () => undefined,
          (error: unknown) => {
            const code = error instanceof ChatDeliveryError ? error.code : undefined;
            deps.logger.warn({ err: error, code, channel: event.channel }, "could not answer a mention");
          },
        );
      },
      undefined,
    );
  };
}
