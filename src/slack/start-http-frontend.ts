import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Logger } from "../log/create-logger.js";
import { checkRequestTimestamp, MAX_REQUEST_SKEW_SECONDS } from "./check-request-timestamp.js";

/** Path Slack posts commands, interactions and events to. */
export const SLACK_EVENTS_PATH = "/slack/events";
export const HEALTH_PATH = "/healthz";

export interface HttpFrontendOptions {
  /** Bolt's `HTTPReceiver.requestListener` (verifies the signature, acks, dispatches). */
  boltListener: (req: IncomingMessage, res: ServerResponse) => void;
  logger: Logger;
  port: number;
  /** Default: all interfaces. */
  host?: string;
  /** Wall clock for the timestamp check (ms). */
  now?: () => number;
  /** Extra fields for `/healthz` (e.g. the transport); `status` is always `ok` while serving. */
  health?: () => Record<string, unknown>;
}

export interface HttpFrontend {
  server: Server;
  /** `http://host:port` of the listening server. */
  url: string;
  /** Stops accepting connections; resolves when open connections are done (idle ones are closed now). */
  close(graceMs?: number): Promise<void>;
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(text),
    "cache-control": "no-store",
  });
  res.end(text);
}

/**
 * The bot's own HTTP server in front of Bolt: `GET /healthz`, and `POST /slack/events` with a stricter
 * replay check than Bolt's (the request timestamp must be within five minutes in *either* direction; Bolt
 * accepts any future timestamp). Refused requests get 401 before Bolt sees them; Bolt then verifies the
 * signature. Everything else is 404.
 */
export async function startHttpFrontend(options: HttpFrontendOptions): Promise<HttpFrontend> {
  const now = options.now ?? Date.now;
  let stopping = false;
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? "/", "http://localhost").pathname;
    if (path === HEALTH_PATH && (req.method === "GET" || req.method === "HEAD")) {
      sendJson(res, stopping ? 503 : 200, { status: stopping ? "stopping" : "ok", ...options.health?.() });
      return;
    }
    if (path !== SLACK_EVENTS_PATH) {
      sendJson(res, 404, { error: "not_found" });
      return;
    }
    if (req.method !== "POST") {
      res.setHeader("allow", "POST");
      sendJson(res, 405, { error: "method_not_allowed" });
      return;
    }
    const check = checkRequestTimestamp(
      req.headers["x-slack-request-timestamp"],
      now(),
      MAX_REQUEST_SKEW_SECONDS,
    );
    if (!check.ok) {
      options.logger.warn(
        { reason: check.reason },
        "refused a Slack request: timestamp outside the replay window",
      );
      // The body is not read: close the connection rather than drain it.
      res.setHeader("connection", "close");
      sendJson(res, 401, { error: "invalid_request_timestamp" });
      return;
    }
    try {
      options.boltListener(req, res);
    } catch (error) {
      options.logger.error({ err: error }, "Bolt could not take the request");
      if (!res.headersSent) sendJson(res, 500, { error: "internal_error" });
    }
  });
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  server.on("error", (error) => options.logger.error({ err: error }, "HTTP server error"));
  const address = server.address() as AddressInfo;
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;

  return {
    server,
    url: `http://${host === "0.0.0.0" || host === "[::]" ? "127.0.0.1" : host}:${address.port}`,
    close(graceMs = 10_000) {
      stopping = true;
      return new Promise<void>((resolve) => {
        const timer = setTimeout(() => server.closeAllConnections(), graceMs);
        timer.unref();
        server.close(() => {
          clearTimeout(timer);
          resolve();
        });
        server.closeIdleConnections();
      });
    },
  };
}
