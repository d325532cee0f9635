import { channelLink, code, context, type Message, md, type Span, section } from "../render/message-model.js";
import { formatInviteCommand } from "../views/format-invite-command.js";

/**
 * Why the bot cannot post to a channel (or to `channels` of them, all failing alike) and what to do about it,
 * after the channels and a colon: "#random: the bot is not in the channel: invite it there…", "#a, #b: the bot
 * is not in these channels: invite it to each…". `error` is Slack's code (untrusted: shown as code, never as
 * markup). `botUserId` (`auth.test` at start) names the bot in the `/invite` hint as the workspace calls it;
 * absent, the hint names the app's manifest name.
 */
export function describeUndeliverable(error: string, channels = 1, botUserId?: string): Span[] {
  const one = channels === 1;
  switch (error) {
    case "not_in_channel": {
      const invite = formatInviteCommand(botUserId);
      return one
        ? md`the bot is not in the channel: invite it there (${invite})`
        : md`the bot is not in these channels: invite it to each (${invite} in each one)`;
    }
    case "channel_not_found":
      return one
        ? md`no such channel, or a private channel the bot is not in: check the channel ID in the notifications file, or invite the bot`
        : md`no such channels, or private channels the bot is not in: check their IDs in the notifications file, or invite the bot to them`;
    case "is_archived":
      return one
        ? md`the channel is archived: unarchive it, or send these notifications to another channel`
        : md`these channels are archived: unarchive them, or send these notifications to other channels`;
    case "restricted_action":
    case "restricted_action_read_only_channel":
    case "restricted_action_non_threadable_channel":
    case "restricted_action_thread_only_channel":
      return one
        ? md`the channel does not let the bot post: ask a workspace admin, or use another channel`
        : md`these channels do not let the bot post: ask a workspace admin, or use other channels`;
    default:
      return md`Slack refuses the bot's posts (${code(error)}): ask a workspace admin to check the app's access`;
  }
}

function joined(parts: readonly Span[][]): Span[] {
  return parts.flatMap((p, i) => [...(i === 0 ? [] : md`, `), ...p]);
}

/**
 * What to do about channels the bot cannot post to, one line per problem with every channel it affects and the
 * remedy said once: "• #random, #ops-old: the bot is not in these channels: invite it to each…". Problems and
 * channels in the order first met; a channel found more than once (by a watcher and a digest) is named once.
 * The one grouping for the alert and `/ops watch list`, so that both say it alike. `botUserId`: as for
 * {@link describeUndeliverable}.
 */
export function linesPerProblem(
  blocked: readonly { channel: string; error: string }[],
  botUserId?: string,
): Span[][] {
  const byProblem = new Map<string, Set<string>>();
  for (const { channel, error } of blocked) {
    const channels = byProblem.get(error) ?? new Set<string>();
    channels.add(channel);
    byProblem.set(error, channels);
  }
  return [...byProblem].map(([error, channels]) => [
    ...md`• `,
    ...joined([...channels].map((c) => [channelLink(c)])),
    ...md`: ${describeUndeliverable(error, channels.size, botUserId)}`,
  ]);
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

/** Channels whose lost posts are said one by one in one message; the rest are counted. */
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

function lines(parts: readonly Span[][]): Span[] {
  return parts.flatMap((p, i) => [...(i === 0 ? [] : md`\n`), ...p]);
}

/**
 * Said once in the alert channels when posts to channels start failing for a reason only a person can fix
 * (every channel one run found, in one message: many failing at once is one alert, not a flood); said again
 * for a channel only after a post there has worked in between (or the error changed). Several channels: what
 * to do once per problem ({@link linesPerProblem}), then what each channel loses meanwhile. `botUserId`: the
 * bot's Slack user ID, for the `/invite` hint ({@link describeUndeliverable}).
 */
export function buildUndeliverableChannelMessage(
  inputs: readonly UndeliverableChannelInput[],
  botUserId?: string,
): Message {
  const codes = [...new Set(inputs.map((i) => i.error))];
  const footer = context(
    md`Slack answered ${joined(codes.map((c) => [code(c)]))}. This alert is posted once; \`/ops watch list\` shows the problem until a post to the channel works again.`,
  );
  const [only] = inputs;
  if (inputs.length === 1 && only !== undefined) {
    const uses = usesOf(only);
    const lost =
      uses.length > 0 ? md` Not posted, and not kept for later, until this is fixed: ${joined(uses)}.` : [];
    return {
      text: md`:warning: Notifications cannot be posted to ${channelLink(only.channel)}`,
      blocks: [
        section({
          text: md`:warning: Notifications cannot be posted to ${channelLink(only.channel)} (${describeUndeliverable(only.error, 1, botUserId)}).${lost}`,
        }),
        footer,
      ],
    };
  }
  const listed = inputs.slice(0, MAX_LISTED);
  const more = inputs.length - listed.length;
  const lost = listed.flatMap((input) => {
    const uses = usesOf(input);
    return uses.length > 0 ? [md`• ${channelLink(input.channel)}: ${joined(uses)}`] : [];
  });
  if (more > 0) lost.push(md`…and ${String(more)} more channels: see \`/ops watch list\`.`);
  return {
    text: md`:warning: Notifications cannot be posted to ${String(inputs.length)} channels`,
    blocks: [
      section({ text: md`:warning: Notifications cannot be posted to ${String(inputs.length)} channels:` }),
      section({ text: lines(linesPerProblem(inputs, botUserId)) }),
      ...(lost.length > 0
        ? [section({ text: md`Not posted, and not kept for later, until this is fixed:\n${lines(lost)}` })]
        : []),
      footer,
    ],
  };
}
