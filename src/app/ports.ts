/**
 * The seam between the chat platform (Slack, at the edge) and the middle of the bot (intents, targets,
 * policy, approvals, executor). The middle speaks only in the platform-neutral {@link Message} model and
 * these ports; `src/slack/` implements them with Bolt and renders messages to Block Kit.
 */
import type { Message } from "../render/message-model.js";

/** Who did something, where. Everything the middle needs to know about a Slack request. */
export interface Actor {
  userId: string;
  teamId: string;
}

/** A reference to a posted message (Slack: channel + ts; `threadTs` when it lives in a thread). */
export interface MessageRef {
  channel: string;
  ts: string;
  threadTs?: string;
}

/** A modal with text inputs (e.g. the reason for a rejection). */
export interface ModalSpec {
  /** Becomes the view's `callback_id`; the submission comes back to the handler registered for it. */
  id: string;
  title: string;
  submitLabel: string;
  /** Opaque; comes back with the submission (e.g. the approval request ID). */
  privateMetadata: string;
  intro?: Message["blocks"];
  inputs: { id: string; label: string; multiline?: boolean; required?: boolean; maxLength?: number }[];
}

/** A user group (Slack: a `@handle` user group) with its current members. */
export interface ChatUserGroup {
  id: string;
  /** Lower case, without `@`. */
  handle: string;
  /** User IDs of the current members. */
  users: string[];
}

/** What the chat platform can do for the middle. All methods throw {@link ChatDeliveryError} on failure. */
export interface ChatPort {
  postMessage(channel: string, message: Message, options?: { threadTs?: string }): Promise<MessageRef>;
  updateMessage(ref: MessageRef, message: Message): Promise<void>;
  postEphemeral(
    channel: string,
    userId: string,
    message: Message,
    options?: { threadTs?: string },
  ): Promise<void>;
  openModal(triggerId: string, modal: ModalSpec): Promise<void>;
  /** Handles of the user groups the user belongs to, read now (never cached across clicks). */
  userGroupsOf(userId: string): Promise<string[]>;
  /** Every user group that is not deleted, with its members, read now. */
  listUserGroups(): Promise<ChatUserGroup[]>;
  /**
   * The same as recently read, for policy decisions (new requests, the decision again before a run, read
   * policy, `/ops policy explain`, schedules): at most `USER_GROUPS_MAX_AGE` old and never from before a
   * change the chat platform announced. Never for authorizing a click: that is {@link userGroupsOf}, read now.
   */
  recentUserGroups(): Promise<ChatUserGroup[]>;
  /** The user's IANA time zone from their chat profile (Slack: `users.info` `tz`), for local times they type. */
  userTimeZone(userId: string): Promise<string>;
  /** A link that opens the message (in its thread when it is a reply). */
  getPermalink(ref: MessageRef): Promise<string>;
  /** Posts to the user's direct conversation with the bot (Slack: the app's Messages tab). */
  postDirect(userId: string, message: Message): Promise<MessageRef>;
  /**
   * Replaces what the user sees on the app's Home tab (Slack: `views.publish` of a `home` view). The view is a
   * message model with at most 100 blocks; its buttons come back as clicks like a message's.
   */
  publishHome(userId: string, view: Message): Promise<void>;
}

/** Replies to the one request being handled (Slack: `respond()` through the request's response_url). */
export interface Responder {
  /** Ephemeral to the requester unless `inChannel`; `replaceOriginal` for clicks on the bot's own message. */
  respond(message: Message, options?: { inChannel?: boolean; replaceOriginal?: boolean }): Promise<void>;
  /**
   * Deletes the message the interaction came from, or what this responder posted last (a placeholder nothing
   * replaced) — Slack's `delete_original`, which works for an ephemeral copy too.
   * Absent where the platform cannot. Failures throw `ChatDeliveryError`.
   */
  deleteOriginal?(): Promise<void>;
}

/**
 * A chat delivery failure with Slack's error code, so callers can explain it (e.g. `not_in_channel`).
 * A rate limit (`ratelimited`) carries how long Slack asked us to wait (`retryAfterMs`) when it said.
 * `method` names the platform call that failed (Slack: `usergroups.list`, `chat.postMessage`, `respond` for a
 * response_url…): a failed read of the requester's groups is explained as that, not as a refused message.
 */
export class ChatDeliveryError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly retryAfterMs?: number,
    readonly method?: string,
  ) {
    super(message);
    this.name = "ChatDeliveryError";
  }
}
