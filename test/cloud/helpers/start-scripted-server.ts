import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { CloudConfig } from "../../../src/cloud/load-cloud-config.js";

export interface RecordedRequest {
  method: string;
  /** Raw path with query, as received. */
  url: string;
  headers: IncomingMessage["headers"];
  body: Buffer;
}

export type ScriptedReply =
  | { status: number; body?: string | object; headers?: Record<string, string> }
  /** Destroys the socket without answering (connection reset after the request arrived). */
  | "reset"
  /** Never answers (until the client gives up). */
  | "hang";

/**
 * A loopback HTTP server whose answers are scripted per request, recording what it received.
 * Unit-test helper for the transport (the end-to-end tests use the cloud simulator instead).
 */
export async function startScriptedServer(handler: (req: RecordedRequest, index: number) => ScriptedReply) {
  const requests: RecordedRequest[] = [];
  const hanging = new Set<ServerResponse>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const recorded: RecordedRequest = {
        method: req.method ?? "",
        url: req.url ?? "",
        headers: req.headers,
        body: Buffer.concat(chunks),
      };
      requests.push(recorded);
      const reply = handler(recorded, requests.length - 1);
      if (reply === "reset") {
        req.socket.destroy();
        return;
      }
      if (reply === "hang") {
        hanging.add(res);
        return;
      }
      const body =
        reply.body === undefined
          ? ""
          : typeof reply.body === "string"
            ? reply.body
            : JSON.stringify(reply.body);
      res.writeHead(reply.status, { "content-type": "application/json", ...reply.headers });
      res.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    async close() {
      for (const res of hanging) res.socket?.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A cloud client's settings with every service at `url` (a scripted server): AK/SK, a known project. */
export function scriptedCloudConfig(url: string): CloudConfig {
  return {
    region: "cn-north-4",
    projectId: "p1",
    auth: { kind: "aksk", ak: "AK", sk: "SK" },
    endpoints: { ecs: url, hss: url, iam: url },
    hssEnterpriseProjectId: "all_granted_eps",
    connectTimeoutMs: 1000,
    requestTimeoutMs: 2000,
  };
}
