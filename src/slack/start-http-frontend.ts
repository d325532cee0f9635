import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
// Bolt's own checks, from their modules: the ack thread loads these, not the whole of Bolt and its Web client.
import { defaultBodyLimit } from "@slack/bolt/dist/receivers/HTTPModuleFunctions.js";
import type { Logger } from "../log/create-logger.js";
import { checkRequestTimestamp, MAX_REQUEST_SKEW_SECONDS } from "./check-request-timestamp.js";
import { checkSlackPayload } from "./check-slack-payload.js";
import { parseSlackHttpBody, type SlackHttpBody } from "./parse-slack-http-body.js";
import { handleProbe, listenHttp, type Probes, sendJson } from "./serve-probes.js";
import { verifySlackSignature } from "./verify-slack-signature.js";

export { HEALTH_PATH } from "./serve-probes.js";

/** Path Slack posts commands, interactions and events to. */
export const SLACK_EVENTS_PATH = "/slack/events";

export interface HttpFrontendOptions {
  /**
   * Takes a request the front has judged: Bolt's `HTTPReceiver.requestListener` (acks and dispatches; it
   * does not verify the signature again, the front has), or the ack thread's hand-off to the bot's thread.
   * `body` is the body as the front parsed it.
   */
  boltListener: (req: IncomingMessage, res: ServerResponse, body: SlackHttpBody) => void;
  /** The app's signing secret: the front verifies signatures itself before it judges a body. */
  signingSecret: string;
  /** Largest body accepted (413 beyond); default Bolt's 4 MB. */
  bodyLimitBytes?: number;
  /** How long Bolt may take to answer a request it was handed before the front answers 500; default 10 s. */
  answerDeadlineMs?: number;
  logger: Logger;
  port: number;
  /** Default: all interfaces. */
  host?: string;
  /** Wall clock for the timestamp check (ms). */
  now?: () => number;
  /** Extra fields for `/healthz` (e.g. the transport); `status` is always `ok` while serving. */
  health?: () => Record<string, unknown>;
  /** `/readyz` and `/metrics` (see `serve-probes.ts`); absent: not served. */
  probes?: Pick<Probes, "ready" | "metrics">;
  /**
   * Answers the probe paths instead of {@link handleProbe} (the ack thread asks the bot's thread); returns
   * false for a path it does not serve.
   */
  answerProbe?: (req: IncomingMessage, res: ServerResponse) => boolean;
}

export interface HttpFrontend {
  /** `http://host:port` of the listening server. */
  url: string;
  /** Stops accepting connections; resolves when open connections are done (idle ones are closed now). */
  close(graceMs?: number): Promise<void>;
}

/** A request whose body the front has read; Bolt's receiver uses `rawBody` instead of reading the stream. */
type BufferedRequest = IncomingMessage & { rawBody?: Buffer };

type BodyRead = { ok: true; raw: Buffer } | { ok: false; status: 400 | 413 };

/** Reads the whole body, up to `limit` bytes; never rejects. */
function readBody(req: IncomingMessage, limit: number): Promise<BodyRead> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = (result: BodyRead) => {
      req.removeAllListeners("data");
      resolve(result);
    };
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) done({ ok: false, status: 413 });
      else chunks.push(chunk);
    });
    req.on("end", () => done({ ok: true, raw: Buffer.concat(chunks) }));
    req.on("error", () => done({ ok: false, status: 400 }));
    req.on("aborted", () => done({ ok: false, status: 400 }));
  });
}

/**
 * The bot's own HTTP server in front of Bolt: `GET /healthz`, `/readyz` and `/metrics` (`serve-probes.ts`), and `POST /slack/events`, where nothing reaches
 * Bolt before the front has judged it:
 * - the replay window is checked in *both* directions (Bolt accepts any future timestamp): 401;
 * - the body is read (413 past the limit) and the signature verified (`verify-slack-signature.ts`): 401;
 * - the body is parsed as Bolt will parse it and its shape checked (`check-slack-payload.ts`): 400 with a log
 *   line naming what is wrong. Bolt dereferences fields unchecked, and a signed `payload=null` used to become an
 *   unhandled rejection inside its receiver that ended the process.
 * Only then is the request handed to Bolt (which trusts the front's verification). Any failure of the front
 * itself is logged and answered 400; a request Bolt leaves unanswered is answered 500 after `answerDeadlineMs`.
 * Everything else is 404.
 */
