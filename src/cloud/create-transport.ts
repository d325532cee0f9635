import { fullJitter } from "exponential-backoff/dist/jitter/full/full.jitter.js";
import type { Dispatcher } from "undici";
import type { Metrics } from "../metrics/metrics.js";
import type { Authenticator } from "./create-authenticator.js";
import { CloudError, ErrorCodes, OutcomeUnknownError, parseCloudError } from "./errors.js";
import { parseRetryAfter } from "./parse-retry-after.js";
import {
  backoffDelay,
  DEFAULT_RETRY,
  defaultSleep,
  encodePath,
  encodeQuery,
  errorCode,
  followAbort,
  headerRecord,
  NOT_SENT_CODES,
  normaliseQuery,
  type QueryValue,
  type RetryOptions,
} from "./transport-helpers.js";

export {
  backoffDelay,
  DEFAULT_RETRY,
  defaultSleep,
  normaliseQuery,
  type QueryValue,
  type RetryOptions,
} from "./transport-helpers.js";

/** One API call. */
export interface CloudRequest {
  method: "GET" | "POST" | "PUT" | "DELETE";
  /** Service base URL, e.g. `https://ecs.ap-southeast-1.myhuaweicloud.com` (may carry a path prefix). */
  endpoint: string;
  /** Decoded path, e.g. `/v1/{project_id}/cloudservers/action`. */
  path: string;
  query?: Record<string, QueryValue>;
  /** JSON body, serialised once: the same bytes are hashed and sent. */
  body?: unknown;
  /** Extra headers, sent unsigned (e.g. `X-OpenStack-Nova-API-Version`). */
  headers?: Record<string, string>;
  /** Operation name for errors and logs, e.g. `ecs.stopServers`. */
  operation: string;
  /** What a mutation is about (e.g. `{ serverIds }`), carried by `OutcomeUnknownError`. */
  identity?: Record<string, unknown>;
  /** Sent as `X-Project-Id` (and signed). */
  projectId?: string;
  /**
   * `read`: retried on 429/500/502/503/504, network errors and the codes `CloudError.retryable` names; after
   * a timeout only once (`RetryOptions.maxTimeoutRetries`).
   * `mutation`: never resent, except after a throttling rejection. Defaults to `read` for GET, `mutation`
   * otherwise.
   */
  retry?: "read" | "mutation";
  /** false for requests that must not carry credentials (IAM token issuance). */
  authenticate?: boolean;
  signal?: AbortSignal;
}

export interface CloudResponse {
  status: number;
  headers: Record<string, string>;
  text: string;
  /** Parsed JSON body; undefined when empty or not JSON. */
  json: unknown;
  requestId: string | undefined;
}

