/**
 * Slack's refusals to post that are about the channel (the bot not in it, the channel gone or archived, posting
 * restricted there, the workspace's access to it): someone has to act on the channel, and no retry changes
 * them. The one list: the notifier's channel health and the requester's answers both start from it.
 */
export const CHANNEL_DELIVERY_ERRORS: readonly string[] = [
  "not_in_channel",
  "channel_not_found",
  "is_archived",
  "restricted_action",
  "restricted_action_read_only_channel",
  "restricted_action_non_threadable_channel",
  "restricted_action_thread_only_channel",
  "ekm_access_denied",
  "team_access_not_granted",
  "not_allowed_token_type",
];
