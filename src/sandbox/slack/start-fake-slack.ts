import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import {
  buildAppHomeOpenedPayload,
  buildBlockActionPayload,
  buildSlashCommandPayload,
  buildSubteamMembersChangedPayload,
  buildViewSubmissionPayload,
  randomTriggerId,
} from "./build-slack-payloads.js";
import { buildSlackWorld, FAKE_SLACK_DEFAULTS } from "./build-slack-world.js";
import type { FakeSlack, FakeSlackOptions } from "./fake-slack.js";
import { parseResponseBody, readBody, sendJson } from "./fake-slack-http.js";
import { FakeSlackState } from "./fake-slack-state.js";
import type { FakeSlackMessage, FakeSlackResponse, ResponseUrlContext } from "./fake-slack-types.js";
import { FaultPlan } from "./fault-plan.js";
import { handleResponseUrl, mintResponseUrl, RESPONSE_URL_PATH } from "./handle-response-url.js";
import { handleWebApiCall } from "./handle-web-api-call.js";
import { SOCKET_PATH, SocketModeHub } from "./socket-mode-hub.js";

export type { FakeSlack, FakeSlackOptions, MessageQuery } from "./fake-slack.js";

const API_PATH = "/api/";

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
    withholdSocketHello: (count) => hub.withholdHello(count),
    envelopes: () => hub.envelopes(),

    reset: () => {
      faults.clear();
      hub.clearRecords();
      hub.withholdHello(0);
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
