import { randomUUID } from "node:crypto";
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { type RawData, type WebSocket, WebSocketServer } from "ws";
import type { FakeSlackState } from "./fake-slack-state.js";
import type { SocketConnectionInfo, SocketEnvelopeRecord, SocketEnvelopeType } from "./fake-slack-types.js";

/** Path of the Socket Mode WebSocket endpoint on the fake's server. */
export const SOCKET_PATH = "/socket";
/** Slack allows this many simultaneous connections per app. */
const MAX_CONNECTIONS = 10;
/** A ticket from `apps.connections.open` is good for one connection, briefly. */
const TICKET_LIFETIME_MS = 60_000;

export interface SocketModeHubOptions {
  state: FakeSlackState;
  /** Interval of server pings (Slack pings every few seconds; the client times out without them). */
  pingIntervalMs: number;
  /** How long `deliver` waits for an ack before failing. */
  ackTimeoutMs: number;
  /** Told about every ack (the fake applies slash command ack messages). */
  onAck?: (envelope: SocketEnvelopeRecord, payload: Record<string, unknown>) => void;
}

export interface DeliverOptions {
  /** Send to this connection instead of the next one in round-robin order. */
  connectionId?: string;
  /** Reuse an envelope ID (Slack redelivering the same envelope). */
  envelopeId?: string;
  /** `events_api` retries: `retry_attempt` / `retry_reason`. */
  retryAttempt?: number;
  retryReason?: string;
  /** Overrides the hub's ack timeout for this envelope. */
  ackTimeoutMs?: number;
}

/** Why an envelope got no ack. */
export class SocketDeliveryError extends Error {
  constructor(
    readonly reason: "no_connection" | "timeout" | "connection_closed",
    readonly envelopeId?: string,
  ) {
    super(`Socket Mode delivery failed: ${reason}${envelopeId ? ` (envelope ${envelopeId})` : ""}`);
    this.name = "SocketDeliveryError";
  }
}

interface Connection {
  id: string;
  ws: WebSocket;
  info: SocketConnectionInfo;
  ping: NodeJS.Timeout;
}

interface Pending {
  record: SocketEnvelopeRecord;
  resolve: (payload: Record<string, unknown>) => void;
  reject: (error: SocketDeliveryError) => void;
  timer: NodeJS.Timeout;
}

/**
 * The fake's Socket Mode side: hands out tickets, accepts WebSocket connections on {@link SOCKET_PATH},
 * greets with `hello`, pings, delivers envelopes round-robin and matches acks by `envelope_id`.
 */
export class SocketModeHub {
  private readonly wss = new WebSocketServer({ noServer: true });
  private readonly tickets = new Map<string, number>();
  private readonly connections = new Map<string, Connection>();
  private readonly pending = new Map<string, Pending>();
  private readonly records: SocketEnvelopeRecord[] = [];
  private readonly waiters = new Set<() => void>();
  private nextConnection = 0;
  /** How many of the next connections get no `hello` (a Slack edge that accepts and then says nothing). */
  private helloWithheld = 0;
  private roundRobin = 0;
  private wsBaseUrl = "";

  constructor(private readonly options: SocketModeHubOptions) {}

  /** Set once the server listens: `ws://127.0.0.1:PORT`. */
  setBaseUrl(wsBaseUrl: string): void {
    this.wsBaseUrl = wsBaseUrl;
  }

  /** `apps.connections.open`: a one-time WebSocket URL. */
  mintUrl(): string {
    const ticket = randomUUID();
    this.tickets.set(ticket, this.options.state.now());
    const appId = this.options.state.world.bot.appId;
    return `${this.wsBaseUrl}${SOCKET_PATH}?ticket=${ticket}&app_id=${appId}`;
  }

