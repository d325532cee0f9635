import type { AllMiddlewareArgs, BlockAction, SlackActionMiddlewareArgs } from "@slack/bolt";
import { createSlackResponder } from "../../create-slack-responder.js";
import type { ListenerDeps } from "../listener-deps.js";
import { toActionRequest } from "./to-action-request.js";

/** Every button/select click: ack at once, then hand it to the router's action registry. */
export function handleBlockAction(deps: ListenerDeps) {
  return async ({
    ack,
    body,
    respond,
  }: SlackActionMiddlewareArgs<BlockAction> & AllMiddlewareArgs): Promise<void> => {
    await ack();
    const request = toActionRequest(body);
    if (request === undefined) {
      deps.logger.warn("block_actions payload without an action");
      return;
    }
    const responder = body.response_url ? createSlackResponder(respond) : undefined;
    await deps.track(deps.router.handleAction(request, responder));
  };
}
