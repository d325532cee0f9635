import { channelLink, code, context, type Message, md, type Span, section } from "../render/message-model.js";

/**
 * Why the bot cannot post to a channel and what to do about it, after a colon: "cannot post to #random (the bot
 * is not in the channel: invite it there)". `error` is Slack's code (untrusted: shown as code, never as markup).
 */
export function describeUndeliverable(error: string): Span[] {
  switch (error) {
    case "not_in_channel":
      return md`the bot is not in the channel: invite it there (${code("/invite @hwc-chatops")})`;
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
  /** The audit chain's digest goes there: the `file:line` of the `audit` section. */
  auditDigest?: string;
}

export interface UndeliverableChannelInput extends ChannelUses {
  channel: string;
  /** Slack's error code. */
  error: string;
}

function joined(parts: readonly Span[][]): Span[] {
  return parts.flatMap((p, i) => [...(i === 0 ? [] : md`, `), ...p]);
}

/** Channels said one by one in one message; the rest are counted. */
const MAX_LISTED = 10;

function usesOf(input: UndeliverableChannelInput): Span[][] {
  return [
    ...input.routes.map((r) => md`route ${code(r.id)} (${r.source})`),
    ...input.digests.map((d) => md`digest ${code(d.id)} (${d.source})`),
    ...(input.alertsOf.length > 0
      ? [
          md`the alerts of watcher${input.alertsOf.length === 1 ? "" : "s"} ${joined(input.alertsOf.map((w) => [code(w)]))}`,
        ]
      : []),
    ...(input.auditDigest !== undefined ? [md`the audit chain's digest (${input.auditDigest})`] : []),
  ];
}

/**
 * Said once in the alert channels when posts to channels start failing for a reason only a person can fix
 * (every channel one run found, in one message: many failing at once is one alert, not a flood); said again
 * for a channel only after a post there has worked in between (or the error changed).
 */
export function buildUndeliverableChannelMessage(inputs: readonly UndeliverableChannelInput[]): Message {
  const said = (input: UndeliverableChannelInput): Span[] => {
    const uses = usesOf(input);
    return [
      ...md`${channelLink(input.channel)} (${describeUndeliverable(input.error)}).`,
      ...(uses.length > 0
        ? md` Not posted, and not kept for later, until this is fixed: ${joined(uses)}.`
        : []),
    ];
  };
  const codes = [...new Set(inputs.map((i) => i.error))];
  const footer = context(
    md`Slack answered ${joined(codes.map((c) => [code(c)]))}. This alert is posted once; \`/ops watch list\` shows the problem until a post to the channel works again.`,
  );
  const [only] = inputs;
  if (inputs.length === 1 && only !== undefined)
    return {
      text: md`:warning: Notifications cannot be posted to ${channelLink(only.channel)}`,
      blocks: [section({ text: md`:warning: Notifications cannot be posted to ${said(only)}` }), footer],
    };
  const listed = inputs.slice(0, MAX_LISTED);
  const more = inputs.length - listed.length;
  return {
    text: md`:warning: Notifications cannot be posted to ${String(inputs.length)} channels`,
    blocks: [
      section({ text: md`:warning: Notifications cannot be posted to ${String(inputs.length)} channels:` }),
      ...listed.map((input) => section({ text: md`• ${said(input)}` })),
      ...(more > 0 ? [section({ text: md`…and ${String(more)} more: see \`/ops watch list\`.` })] : []),
      footer,
    ],
  };
}
