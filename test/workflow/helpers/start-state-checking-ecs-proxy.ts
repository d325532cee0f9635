import { createServer, request } from "node:http";
import type { AddressInfo } from "node:net";
import type { CloudSimulator } from "../../../src/sandbox/cloud/index.js";

/** A resize `dry_run` the proxy saw: the server and whether it answered the state refusal itself. */
export interface SeenDryRun {
  serverId: string;
  refused: boolean;
}

const RESIZE_PATH = /^\/v1\/[^/]+\/cloudservers\/([^/?]+)\/resize(?:\?|$)/;

/**
 * A loopback HTTP proxy in front of the simulator's ECS endpoint that plays a region whose resize `dry_run`
 * checks more than 5.2.4 documents (the simulator's checks only what it documents): it refuses the dry run
 * of a server the real resize would refuse for its state (not SHUTOFF, or held by a job) with 400
 * `Ecs.0100`, in the simulator's ECS error body. Every other request (signed headers, `Host` included) goes
 * to the simulator unchanged, so the client's signatures still verify there.
 */
export async function startStateCheckingEcsProxy(sim: CloudSimulator) {
  const target = new URL(sim.ecsEndpoint);
  const dryRuns: SeenDryRun[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      const resize = req.method === "POST" ? RESIZE_PATH.exec(req.url ?? "") : null;
      if (resize) {
        const serverId = decodeURIComponent(resize[1]!);
        const dryRun = (JSON.parse(body.toString("utf8") || "{}") as { dry_run?: unknown }).dry_run === true;
        if (dryRun) {
          const s = sim.control.server(serverId);
          const refused = s !== undefined && (s.status !== "SHUTOFF" || s.busyJobId !== null);
          dryRuns.push({ serverId, refused });
          if (refused) {
            res.writeHead(400, { "content-type": "application/json" });
            res.end(
              JSON.stringify({
                error: {
                  code: "Ecs.0100",
                  message:
                    "The ECS status does not meet requirements. Make the ECS in the required status and try again.",
                },
              }),
            );
            return;
          }
        }
      }
      const forward = request(
        {
          host: target.hostname,
          port: target.port,
          method: req.method,
          path: req.url,
          headers: req.headers,
        },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      forward.on("error", () => res.destroy());
      forward.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    /** Every resize dry run that reached the proxy, in order. */
    dryRuns,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
