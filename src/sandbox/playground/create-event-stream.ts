import type { IncomingMessage, ServerResponse } from "node:http";

/** Server-sent events to every connected page. */
export interface EventStream {
  /** Takes over the response as an SSE stream until the client leaves or `close()`. */
  attach(req: IncomingMessage, res: ServerResponse): void;
  /** Sends `data` (JSON) to every client. */
  broadcast(data: unknown): void;
  clients(): number;
  close(): void;
}

/** Comment lines keep idle connections (and proxies) from timing out. */
const KEEPALIVE_MS = 15_000;

export function createEventStream(): EventStream {
  const clients = new Set<ServerResponse>();
  const keepalive = setInterval(() => {
    for (const res of clients) res.write(": keepalive\n\n");
  }, KEEPALIVE_MS);
  keepalive.unref();

  return {
    attach(req, res) {
      res.writeHead(200, {
        "content-type": "text/event-stream; charset=utf-8",
        "cache-control": "no-store",
        connection: "keep-alive",
        "x-accel-buffering": "no",
      });
      // Tells the browser how long to wait before reconnecting after a drop.
      res.write("retry: 1000\n\n");
      clients.add(res);
      const drop = () => {
        clients.delete(res);
      };
      req.on("close", drop);
      res.on("error", drop);
    },
    broadcast(data) {
      const frame = `data: ${JSON.stringify(data)}\n\n`;
      for (const res of clients) res.write(frame);
    },
    clients: () => clients.size,
    close() {
      clearInterval(keepalive);
      for (const res of clients) res.end();
      clients.clear();
    },
  };
}
