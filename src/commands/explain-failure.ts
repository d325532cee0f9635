import { ChatDeliveryError } from "../app/ports.js";
import { CloudError, OutcomeUnknownError } from "../cloud/errors.js";
import type { Logger } from "../log/create-logger.js";
import { randomText } from "../random/random-text.js";
import { buildErrorMessage } from "../render/build-error-message.js";
import type { Message } from "../render/message-model.js";
import { md } from "../render/message-model.js";
import { StoreUnavailableError } from "../store/store-unavailable-error.js";
import { buildCloudErrorView, buildInternalErrorView } from "../views/build-cloud-error-view.js";
import { buildSlackFailureView, CHANNEL_REFUSALS } from "../views/build-slack-failure-view.js";
import { buildStoreUnavailableView } from "../views/build-store-unavailable-view.js";

/** Errors thrown before a change command requested anything (see `nothingRequested`). */
const NOTHING_REQUESTED = new WeakSet<object>();

/**
 * Marks `error` (the same error, rethrown as it is) as thrown before a change command requested anything,
 * e.g. by the lookup of its servers: explained, a cloud error says nothing was requested or changed.
 */
export function nothingRequested(error: unknown): unknown {
  if (typeof error === "object" && error !== null) NOTHING_REQUESTED.add(error);
  return error;
}

/** Errors thrown while answering a read command (see `onlyRead`). */
const ONLY_READ = new WeakSet<object>();

/**
 * Marks `error` (the same error, rethrown as it is) as thrown while answering a read command, which changes no
 * server: explained, the message says nothing was changed and trying again is safe.
 */
export function onlyRead(error: unknown): unknown {
  if (typeof error === "object" && error !== null) ONLY_READ.add(error);
  return error;
}

/** A short reference users can quote; the log line with the details carries the same value. */
export function newReference(): string {
  return randomText(4, "hex");
}

/**
 * The message explaining a failure to the requester, and the matching log line:
 * - `CloudError`: the service's explanation, error code and request ID (warn); marked `nothingRequested`,
 *   also that nothing was requested or changed (and, when it may pass, that trying again is safe);
 * - `OutcomeUnknownError`: that the outcome is unknown, with the request ID (warn);
 * - `ChatDeliveryError`: which Slack call failed, in the requester's words, and what to do: a refusal about
 *   the channel (`not_in_channel`…: theirs to fix) at info; anything else (a failed read of their user groups,
 *   Slack answering 5xx…) at warn, with the Slack method and error code. Nothing is audited: the policy could
 *   not decide, so nothing was decided or done (as when the store is down or the servers cannot be looked up);
 * - `StoreUnavailableError`: the state store is down, so nothing was done; try again later (warn) —
 *   the same answer mutations and approval clicks give;
 * - anything else: "something went wrong (reference …)", details only in the log (error).
 * Marked `onlyRead`, a cloud, Slack or internal failure also says that nothing was changed (a read); else, where
 * the bot cannot know whether a change was recorded, it says where to check before asking again.
 * `botUserId` (the bot's Slack user ID, once known) names the bot in the `/invite` hint of a channel refusal.
 */
export function explainFailure(error: unknown, logger: Logger, botUserId?: string): Message {
  if (error instanceof CloudError) {
    logger.warn(
      {
        err: error,
        code: error.code,
        status: error.status,
        requestId: error.requestId,
        operation: error.operation,
      },
      "cloud request failed",
    );
    return buildCloudErrorView(
      {
        code: error.code,
        message: error.message,
        ...(error.status !== undefined ? { status: error.status } : {}),
        ...(error.requestId !== undefined ? { requestId: error.requestId } : {}),
      },
      { nothingRequested: NOTHING_REQUESTED.has(error), onlyRead: ONLY_READ.has(error) },
    );
  }
  if (error instanceof OutcomeUnknownError) {
    logger.warn({ err: error, operation: error.operation, reason: error.reason }, "cloud outcome unknown");
    return buildErrorMessage({
      userMessage: md`Huawei Cloud did not confirm the request (${error.reason}); its outcome is unknown.`,
      ...(error.requestId !== undefined ? { requestId: error.requestId } : {}),
    });
  }
  if (error instanceof ChatDeliveryError) {
    const fields = { method: error.method, code: error.code };
    if (CHANNEL_REFUSALS.has(error.code)) logger.info(fields, "chat delivery refused");
    else logger.warn({ err: error, ...fields }, "Slack call failed");
    return buildSlackFailureView({
      code: error.code,
      botUserId,
      onlyRead: ONLY_READ.has(error),
      ...(error.method !== undefined && { method: error.method }),
    });
  }
  if (error instanceof StoreUnavailableError) {
    logger.warn({ err: error }, "the state store is unavailable: nothing was done");
    return buildStoreUnavailableView();
  }
  const reference = newReference();
  logger.error({ err: error, reference }, "internal error while handling a request");
  const read = typeof error === "object" && error !== null && ONLY_READ.has(error);
  return buildInternalErrorView(reference, { onlyRead: read });
}
