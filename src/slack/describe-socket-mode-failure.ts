import { REJECTED_TOKEN_ERRORS } from "./rejected-token-errors.js";

/** Why a Socket Mode connection attempt failed, in an operator's words. */
export interface SocketModeFailure {
  /** One line: "apps.connections.open answered HTTP 503", "Slack refused the app-level token …". */
  reason: string;
  /** Slack refused the app-level token itself (`invalid_auth`, `token_revoked`…): only a new token helps. */
  tokenRejected: boolean;
}

/**
 * The first Socket Mode connection failed after `apps.connections.open` answered: the WebSocket closed before
 * Slack's `hello`, or Slack never said it. Its message is the reason, in an operator's words.
 */
export class SocketModeConnectError extends Error {
  override readonly name = "SocketModeConnectError";
}

interface ErrorFields {
  code?: unknown;
  statusCode?: unknown;
  data?: { error?: unknown };
  original?: unknown;
  message?: unknown;
}

const message = (error: unknown) =>
  error instanceof Error ? error.message : typeof error === "string" ? error : undefined;

/**
 * Describes the rejection of `SocketModeClient.start()`: the Web API errors of `apps.connections.open` are
 * told by their `code` (not `instanceof`: Bolt and the Socket Mode client may each bring their own
 * `@slack/web-api`); `undefined` is how the client rejects when the WebSocket closed before Slack's `hello`,
 * described by `socketError`, the client's last WebSocket error, when there was one.
 */
export function describeSocketModeFailure(error: unknown, socketError?: unknown): SocketModeFailure {
  const f = (typeof error === "object" && error !== null ? error : {}) as ErrorFields;
  if (f.code === "slack_webapi_platform_error" && typeof f.data?.error === "string") {
    const code = f.data.error;
    if (REJECTED_TOKEN_ERRORS.has(code))
      return { reason: `Slack refused the app-level token SLACK_APP_TOKEN (${code})`, tokenRejected: true };
    return { reason: `apps.connections.open answered ${code}`, tokenRejected: false };
  }
  if (f.code === "slack_webapi_http_error" && typeof f.statusCode === "number")
    return { reason: `apps.connections.open answered HTTP ${f.statusCode}`, tokenRejected: false };
  if (f.code === "slack_webapi_request_error") {
    const why = message(f.original) ?? message(error);
    return { reason: `apps.connections.open failed${why ? `: ${why}` : ""}`, tokenRejected: false };
  }
  if (error === undefined) {
    const why = message(socketError);
    return {
      reason: `the WebSocket closed before Slack's hello${why ? ` (${why})` : ""}`,
      tokenRejected: false,
    };
  }
  return { reason: message(error) ?? String(error), tokenRejected: false };
}
