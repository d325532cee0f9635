import type { BlockAction, SlackActionMiddlewareArgs } from "@slack/bolt";
import { createSlackResponder } from "../../create-slack-responder.js";
import { admitDelivery, enqueueOrTellBusy } from "../admit-delivery.js";
import { actionDeliveryKey } from "../delivery-keys.js";
import type { ListenerDeps } from "../listener-deps.js";
import { toActionRequest } from "./to-action-request.js";

/**
 * Every button/select click: ack at once, then queue the rest: (first delivery only, across replicas: a redelivered click is
 * dropped, another click never) hand it to the router's action registry.
 */
export function handleBlockAction(deps: ListenerDeps) {
  return async ({
    ack,
    body,
    respond,
  }: Pick<SlackActionMiddlewareArgs<BlockAction>, "ack" | "body" | "respond">): Promise<void> => {
    await ack();
    const request = toActionRequest(body);
    if (request === undefined) {
      deps.logger.warn("block_actions payload without an action");
      return;
    }
    const responder = body.response_url ? createSlackResponder(respond) : undefined;
    const tell = responder && ((m: Parameters<typeof responder.respond>[0]) => responder.respond(m));
    await enqueueOrTellBusy(
      deps,
      async () => {
        if (!(await admitDelivery(deps, actionDeliveryKey(body), tell))) return;
        await deps.router.handleAction(request, responder);
      },
      tell,
    );
  };
}