/** Minimal logger surface (pino-compatible). Never given secrets. */
export interface TransportLogger {
  debug(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
}

export interface TransportOptions {
  connectTimeoutMs: number;
  /** Total time of one attempt: connect, headers and body. */
  requestTimeoutMs: number;
  retry?: Partial<RetryOptions>;
  authenticator?: Authenticator;
}

export interface TransportDeps {
  /** undici dispatcher; default a keep-alive `Agent` owned (and closed) by the transport. */
  dispatcher?: Dispatcher;
  /** Clock (ms since epoch): signing dates, Retry-After dates. */
  now?: () => number;
  /** Waits between attempts; must reject when the signal aborts. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Full jitter of a capped delay; default exponential-backoff's `fullJitter`. */
  jitter?: (delayMs: number) => number;
  logger?: TransportLogger;
  /** Attempts (by operation and status, timed), retries and unknown outcomes; default none recorded. */
  metrics?: Pick<Metrics, "cloudRequest" | "cloudRetry" | "outcomeUnknown">;
  /** Monotonic clock (ms) for attempt latency; default `performance.now`. */
  elapsed?: () => number;
}

export interface Transport {
  send(req: CloudRequest): Promise<CloudResponse>;
  close(): Promise<void>;
}

type AttemptFailure = { kind: "timeout" | "not-sent" | "network" | "aborted"; cause: unknown };

/**
 * Creates the HTTP transport: keep-alive pooling, per-attempt connect/total timeouts, signing, the
 * read/mutation retry policy and error normalisation. Everything time-related is injectable.
 */
export function createTransport(options: TransportOptions, deps: TransportDeps = {}): Transport {
  const ownsDispatcher = deps.dispatcher === undefined;
  // undici loads with the first request, not with the bot (about 60 ms of a start to /healthz).
  let dispatcher: Promise<Dispatcher> | undefined =
    deps.dispatcher === undefined ? undefined : Promise.resolve(deps.dispatcher);
  const dispatcherFor = (): Promise<Dispatcher> =>
    (dispatcher ??= import("undici").then(
      (undici) =>
        // A CommonJS package: Node's loader names its exports, the bundle (esbuild) has only `default`.
        new (undici.Agent ?? (undici as unknown as { default: typeof undici }).default.Agent)({
          connect: { timeout: options.connectTimeoutMs },
          // Per origin, one request at a time each (HTTP/1.1): at 100 ms of latency 32 served at most 320
          // requests a second, about what 100 commands a second ask of ECS with the fleet listings; measured
          // with BENCH_ACK_CLOUD_LATENCY_MS=100, 792 of 2,000 requests answered busy at 32, 516 at 128.
          connections: 128,
          keepAliveTimeout: 10_000,
          headersTimeout: options.requestTimeoutMs,
          bodyTimeout: options.requestTimeoutMs,
        }),
    ));
  const now = deps.now ?? Date.now;
  const sleep = deps.sleep ?? defaultSleep;
  const jitter = deps.jitter ?? fullJitter;
  const retry: RetryOptions = { ...DEFAULT_RETRY, ...options.retry };
  const log = deps.logger;
  const metrics = deps.metrics;
  const elapsed = deps.elapsed ?? (() => performance.now());
  let closed = false;

  /** Every attempt, timed: its HTTP status, or what happened instead (`timeout`, `network`, `not-sent`…). */
  async function timedAttempt(...args: Parameters<typeof attempt>): ReturnType<typeof attempt> {
    const started = elapsed();
    const result = await attempt(...args);
    const status = "kind" in result ? result.kind : String(result.status);
    metrics?.cloudRequest(args[0].operation, status, elapsed() - started);
    return result;
  }

  /** An unknown outcome is counted where it is raised: it is what an operator must look at. */
  function unknownOutcome(error: OutcomeUnknownError): OutcomeUnknownError {
    metrics?.outcomeUnknown(error.operation);
    return error;
  }

  async function attempt(
    req: CloudRequest,
    url: URL,
    decodedPath: string,
    query: Record<string, string | string[]>,
    body: Buffer | undefined,
  ): Promise<CloudResponse | AttemptFailure> {
    const headers: Record<string, string> = { Accept: "application/json", ...req.headers };
    if (req.authenticate !== false && options.authenticator) {
      Object.assign(
        headers,
        await options.authenticator.headers({
          method: req.method,
          host: url.host,
          path: decodedPath,
          query,
          body,
          projectId: req.projectId,
          nowMs: now(),
          signal: req.signal,
        }),
      );
    } else {
      headers["Content-Type"] = "application/json";
      if (req.projectId !== undefined) headers["X-Project-Id"] = req.projectId;
    }
    // Outside the try: nothing was sent if the HTTP library cannot load.
    const http = await dispatcherFor();
    // The attempt's clock starts after authentication (a token fetch has its own timeout). A timer cleared
    // when the attempt ends, not `AbortSignal.timeout` and `AbortSignal.any`: those cost about 20 µs a
    // request and keep a timer and two signals alive for the whole timeout (30 s) after a request that took
    // 20 ms, thousands at 100 commands a second, each promoted and marked by the old generation's collections.
    const attemptAbort = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      attemptAbort.abort(new DOMException("The operation was aborted due to timeout", "TimeoutError"));
    }, options.requestTimeoutMs);
    timer.unref();
    const unfollow = followAbort(req.signal, attemptAbort);
    const signal = attemptAbort.signal;
    try {
      const res = await http.request({
        origin: url.origin,
        path: `${url.pathname}${url.search}`,
        method: req.method,
        headers,
        body,
        signal,
      });
      // Decoded as UTF-8 even when the body is all ASCII: a byte copy reads a 1,000-server page (2.5 MB) ten
      // times faster, but Node makes such a string outside V8's heap (over about 1 MB), and the fleet
      // listing's pages then held 20-40 MB more RSS until a collection freed them (measured).
      const text = await res.body.text();
      const resHeaders = headerRecord(res.headers);
      let json: unknown;
      if (text.trim() !== "") {
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
      }
      return {
        status: res.statusCode,
        headers: resHeaders,
        text,
        json,
        requestId: resHeaders["x-request-id"],
      };
    } catch (err) {
      if (req.signal?.aborted) return { kind: "aborted", cause: err };
      const code = errorCode(err);
      if (code !== undefined && NOT_SENT_CODES.has(code)) return { kind: "not-sent", cause: err };
      if (timedOut || code === "UND_ERR_HEADERS_TIMEOUT" || code === "UND_ERR_BODY_TIMEOUT")
        return { kind: "timeout", cause: err };
      return { kind: "network", cause: err };
    } finally {
      clearTimeout(timer);
      unfollow();
    }
  }

  async function send(req: CloudRequest): Promise<CloudResponse> {
    const policy = req.retry ?? (req.method === "GET" ? "read" : "mutation");
    const base = new URL(req.endpoint);
    const prefix = base.pathname === "/" ? "" : decodeURIComponent(base.pathname.replace(/\/+$/, ""));
    const decodedPath = `${prefix}${req.path}`;
    const query = normaliseQuery(req.query);
    const url = new URL(`${base.origin}${encodePath(decodedPath)}${encodeQuery(query)}`);
    const body = req.body === undefined ? undefined : Buffer.from(JSON.stringify(req.body), "utf8");
    const identity = req.identity ?? { path: req.path };

    let attemptNo = 0;
    let throttleRetries = 0;
    let timeoutRetries = 0;
    let reauthenticated = false;
    for (;;) {
      attemptNo++;
      const result = await timedAttempt(req, url, decodedPath, query, body);

      if ("kind" in result) {
        if (result.kind === "aborted") {
          if (policy === "mutation")
            throw unknownOutcome(
              new OutcomeUnknownError({
                operation: req.operation,
                identity,
                reason: "network",
                cause: result.cause,
              }),
            );
          throw result.cause;
        }
        const failure = new CloudError({
          code: result.kind === "timeout" ? ErrorCodes.TIMEOUT : ErrorCodes.NETWORK_ERROR,
          message:
            result.kind === "timeout"
              ? `${req.operation} timed out after ${options.requestTimeoutMs} ms`
              : `${req.operation} failed: ${errorCode(result.cause) ?? (result.cause as Error)?.message ?? "network error"}`,
          retryable: true,
          operation: req.operation,
          cause: result.cause,
        });
        if (policy === "mutation") {
          // A request that never left cannot have taken effect: a plain (retryable) error.
          if (result.kind === "not-sent") throw failure;
          throw unknownOutcome(
            new OutcomeUnknownError({
              operation: req.operation,
              identity,
              reason: result.kind === "timeout" ? "timeout" : "network",
              cause: failure,
            }),
          );
        }
        if (attemptNo >= retry.maxAttempts) throw failure;
        // A hung cloud times out again: bounded apart from the other failures (see `maxTimeoutRetries`).
        if (result.kind === "timeout" && ++timeoutRetries > retry.maxTimeoutRetries) throw failure;
        const delay = backoffDelay(attemptNo, retry, jitter);
        log?.debug(
          { operation: req.operation, attempt: attemptNo, delayMs: delay, reason: result.kind },
          "retrying read",
        );
        metrics?.cloudRetry(req.operation, result.kind);
        await sleep(delay, req.signal);
        continue;
      }

      if (result.status >= 200 && result.status < 300) return result;

      const error = parseCloudError({
        status: result.status,
        body: result.text,
        requestId: result.requestId,
        operation: req.operation,
      });

      if (result.status === 401 && !reauthenticated && options.authenticator?.invalidate()) {
        // An expired/revoked token is rejected by the gateway before the service: safe to resend once.
        reauthenticated = true;
        metrics?.cloudRetry(req.operation, "reauthenticate");
        continue;
      }

      const throttled = error.isThrottled;
      // Statuses and codes after which a read may pass (5xx, 429, busy `Ecs.0603`, `Ecs.1000`–`Ecs.1002`).
      const retryableRead = policy === "read" && error.retryable;
      const retryableMutation =
        policy === "mutation" && throttled && throttleRetries < retry.maxThrottleRetries;
      if ((retryableRead && attemptNo < retry.maxAttempts) || retryableMutation) {
        const retryAfter = parseRetryAfter(result.headers["retry-after"], now());
        if (retryAfter !== undefined && retryAfter > retry.maxRetryAfterMs) throw error;
        const delay = retryAfter ?? backoffDelay(attemptNo, retry, jitter);
        if (policy === "mutation") throttleRetries++;
        log?.debug(
          {
            operation: req.operation,
            attempt: attemptNo,
            status: result.status,
            code: error.code,
            delayMs: delay,
          },
          "retrying after rejection",
        );
        metrics?.cloudRetry(req.operation, throttled ? "throttled" : `status_${result.status}`);
        await sleep(delay, req.signal);
        continue;
      }

      // `Ecs.0603` (501, "other commands are being executed") is a refusal: the cloud did nothing, so it
      // is an ordinary rejection. Any other 5xx, or an internal failure code (`Ecs.1000`–`Ecs.1002`, which
      // the reference gives 400), may have come after part of the work: the outcome is unknown.
      if (policy === "mutation" && !error.isBusy && (result.status >= 500 || error.isInternalFailure)) {
        throw unknownOutcome(
          new OutcomeUnknownError({
            operation: req.operation,
            identity,
            reason: "server-error",
            status: result.status,
            requestId: result.requestId,
            cause: error,
          }),
        );
      }
      throw error;
    }
  }

  return {
    send,
    async close() {
      if (!ownsDispatcher || closed) return;
      closed = true;
      // Never used: nothing was loaded, nothing to close.
      if (dispatcher !== undefined) await (await dispatcher).close();
    },
  };
}
