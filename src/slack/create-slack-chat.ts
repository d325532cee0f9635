import type { webApi } from "@slack/bolt";
import type { ChatPort, ChatUserGroup, MessageRef, ModalSpec } from "../app/ports.js";
import { copyUserGroups, groupHandlesOf } from "../app/read-groups-once.js";
import type { Metrics } from "../metrics/metrics.js";
import type { Message } from "../render/message-model.js";
import { renderBlockKit, VIEW_RENDER_OPTIONS } from "../render/render-block-kit.js";
import { buildModalView } from "./build-modal-view.js";
import type { RateLimitGate } from "./create-rate-limit-gate.js";
import type { UserGroupCache } from "./create-user-group-cache.js";
import { toChatDeliveryError } from "./to-chat-delivery-error.js";

export interface SlackChatOptions {
  /** Every Web API call, by method and outcome (`ok` or Slack's error code), timed; default none recorded. */
  metrics?: Pick<Metrics, "slackCall">;
  /** Monotonic clock (ms) for call latency; default `performance.now`. */
  elapsed?: () => number;
  /**
   * Keeps the groups for `recentUserGroups` (share one between the chats of a process); absent: every read is
   * made now.
   */
  groups?: UserGroupCache;
  /**
   * Waits out Slack's rate limits for the calls they hold back only (give the WebClient
   * `rejectRateLimitedCalls`, or it pauses every call itself); share one between the chats of a process.
   * Absent: every call is tried once, a 429 thrown as the client throws it (callers with their own pacing).
   */
  rateLimits?: RateLimitGate;
}

/** Message links kept by the chat port (a few hundred kB at most). */
const PERMALINKS_KEPT = 2_000;

/** Without a gate: each call tried once. */
const TRIED_ONCE: RateLimitGate = { run: (_call, attempt) => attempt() };

/**
 * The {@link ChatPort} over Slack's Web API: messages are rendered with `renderBlockKit`, every failure
 * becomes a `ChatDeliveryError` with Slack's error code. User groups are read now for `listUserGroups` and
 * `userGroupsOf` (who may approve a click is decided on them) and kept by `options.groups` for
 * `recentUserGroups`; calls made while a read is in flight share it, so its answer is never older than the
 * call.
 */