  /** Handles an HTTP upgrade on {@link SOCKET_PATH}; refuses unknown or reused tickets with 401. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, url: URL): void {
    const ticket = url.searchParams.get("ticket") ?? "";
    const issued = this.tickets.get(ticket);
    this.tickets.delete(ticket);
    if (issued === undefined || this.options.state.now() - issued > TICKET_LIFETIME_MS) {
      socket.end("HTTP/1.1 401 Unauthorized\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => this.accept(ws));
  }

  private accept(ws: WebSocket): void {
    const { state } = this.options;
    this.nextConnection += 1;
    const id = `sock-${this.nextConnection}`;
    const info: SocketConnectionInfo = { id, connectedAt: state.nowIso(), open: true };
    const ping = setInterval(() => {
      if (ws.readyState === ws.OPEN) ws.ping(Buffer.from(`ping-${Date.now()}`));
    }, this.options.pingIntervalMs);
    ping.unref();
    const connection: Connection = { id, ws, info, ping };
    this.connections.set(id, connection);
    ws.on("message", (data, isBinary) => this.onMessage(connection, data, isBinary));
    ws.on("close", () => this.onClose(connection));
    ws.on("error", () => {
      // The close event follows; nothing else to do for a broken socket.
    });
    const open = this.openConnections();
    if (this.helloWithheld > 0) {
      this.helloWithheld -= 1;
      state.emit({ type: "socket_connected", connection: info });
      this.notifyWaiters();
      return;
    }
    ws.send(
      JSON.stringify({
        type: "hello",
        num_connections: open.length,
        debug_info: {
          host: `applink-fake-${id}`,
          build_number: 1,
          approximate_connection_time: 18060,
        },
        connection_info: { app_id: state.world.bot.appId },
      }),
    );
    state.emit({ type: "socket_connected", connection: info });
    if (open.length > MAX_CONNECTIONS) this.disconnect(id, "too_many_websockets");
    this.notifyWaiters();
  }

  private onMessage(connection: Connection, data: RawData, isBinary: boolean): void {
    if (isBinary) return;
    let message: unknown;
    try {
      message = JSON.parse(data.toString());
    } catch {
      return;
    }
    if (typeof message !== "object" || message === null) return;
    const { envelope_id: envelopeId, payload } = message as { envelope_id?: unknown; payload?: unknown };
    if (typeof envelopeId !== "string") return;
    const ackPayload =
      typeof payload === "object" && payload !== null && !Array.isArray(payload)
        ? (payload as Record<string, unknown>)
        : {};
    const pending = this.pending.get(envelopeId);
    // A late ack (after a timeout) is still recorded on the envelope.
    const record = pending?.record ?? this.records.findLast((r) => r.envelopeId === envelopeId);
    if (!record || record.connectionId !== connection.id) return;
    record.ack = { at: this.options.state.nowIso(), payload: ackPayload };
    this.options.state.emit({ type: "envelope_acked", envelope: record });
    if (pending) {
      clearTimeout(pending.timer);
      this.pending.delete(envelopeId);
      pending.resolve(structuredClone(ackPayload));
    }
    this.options.onAck?.(record, ackPayload);
  }

  private onClose(connection: Connection): void {
    clearInterval(connection.ping);
    if (!connection.info.open) return;
    connection.info.open = false;
    connection.info.closedAt = this.options.state.nowIso();
    for (const [envelopeId, pending] of this.pending) {
      if (pending.record.connectionId !== connection.id) continue;
      this.fail(envelopeId, pending, "connection_closed");
    }
    this.options.state.emit({ type: "socket_disconnected", connection: connection.info });
    this.notifyWaiters();
  }

  private fail(envelopeId: string, pending: Pending, reason: "timeout" | "connection_closed"): void {
    clearTimeout(pending.timer);
    this.pending.delete(envelopeId);
    pending.record.failed = reason;
    this.options.state.emit({ type: "envelope_failed", envelope: pending.record });
    pending.reject(new SocketDeliveryError(reason, envelopeId));
  }

  private openConnections(): Connection[] {
    return [...this.connections.values()].filter((c) => c.info.open && c.ws.readyState === c.ws.OPEN);
  }

  /**
   * Sends an envelope to one connected client and resolves with the ack's `payload` (`{}` for a bare ack).
   * Rejects with {@link SocketDeliveryError} when nobody is connected, the connection closes first,
   * or no ack comes in time.
   */
  deliver(
    type: SocketEnvelopeType,
    payload: Record<string, unknown>,
    options: DeliverOptions = {},
  ): Promise<Record<string, unknown>> {
    const open = this.openConnections();
    const target =
      options.connectionId !== undefined
        ? open.find((c) => c.id === options.connectionId)
        : open[this.roundRobin++ % Math.max(open.length, 1)];
    if (!target) return Promise.reject(new SocketDeliveryError("no_connection"));
    const envelopeId = options.envelopeId ?? randomUUID();
    const envelope: Record<string, unknown> = {
      envelope_id: envelopeId,
      type,
      payload,
      accepts_response_payload: acceptsResponsePayload(type, payload),
    };
    if (type === "events_api") {
      envelope.retry_attempt = options.retryAttempt ?? 0;
      envelope.retry_reason = options.retryReason ?? "";
    }
    const record: SocketEnvelopeRecord = {
      envelopeId,
      type,
      payload: structuredClone(payload),
      connectionId: target.id,
      sentAt: this.options.state.nowIso(),
    };
    this.records.push(record);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        const pending = this.pending.get(envelopeId);
        if (pending) this.fail(envelopeId, pending, "timeout");
      }, options.ackTimeoutMs ?? this.options.ackTimeoutMs);
      this.pending.set(envelopeId, { record, resolve, reject, timer });
      this.options.state.emit({ type: "envelope_sent", envelope: record });
      target.ws.send(JSON.stringify(envelope));
    });
  }

  /**
   * Sends `frame` verbatim to one connected client (default: the first open one), as a broken or hostile
   * peer might: nothing is tracked and no ack is awaited. False when nobody is connected.
   */
  sendFrame(frame: string, connectionId?: string): boolean {
    const open = this.openConnections();
    const target = connectionId !== undefined ? open.find((c) => c.id === connectionId) : open[0];
    if (!target) return false;
    target.ws.send(frame);
    return true;
  }

  connectionsInfo(): SocketConnectionInfo[] {
    return [...this.connections.values()].map((c) => structuredClone(c.info));
  }

  envelopes(): SocketEnvelopeRecord[] {
    return structuredClone(this.records);
  }

  /** Resolves once at least `count` connections are open (e.g. after a reconnect). */
  waitForConnections(count: number, timeoutMs = 10_000): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = () => {
        if (this.openConnections().length < count) return;
        cleanup();
        resolve();
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`timed out waiting for ${count} Socket Mode connection(s)`));
      }, timeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        this.waiters.delete(check);
      };
      this.waiters.add(check);
      check();
    });
  }

  /**
   * Sends Slack's `disconnect` message (reason `warning`, `refresh_requested`, `link_disabled`,
   * `too_many_websockets`); a well-behaved client closes and reconnects. Without an ID: every connection.
   */
  disconnect(connectionId?: string, reason = "refresh_requested"): void {
    for (const c of this.openConnections()) {
      if (connectionId !== undefined && c.id !== connectionId) continue;
      c.ws.send(JSON.stringify({ type: "disconnect", reason, debug_info: { host: `applink-fake-${c.id}` } }));
    }
  }

  /** The next `count` connections are accepted and pinged, but never greeted with `hello`. */
  withholdHello(count: number): void {
    this.helloWithheld = count;
  }

  /** Kills a connection without a close handshake (a network drop). Without an ID: every connection. */
  drop(connectionId?: string): void {
    for (const c of this.connections.values()) {
      if (connectionId !== undefined && c.id !== connectionId) continue;
      c.ws.terminate();
    }
  }

  /** Forgets envelopes and closed connections. */
  clearRecords(): void {
    this.records.length = 0;
    for (const [id, c] of this.connections) if (!c.info.open) this.connections.delete(id);
  }

  /** Closes every connection (close code 1001, terminated if the client does not answer) and fails pending deliveries. */
  async close(): Promise<void> {
    for (const [envelopeId, pending] of this.pending) this.fail(envelopeId, pending, "connection_closed");
    const live = [...this.connections.values()].filter((c) => c.ws.readyState !== c.ws.CLOSED);
    const closed = Promise.all(
      live.map((c) => new Promise<void>((resolve) => c.ws.once("close", () => resolve()))),
    );
    for (const c of live) {
      clearInterval(c.ping);
      c.ws.close(1001, "server shutting down");
    }
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        for (const c of live) c.ws.terminate();
        resolve();
      }, 1000);
    });
    await Promise.race([closed, deadline]);
    clearTimeout(timer);
    this.wss.close();
  }

  private notifyWaiters(): void {
    for (const waiter of [...this.waiters]) waiter();
  }
}

/** Slack sets this for envelopes whose ack may carry a response (slash commands, view submissions, …). */
function acceptsResponsePayload(type: SocketEnvelopeType, payload: Record<string, unknown>): boolean {
  if (type === "slash_commands") return true;
  if (type === "interactive") {
    // Tests deliver malformed payloads (null, arrays) on purpose: read the type defensively.
    const kind = (payload as { type?: unknown } | null)?.type;
    return ["view_submission", "block_suggestion", "view_closed"].includes(String(kind));
  }
  return false;
}
