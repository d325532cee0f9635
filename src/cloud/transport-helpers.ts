/**
 * The transport's pure parts: the retry timing (defaults, backoff delay, the default sleep), the encoding of a
 * request's path and query, and the classification of a failed attempt's error code. Apart from
 * `create-transport.ts` so the transport reads as its attempt and retry policy; it calls these directly.
 */
import { fullJitter } from "exponential-backoff/dist/jitter/full/full.jitter.js";
import { rfc3986Encode } from "./sign-request.js";

/** A query parameter as given: arrays repeat the key, undefined drops it. */
export type QueryValue = string | number | boolean | readonly string[] | undefined;

/** The transport's retry policy: how often and how long reads and throttled mutations are retried. */
export interface RetryOptions {
  /** Attempts of a read, including the first. Default 4. */
  maxAttempts: number;
  /** Backoff base: the cap of the first retry's full-jitter delay. Default 200 ms. */
  baseDelayMs: number;
  /** Backoff cap. Default 5 s. */
  maxDelayMs: number;
  /** A `Retry-After` longer than this is not waited for: the error is thrown instead. Default 60 s. */
  maxRetryAfterMs: number;
  /** Resends of a mutation after throttling rejections (429 / APIG.0308). Default 3. */
  maxThrottleRetries: number;
  /**
   * Resends of a read after attempts that timed out, within `maxAttempts`. Default 1: a cloud that let one
   * attempt run to the request timeout (30 s by default) will most likely let the next do the same, and every
   * such attempt is that long again for someone waiting in Slack, so at most two timeouts are waited for
   * (about a minute) instead of four (two). One resend still covers a request lost on a stale kept-alive
   * connection. The fast transient failures (429, 5xx, a reset connection) cost milliseconds each and keep
   * every attempt; mutations are never resent after a timeout (their outcome is unknown) whatever this says.
   */
  maxTimeoutRetries: number;
}

/** The retry policy a transport uses where its options set none. */
export const DEFAULT_RETRY: RetryOptions = {
  maxAttempts: 4,
  baseDelayMs: 200,
  maxDelayMs: 5000,
  maxRetryAfterMs: 60_000,
  maxThrottleRetries: 3,
  maxTimeoutRetries: 1,
};

/** Errors raised before any byte of the request could have reached the server. */
export const NOT_SENT_CODES = new Set([
  "ECONNREFUSED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "ENETUNREACH",
  "EHOSTUNREACH",
  "UND_ERR_CONNECT_TIMEOUT",
  "ERR_TLS_CERT_ALTNAME_INVALID",
  "CERT_HAS_EXPIRED",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "DEPTH_ZERO_SELF_SIGNED_CERT",
]);

/** Sleeps `ms`, rejecting with the signal's reason when it aborts (at once if it already has). */
export function defaultSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/**
 * Aborts `controller` with `signal`'s reason when `signal` aborts (at once if it already has), until the
 * returned function is called. Unlike `AbortSignal.any`, nothing of either is kept once the work is over.
 */
export function followAbort(signal: AbortSignal | undefined, controller: AbortController): () => void {
  if (signal === undefined) return () => {};
  const onAbort = () => controller.abort(signal.reason);
  if (signal.aborted) {
    onAbort();
    return () => {};
  }
  signal.addEventListener("abort", onAbort, { once: true });
  return () => signal.removeEventListener("abort", onAbort);
}

/** The delay before retry number `retry` (1-based): full jitter over a capped exponential. */
export function backoffDelay(
  retry: number,
  opts: Pick<RetryOptions, "baseDelayMs" | "maxDelayMs">,
  jitter: (delayMs: number) => number = fullJitter,
): number {
  const capped = Math.min(opts.maxDelayMs, opts.baseDelayMs * 2 ** Math.max(0, retry - 1));
  return jitter(capped);
}

/** Flattens query values to strings (undefined dropped), the form both signed and sent. */
export function normaliseQuery(query: Record<string, QueryValue> = {}): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined) continue;
    out[key] = Array.isArray(value) ? [...(value as readonly string[])] : String(value);
  }
  return out;
}

/** The decoded path with each segment RFC 3986-encoded, as sent (and as the signature expects). */
export function encodePath(decodedPath: string): string {
  return decodedPath
    .split("/")
    .map((segment) => rfc3986Encode(segment))
    .join("/");
}

/** `?k=v&k=v2` of a normalised query, keys and values RFC 3986-encoded in the given order; "" when empty. */
export function encodeQuery(query: Record<string, string | string[]>): string {
  const parts: string[] = [];
  for (const [key, value] of Object.entries(query)) {
    for (const v of typeof value === "string" ? [value] : value)
      parts.push(`${rfc3986Encode(key)}=${rfc3986Encode(v)}`);
  }
  return parts.length > 0 ? `?${parts.join("&")}` : "";
}

/** Response headers as one lower-cased string each (repeated headers joined by ", "). */
export function headerRecord(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) {
    if (v !== undefined) out[k.toLowerCase()] = Array.isArray(v) ? v.join(", ") : v;
  }
  return out;
}

/** The first string `code` on the error or its `cause` chain (4 deep), e.g. `ECONNREFUSED`. */
export function errorCode(err: unknown): string | undefined {
  let e: unknown = err;
  for (let depth = 0; depth < 4 && e; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string") return code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}