export function createSlackChat(client: webApi.WebClient, options: SlackChatOptions = {}): ChatPort {
  const elapsed = options.elapsed ?? (() => performance.now());
  const gate = options.rateLimits ?? TRIED_ONCE;
  /** One Web API call: each attempt timed into the metrics, a rate limit waited out as `gate` allows. */
  const call = <T>(operation: string, fn: () => Promise<T>, channel?: string): Promise<T> =>
    gate.run({ method: operation, ...(channel !== undefined && { channel }) }, async () => {
      const started = elapsed();
      try {
        const result = await fn();
        options.metrics?.slackCall(operation, "ok", elapsed() - started);
        return result;
      } catch (error) {
        const failure = toChatDeliveryError(error, operation);
        options.metrics?.slackCall(operation, failure.code, elapsed() - started);
        throw failure;
      }
    });

  const permalinks = new Map<string, Promise<string>>();
  let groupsInFlight: Promise<ChatUserGroup[]> | undefined;
  const readShared = (): Promise<ChatUserGroup[]> => {
    groupsInFlight ??= readUserGroups().finally(() => {
      groupsInFlight = undefined;
    });
    return groupsInFlight;
  };
  // Each caller gets its own copy: one caller's changes never reach another (nor the kept answer).
  const cache = options.groups;
  // With a cache, it shares the reads in flight itself (it knows which began before an announced change).
  async function listUserGroups(): Promise<ChatUserGroup[]> {
    return copyUserGroups(await (cache === undefined ? readShared() : cache.fresh(readUserGroups)));
  }
  async function recentUserGroups(): Promise<ChatUserGroup[]> {
    return copyUserGroups(await (cache === undefined ? readShared() : cache.recent(readUserGroups)));
  }

  async function readUserGroups(): Promise<ChatUserGroup[]> {
    const result = await call("usergroups.list", () => client.usergroups.list({ include_users: true }));
    return (result.usergroups ?? [])
      .filter((g) => g.date_delete === undefined || g.date_delete === 0)
      .map((g) => ({ id: g.id ?? "", handle: (g.handle ?? "").toLowerCase(), users: [...(g.users ?? [])] }))
      .filter((g) => g.handle !== "" && g.id !== "");
  }

  const port: ChatPort = {
    async postMessage(
      channel: string,
      message: Message,
      options?: { threadTs?: string },
    ): Promise<MessageRef> {
      const rendered = renderBlockKit(message);
      const result = await call(
        "chat.postMessage",
        () =>
          client.chat.postMessage({
            channel,
            text: rendered.text,
            blocks: rendered.blocks,
            ...(options?.threadTs !== undefined ? { thread_ts: options.threadTs } : {}),
          }),
        channel,
      );
      if (typeof result.ts !== "string") throw toChatDeliveryError({ code: "no_ts" }, "chat.postMessage");
      return {
        channel: typeof result.channel === "string" ? result.channel : channel,
        ts: result.ts,
        ...(options?.threadTs !== undefined ? { threadTs: options.threadTs } : {}),
      };
    },

    async updateMessage(ref: MessageRef, message: Message): Promise<void> {
      const rendered = renderBlockKit(message);
      await call("chat.update", () =>
        client.chat.update({
          channel: ref.channel,
          ts: ref.ts,
          text: rendered.text,
          blocks: rendered.blocks,
        }),
      );
    },

    async postEphemeral(channel, userId, message, options): Promise<void> {
      const rendered = renderBlockKit(message);
      await call(
        "chat.postEphemeral",
        () =>
          client.chat.postEphemeral({
            channel,
            user: userId,
            text: rendered.text,
            blocks: rendered.blocks,
            ...(options?.threadTs !== undefined ? { thread_ts: options.threadTs } : {}),
          }),
        channel,
      );
    },

    async openModal(triggerId: string, modal: ModalSpec): Promise<void> {
      await call("views.open", () =>
        client.views.open({ trigger_id: triggerId, view: buildModalView(modal) }),
      );
    },

    async userGroupsOf(userId: string): Promise<string[]> {
      return groupHandlesOf(await listUserGroups(), userId);
    },

    listUserGroups,
    recentUserGroups,

    async userTimeZone(userId: string): Promise<string> {
      const result = await call("users.info", () => client.users.info({ user: userId }));
      const tz = (result.user as { tz?: unknown } | undefined)?.tz;
      if (typeof tz !== "string" || tz === "")
        throw toChatDeliveryError({ code: "no_time_zone" }, "users.info");
      return tz;
    },

    getPermalink(ref: MessageRef): Promise<string> {
      // A message's link never changes: each is asked of Slack once (Tier 4), however many answers link it
      // (a command pasted again links the waiting card every time), and concurrent asks share the call.
      const key = `${ref.channel}/${ref.ts}`;
      const known = permalinks.get(key);
      if (known !== undefined) return known;
      const asked = (async () => {
        const result = await call("chat.getPermalink", () =>
          client.chat.getPermalink({ channel: ref.channel, message_ts: ref.ts }),
        );
        if (typeof result.permalink !== "string")
          throw toChatDeliveryError({ code: "no_permalink" }, "chat.getPermalink");
        return result.permalink;
      })();
      // Kept only once given; the oldest forgotten first, so memory stays bounded.
      if (permalinks.size >= PERMALINKS_KEPT) permalinks.delete(permalinks.keys().next().value ?? "");
      permalinks.set(key, asked);
      asked.catch(() => permalinks.delete(key));
      return asked;
    },

    async postDirect(userId: string, message: Message): Promise<MessageRef> {
      // chat.postMessage to a user ID posts in the app's direct conversation with them (no im:write needed).
      return port.postMessage(userId, message);
    },

    async publishHome(userId: string, view: Message): Promise<void> {
      const rendered = renderBlockKit(view, VIEW_RENDER_OPTIONS);
      await call("views.publish", () =>
        client.views.publish({ user_id: userId, view: { type: "home", blocks: rendered.blocks } }),
      );
    },
  };
  return port;
}
