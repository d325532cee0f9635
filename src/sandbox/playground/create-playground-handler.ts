import { readdirSync, readFileSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { extname, join } from "node:path";
import type { z } from "zod";
import type { CloudSimulator } from "../cloud/index.js";
import type { FakeSlack } from "../slack/index.js";
import type { CommandHint } from "./build-command-hints.js";
import { buildPlaygroundState } from "./build-playground-state.js";
import type { EventStream } from "./create-event-stream.js";
import type { DriverFailure, InteractionDriver } from "./create-interaction-driver.js";
import {
  actionBody,
  commandBody,
  failNextJobBody,
  homeOpenedBody,
  latencyBody,
  viewCloseBody,
  viewSubmissionBody,
} from "./playground-schemas.js";
import { readCloudPanel } from "./read-cloud-panel.js";

export interface PlaygroundHandlerDeps {
  slack: FakeSlack;
  cloud: CloudSimulator;
  driver: InteractionDriver;
  stream: EventStream;
  hints: CommandHint[];
  /** Directory of the static page (index.html, CSS, JS). */
  publicDir: string;
  /** Host names the page may be reached under (DNS-rebinding guard); undefined: any. */
  allowedHosts?: ReadonlySet<string>;
  onError: (error: unknown) => void;
}

const MAX_BODY_BYTES = 256 * 1024;

const CONTENT_TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
};

/**
 * The page may only run our own scripts and talk to this server: even if bot-provided text slipped
 * into markup somewhere, no injected script or remote resource would load.
 */
const SECURITY_HEADERS = {
  "content-security-policy":
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
};

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: Record<string, unknown>,
  ) {
    super(String(body.error ?? status));
  }
}

/**
 * The playground's HTTP API and static page:
 *
 * | Route                         | What                                                         |
 * | ----------------------------- | ------------------------------------------------------------ |
 * | GET  /                        | the page (static files from `public/`)                      |
 * | GET  /api/state               | users, channels, messages, ephemerals, open modals, hints    |
 * | GET  /api/events              | SSE: the fake Slack's message/ephemeral/view changes         |
 * | POST /api/command             | `{user, channel, text, threadTs?}`: slash command or message |
 * | POST /api/action              | `{user, channel, messageTs, actionId, selectedOption?}`      |
 * | POST /api/view-submission     | `{user, viewId, values}`                                     |
 * | POST /api/view-close          | `{user, viewId}`                                             |
 * | POST /api/home-opened         | `{user}`: opens the app's Home tab (`app_home_opened`)       |
 * | GET  /api/cloud               | servers, jobs, latency of the simulated cloud                |
 * | POST /api/cloud/fail-next-job | `{server?}`: the next job (or its sub-job for one server) fails |
 * | PUT  /api/cloud/latency       | `{ms}`: latency added to every cloud API request             |
 * | DELETE /api/cloud/faults      | clears latency and pending job failures                      |
 *
 * Writes need `content-type: application/json` (so other web pages cannot post here without a CORS
 * preflight, which is never granted) and a same-origin `Origin` when one is sent.
 */