export async function startHttpFrontend(options: HttpFrontendOptions): Promise<HttpFrontend> {
  const now = options.now ?? Date.now;
  let stopping = false;
  const bodyLimit = options.bodyLimitBytes ?? defaultBodyLimit;
  const answerDeadlineMs = options.answerDeadlineMs ?? 10_000;
  const log = options.logger;

  const refuse = (res: ServerResponse, status: number, error: string) => {
    // The rest of the body, if any, is not read: close the connection rather than drain it.
    res.setHeader("connection", "close");
    sendJson(res, status, { error });
  };

  async function handleEvent(req: BufferedRequest, res: ServerResponse): Promise<void> {
    const timestamp = req.headers["x-slack-request-timestamp"];
    const check = checkRequestTimestamp(timestamp, now(), MAX_REQUEST_SKEW_SECONDS);
    if (!check.ok) {
      log.warn({ reason: check.reason }, "refused a Slack request: timestamp outside the replay window");
      refuse(res, 401, "invalid_request_timestamp");
      return;
    }
    const read = await readBody(req, bodyLimit);
    if (!read.ok) {
      log.warn(
        { status: read.status, limit: bodyLimit },
        "refused a Slack request: its body could not be read",
      );
      refuse(res, read.status, read.status === 413 ? "payload_too_large" : "bad_request");
      return;
    }
    const raw = read.raw.toString("utf8");
    const parsed = parseSlackHttpBody(req.headers["content-type"], raw);
    if (parsed.kind !== "ssl_check") {
      const signature = req.headers["x-slack-signature"];
      const signed = verifySlackSignature({
        signingSecret: options.signingSecret,
        // A string: checkRequestTimestamp refused anything else.
        timestamp: String(timestamp),
        body: raw,
        signature: typeof signature === "string" ? signature : undefined,
      });
      if (!signed) {
        log.warn("refused a Slack request: missing or wrong signature");
        refuse(res, 401, "invalid_signature");
        return;
      }
      const verdict =
        parsed.kind === "unparseable"
          ? { ok: false as const, reason: parsed.reason }
          : checkSlackPayload(parsed.kind, parsed.body);
      if (!verdict.ok) {
        log.warn({ reason: verdict.reason }, "refused a signed Slack request: malformed payload");
        sendJson(res, 400, { error: "invalid_payload" });
        return;
      }
    }
    req.rawBody = read.raw;
    const watchdog = setTimeout(() => {
      if (res.headersSent) return;
      log.error({ afterMs: answerDeadlineMs }, "Bolt did not answer a Slack request in time");
      sendJson(res, 500, { error: "internal_error" });
    }, answerDeadlineMs);
    watchdog.unref();
    res.once("close", () => clearTimeout(watchdog));
    options.boltListener(req, res, parsed);
  }

  const server = createServer((req, res) => {
    const path = new URL(req.url ?? "/", "http://localhost").pathname;
    const probes: Probes = {
      stopping: () => stopping,
      ...(options.health !== undefined && { health: options.health }),
      ...options.probes,
    };
    if (
      path !== SLACK_EVENTS_PATH &&
      (options.answerProbe ?? ((q, s) => handleProbe(q, s, probes, log)))(req, res)
    )
      return;
    if (path !== SLACK_EVENTS_PATH) {
      sendJson(res, 404, { error: "not_found" });
      return;
    }
    if (req.method !== "POST") {
      res.setHeader("allow", "POST");
      sendJson(res, 405, { error: "method_not_allowed" });
      return;
    }
    handleEvent(req, res).catch((error: unknown) => {
      log.error({ err: error }, "could not handle a Slack request");
      if (!res.headersSent) refuse(res, 400, "bad_request");
      else res.destroy();
    });
  });
  const url = await listenHttp(server, {
    port: options.port,
    host: options.host,
    logger: options.logger,
    what: "HTTP server",
  });

  return {
    url,
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
