import type { BlockAction } from "@slack/bolt";
import type { ActionRequest } from "../../../commands/types.js";

/** A Slack `block_actions` payload (first action) as the platform-neutral {@link ActionRequest}. */
export function toActionRequest(body: BlockAction): ActionRequest | undefined {
  const action = body.actions[0];
  if (action === undefined) return undefined;
  let value: string | undefined;
  if (action.type === "button") value = action.value;
  else if (action.type === "static_select") value = action.selected_option?.value;
  else if ("value" in action && typeof action.value === "string") value = action.value;
  const channelId = body.channel?.id ?? (body.container as { channel_id?: string } | undefined)?.channel_id;
  const container = body.container as { is_ephemeral?: boolean } | undefined;
  const request: ActionRequest = {
    actionId: action.action_id,
    actor: { userId: body.user.id, teamId: body.user.team_id ?? body.team?.id ?? "" },
    isEphemeral: container?.is_ephemeral === true,
  };
  if (action.block_id) request.blockId = action.block_id;
  if (value !== undefined) request.value = value;
  if (channelId !== undefined) request.channelId = channelId;
  if (body.message !== undefined && channelId !== undefined) {
    request.message = {
      channel: channelId,
      ts: body.message.ts,
      ...(body.message.thread_ts ? { threadTs: body.message.thread_ts as string } : {}),
    };
  }
  if (body.view?.id) request.viewId = body.view.id;
  if (body.view?.type === "home") request.fromHome = true;
  if (body.trigger_id) request.triggerId = body.trigger_id;
  return request;
}