export function createPlaygroundHandler(
  deps: PlaygroundHandlerDeps,
): (req: IncomingMessage, res: ServerResponse) => void {
  const staticFiles = new Map<string, string>();
  for (const name of readdirSync(deps.publicDir)) {
    if (CONTENT_TYPES[extname(name)] !== undefined) staticFiles.set(`/${name}`, join(deps.publicDir, name));
  }
  const knownNames = new Map<string, string>();
  const { control, region } = deps.cloud;

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = req.method ?? "GET";
    const url = new URL(req.url ?? "/", "http://playground.invalid");
    const path = url.pathname;
    checkHost(req, deps.allowedHosts);

    if (method === "GET" && !path.startsWith("/api/")) {
      const file = staticFiles.get(path === "/" ? "/index.html" : path);
      if (file === undefined) throw new HttpError(404, { error: "not_found" });
      // Read on every request: edit the page and reload, no restart needed.
      const content = readFileSync(file);
      res.writeHead(200, {
        "content-type": CONTENT_TYPES[extname(file)] ?? "application/octet-stream",
        "cache-control": "no-cache",
        ...SECURITY_HEADERS,
      });
      res.end(content);
      return;
    }

    const key = `${method} ${path}`;
    switch (key) {
      case "GET /api/state":
        return sendJson(res, 200, buildPlaygroundState(deps.slack, deps.driver.openViews(), deps.hints));
      case "GET /api/events":
        deps.stream.attach(req, res);
        return;
      case "GET /api/cloud":
        return sendJson(res, 200, readCloudPanel(control, region, knownNames));
      case "POST /api/command": {
        const body = await readJson(req, commandBody);
        return sendOutcome(res, await deps.driver.runCommand(body));
      }
      case "POST /api/action": {
        const body = await readJson(req, actionBody);
        return sendOutcome(res, await deps.driver.clickAction(body));
      }
      case "POST /api/view-submission": {
        const body = await readJson(req, viewSubmissionBody);
        return sendOutcome(res, await deps.driver.submitView(body));
      }
      case "POST /api/view-close": {
        const body = await readJson(req, viewCloseBody);
        return sendOutcome(res, deps.driver.closeView(body.user, body.viewId));
      }
      case "POST /api/home-opened": {
        const body = await readJson(req, homeOpenedBody);
        return sendOutcome(res, await deps.driver.openHome(body.user));
      }
      case "POST /api/cloud/fail-next-job": {
        const body = await readJson(req, failNextJobBody);
        if (body.server === undefined) {
          control.failNextJob({ reason: "Injected from the playground" });
        } else {
          const server = control.server(body.server);
          if (!server)
            throw new HttpError(404, { error: "server_not_found", message: `No server ${body.server}.` });
          control.failNextJob({ serverIds: [server.id], reason: "Injected from the playground" });
        }
        return sendJson(res, 200, { ok: true });
      }
      case "PUT /api/cloud/latency": {
        const body = await readJson(req, latencyBody);
        return sendJson(res, 200, {
          ok: true,
          latencyMs: control.setFaults({ latencyMs: body.ms }).latencyMs,
        });
      }
      case "DELETE /api/cloud/faults":
        checkWrite(req);
        control.clearFaults();
        control.clearJobFailures();
        return sendJson(res, 200, { ok: true });
    }
    throw new HttpError(404, { error: "not_found" });
  }

  return (req, res) => {
    route(req, res).catch((error: unknown) => {
      if (error instanceof HttpError) {
        if (!res.headersSent) sendJson(res, error.status, { ok: false, ...error.body });
        else res.end();
        return;
      }
      deps.onError(error);
      if (!res.headersSent) sendJson(res, 500, { ok: false, error: "internal_error" });
      else res.destroy();
    });
  };
}

function checkHost(req: IncomingMessage, allowed: ReadonlySet<string> | undefined): void {
  if (allowed === undefined) return;
  const host = req.headers.host ?? "";
  let hostname: string;
  try {
    hostname = new URL(`http://${host}`).hostname;
  } catch {
    throw new HttpError(400, { error: "bad_host" });
  }
  if (!allowed.has(hostname)) throw new HttpError(403, { error: "forbidden_host" });
}

/** Writes must be JSON and, when the browser says where they come from, from this page. */
function checkWrite(req: IncomingMessage): void {
  const type = (req.headers["content-type"] ?? "").split(";")[0]?.trim().toLowerCase();
  if (req.method !== "DELETE" && type !== "application/json") {
    throw new HttpError(415, { error: "unsupported_media_type", message: "Send application/json." });
  }
  const origin = req.headers.origin;
  if (origin !== undefined && origin !== "null") {
    let originHost: string;
    try {
      originHost = new URL(origin).host;
    } catch {
      throw new HttpError(403, { error: "forbidden_origin" });
    }
    if (originHost !== req.headers.host) throw new HttpError(403, { error: "forbidden_origin" });
  } else if (origin === "null") {
    throw new HttpError(403, { error: "forbidden_origin" });
  }
}

async function readJson<T extends z.ZodType>(req: IncomingMessage, schema: T): Promise<z.infer<T>> {
  checkWrite(req);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = chunk as Buffer;
    size += buf.length;
    if (size > MAX_BODY_BYTES) throw new HttpError(413, { error: "too_large" });
    chunks.push(buf);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.concat(chunks).toString("utf8"));
  } catch {
    throw new HttpError(400, { error: "invalid_json", message: "The body is not JSON." });
  }
  const result = schema.safeParse(parsed);
  if (!result.success) {
    throw new HttpError(400, {
      error: "invalid_request",
      message: "The request does not have the expected shape.",
      issues: result.error.issues.map((i) => ({ path: i.path.join("."), message: i.message })),
    });
  }
  return result.data;
}

function sendOutcome(res: ServerResponse, outcome: { ok: true } | DriverFailure): void {
  if (outcome.ok) {
    sendJson(res, 200, outcome);
    return;
  }
  const { status, ...body } = outcome;
  sendJson(res, status, body);
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(text),
    "cache-control": "no-store",
    ...SECURITY_HEADERS,
  });
  res.end(text);
}
