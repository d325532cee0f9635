import { SocketModeConnectError } from "../slack/describe-socket-mode-failure.js";
import { REJECTED_TOKEN_ERRORS } from "../slack/rejected-token-errors.js";
import { SlackStartError } from "../slack/slack-start-error.js";
import { StoreInUseError } from "../store/store-in-use-error.js";
import { StoreOpenError } from "../store/store-open-error.js";
import { StoreSchemaTooNewError } from "../store/store-schema-too-new-error.js";
import { StoreUnavailableError } from "../store/store-unavailable-error.js";
import { ClockSkewError } from "./create-replica-presence.js";
import { ConfigFileError } from "./start-hwc-chatops.js";

/** Network errors that mean "nothing answered there". */
const UNREACHABLE = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ENOTFOUND",
  "EAI_AGAIN",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "UND_ERR_CONNECT_TIMEOUT",
  "UND_ERR_SOCKET",
  "CERT_HAS_EXPIRED",
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
]);

export interface StartupFailureContext {
  /** The Web API base URL in use (`SLACK_API_URL`, or Slack's). Never carries a secret. */
  slackApiUrl: string;
  /** The port the bot (HTTP mode) or the playground page was to listen on. */
  port?: number;
  /** The variable that sets `port`: `PORT` (default), or `METRICS_PORT` (Socket Mode's metrics server). */
  portVariable?: "PORT" | "METRICS_PORT";
}

interface ErrorFields {
  code?: unknown;
  errno?: unknown;
  syscall?: unknown;
  statusCode?: unknown;
  data?: { error?: unknown };
  original?: unknown;
  cause?: unknown;
}

const fields = (error: unknown): ErrorFields =>
  typeof error === "object" && error !== null ? (error as ErrorFields) : {};

/** The network error code under a Slack request error (`original`) or a fetch failure (`cause`), if any. */
function networkCode(error: unknown): string | undefined {
  for (let e: unknown = error, depth = 0; e !== undefined && depth < 5; depth++) {
    const f = fields(e);
    if (typeof f.code === "string" && UNREACHABLE.has(f.code)) return f.code;
    e = f.original ?? f.cause;
  }
  return undefined;
}

/** The message of the deepest cause (`original` / `cause` chain), e.g. `bad port` under `fetch failed`. */
function innermostMessage(error: unknown): string | undefined {
  let message: string | undefined;
  for (let e: unknown = error, depth = 0; e !== undefined && depth < 5; depth++) {
    if (e instanceof Error) message = e.message;
    const f = fields(e);
    e = f.original ?? f.cause;
  }
  return message;
}

/**
 * The one line to print when start-up fails because of the environment, naming the setting to fix:
 * configuration files (every problem, file:line), a Slack token Slack refuses (`SLACK_BOT_TOKEN`,
 * `SLACK_APP_TOKEN`), a Slack that cannot be reached (`SLACK_API_URL`), a port that is taken or not allowed
 * (`PORT`), the store (`STORE_URL`). Never a secret, never a stack. Undefined for anything else: that is a bug,
 * and the caller shows it with its stack.
 */
export function explainStartupFailure(error: unknown, context: StartupFailureContext): string | undefined {
  if (error instanceof ConfigFileError) return error.message;
  if (error instanceof StoreInUseError) return `STORE_URL: ${error.message}`;
  if (error instanceof StoreOpenError) return `STORE_URL: ${error.message}`;
  if (error instanceof StoreUnavailableError) return `STORE_URL: ${error.message}`;
  if (error instanceof StoreSchemaTooNewError) return `STORE_URL: ${error.message}`;
  if (error instanceof ClockSkewError) return error.message;
  const stage = error instanceof SlackStartError ? error.stage : undefined;
  const cause = error instanceof SlackStartError ? error.cause : error;
  const f = fields(cause);
  const port = context.port !== undefined ? `port ${context.port}` : "the port";
  const variable = context.portVariable ?? "PORT";

  if (f.code === "EADDRINUSE")
    return `${variable}: ${port} is already in use by another process; stop it or set ${variable} to a free port`;
  if (f.code === "EACCES" && f.syscall === "listen")
    return `${variable}: this process may not listen on ${port} (ports below 1024 need privileges); set ${variable} to another port`;
  if (stage === "listen") return undefined;

  if (cause instanceof SocketModeConnectError)
    return `Slack's Socket Mode connection did not open (${cause.message}); check that this host can open WebSockets to Slack (wss-primary.slack.com, through proxies and firewalls), then start the bot again`;
  const slackError = typeof f.data?.error === "string" ? f.data.error : undefined;
  if (slackError !== undefined && REJECTED_TOKEN_ERRORS.has(slackError)) {
    return stage === "connect"
      ? `SLACK_APP_TOKEN: Slack refused the app-level token (${slackError}); use an xapp- token with the connections:write scope of this app, with Socket Mode enabled`
      : `SLACK_BOT_TOKEN: Slack refused the bot token (${slackError}); use the Bot User OAuth Token (xoxb-…) of the installed app`;
  }
  const unreachable = networkCode(cause);
  if (unreachable !== undefined)
    return `SLACK_API_URL: Slack's Web API at ${context.slackApiUrl} cannot be reached (${unreachable}); check the network, or SLACK_API_URL if it is set`;
  if (f.code === "slack_webapi_request_error") {
    const reason = innermostMessage(cause);
    return `SLACK_API_URL: Slack's Web API at ${context.slackApiUrl} cannot be reached${reason ? ` (${reason})` : ""}; check the network, or SLACK_API_URL if it is set`;
  }
  if (f.code === "slack_webapi_http_error" && typeof f.statusCode === "number")
    return `SLACK_API_URL: ${context.slackApiUrl} answered HTTP ${f.statusCode}, not as Slack's Web API does; check SLACK_API_URL`;
  return undefined;
}
