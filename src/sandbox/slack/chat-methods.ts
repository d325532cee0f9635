import type { FakeSlackChannel } from "./build-slack-world.js";
import type { FakeSlackState, MessageContent } from "./fake-slack-state.js";
import type { FakeSlackMessage } from "./fake-slack-types.js";
import { formatMessage } from "./format-slack-objects.js";
import { MAX_MESSAGE_BLOCKS_JSON, validateBlocks } from "./validate-blocks.js";
import {
  type ApiAnswer,
  boolArg,
  fail,
  type MethodContext,
  stringArg,
  type WebApiMethod,
} from "./web-api-method.js";

/** Slack truncates beyond this; the API refuses longer text with `msg_too_long`. */
const MAX_TEXT = 40_000;

type ContentCheck = { ok: true; content: MessageContent } | { ok: false; answer: ApiAnswer };

/** Reads and checks text/blocks/attachments/metadata; `requireSome` → `no_text` when all are missing. */
export function readMessageContent(args: Record<string, unknown>, requireSome: boolean): ContentCheck {
  const text = typeof args.text === "string" ? args.text : undefined;
  if (text !== undefined && text.length > MAX_TEXT) return { ok: false, answer: fail("msg_too_long") };
  const blocks = validateBlocks(args.blocks, 50, MAX_MESSAGE_BLOCKS_JSON);
  if (!blocks.ok) {
    return {
      ok: false,
      answer: fail(blocks.error, {
        errors: blocks.problems,
        response_metadata: { messages: blocks.problems.map((p) => `[ERROR] ${p}`) },
      }),
    };
  }
  const attachments = args.attachments;
  if (attachments !== undefined && attachments !== "" && !Array.isArray(attachments)) {
    return { ok: false, answer: fail("invalid_attachments") };
  }
  const content: MessageContent = {};
  if (text !== undefined && text.length > 0) content.text = text;
  if (blocks.blocks !== undefined) content.blocks = blocks.blocks;
  if (Array.isArray(attachments)) content.attachments = attachments;
  if (args.metadata !== undefined && args.metadata !== "") content.metadata = args.metadata;
  const empty =
    content.text === undefined &&
    (content.blocks === undefined || content.blocks.length === 0) &&
    (content.attachments === undefined || content.attachments.length === 0);
  if (requireSome && empty) return { ok: false, answer: fail("no_text") };
  return { ok: true, content };
}

type ChannelCheck = { ok: true; channel: FakeSlackChannel } | { ok: false; answer: ApiAnswer };

/** Finds a channel the bot may write to; Slack hides private channels the bot is not in. */
function writableChannel(state: FakeSlackState, ref: string | undefined): ChannelCheck {
  const channel = ref === undefined ? undefined : state.resolveChannel(ref);
  if (!channel) return { ok: false, answer: fail("channel_not_found") };
  const member = state.isBotMember(channel);
  if (!member && (channel.isPrivate || channel.isIm)) return { ok: false, answer: fail("channel_not_found") };
  if (channel.isArchived) return { ok: false, answer: fail("is_archived") };
  if (!member) return { ok: false, answer: fail("not_in_channel") };
  return { ok: true, channel };
}

function postMessage({ state, args }: MethodContext): ApiAnswer {
  const target = writableChannel(state, stringArg(args, "channel"));
  if (!target.ok) return target.answer;
  const read = readMessageContent(args, true);
  if (!read.ok) return read.answer;
  let threadTs = stringArg(args, "thread_ts");
  if (threadTs !== undefined) {
    const parent = state.findMessage(target.channel.id, threadTs);
    // Deliberately strict: a reply to a message that does not exist is a bot bug worth surfacing.
    if (!parent || parent.deleted) return fail("thread_not_found");
    // Replying to a reply lands in the parent's thread, as in Slack.
    threadTs = parent.threadTs ?? parent.ts;
  }
  const message = state.addMessage({
    channel: target.channel.id,
    user: state.world.bot.userId,
    botId: state.world.bot.botId,
    ...(threadTs !== undefined ? { threadTs } : {}),
    replyBroadcast: threadTs !== undefined && boolArg(args, "reply_broadcast"),
    content: read.content,
    via: "chat.postMessage",
  });
  return { ok: true, channel: message.channel, ts: message.ts, message: formatMessage(message, state.world) };
}

