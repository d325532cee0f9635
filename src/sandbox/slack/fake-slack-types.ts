/** Records kept by the fake Slack, as handed out to tests and the playground (always copies). */

/** One Web API method call as the fake saw it. */
export interface FakeSlackCall {
  seq: number;
  method: string;
  /** Arguments from query string and body; JSON-valued fields (`blocks`, `view`, …) are parsed. */
  args: Record<string, unknown>;
  /** Which credential was presented (the token itself is never recorded). */
  auth: "bot" | "app" | "none" | "invalid";
  /** ISO time of the call. */
  at: string;
  response: { status: number; body: Record<string, unknown>; headers?: Record<string, string> };
  /** Set when the answer came from an injected fault rather than the method. */
  fault?: FakeSlackFault["kind"];
}

/** One version of a message's content. */
export interface FakeSlackMessageVersion {
  text?: string;
  blocks?: unknown[];
  attachments?: unknown[];
  metadata?: unknown;
  /** ISO time this version was written. */
  at: string;
  /** Which call wrote it. */
  via: "chat.postMessage" | "chat.update" | "chat.postEphemeral" | "response_url" | "ack" | "user";
}

export interface FakeSlackMessage {
  channel: string;
  ts: string;
  /** Parent's ts for a thread reply; absent for a top-level message. */
  threadTs?: string;
  /** Author: the bot user for bot messages. */
  user: string;
  botId?: string;
  text?: string;
  blocks?: unknown[];
  attachments?: unknown[];
  metadata?: unknown;
  replyBroadcast?: boolean;
  /** Number of replies (top-level messages only). */
  replyCount: number;
  deleted: boolean;
  /** Every version, oldest first; the last one is the current content. */
  history: FakeSlackMessageVersion[];
}

export interface FakeSlackEphemeral {
  /** `message_ts` as `chat.postEphemeral` answers it. */
  ts: string;
  channel: string;
  /** The only user who sees it. */
  user: string;
  threadTs?: string;
  text?: string;
  blocks?: unknown[];
  attachments?: unknown[];
  deleted: boolean;
  via: "chat.postEphemeral" | "response_url" | "ack";
  history: FakeSlackMessageVersion[];
}

export interface FakeSlackView {
  id: string;
  /** The view as last set (Slack view payload, with `id`, `hash`, `state`, …). */
  view: Record<string, unknown>;
  type: string;
  callbackId?: string;
  externalId?: string;
  privateMetadata?: string;
  hash: string;
  /** Who it was opened for, when known from a minted trigger_id. */
  user?: string;
  triggerId?: string;
  rootViewId: string;
  previousViewId?: string;
  openedVia: "views.open" | "views.push";
  history: Array<{
    at: string;
    via: "views.open" | "views.push" | "views.update";
    view: Record<string, unknown>;
  }>;
}

/** The app's Home tab of one user, as `views.publish` last set it. */
export interface FakeSlackHomeView {
  /** Stable per user across publishes, as Slack keeps it. */
  id: string;
  user: string;
  /** The view payload as `views.publish` answered it (with `id`, `hash`, `type: "home"`, …). */
  view: Record<string, unknown>;
  hash: string;
  /** Every published version, oldest first. */
  history: Array<{ at: string; view: Record<string, unknown> }>;
}

/** What a POST to a response_url did. */
export type FakeSlackResponseEffect =
  | { kind: "ephemeral"; ephemeral: FakeSlackEphemeral }
  | { kind: "in_channel"; message: FakeSlackMessage }
  | { kind: "replaced_message"; message: FakeSlackMessage }
  | { kind: "replaced_ephemeral"; ephemeral: FakeSlackEphemeral }
  | { kind: "deleted_message"; message: FakeSlackMessage }
  | { kind: "deleted_ephemeral"; ephemeral: FakeSlackEphemeral }
  | { kind: "rejected"; error: string };

export interface FakeSlackResponse {
  seq: number;
  responseUrlId: string;
  /** Raw body as posted (parsed JSON). */
  body: Record<string, unknown>;
  at: string;
  status: number;
  /** `ack` when a Socket Mode slash command ack carried the message. */
  via: "response_url" | "ack";
  effect: FakeSlackResponseEffect;
}

/** Where a minted response_url points. */
export interface ResponseUrlContext {
  channel: string;
  /** The user the interaction came from (ephemeral responses go to them). */
  user: string;
  /** The message holding the interactive element (block actions), for `replace_original`/`delete_original`. */
  messageTs?: string;
  /** True when `messageTs` is an ephemeral message. */
  messageIsEphemeral?: boolean;
  threadTs?: string;
}

export type FakeSlackFault =
  | { kind: "rate_limited"; retryAfterSec: number }
  | { kind: "error"; error: string }
  | { kind: "http"; status: number }
  | { kind: "delay"; ms: number };

export interface SocketConnectionInfo {
  id: string;
  connectedAt: string;
  open: boolean;
  closedAt?: string;
}

export type SocketEnvelopeType = "slash_commands" | "interactive" | "events_api";

export interface SocketEnvelopeRecord {
  envelopeId: string;
  type: SocketEnvelopeType;
  payload: Record<string, unknown>;
  connectionId: string;
  sentAt: string;
  ack?: { at: string; payload: Record<string, unknown> };
  /** Why no ack will come. */
  failed?: "timeout" | "connection_closed";
}

/** A change in the fake, streamed to subscribers (e.g. the browser playground). */
export type FakeSlackChange = { seq: number; at: string } & (
  | { type: "api_call"; call: FakeSlackCall }
  | { type: "message_posted"; message: FakeSlackMessage }
  | { type: "message_updated"; message: FakeSlackMessage }
  | { type: "message_deleted"; message: FakeSlackMessage }
  | { type: "ephemeral_posted"; ephemeral: FakeSlackEphemeral }
  | { type: "ephemeral_updated"; ephemeral: FakeSlackEphemeral }
  | { type: "ephemeral_deleted"; ephemeral: FakeSlackEphemeral }
  | { type: "view_opened"; view: FakeSlackView }
  | { type: "view_pushed"; view: FakeSlackView }
  | { type: "view_updated"; view: FakeSlackView }
  | { type: "home_published"; home: FakeSlackHomeView }
  | { type: "response_received"; response: FakeSlackResponse }
  | { type: "socket_connected"; connection: SocketConnectionInfo }
  | { type: "socket_disconnected"; connection: SocketConnectionInfo }
  | { type: "envelope_sent"; envelope: SocketEnvelopeRecord }
  | { type: "envelope_acked"; envelope: SocketEnvelopeRecord }
  | { type: "envelope_failed"; envelope: SocketEnvelopeRecord }
  | { type: "reset" }
);

/** Distributes `Omit` over the union so each variant keeps its own fields. */
export type FakeSlackChangeInput = FakeSlackChange extends infer C
  ? C extends FakeSlackChange
    ? Omit<C, "seq" | "at">
    : never
  : never;
