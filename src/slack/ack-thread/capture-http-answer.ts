import type { IncomingMessage, ServerResponse } from "node:http";
import type { ThreadAnswer } from "./ack-thread-messages.js";

/**
 * A request and response held in memory, for the handlers written against Node's HTTP objects (Bolt's
 * receiver, the probes) in the bot's thread: the request carries the buffered body (`rawBody`, which Bolt
 * reads instead of the stream); the response records what the handler writes (`writeHead`, `setHeader`,
 * `end`), and `answer` settles with it when the handler ends the response.
 */
export function captureHttpAnswer(request: {
  method: string;
  url: string;
  headers?: Record<string, string | string[] | undefined>;
  rawBody?: Buffer;
}): { req: IncomingMessage; res: ServerResponse; answer: Promise<ThreadAnswer> } {
  let settle: (answer: ThreadAnswer) => void = () => {};
  const answer = new Promise<ThreadAnswer>((resolve) => {
    settle = resolve;
  });
  const headers: Record<string, string> = {};
  const setHeaders = (more: unknown) => {
    if (more === null || typeof more !== "object") return;
    for (const [name, value] of Object.entries(more as Record<string, unknown>))
      headers[name.toLowerCase()] = Array.isArray(value) ? value.join(", ") : String(value);
  };
  const res = {
    statusCode: 200,
    headersSent: false,
    writableEnded: false,
    setHeader(name: string, value: unknown) {
      setHeaders({ [name]: value });
      return res;
    },
    writeHead(status: number, more?: unknown) {
      res.statusCode = status;
      res.headersSent = true;
      setHeaders(more);
      return res;
    },
    end(body?: unknown) {
      if (res.writableEnded) return res;
      res.writableEnded = true;
      res.headersSent = true;
      const text = body === undefined ? "" : Buffer.isBuffer(body) ? body.toString("utf8") : String(body);
      settle({ status: res.statusCode, headers, body: text });
      return res;
    },
    once: () => res,
    on: () => res,
  };
  const req = { headers: {}, ...request };
  return {
    req: req as unknown as IncomingMessage,
    res: res as unknown as ServerResponse,
    answer,
  };
}
