import { createHmac } from "node:crypto";
import { buildSlashCommandPayload } from "../../src/sandbox/slack/build-slack-payloads.js";

/**
 * Sends requests to a bot's HTTP receiver exactly as Slack does: form-encoded (commands,
 * interactions) or JSON (events), signed with `v0=HMAC-SHA256(secret, "v0:<ts>:<raw body>")`.
 * Options produce the ways a request can be wrong or repeated.
 */

export interface SignedRequestOptions {
  /** Unix seconds to sign and send; default now. */
  timestamp?: number;
  /** Added to the timestamp: negative = from the past (stale), positive = from the future. */
  skewSeconds?: number;
  /**
   * `valid` (default); `corrupt`: a well-formed `v0=` signature that does not match;
   * `omit`: no `X-Slack-Signature` header; `{ value }`: send this header value verbatim.
   */
  signature?: "valid" | "corrupt" | "omit" | { value: string };
  /** Leave out `X-Slack-Request-Timestamp`. */
  omitTimestamp?: boolean;
  /** Send these exact bytes instead of encoding the fields (redelivery of a previous body). */
  rawBody?: string;
  /** Adds `X-Slack-Retry-Num` (and `X-Slack-Retry-Reason` when `retryReason` is set). */
  retryNum?: number;
  retryReason?: string;
  /** Extra request headers. */
  headers?: Record<string, string>;
}

export interface SlackRequestResult {
  status: number;
  /** Response body as text. */
  body: string;
  /** Response headers (lower-case names). */
  headers: Record<string, string>;
  /** What was sent, to redeliver it with {@link redeliver}. */
  sent: { rawBody: string; contentType: string; timestamp: string; signature?: string };
}

/** `v0=` + hex HMAC-SHA256 of `v0:<timestamp>:<rawBody>`. */
export function signSlackRequest(signingSecret: string, timestamp: number | string, rawBody: string): string {
  const digest = createHmac("sha256", signingSecret).update(`v0:${timestamp}:${rawBody}`).digest("hex");
  return `v0=${digest}`;
}

/** Parses a result body as JSON, or undefined when it is empty or not JSON. */
export function responseJson<T = Record<string, unknown>>(result: SlackRequestResult): T | undefined {
  if (result.body.length === 0) return undefined;
  try {
    return JSON.parse(result.body) as T;
  } catch {
    return undefined;
  }
}

/** POSTs `rawBody` signed as Slack would. The lowest-level helper; the others build bodies for it. */
export async function sendSignedRequest(
  url: string,
  signingSecret: string,
  rawBody: string,
  contentType: string,
  options: SignedRequestOptions = {},
): Promise<SlackRequestResult> {
  const timestamp = String((options.timestamp ?? Math.floor(Date.now() / 1000)) + (options.skewSeconds ?? 0));
  const headers: Record<string, string> = { "content-type": contentType, ...options.headers };
  if (!options.omitTimestamp) headers["x-slack-request-timestamp"] = timestamp;
  const mode = options.signature ?? "valid";
  let signature: string | undefined;
  if (mode === "valid") signature = signSlackRequest(signingSecret, timestamp, rawBody);
  else if (mode === "corrupt") signature = corrupt(signSlackRequest(signingSecret, timestamp, rawBody));
  else if (mode !== "omit") signature = mode.value;
  if (signature !== undefined) headers["x-slack-signature"] = signature;
  if (options.retryNum !== undefined) headers["x-slack-retry-num"] = String(options.retryNum);
  if (options.retryReason !== undefined) headers["x-slack-retry-reason"] = options.retryReason;

  const response = await fetch(url, { method: "POST", headers, body: rawBody });
  const body = await response.text();
  const sent: SlackRequestResult["sent"] = { rawBody, contentType, timestamp };
  if (signature !== undefined) sent.signature = signature;
  return { status: response.status, body, headers: Object.fromEntries(response.headers.entries()), sent };
}

/** Flips the last hex digit: same shape, wrong value. */
function corrupt(signature: string): string {
  const last = signature.at(-1) === "0" ? "1" : "0";
  return `${signature.slice(0, -1)}${last}`;
}

const FORM = "application/x-www-form-urlencoded";

/**
 * A slash command, form-encoded. `fields` are merged over a default `/ecs` command by Alice in #ops;
 * pass `fake.buildSlashCommand(...)` to get a response_url the fake records.
 */
export function sendSlashCommand(
  url: string,
  signingSecret: string,
  fields: Record<string, string> = {},
  options: SignedRequestOptions = {},
): Promise<SlackRequestResult> {
  const merged = { ...buildSlashCommandPayload(), ...fields };
  const rawBody = options.rawBody ?? new URLSearchParams(merged).toString();
  return sendSignedRequest(url, signingSecret, rawBody, FORM, options);
}

/** An interaction payload (`payload=<json>`, form-encoded), as Slack posts every interaction. */
export function sendInteraction(
  url: string,
  signingSecret: string,
  payload: Record<string, unknown>,
  options: SignedRequestOptions = {},
): Promise<SlackRequestResult> {
  const rawBody = options.rawBody ?? new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
  return sendSignedRequest(url, signingSecret, rawBody, FORM, options);
}

/** A `block_actions` interaction (build it with `buildBlockActionPayload` or `fake.buildBlockAction`). */
export function sendBlockAction(
  url: string,
  signingSecret: string,
  payload: Record<string, unknown>,
  options: SignedRequestOptions = {},
): Promise<SlackRequestResult> {
  return sendInteraction(url, signingSecret, { ...payload, type: "block_actions" }, options);
}

/** A `view_submission` interaction (build it with `buildViewSubmissionPayload` or `fake.buildViewSubmission`). */
export function sendViewSubmission(
  url: string,
  signingSecret: string,
  payload: Record<string, unknown>,
  options: SignedRequestOptions = {},
): Promise<SlackRequestResult> {
  return sendInteraction(url, signingSecret, { ...payload, type: "view_submission" }, options);
}

/** An Events API request (JSON), e.g. from `buildEventCallbackPayload`. */
export function sendEvent(
  url: string,
  signingSecret: string,
  payload: Record<string, unknown>,
  options: SignedRequestOptions = {},
): Promise<SlackRequestResult> {
  const rawBody = options.rawBody ?? JSON.stringify(payload);
  return sendSignedRequest(url, signingSecret, rawBody, "application/json", options);
}

/**
 * Sends a previous request's exact body again, freshly signed (as Slack's retries are);
 * pass `timestamp: Number(previous.sent.timestamp)` to replay it byte for byte, signature included.
 */
export function redeliver(
  url: string,
  signingSecret: string,
  previous: SlackRequestResult,
  options: SignedRequestOptions = {},
): Promise<SlackRequestResult> {
  return sendSignedRequest(url, signingSecret, previous.sent.rawBody, previous.sent.contentType, options);
}
