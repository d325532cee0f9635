import type { SlackCommandMiddlewareArgs } from "@slack/bolt";
import { createSlackResponder } from "../../create-slack-responder.js";
import { admitDelivery, enqueueOrTellBusy } from "../admit-delivery.js";
import { commandDeliveryKey } from "../delivery-keys.js";
import type { ListenerDeps } from "../listener-deps.js";

/**
 * `/ecs`, `/hss`, `/ops`: ack at once, then queue the rest: (first delivery only, across replicas) hand the
 * command to the router, which replies. A full queue answers "busy" instead.
 */
export function handleSlashCommand(deps: ListenerDeps) {
  return async ({
    command,
    ack,
    respond,
  }: Pick<SlackCommandMiddlewareArgs, "command" | "ack" | "respond">): Promise<void> => {
    await ack();
    const responder = createSlackResponder(respond);
    const tell = (m: Parameters<typeof responder.respond>[0]) => responder.respond(m);
    await enqueueOrTellBusy(
      deps,
      async () => {
        if (!(await admitDelivery(deps, commandDeliveryKey(command), tell))) return;
        await deps.router.handleCommand(
          {
            command: command.command,
            text: command.text ?? "",
            actor: { userId: command.user_id, teamId: command.team_id },
            channelId: command.channel_id,
            ...(command.channel_name ? { channelName: command.channel_name } : {}),
            ...(command.trigger_id ? { triggerId: command.trigger_id } : {}),
          },
          responder,
        );
      },
      tell,
    );
  };
}
