import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Logger } from "../log/create-logger.js";
import type { MetricsExposition } from "../metrics/metrics.js";

export const HEALTH_PATH = "/healthz";
export const READY_PATH = "/readyz";
export const METRICS_PATH = "/metrics";

/** Whether the bot can do its work now, with the check behind each part (for the operator reading `/readyz`). */
export interface Readiness {
  ready: boolean;
  checks: Record<string, "ok" | string>;
}

/** What the probe endpoints answer from. */
export interface Probes {
  /** True once the bot is stopping: `/healthz` and `/readyz` answer 503. */
  stopping(): boolean;
  /** Extra fields for `/healthz` (e.g. the transport); `status` is always `ok` while serving. */
  health?: () => Record<string, unknown>;
  /** `/readyz`: 200 when ready, 503 otherwise; absent: the endpoint is not served (404). */
  ready?: () => Promise<Readiness>;
  /** `/metrics` in Prometheus' text format; absent: not served (404). */
  metrics?: MetricsExposition;
}

function send(res: ServerResponse, status: number, contentType: string, text: string): void {
  res.writeHead(status, {
    "content-type": contentType,
    "content-length": Buffer.byteLength(text),
    "cache-control": "no-store",
  });
  res.end(text);
}

/** Answers `body` as JSON, never cached. */
export const sendJson = (res: ServerResponse, status: number, body: unknown) =>
  send(res, status, "application/json; charset=utf-8", JSON.stringify(body));

/**
 * Answers `GET /healthz` (liveness: the process serves), `GET /readyz` (readiness: the store answers and Slack
 * auth succeeded) and `GET /metrics`. Returns false for any other request, which the caller handles. Never
 * rejects: a probe that fails is answered 503/500 and logged.
 */
export function handleProbe(req: IncomingMessage, res: ServerResponse, probes: Probes, log: Logger): boolean {
  if (req.method !== "GET" && req.method !== "HEAD") return false;
  const path = new URL(req.url ?? "/", "http://localhost").pathname;
  if (path === HEALTH_PATH) {
    const stopping = probes.stopping();
    sendJson(res, stopping ? 503 : 200, { status: stopping ? "stopping" : "ok", ...probes.health?.() });
    return true;
  }
  if (path === READY_PATH && probes.ready !== undefined) {
    const judge = probes.ready;
    void (async () => {
      if (probes.stopping()) return { ready: false, checks: { bot: "stopping" } };
      return judge();
    })().then(
      (readiness) =>
        sendJson(res, readiness.ready ? 200 : 503, {
          status: readiness.ready ? "ready" : "not_ready",
          ...readiness,
        }),
      (error: unknown) => {
        log.warn({ err: error }, "readiness check failed");
        sendJson(res, 503, { status: "not_ready", ready: false, checks: { probe: "failed" } });
      },
    );
    return true;
  }
  if (path === METRICS_PATH && probes.metrics !== undefined) {
    const { contentType } = probes.metrics;
    probes.metrics.render().then(
      (text) => send(res, 200, contentType, text),
      (error: unknown) => {
        log.error({ err: error }, "could not render the metrics");
        sendJson(res, 500, { error: "metrics_unavailable" });
      },
    );
    return true;
  }
  return false;
}

export interface ProbeServer {
  /** `http://host:port` to reach the server from this machine (a wildcard address as loopback). */
  url: string;
  /** What it listens on, for the log: `all interfaces, port 9090` or `127.0.0.1:9090`. */
  listen: string;
  close(): Promise<void>;
}

/**
 * Starts `server` listening (bounded header and request times), rejecting with the listen error (a busy port)
 * and logging later server errors; resolves with its URL (a wildcard address as loopback).
 */
export async function listenHttp(
  server: Server,
  options: { port: number; host?: string | undefined; logger: Logger; what: string },
): Promise<string> {
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  server.on("error", (error) => options.logger.error({ err: error }, `${options.what} error`));
  const address = server.address() as AddressInfo;
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
  return `http://${host === "0.0.0.0" || host === "[::]" ? "127.0.0.1" : host}:${address.port}`;
}

/** Where a server listens, as an operator reads it: a wildcard address is every interface, not loopback. */
export function describeListenAddress(address: AddressInfo): string {
  if (address.address === "0.0.0.0" || address.address === "::")
    return `all interfaces, port ${address.port}`;
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
  return `${host}:${address.port}`;
}

/**
 * Socket Mode's only HTTP server (`METRICS_PORT`): the probes and `/metrics`, nothing else (404). Slack never
 * reaches it; it is for the orchestrator and the Prometheus scraper.
 */
export async function startProbeServer(options: {
  port: number;
  host?: string;
  probes: Probes;
  logger: Logger;
}): Promise<ProbeServer> {
  const server: Server = createServer((req, res) => {
    if (!handleProbe(req, res, options.probes, options.logger)) sendJson(res, 404, { error: "not_found" });
  });
  const url = await listenHttp(server, {
    port: options.port,
    host: options.host,
    logger: options.logger,
    what: "metrics server",
  });
  return {
    url,
    listen: describeListenAddress(server.address() as AddressInfo),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
