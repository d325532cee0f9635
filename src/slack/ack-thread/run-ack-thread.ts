/**
 * The ack thread's entry (a `worker_threads` Worker started by `start-ack-thread-frontend.ts`): the HTTP front
 * of `start-http-frontend.ts`, judging every request exactly as it does in the bot's thread, then acking slash
 * commands, clicks and events at once and handing them to the bot's thread. Its event loop does nothing else,
 * so an ack never waits behind the work of earlier requests. It loads at once and listens when told to, with
 * its settings (after Slack auth), so it can start before the bot has read its configuration and its start-up
 * overlaps the bot's.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { parentPort } from "node:worker_threads";
import type { Logger } from "../../log/create-logger.js";
import { HEALTH_PATH, METRICS_PATH, READY_PATH, sendJson } from "../serve-probes.js";
import { type HttpFrontend, startHttpFrontend } from "../start-http-frontend.js";
import type {
  AckThreadSettings,
  ForwardedRequest,
  FromAckThread,
  LogLevel,
  ThreadAnswer,
  ToAckThread,
} from "./ack-thread-messages.js";
import { acksAtOnce } from "./acks-at-once.js";

const PROBE_PATHS = new Set([HEALTH_PATH, READY_PATH, METRICS_PATH]);

if (parentPort === null) throw new Error("run-ack-thread.ts runs as a worker thread only");
const toBot = parentPort;
/** How long a probe waits for the bot's thread; set with `listen`. */
let answerDeadlineMs = 10_000;

const post = (message: FromAckThread) => toBot.postMessage(message);

/** Log lines go to the bot's thread, which writes them with its own logger (level, redaction, format). */
function forwardingLogger(): Logger {
  const at =
    (level: LogLevel) =>
    (first: unknown, msg?: string): void => {
      const fields =
        typeof first === "object" && first !== null ? (first as Record<string, unknown>) : undefined;
      const text = typeof first === "string" ? first : (msg ?? "");
      try {
        post({ type: "log", level, ...(fields !== undefined && { fields }), msg: text });
      } catch {
        // A field that cannot be cloned: the line still goes, without its fields.
        post({ type: "log", level, msg: text });
      }
    };
  const logger = { debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") };
  // startHttpFrontend and listenHttp only call these four methods.
  return logger as unknown as Logger;
}

let nextId = 0;
const waiting = new Map<number, (answer: ThreadAnswer) => void>();

function ask(
  message: { type: "request"; request: ForwardedRequest } | { type: "probe"; method: string; url: string },
) {
  const id = ++nextId;
  return {
    id,
    answer: new Promise<ThreadAnswer>((resolve) => {
      waiting.set(id, resolve);
      post({ ...message, id });
    }),
  };
}

function write(res: ServerResponse, answer: ThreadAnswer): void {
  if (res.headersSent) return;
  res.writeHead(answer.status, answer.headers);
  res.end(answer.body);
}

function forwarded(req: IncomingMessage): ForwardedRequest {
  return { headers: req.headers, raw: (req as IncomingMessage & { rawBody: Buffer }).rawBody };
}

function answerProbe(req: IncomingMessage, res: ServerResponse): boolean {
  if (req.method !== "GET" && req.method !== "HEAD") return false;
  if (!PROBE_PATHS.has(new URL(req.url ?? "/", "http://localhost").pathname)) return false;
  const { id, answer } = ask({ type: "probe", method: req.method, url: req.url ?? "/" });
  // A bot thread that does not answer in time is not alive, whatever this thread can still do.
  const timer = setTimeout(() => {
    waiting.delete(id);
    if (!res.headersSent) sendJson(res, 503, { status: "unresponsive", afterMs: answerDeadlineMs });
  }, answerDeadlineMs);
  void answer.then((a) => {
    clearTimeout(timer);
    write(res, a);
  });
  return true;
}

/** The front once it listens; undefined until the bot's thread asks it to (after Slack auth). */
let front: Promise<HttpFrontend | undefined> = Promise.resolve(undefined);

toBot.on("message", (message: ToAckThread) => {
  switch (message.type) {
    case "answer": {
      const resolve = waiting.get(message.id);
      waiting.delete(message.id);
      resolve?.(message.answer);
      return;
    }
    case "listen":
      answerDeadlineMs = message.settings.answerDeadlineMs ?? answerDeadlineMs;
      front = listen(message.settings);
      return;
    case "close":
      void front.then(async (f) => {
        await f?.close(message.graceMs);
        post({ type: "closed" });
      });
      return;
  }
});

function listen(settings: AckThreadSettings): Promise<HttpFrontend | undefined> {
  return startHttpFrontend({
    signingSecret: settings.signingSecret,
    port: settings.port,
    ...(settings.host !== undefined && { host: settings.host }),
    ...(settings.bodyLimitBytes !== undefined && { bodyLimitBytes: settings.bodyLimitBytes }),
    answerDeadlineMs,
    logger: forwardingLogger(),
    answerProbe,
    boltListener(req, res, body) {
      if (acksAtOnce(body)) {
        // What Bolt answers for an `ack()` without a body.
        res.writeHead(200);
        res.end();
        post({ type: "deliver", request: forwarded(req) });
        return;
      }
      // The front's own watchdog answers 500 if the bot's thread takes longer than the deadline.
      void ask({ type: "request", request: forwarded(req) }).answer.then((a) => write(res, a));
    },
  }).then(
    (f) => {
      post({ type: "listening", url: f.url });
      return f;
    },
    (error: unknown) => {
      const code = (error as { code?: unknown }).code;
      post({
        type: "listen-failed",
        message: error instanceof Error ? error.message : String(error),
        ...(typeof code === "string" && { code }),
      });
      return undefined;
    },
  );
}
