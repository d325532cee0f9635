import { channelLink, code, context, type Message, md, type Span, section } from "../render/message-model.js";

/**
 * Why the bot cannot post to a channel and what to do about it, after a colon: "cannot post to #random (the bot
 * is not in the channel: invite it)". `error` is Slack's code (untrusted: shown as code, never as markup).
 */
export function describeUndeliverable(error: string): Span[] {
  switch (error) {
    case "not_in_channel":
      return md`the bot is not in the channel: invite it`;
    case "channel_not_found":
      return md`no such channel, or a private channel the bot is not in: check the channel ID in the notifications file, or invite the bot`;
    case "is_archived":
      return md`the channel is archived: unarchive it, or send these notifications to another channel`;
    case "restricted_action":
    case "restricted_action_read_only_channel":
    case "restricted_action_non_threadable_channel":
    case "restricted_action_thread_only_channel":
      return md`the channel does not let the bot post: ask a workspace admin, or use another channel`;
    default:
      return md`Slack refuses the bot's posts (${code(error)}): ask a workspace admin to check the app's access`;
  }
}

/** What posts to a channel, for the message about it: routes and digests (with `file:line`), watchers' alerts. */
export interface ChannelUses {
  routes: readonly { id: string; source: string }[];
  digests: readonly { id: string; source: string }[];
  /** Watchers whose "failing" / "recovered" messages go there. */
  alertsOf: readonly string[];
}

export interface UndeliverableChannelInput extends ChannelUses {
  channel: string;
  /** Slack's error code. */
  error: string;
}

function joined(parts: readonly Span[][]): Span[] {
  return parts.flatMap((p, i) => [...(i === 0 ? [] : md`, `), ...p]);
}

/**
 * Said once in the alert channels when posts to a channel start failing for a reason only a person can fix;
 * said again only after a post there has worked in between (or the error changed).
 */
export function buildUndeliverableChannelMessage(input: UndeliverableChannelInput): Message {
  const uses: Span[][] = [
    ...input.routes.map((r) => md`route ${code(r.id)} (${r.source})`),
    ...input.digests.map((d) => md`digest ${code(d.id)} (${d.source})`),
    ...(input.alertsOf.length > 0
      ? [
          md`the alerts of watcher${input.alertsOf.length === 1 ? "" : "s"} ${joined(input.alertsOf.map((w) => [code(w)]))}`,
        ]
      : []),
  ];
  return {
    text: md`:warning: Notifications cannot be posted to ${channelLink(input.channel)}`,
    blocks: [
      section({
        text: md`:warning: Notifications cannot be posted to ${channelLink(input.channel)} (${describeUndeliverable(input.error)}).`,
      }),
      ...(uses.length > 0 ? [section({ text: md`Lost until it is fixed: ${joined(uses)}.` })] : []),
      context(
        md`Slack answered ${code(input.error)}. Said once: the first post that reaches the channel again clears it, and \`/ops watch list\` shows it until then.`,
      ),
    ],
  };
}
