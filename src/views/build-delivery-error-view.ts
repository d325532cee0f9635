import { code, type Message, md, type Span } from "../render/message-model.js";
import { buildNoticeView } from "./build-notice-view.js";
import { formatInviteCommand } from "./format-invite-command.js";

export interface DeliveryErrorViewInput {
  /** Slack's error code (`not_in_channel`, `channel_not_found`, …). */
  code: string;
  /**
   * The bot's Slack user ID (`auth.test` at start), named in the `/invite` hint; absent: the hint names the
   * app's manifest name, which a workspace may have changed.
   */
  botUserId?: string | undefined;
}

/**
 * Why the bot could not post where the requester is, and what to do: told through the request's own
 * reply channel (which works where posting does not), never silence.
 */
export function buildDeliveryErrorView(input: DeliveryErrorViewInput): Message {
  const invite = formatInviteCommand(input.botUserId);
  let text: Span[];
  switch (input.code) {
    case "not_in_channel":
      text = md`I can't post in this channel because I'm not a member. Invite me with ${invite} and try again.`;
      break;
    case "channel_not_found":
      text = md`I can't post here: this is a private channel I'm not in, or a direct message I'm not part of. In a private channel, invite me with ${invite}; otherwise run the command in a channel I'm in or in a DM with me.`;
      break;
    case "is_archived":
      text = md`I can't post in this channel because it is archived.`;
      break;
    case "restricted_action":
    case "restricted_action_read_only_channel":
    case "restricted_action_non_threadable_channel":
    case "restricted_action_thread_only_channel":
      text = md`I'm not allowed to post here (the channel restricts who can post). Ask a workspace admin, or use another channel.`;
      break;
    case "ekm_access_denied":
    case "team_access_not_granted":
    case "not_allowed_token_type":
      text = md`Slack refused my message here (${code(input.code)}). Ask a workspace admin to check the app's access.`;
      break;
    case "ratelimited":
      text = md`Slack is rate-limiting me right now; try again in a minute.`;
      break;
    default:
      text = md`Slack refused my message (${code(input.code)}). Try again, or run the command in another channel.`;
  }
  return buildNoticeView(":speech_balloon:", text);
}
