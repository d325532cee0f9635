/** The fake Slack's public contract: its start-up options and the handle tests and the playground drive it with. */
import type {
  AppHomeOpenedInput,
  BlockActionInput,
  SlashCommandInput,
  ViewSubmissionInput,
} from "./build-slack-payloads.js";
import type { FakeSlackWorld } from "./build-slack-world.js";
import type { ChangeListener } from "./fake-slack-state.js";
import type {
  FakeSlackCall,
  FakeSlackEphemeral,
  FakeSlackFault,
  FakeSlackHomeView,
  FakeSlackMessage,
  FakeSlackResponse,
  FakeSlackView,
  ResponseUrlContext,
  SocketConnectionInfo,
  SocketEnvelopeRecord,
  SocketEnvelopeType,
} from "./fake-slack-types.js";
import type { DeliverOptions } from "./socket-mode-hub.js";

export interface FakeSlackOptions {
  /** Parts of the world to replace (see {@link buildSlackWorld}); defaults to the seeded world. */
  world?: Partial<FakeSlackWorld>;
  botToken?: string;
  appToken?: string;
  /** Not checked by the fake (Slack signs, the bot verifies); carried so callers have one source. */
  signingSecret?: string;
  host?: string;
  /** 0 (default) picks a free port. */
  port?: number;
  /** Clock (epoch ms) for ts values, record times and expiries. */
  now?: () => number;
  /** Only minted trigger_ids, unused and younger than 3 s, open views. Default false. */
  strictTriggers?: boolean;
  /** Default 5000. */
  socketPingIntervalMs?: number;
  /** How long `deliverSocket` waits for an ack. Default 10000. */
  socketAckTimeoutMs?: number;
  /** Where unexpected errors inside the fake go: a throwing change subscriber, a failed request (default: console.error). */
  onError?: (error: unknown) => void;
}

export interface MessageQuery {
  /** Include thread replies (default: only top-level messages and broadcast replies, like history). */
  includeReplies?: boolean;
  includeDeleted?: boolean;
}

/** A running fake Slack (Web API, response URLs, Socket Mode) on loopback. */
export interface FakeSlack {
  /** Give to `WebClient`/Bolt as `slackApiUrl`, e.g. `http://127.0.0.1:PORT/api/`. */
  readonly apiUrl: string;
  /** `http://127.0.0.1:PORT`. */
  readonly baseUrl: string;
  readonly botToken: string;
  readonly appToken: string;
  readonly signingSecret: string;
  /** A copy of the current world (membership changes from `conversations.join` show here). */
  world(): FakeSlackWorld;
  /**
   * Replaces the members of the user group with this handle, as an admin editing it in Slack would. Returns
   * the `subteam_members_changed` event Slack then sends to subscribed apps (deliver it to the bot).
   */
  setUserGroupMembers(handle: string, users: readonly string[]): Record<string, unknown>;

  /** Recorded Web API calls, oldest first, optionally of one method. */
  calls(method?: string): FakeSlackCall[];
  clearCalls(): void;
  messages(channel: string, query?: MessageQuery): FakeSlackMessage[];
  message(channel: string, ts: string): FakeSlackMessage | undefined;
  /** Parent then replies, oldest first; empty when the parent does not exist. */
  thread(channel: string, ts: string): FakeSlackMessage[];
  ephemerals(filter?: { channel?: string; user?: string }): FakeSlackEphemeral[];
  views(filter?: { user?: string }): FakeSlackView[];
  view(id: string): FakeSlackView | undefined;
  /** The user's Home tab as last published (`views.publish`), or undefined before the first publish. */
  homeView(user: string): FakeSlackHomeView | undefined;
  /** Every user's Home tab. */
  homeViews(): FakeSlackHomeView[];
  /** POSTs to response URLs (and slash command ack messages over Socket Mode). */
  responses(): FakeSlackResponse[];

  /** Registers a response_url for an interaction (slash command: channel + user; action: + messageTs). */
  mintResponseUrl(context: ResponseUrlContext): string;
  /** Registers a trigger_id, so views opened with it are attributed to `user` and it is single-use. */
  mintTriggerId(user?: string): string;
  /** A slash command payload with a minted response_url and trigger_id. */
  buildSlashCommand(input?: SlashCommandInput): Record<string, string>;
  /** A block_actions payload with a minted response_url and trigger_id (message actions). */
  buildBlockAction(input: BlockActionInput): Record<string, unknown>;
  /** An `app_home_opened` event for `user` carrying their current Home view, as Slack sends it. */
  buildAppHomeOpened(
    user: string,
    input?: Omit<AppHomeOpenedInput, "user" | "view">,
  ): Record<string, unknown>;
  /** A view_submission payload with a minted trigger_id. */
  buildViewSubmission(input: ViewSubmissionInput): Record<string, unknown>;
  /** Stores a message written by a human (e.g. to reply in its thread). */
  postUserMessage(
    channel: string,
    user: string,
    text: string,
    extra?: { threadTs?: string; blocks?: unknown[] },
  ): FakeSlackMessage;
  /** Applies an HTTP slash command ack body (`text`/`blocks`) as Slack would show it. */
  applyAckResponse(responseUrl: string, body: Record<string, unknown>): FakeSlackResponse | undefined;

  /** The next `count` calls of `method` (`*`: any) answer `{ ok: false, error }`. */
  failNext(method: string, error: string, count?: number): void;
  /** The next `count` calls of `method` answer HTTP 429 with `Retry-After: retryAfterSec`. */
  rateLimitNext(method: string, retryAfterSec?: number, count?: number): void;
  faultNext(method: string, fault: FakeSlackFault, count?: number): void;
  clearFaults(method?: string): void;

  /** Called on every change; returns the unsubscribe function. */
  subscribe(listener: ChangeListener): () => void;
  /** Resolves with `check()`'s first truthy value, re-checking on every change. */
  waitFor<T>(check: () => T | undefined | null | false, timeoutMs?: number): Promise<T>;

  /** Sends an envelope to a connected Socket Mode client; resolves with the ack's payload. */
  deliverSocket(
    type: SocketEnvelopeType,
    payload: Record<string, unknown>,
    options?: DeliverOptions,
  ): Promise<Record<string, unknown>>;
  /** Sends a raw text frame (e.g. malformed JSON) to a connected client; false when none is connected. */
  sendSocketFrame(frame: string, connectionId?: string): boolean;
  socketConnections(): SocketConnectionInfo[];
  waitForSocketConnections(count: number, timeoutMs?: number): Promise<void>;
  /** Sends Slack's `disconnect` message (the client reconnects). Without an ID: all connections. */
  disconnectSocket(connectionId?: string, reason?: string): void;
  /** Drops connections without a close handshake. Without an ID: all connections. */
  dropSocket(connectionId?: string): void;
  /** The next `count` Socket Mode connections are accepted but never get Slack's `hello`. */
  withholdSocketHello(count: number): void;
  envelopes(): SocketEnvelopeRecord[];

  /** Forgets messages, calls, views, responses, envelopes and faults, and restores the seeded world (connections stay). */
  reset(): void;
  close(): Promise<void>;
}
