import { ChatDeliveryError } from "../app/ports.js";

/**
 * Any failure of a Slack call as a {@link ChatDeliveryError} carrying Slack's error code, so the middle
 * can explain it: Web API platform errors keep their code (`not_in_channel`, `channel_not_found`, …),
 * rate limits become `ratelimited` (with Slack's `Retry-After` as `retryAfterMs` when known: the bot's WebClient
 * is set to `rejectRateLimitedCalls`, and the chat port's rate-limit gate waits out what was limited), HTTP
 * failures `http_<status>`, transport failures `request_error`.
 * A response_url rejection (Bolt's `respond()`) keeps the code Slack answered (`used_url`, `expired_url`).
 * `operation` (the Web API method, or `respond`) is kept as the error's `method`: what failed is explained from it.
 */
export function toChatDeliveryError(error: unknown, operation: string): ChatDeliveryError {
  if (error instanceof ChatDeliveryError) return error;
  const e = (error ?? {}) as {
    code?: unknown;
    data?: { error?: unknown };
    statusCode?: unknown;
    response?: { status?: unknown; data?: unknown };
    message?: unknown;
    retryAfter?: unknown;
  };
  let code = "unknown_error";
  let retryAfterMs: number | undefined;
  if (e.code === "slack_webapi_platform_error" && typeof e.data?.error === "string") code = e.data.error;
  else if (e.code === "slack_webapi_rate_limited_error") {
    code = "ratelimited";
    // `WebAPIRateLimitedError.retryAfter` is Slack's Retry-After header, in seconds.
    if (typeof e.retryAfter === "number" && Number.isFinite(e.retryAfter) && e.retryAfter >= 0)
      retryAfterMs = e.retryAfter * 1_000;
  } else if (e.code === "slack_webapi_http_error") code = `http_${String(e.statusCode ?? "error")}`;
  else if (e.code === "slack_webapi_request_error") code = "request_error";
  else if (e.response !== undefined) {
    const data = e.response.data as { error?: unknown } | undefined;
    code =
      data !== null && typeof data === "object" && typeof data.error === "string"
        ? data.error
        : `http_${String(e.response.status ?? "error")}`;
  } else if (typeof e.code === "string" && /^E[A-Z]+$/.test(e.code)) code = "request_error";
  const failure = new ChatDeliveryError(code, `${operation} failed: ${code}`, retryAfterMs, operation);
  (failure as { cause?: unknown }).cause = error;
  return failure;
}
