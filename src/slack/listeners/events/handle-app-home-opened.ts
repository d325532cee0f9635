import type { AllMiddlewareArgs, SlackEventMiddlewareArgs } from "@slack/bolt";
import { admitDelivery, enqueueOrTellBusy } from "../admit-delivery.js";
import { eventDeliveryKey } from "../delivery-keys.js";
import type { ListenerDeps } from "../listener-deps.js";

/**
 * A user opened the app's Home tab: (first delivery only) the Home handler publishes it for them, built now.
 * Opening the Messages tab sends the same event with `tab: "messages"`; it changes nothing.
 */
export function handleAppHomeOpened(deps: ListenerDeps) {
  return async ({ event, body }: SlackEventMiddlewareArgs<"app_home_opened"> & AllMiddlewareArgs) => {
    const home = deps.home;
    if (home === undefined || event.tab !== "home") return;
    const viewer = { userId: event.user, teamId: body.team_id };
    await enqueueOrTellBusy(
      deps,
      async () => {
        if (!(await admitDelivery(deps, eventDeliveryKey(body, event), undefined))) return;
        await home(viewer, { chat: deps.chat, logger: deps.logger }).catch((error: unknown) => {
          deps.logger.warn({ err: error, user: event.user }, "could not publish the Home tab");
        });
      },
      undefined,
    );
  };
}
