/** Slack's usual answer when a rate limit came without `Retry-After`. */
const DEFAULT_RETRY_AFTER_MS = 1_000;

/** The error codes a Slack rate limit comes as: Slack's own, and `@slack/web-api`'s. */
const RATE_LIMIT_CODES: ReadonlySet<unknown> = new Set([
  "ratelimited",
  "rate_limited",
  "slack_webapi_rate_limited_error",
]);

/**
 * How long a rate-limited chat call was asked to wait, or undefined when `error` is not a rate limit.
 * Understands a `ChatDeliveryError`'s `retryAfterMs` (milliseconds), `@slack/web-api`'s
 * `WebAPIRateLimitedError.retryAfter` (Slack's `Retry-After` header, seconds), and a rate limit's code alone
 * (no delay known: one second). The one reading of a rate limit for the chat port's gate and the notifier.
 */
export function retryAfterMsOf(error: unknown): number | undefined {
  if (typeof error !== "object" || error === null) return undefined;
  const e = error as { retryAfterMs?: unknown; retryAfter?: unknown; code?: unknown };
  if (typeof e.retryAfterMs === "number" && Number.isFinite(e.retryAfterMs) && e.retryAfterMs >= 0)
    return e.retryAfterMs;
  if (typeof e.retryAfter === "number" && Number.isFinite(e.retryAfter) && e.retryAfter >= 0)
    return e.retryAfter * 1_000;
  return RATE_LIMIT_CODES.has(e.code) ? DEFAULT_RETRY_AFTER_MS : undefined;
}
