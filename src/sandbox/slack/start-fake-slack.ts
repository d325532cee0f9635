import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import {
  type AppHomeOpenedInput,
  type BlockActionInput,
  buildAppHomeOpenedPayload,
  buildBlockActionPayload,
  buildSlashCommandPayload,
  buildSubteamMembersChangedPayload,
  buildViewSubmissionPayload,
  randomTriggerId,
  type SlashCommandInput,
  type ViewSubmissionInput,
} from "./build-slack-payloads.js";
import { buildSlackWorld, FAKE_SLACK_DEFAULTS, type FakeSlackWorld } from "./build-slack-world.js";
import { type ChangeListener, FakeSlackState } from "./fake-slack-state.js";
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
import { FaultPlan } from "./fault-plan.js";
import { handleResponseUrl, mintResponseUrl, RESPONSE_URL_PATH } from "./handle-response-url.js";
import { handleWebApiCall } from "./handle-web-api-call.js";
import { type DeliverOptions, SOCKET_PATH, SocketModeHub } from "./socket-mode-hub.js";

const API_PATH = "/api/";
const MAX_BODY_BYTES = 5 * 1024 * 1024;

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
  envelopes(): SocketEnvelopeRecord[];

  /** Forgets messages, calls, views, responses, envelopes and faults, and restores the seeded world (connections stay). */
  reset(): void;
  close(): Promise<void>;
}

