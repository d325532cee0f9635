import { setTimeout as sleep } from "node:timers/promises";
import { CHAT_METHODS } from "./chat-methods.js";
import { DIRECTORY_METHODS } from "./directory-methods.js";
import type { FakeSlackState } from "./fake-slack-state.js";
import type { FakeSlackCall, FakeSlackFault } from "./fake-slack-types.js";
import type { FaultPlan } from "./fault-plan.js";
import { parseApiRequest } from "./parse-api-request.js";
import { VIEW_METHODS } from "./view-methods.js";
import { type ApiAnswer, fail, type MethodContext, type WebApiMethod } from "./web-api-method.js";

export interface WebApiDeps {
  state: FakeSlackState;
  faults: FaultPlan;
  botToken: string;
  appToken: string;
  strictTriggers: boolean;
  openSocketUrl: () => string;
}

export interface WebApiRequest {
  method: string;
  contentType: string | undefined;
  authorization: string | undefined;
  rawBody: string;
  query: URLSearchParams;
}

export interface WebApiReply {
  status: number;
  headers: Record<string, string>;
  body: Record<string, unknown>;
}

const APPS_METHODS: Record<string, WebApiMethod> = {
  "apps.connections.open": {
    token: "app",
    handle: (ctx: MethodContext): ApiAnswer => ({ ok: true, url: ctx.openSocketUrl() }),
  },
};

/** Every Web API method the fake implements. */
export const WEB_API_METHODS: Readonly<Record<string, WebApiMethod>> = {
  ...CHAT_METHODS,
  ...VIEW_METHODS,
  ...DIRECTORY_METHODS,
  ...APPS_METHODS,
};

/**
 * Serves one Web API call: parse, authenticate (header `Authorization: Bearer …` or a form `token`),
 * apply an injected fault if one is due, run the method, and record the call.
 */
export async function handleWebApiCall(deps: WebApiDeps, request: WebApiRequest): Promise<WebApiReply> {
  const { state } = deps;
  const parsed = parseApiRequest(request.contentType, request.rawBody, request.query);
  const args = parsed.ok ? parsed.args : {};
  const token = bearerToken(request.authorization) ?? (parsed.ok ? parsed.bodyToken : undefined);
  const auth: FakeSlackCall["auth"] =
    token === undefined
      ? "none"
      : token === deps.botToken
        ? "bot"
        : token === deps.appToken
          ? "app"
          : "invalid";

  const method = WEB_API_METHODS[request.method];
  let reply: WebApiReply;
  let appliedFault: FakeSlackFault | undefined;
  if (!method) reply = ok200(fail("unknown_method"));
  else if (!parsed.ok) reply = ok200(fail(parsed.error));
  else if (auth === "none") reply = ok200(fail("not_authed"));
  else if (auth === "invalid") reply = ok200(fail("invalid_auth"));
  else if (auth !== method.token) reply = ok200(fail("not_allowed_token_type"));
  else {
    appliedFault = deps.faults.take(request.method);
    if (appliedFault?.kind === "delay") await sleep(appliedFault.ms);
    reply = faultReply(appliedFault) ?? ok200(runMethod(method, deps, args));
  }

  const call: FakeSlackCall = {
    seq: state.nextSeq(),
    method: request.method,
    args,
    auth,
    at: state.nowIso(),
    response: { status: reply.status, body: reply.body },
  };
  if (Object.keys(reply.headers).length > 0) call.response.headers = reply.headers;
  if (appliedFault) call.fault = appliedFault.kind;
  state.calls.push(structuredClone(call));
  state.emit({ type: "api_call", call });
  return reply;
}

function runMethod(method: WebApiMethod, deps: WebApiDeps, args: Record<string, unknown>): ApiAnswer {
  return method.handle({
    state: deps.state,
    args,
    strictTriggers: deps.strictTriggers,
    openSocketUrl: deps.openSocketUrl,
  });
}

function faultReply(fault: FakeSlackFault | undefined): WebApiReply | undefined {
  switch (fault?.kind) {
    case "rate_limited":
      return {
        status: 429,
        headers: { "retry-after": String(fault.retryAfterSec) },
        body: { ok: false, error: "ratelimited" },
      };
    case "error":
      return ok200(fail(fault.error));
    case "http":
      return { status: fault.status, headers: {}, body: { ok: false, error: `http_${fault.status}` } };
    default:
      return undefined;
  }
}

function ok200(body: ApiAnswer): WebApiReply {
  return { status: 200, headers: {}, body };
}

function bearerToken(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1];
}
