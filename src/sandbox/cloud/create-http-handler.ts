import { randomBytes } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { LoggedMutation, RequestLogEntry } from "./create-request-log.js";
import type { SimulatorControl } from "./create-simulator-control.js";
import {
  ECS_ERRORS,
  ecsError,
  gatewayError,
  hssError,
  injectedErrorResponse,
  keystoneError,
  type SimResponse,
} from "./error-bodies.js";
import { ADMIN_PREFIX, handleAdminRequest } from "./handle-admin-request.js";
import { matchRoute, type Query, type Route, type RouteContext, type Service } from "./match-route.js";
import type { SimCore } from "./sim-core.js";
import { verifyRequestAuth } from "./verify-request-auth.js";

/** The gateway's request body limit for AK/SK-signed calls (12 MB, ECS API reference). */
export const MAX_BODY_BYTES = 12 * 1024 * 1024;

class BodyTooLarge extends Error {}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new BodyTooLarge());
        req.resume();
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

function parseQuery(raw: string): { query: Query; params: URLSearchParams } {
  const params = new URLSearchParams(raw);
  const query: Query = {};
  for (const [k, v] of params) {
    const prev = query[k];
    query[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
  }
  return { query, params };
}

function send(res: ServerResponse, response: SimResponse, requestId: string): void {
  const headers: Record<string, string> = { "X-Request-Id": requestId, ...(response.headers ?? {}) };
  if (response.body === undefined) {
    res.writeHead(response.status, headers).end();
    return;
  }
  const payload = JSON.stringify(response.body);
  res
    .writeHead(response.status, {
      "Content-Type": "application/json;charset=UTF-8",
      "Content-Length": String(Buffer.byteLength(payload)),
      ...headers,
    })
    .end(payload);
}

/**
 * A 500 in the failing service's own error format (the gateway's own faults use 502/503/504). ECS's is
 * `Common.0001`, the error code table's 500 "A system exception occurred" (`Ecs.1000` is 400 there).
 */
function backendError(service: Service): SimResponse {
  switch (service) {
    case "hss":
      return hssError(500, "HSS.0041", "Query host extend info error");
    case "iam":
      return keystoneError(500, "An unexpected error prevented the server from fulfilling your request.");
    case "nova":
      return { status: 500, body: { computeFault: { code: 500, message: "Unexpected API Error." } } };
    default:
      return ecsError(500, ECS_ERRORS.internalError.code, ECS_ERRORS.internalError.message);
  }
}

function gatewayFault(status: 502 | 503 | 504, requestId: string): SimResponse {
  return status === 504
    ? gatewayError(504, "APIG.0203", "Backend timeout", requestId)
    : gatewayError(status, "APIG.0202", "Backend unavailable", requestId);
}

function sleep(core: SimCore, ms: number): Promise<void> {
  return ms > 0 ? new Promise((resolve) => core.clock.setTimeout(resolve, ms)) : Promise.resolve();
}

/**
 * The request pipeline of the simulated gateway + services:
 * admin routes → body → route match (404 APIG.0101) → latency → auth (401 APIG.0301) →
 * injected 429/5xx or documented error answer → service handler → drop-after-commit for mutations →
 * response + request log.
 */
export function createHttpHandler(
  core: SimCore,
  routes: readonly Route[],
  control: SimulatorControl,
  onInternalError: (error: unknown) => void,
) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const method = (req.method ?? "GET").toUpperCase();
    const url = req.url ?? "/";
    const qAt = url.indexOf("?");
    const rawPath = qAt >= 0 ? url.slice(0, qAt) : url;
    const { query, params } = parseQuery(qAt >= 0 ? url.slice(qAt + 1) : "");
    const requestId = randomBytes(16).toString("hex");

    let body: Buffer;
    try {
      body = await readBody(req);
    } catch (err) {
      if (err instanceof BodyTooLarge) {
        send(res, gatewayError(413, "APIG.0201", "Request entity too large", requestId), requestId);
        return;
      }
      throw err;
    }

    if (rawPath === ADMIN_PREFIX || rawPath.startsWith(`${ADMIN_PREFIX}/`)) {
      const headers = {
        "Access-Control-Allow-Origin": "*",
        "Access-Control-Allow-Methods": "GET, POST, PUT, PATCH, DELETE, OPTIONS",
        "Access-Control-Allow-Headers": "Content-Type",
      };
      if (method === "OPTIONS") {
        send(res, { status: 204, headers }, requestId);
        return;
      }
      const out = handleAdminRequest(core, control, method, rawPath, params, body);
      send(res, { status: out.status, body: out.body, headers }, requestId);
      return;
    }

    const arrival = core.now();
    const entry: Omit<RequestLogEntry, "seq" | "durationMs"> & { internalError?: string } = {
      time: new Date(arrival).toISOString(),
      method,
      path: rawPath,
      query,
      status: null,
      requestId,
      auth: "none",
      fault: null,
      mutation: null,
    };
    const finish = (response: SimResponse | null, mutation: LoggedMutation | null = null): void => {
      core.log.add({
        ...entry,
        status: response?.status ?? null,
        mutation,
        durationMs: core.now() - arrival,
      });
      if (response) send(res, response, requestId);
    };

    let segments: string[];
    try {
      segments = rawPath.split("/").map((s) => decodeURIComponent(s));
    } catch {
      finish(gatewayError(400, "APIG.0201", "API request error: malformed path encoding", requestId));
      return;
    }
    const path = segments.join("/");
    const match = matchRoute(routes, method, segments);
    if (match.kind !== "found") {
      finish(
        gatewayError(
          404,
          "APIG.0101",
          match.kind === "wrong-method"
            ? "The API does not exist."
            : "The API does not exist or has not been published in the environment.",
          requestId,
        ),
      );
      return;
    }
    const { route } = match;

    await sleep(core, core.faults.latencyFor(rawPath));

    let auth: RouteContext["auth"] = null;
    if (route.auth) {
      const decision = verifyRequestAuth(
        { method, path, query, headers: req.headers, body },
        core.secrets,
        core.tokens,
        core.now(),
        core.wallNow(),
      );
      if (!decision.ok) {
        entry.auth = "failed";
        finish(gatewayError(401, "APIG.0301", decision.message, requestId));
        return;
      }
      auth = decision;
      entry.auth = decision.kind;
    }

    const fault = core.faults.decide(method, rawPath);
    if (fault.kind === "throttle") {
      entry.fault = "throttle";
      const retryAfter = core.faults.settings().retryAfterSeconds;
      const response = gatewayError(
        429,
        "APIG.0308",
        "The throttling threshold has been reached: policy user over ratelimit,limit:100,time:1 minute",
        requestId,
      );
      finish({ ...response, headers: { "Retry-After": String(retryAfter) } });
      return;
    }
    if (fault.kind === "error") {
      entry.fault = "error";
      finish(fault.status === 500 ? backendError(route.service) : gatewayFault(fault.status, requestId));
      return;
    }
    if (fault.kind === "answer") {
      entry.fault = "error";
      finish(injectedErrorResponse(fault.code, requestId));
      return;
    }

    const now = core.now();
    core.jobs.settle(now);
    let result: ReturnType<Route["handle"]>;
    try {
      result = route.handle({
        core,
        method,
        path,
        params: match.params,
        query,
        headers: req.headers,
        body,
        now,
        requestId,
        auth,
      });
    } catch (err) {
      // A bug in the simulator must still look like a service failure to the client, not hang it.
      entry.internalError = err instanceof Error ? err.message : String(err);
      finish(backendError(route.service));
      onInternalError(err);
      return;
    }
    const mutation = result.mutation ?? null;
    if (mutation && result.status < 300 && core.faults.shouldDrop(method, rawPath)) {
      // The change is committed (job created); the client never hears about it.
      entry.fault = "drop";
      finish(null, mutation);
      res.socket?.destroy();
      return;
    }
    finish(
      { status: result.status, body: result.body, ...(result.headers ? { headers: result.headers } : {}) },
      mutation,
    );
  };
}