/** Starts the fake Slack on loopback (port 0 by default). */
export async function startFakeSlack(options: FakeSlackOptions = {}): Promise<FakeSlack> {
  const world = buildSlackWorld(options.world);
  const botToken = options.botToken ?? FAKE_SLACK_DEFAULTS.botToken;
  const appToken = options.appToken ?? FAKE_SLACK_DEFAULTS.appToken;
  const signingSecret = options.signingSecret ?? FAKE_SLACK_DEFAULTS.signingSecret;
  const onError =
    options.onError ??
    ((error: unknown) => {
      console.error("fake-slack:", error);
    });
  const state = new FakeSlackState(world, options.now ?? Date.now, onError);
  const faults = new FaultPlan();
  let baseUrl = "";
  const hub = new SocketModeHub({
    state,
    pingIntervalMs: options.socketPingIntervalMs ?? 5_000,
    ackTimeoutMs: options.socketAckTimeoutMs ?? 10_000,
    onAck: (envelope, payload) => {
      if (envelope.type !== "slash_commands") return;
      // Tests deliver malformed payloads (null) on purpose.
      const url = (envelope.payload as { response_url?: unknown } | null)?.response_url;
      if (typeof url === "string") applyAck(url, payload);
    },
  });

  const responseUrlId = (url: string): string | undefined => {
    const prefix = `${baseUrl}${RESPONSE_URL_PATH}`;
    return url.startsWith(prefix) ? url.slice(prefix.length) : undefined;
  };
  const applyAck = (url: string, body: Record<string, unknown>): FakeSlackResponse | undefined => {
    const id = responseUrlId(url);
    const hasMessage = body.text !== undefined || body.blocks !== undefined || body.attachments !== undefined;
    if (id === undefined || !hasMessage) return undefined;
    handleResponseUrl(state, id, body, "ack");
    return structuredClone(state.responses[state.responses.length - 1]);
  };

  const server = createServer((req, res) => {
    serve(req, res).catch((error: unknown) => {
      if (!res.headersSent) sendJson(res, 500, { ok: false, error: "fake_internal_error" });
      else res.destroy();
      onError(error);
    });
  });

  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", baseUrl);
    const raw = await readBody(req);
    if (raw === undefined) {
      sendJson(res, 413, { ok: false, error: "request_too_large" });
      return;
    }
    if (url.pathname.startsWith(API_PATH)) {
      const reply = await handleWebApiCall(
        {
          state,
          faults,
          botToken,
          appToken,
          strictTriggers: options.strictTriggers ?? false,
          openSocketUrl: () => hub.mintUrl(),
        },
        {
          method: decodeURIComponent(url.pathname.slice(API_PATH.length)),
          contentType: req.headers["content-type"],
          authorization: req.headers.authorization,
          rawBody: raw,
          query: url.searchParams,
        },
      );
      sendJson(res, reply.status, reply.body, reply.headers);
      return;
    }
    if (url.pathname.startsWith(RESPONSE_URL_PATH) && req.method === "POST") {
      const id = url.pathname.slice(RESPONSE_URL_PATH.length);
      const reply = handleResponseUrl(state, id, parseResponseBody(req.headers["content-type"], raw));
      sendJson(res, reply.status, reply.body);
      return;
    }
    sendJson(res, 404, { ok: false, error: "not_found" });
  }

  server.on("upgrade", (req, socket, head) => {
    const url = new URL(req.url ?? "/", baseUrl);
    if (url.pathname !== SOCKET_PATH) {
      socket.end("HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
      return;
    }
    hub.handleUpgrade(req, socket, head, url);
  });

  const host = options.host ?? "127.0.0.1";
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  baseUrl = `http://${host}:${port}`;
  hub.setBaseUrl(`ws://${host}:${port}`);

  const copy = <T>(value: T): T => structuredClone(value);
  const isTopLevel = (m: FakeSlackMessage) =>
    m.threadTs === undefined || m.threadTs === m.ts || m.replyBroadcast;

  const fake: FakeSlack = {
    apiUrl: `${baseUrl}${API_PATH}`,
    baseUrl,
    botToken,
    appToken,
    signingSecret,
    world: () => copy(state.world),
    setUserGroupMembers(handle, users) {
      const group = state.world.userGroups.find((g) => g.handle === handle);
      if (group === undefined) throw new Error(`fake-slack: no user group @${handle}`);
      const before = group.users;
      group.users = [...users];
      return buildSubteamMembersChangedPayload({
        world: state.world,
        now: state.now(),
        subteamId: group.id,
        added: users.filter((u) => !before.includes(u)),
        removed: before.filter((u) => !users.includes(u)),
      });
    },
    calls: (method) =>
      copy(method === undefined ? state.calls : state.calls.filter((c) => c.method === method)),
    clearCalls: () => {
      state.calls.length = 0;
    },
    messages: (channel, query = {}) =>
      copy(
        state
          .channelMessages(channel)
          .filter((m) => (query.includeDeleted || !m.deleted) && (query.includeReplies || isTopLevel(m))),
      ),
    message: (channel, ts) => {
      const found = state.findMessage(channel, ts);
      return found ? copy(found) : undefined;
    },
    thread: (channel, ts) => {
      const parent = state.findMessage(channel, ts);
      if (!parent) return [];
      const replies = state.channelMessages(channel).filter((m) => m.threadTs === ts && m.ts !== ts);
      return copy([parent, ...replies]);
    },
    ephemerals: (filter = {}) =>
      copy(
        state.ephemerals.filter(
          (e) =>
            (filter.channel === undefined || e.channel === filter.channel) &&
            (filter.user === undefined || e.user === filter.user),
        ),
      ),
    views: (filter = {}) =>
      copy([...state.views.values()].filter((v) => filter.user === undefined || v.user === filter.user)),
    view: (id) => {
      const found = state.views.get(id);
      return found ? copy(found) : undefined;
    },
    homeView: (user) => {
      const found = state.homeViews.get(user);
      return found ? copy(found) : undefined;
    },
    homeViews: () => copy([...state.homeViews.values()]),
    responses: () => copy(state.responses),

    mintResponseUrl: (context) => mintResponseUrl(state, baseUrl, context),
    mintTriggerId: (user) => {
      const id = randomTriggerId();
      state.triggers.set(id, { id, createdAtMs: state.now(), used: false, ...(user ? { user } : {}) });
      return id;
    },
    buildSlashCommand: (input = {}) => {
      const payload = buildSlashCommandPayload({ world: state.world, now: state.now(), ...input });
      return {
        ...payload,
        response_url:
          input.responseUrl ??
          fake.mintResponseUrl({ channel: payload.channel_id as string, user: payload.user_id as string }),
        trigger_id: input.triggerId ?? fake.mintTriggerId(payload.user_id),
      };
    },
    buildBlockAction: (input) => {
      const payload = buildBlockActionPayload({ world: state.world, now: state.now(), ...input });
      const user = (payload.user as { id: string }).id;
      const result: Record<string, unknown> = {
        ...payload,
        trigger_id: input.triggerId ?? fake.mintTriggerId(user),
      };
      if (!input.view && input.responseUrl === undefined) {
        const channel = (payload.channel as { id: string }).id;
        const context: ResponseUrlContext = { channel, user };
        if (input.message) {
          context.messageTs = input.message.ts;
          if (input.isEphemeral) context.messageIsEphemeral = true;
          if (input.message.threadTs !== undefined) context.threadTs = input.message.threadTs;
        }
        result.response_url = fake.mintResponseUrl(context);
      }
      return result;
    },
    buildAppHomeOpened: (user, input = {}) => {
      const home = state.homeViews.get(user);
      return buildAppHomeOpenedPayload({
        world: state.world,
        now: state.now(),
        ...input,
        user,
        ...(home !== undefined && { view: copy(home.view) }),
      });
    },
    buildViewSubmission: (input) => {
      const payload = buildViewSubmissionPayload({ world: state.world, now: state.now(), ...input });
      const user = (payload.user as { id: string }).id;
      return { ...payload, trigger_id: input.triggerId ?? fake.mintTriggerId(user) };
    },
    postUserMessage: (channel, user, text, extra = {}) =>
      copy(
        state.addMessage({
          channel,
          user,
          ...(extra.threadTs !== undefined ? { threadTs: extra.threadTs } : {}),
          content: { text, ...(extra.blocks !== undefined ? { blocks: extra.blocks } : {}) },
          via: "user",
        }),
      ),
    applyAckResponse: (responseUrl, body) => applyAck(responseUrl, body),

    failNext: (method, error, count = 1) => faults.add(method, { kind: "error", error }, count),
    rateLimitNext: (method, retryAfterSec = 1, count = 1) =>
      faults.add(method, { kind: "rate_limited", retryAfterSec }, count),
    faultNext: (method, fault, count = 1) => faults.add(method, fault, count),
    clearFaults: (method) => faults.clear(method),

    subscribe: (listener) => state.subscribe(listener),
    waitFor: (check, timeoutMs = 10_000) =>
      new Promise((resolve, reject) => {
        let unsubscribe = () => {};
        const timer = setTimeout(() => {
          unsubscribe();
          reject(new Error(`fake-slack: waitFor timed out after ${timeoutMs} ms`));
        }, timeoutMs);
        const attempt = (): boolean => {
          const value = check();
          if (value === undefined || value === null || value === false) return false;
          clearTimeout(timer);
          unsubscribe();
          resolve(value);
          return true;
        };
        if (attempt()) return;
        unsubscribe = state.subscribe(() => {
          attempt();
        });
      }),

    deliverSocket: (type, payload, deliverOptions) => hub.deliver(type, payload, deliverOptions),
    sendSocketFrame: (frame, connectionId) => hub.sendFrame(frame, connectionId),
    socketConnections: () => hub.connectionsInfo(),
    waitForSocketConnections: (count, timeoutMs) => hub.waitForConnections(count, timeoutMs),
    disconnectSocket: (connectionId, reason) => hub.disconnect(connectionId, reason),
    dropSocket: (connectionId) => hub.drop(connectionId),
    envelopes: () => hub.envelopes(),

    reset: () => {
      faults.clear();
      hub.clearRecords();
      state.reset();
    },
    close: async () => {
      await hub.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
  return fake;
}

/** Reads the body as text; undefined when it exceeds the limit. */
async function readBody(req: IncomingMessage): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = chunk as Buffer;
    size += buf.length;
    if (size > MAX_BODY_BYTES) return undefined;
    chunks.push(buf);
  }
  return Buffer.concat(chunks).toString("utf8");
}

/** A response_url body: JSON (as Bolt's `respond()` sends) or a form with `payload=<json>`. */
function parseResponseBody(
  contentType: string | undefined,
  raw: string,
): Record<string, unknown> | undefined {
  try {
    const type = (contentType ?? "").split(";")[0]?.trim().toLowerCase();
    const json = type === "application/x-www-form-urlencoded" ? new URLSearchParams(raw).get("payload") : raw;
    const parsed: unknown = JSON.parse(json ?? "");
    return typeof parsed === "object" && parsed !== null && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

function sendJson(
  res: ServerResponse,
  status: number,
  body: Record<string, unknown>,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}
