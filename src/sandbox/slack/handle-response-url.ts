import { readMessageContent } from "./chat-methods.js";
import type { FakeSlackState, ResponseUrlEntry } from "./fake-slack-state.js";
import type { FakeSlackResponse, FakeSlackResponseEffect, ResponseUrlContext } from "./fake-slack-types.js";

/** Slack allows a response_url to be used 5 times within 30 minutes. */
export const RESPONSE_URL_MAX_USES = 5;
export const RESPONSE_URL_LIFETIME_MS = 30 * 60 * 1000;

/** Path prefix of response URLs on the fake's server. */
export const RESPONSE_URL_PATH = "/response/";

/** Registers a response_url for an interaction and returns it (absolute, on the fake's server). */
export function mintResponseUrl(state: FakeSlackState, baseUrl: string, context: ResponseUrlContext): string {
  const id = state.randomId("R", 8);
  state.responseUrls.set(id, { id, context: { ...context }, createdAtMs: state.now(), uses: 0 });
  return `${baseUrl}${RESPONSE_URL_PATH}${id}`;
}

export interface ResponseUrlReply {
  status: number;
  body: Record<string, unknown>;
}

/**
 * Applies a POST to a response_url like Slack: `response_type` ephemeral (default) or in_channel,
 * `replace_original` (the interaction's message, else what this URL posted last), `delete_original`.
 * Every POST is recorded in `responses`, rejected ones too. No membership is needed: a response_url
 * also works where the bot is not in the channel.
 */
export function handleResponseUrl(
  state: FakeSlackState,
  id: string,
  body: Record<string, unknown> | undefined,
  via: FakeSlackResponse["via"] = "response_url",
): ResponseUrlReply {
  const entry = state.responseUrls.get(id);
  const reply = (status: number, effect: FakeSlackResponseEffect): ResponseUrlReply => {
    const response: FakeSlackResponse = {
      seq: state.nextSeq(),
      responseUrlId: id,
      body: body ?? {},
      at: state.nowIso(),
      status,
      via,
      effect,
    };
    state.responses.push(response);
    state.emit({ type: "response_received", response });
    return effect.kind === "rejected"
      ? { status, body: { ok: false, error: effect.error } }
      : { status, body: { ok: true } };
  };
  if (!entry) return reply(404, { kind: "rejected", error: "invalid_url" });
  if (state.now() - entry.createdAtMs > RESPONSE_URL_LIFETIME_MS) {
    return reply(404, { kind: "rejected", error: "expired_url" });
  }
  // A slash command's ack reply does not count against the URL's uses.
  if (via === "response_url") {
    if (entry.uses >= RESPONSE_URL_MAX_USES) return reply(404, { kind: "rejected", error: "used_url" });
    entry.uses += 1;
  }
  if (!body) return reply(400, { kind: "rejected", error: "invalid_payload" });
  const { context } = entry;

  if (body.delete_original === true || body.delete_original === "true") {
    const target = original(state, entry);
    if (!target) return reply(404, { kind: "rejected", error: "message_not_found" });
    if (target.kind === "message") {
      state.deleteMessage(target.record);
      return reply(200, { kind: "deleted_message", message: target.record });
    }
    state.deleteEphemeral(target.record);
    return reply(200, { kind: "deleted_ephemeral", ephemeral: target.record });
  }

  const read = readMessageContent(body, true);
  if (!read.ok)
    return reply(400, { kind: "rejected", error: read.answer.ok ? "invalid_payload" : read.answer.error });

  if (body.replace_original === true || body.replace_original === "true") {
    const target = original(state, entry);
    if (target?.kind === "message") {
      state.updateMessage(target.record, read.content, "response_url", "replace");
      return reply(200, { kind: "replaced_message", message: target.record });
    }
    if (target?.kind === "ephemeral") {
      state.updateEphemeral(target.record, read.content);
      return reply(200, { kind: "replaced_ephemeral", ephemeral: target.record });
    }
    // Nothing to replace (e.g. a slash command's first response): Slack posts it as new.
  }

  const threadTs = typeof body.thread_ts === "string" ? body.thread_ts : context.threadTs;
  if (body.response_type === "in_channel") {
    const message = state.addMessage({
      channel: context.channel,
      user: state.world.bot.userId,
      botId: state.world.bot.botId,
      ...(threadTs !== undefined ? { threadTs } : {}),
      content: read.content,
      via: "response_url",
    });
    entry.last = { kind: "message", channel: message.channel, ts: message.ts };
    return reply(200, { kind: "in_channel", message });
  }
  const ephemeral = state.addEphemeral({
    channel: context.channel,
    user: context.user,
    ...(threadTs !== undefined ? { threadTs } : {}),
    content: read.content,
    via: via === "ack" ? "ack" : "response_url",
  });
  entry.last = { kind: "ephemeral", channel: ephemeral.channel, ts: ephemeral.ts };
  return reply(200, { kind: "ephemeral", ephemeral });
}

type Original =
  | { kind: "message"; record: NonNullable<ReturnType<FakeSlackState["findMessage"]>> }
  | { kind: "ephemeral"; record: NonNullable<ReturnType<FakeSlackState["findEphemeral"]>> };

/** The message a response_url replaces or deletes: the interaction's source, else its own last post. */
function original(state: FakeSlackState, entry: ResponseUrlEntry): Original | undefined {
  const { context } = entry;
  const ref =
    context.messageTs !== undefined
      ? {
          kind: context.messageIsEphemeral ? ("ephemeral" as const) : ("message" as const),
          channel: context.channel,
          ts: context.messageTs,
        }
      : entry.last;
  if (!ref) return undefined;
  if (ref.kind === "message") {
    const record = state.findMessage(ref.channel, ref.ts);
    return record && !record.deleted ? { kind: "message", record } : undefined;
  }
  const record = state.findEphemeral(ref.channel, ref.ts);
  return record && !record.deleted ? { kind: "ephemeral", record } : undefined;
}