function update({ state, args }: MethodContext): ApiAnswer {
  const found = findMessage(state, args, "ts");
  if (!found.ok) return found.answer;
  const { channel, message } = found;
  if (message.user !== state.world.bot.userId) return fail("cant_update_message");
  if (channel.isArchived) return fail("is_archived");
  const read = readMessageContent(args, true);
  if (!read.ok) return read.answer;
  state.updateMessage(message, read.content, "chat.update", "merge");
  return {
    ok: true,
    channel: channel.id,
    ts: message.ts,
    text: message.text ?? "",
    message: formatMessage(message, state.world),
  };
}

function deleteMessage({ state, args }: MethodContext): ApiAnswer {
  const found = findMessage(state, args, "ts");
  if (!found.ok) return found.answer;
  const { channel, message } = found;
  if (message.user !== state.world.bot.userId) return fail("cant_delete_message");
  state.deleteMessage(message);
  return { ok: true, channel: channel.id, ts: message.ts };
}

function postEphemeral({ state, args }: MethodContext): ApiAnswer {
  const target = writableChannel(state, stringArg(args, "channel"));
  if (!target.ok) return target.answer;
  const userId = stringArg(args, "user");
  const user = userId === undefined ? undefined : state.findUser(userId);
  if (!user || user.deleted) return fail("user_not_found");
  if (!target.channel.members.includes(user.id)) return fail("user_not_in_channel");
  const read = readMessageContent(args, true);
  if (!read.ok) return read.answer;
  const threadTs = stringArg(args, "thread_ts");
  const ephemeral = state.addEphemeral({
    channel: target.channel.id,
    user: user.id,
    ...(threadTs !== undefined ? { threadTs } : {}),
    content: read.content,
    via: "chat.postEphemeral",
  });
  return { ok: true, message_ts: ephemeral.ts };
}

function getPermalink({ state, args }: MethodContext): ApiAnswer {
  const found = findMessage(state, args, "message_ts");
  if (!found.ok) return found.answer;
  const { channel, message } = found;
  const base = `https://${state.world.team.domain}.slack.com/archives/${channel.id}/p${message.ts.replace(".", "")}`;
  const permalink =
    message.threadTs !== undefined && message.threadTs !== message.ts
      ? `${base}?thread_ts=${message.threadTs}&cid=${channel.id}`
      : base;
  return { ok: true, channel: channel.id, permalink };
}

export const CHAT_METHODS: Record<string, WebApiMethod> = {
  "chat.postMessage": { token: "bot", handle: postMessage },
  "chat.update": { token: "bot", handle: update },
  "chat.delete": { token: "bot", handle: deleteMessage },
  "chat.postEphemeral": { token: "bot", handle: postEphemeral },
  "chat.getPermalink": { token: "bot", handle: getPermalink },
};

/** The channel (`channel`) and live message (`tsArg`) a chat method names, or Slack's error for either. */
function findMessage(
  state: FakeSlackState,
  args: MethodContext["args"],
  tsArg: "ts" | "message_ts",
): { ok: true; channel: FakeSlackChannel; message: FakeSlackMessage } | { ok: false; answer: ApiAnswer } {
  const channelRef = stringArg(args, "channel");
  const channel = channelRef === undefined ? undefined : state.resolveChannel(channelRef);
  if (!channel) return { ok: false, answer: fail("channel_not_found") };
  const ts = stringArg(args, tsArg);
  const message = ts === undefined ? undefined : state.findMessage(channel.id, ts);
  if (!message || message.deleted) return { ok: false, answer: fail("message_not_found") };
  return { ok: true, channel, message };
}
