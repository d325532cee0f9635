import type { DirectConversationKind } from "../views/build-direct-message-refusal-view.js";

/**
 * Whether the command was typed in a direct conversation with the bot, from what Slack sends: an IM's ID
 * starts with `D` and its `channel_name` is `directmessage`; a group DM's name is `mpdm-…`. Slack also sends
 * `privategroup` for a group DM, but for a private channel too, which may be where the approvers are: that
 * name alone is not taken for a DM (the bot, not a member of a group DM, cannot post its card there anyway).
 */
export function directConversationOf(
  channelId: string,
  channelName: string | undefined,
): DirectConversationKind | undefined {
  if (channelId.startsWith("D") || channelName === "directmessage") return "im";
  if (channelName?.startsWith("mpdm-")) return "mpim";
  return undefined;
}
