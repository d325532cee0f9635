/** Slack's documented replay window: requests older than five minutes must be refused. */
export const MAX_REQUEST_SKEW_SECONDS = 5 * 60;

export type TimestampCheck =
  | { ok: true }
  | { ok: false; reason: "missing" | "malformed" | "too_old" | "in_future" };

/**
 * Checks `X-Slack-Request-Timestamp` against the clock, in both directions: Bolt only refuses stale
 * timestamps, so a captured request signed with a future timestamp could otherwise be replayed until
 * that future arrives. Runs before the signature is verified (`verify-slack-signature.ts`).
 */
export function checkRequestTimestamp(
  header: string | string[] | undefined,
  nowMs: number,
  maxSkewSeconds = MAX_REQUEST_SKEW_SECONDS,
): TimestampCheck {
  if (header === undefined) return { ok: false, reason: "missing" };
  if (Array.isArray(header)) return { ok: false, reason: "malformed" };
  if (!/^\d{1,12}$/.test(header.trim())) return { ok: false, reason: "malformed" };
  const skew = Number(header.trim()) - Math.floor(nowMs / 1000);
  if (skew < -maxSkewSeconds) return { ok: false, reason: "too_old" };
  if (skew > maxSkewSeconds) return { ok: false, reason: "in_future" };
  return { ok: true };
}
