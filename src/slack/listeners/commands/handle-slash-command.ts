import type { AllMiddlewareArgs, SlackCommandMiddlewareArgs } from "@slack/bolt";
import { createSlackResponder } from "../../create-slack-responder.js";
import { admitDelivery } from "../admit-delivery.js";
import { commandDeliveryKey } from "../delivery-keys.js";
import type { ListenerDeps } from "../listener-deps.js";

/**
 * `/ecs`, `/hss`, `/ops`: ack at once, then (first delivery only, across replicas) hand the command to the
 * router, which replies.
 */
export function handleSlashCommand(deps: ListenerDeps) {
  return async ({ command, ack, respond }: SlackCommandMiddlewareArgs & AllMiddlewareArgs): Promise<void> => {
    await ack();
    const responder = createSlackResponder(respond);
    if (!(await admitDelivery(deps, commandDeliveryKey(command), (m) => responder.respond(m)))) return;
    await deps.track(
      deps.router.handleCommand(
        {
          command: command.command,
          text: command.text ?? "",
          actor: { userId: command.user_id, teamId: command.team_id },
          channelId: command.channel_id,
          ...(command.channel_name ? { channelName: command.channel_name } : {}),
          ...(command.trigger_id ? { triggerId: command.trigger_id } : {}),
        },
        responder,
      ),
    );
  };
}
