import { INTERNAL_FAILURE_CODES, isRetryableStatus, isServerBusyAnswer } from "../cloud/errors.js";
import { buildErrorMessage } from "../render/build-error-message.js";
import type { Message, Span } from "../render/message-model.js";
import { md } from "../render/message-model.js";

/** The parts of a cloud failure a user may see. */
export interface CloudFailure {
  /** HTTP status, when the service answered. */
  status?: number;
  code: string;
  /** The service's message (untrusted). */
  message: string;
  requestId?: string;
}

/**
 * What an operator is told when ECS refused because other commands are running on the server (`Ecs.0603`,
 * "Try again 1 minute later", or `Ecs.0100` naming another task in progress: `isServerBusyAnswer`): the cloud
 * did nothing, and asking again in a minute is safe. Plain text (the views escape it): the reason of a refused
 * call in a run's thread and summary, and a refused read's answer.
 */
export const SERVER_BUSY_REFUSAL = "busy: another operation is running on the server, try again in a minute";

/**
 * A cloud refusal's reason in operator words: {@link SERVER_BUSY_REFUSAL} for the server busy (whatever the
 * cloud's own words: a job ID, "Try again 1 minute later"), else the cloud's message as it is. Plain text.
 */
export function cloudRefusalReason(code: string | undefined, message: string): string {
  return isServerBusyAnswer(code, message) ? SERVER_BUSY_REFUSAL : message;
}

/** At most this much of the service's message is shown; the rest is in the logs. */
const MAX_SERVICE_MESSAGE = 300;

function explain(failure: CloudFailure): Span[] {
  const said =
    failure.message.length > MAX_SERVICE_MESSAGE
      ? `${failure.message.slice(0, MAX_SERVICE_MESSAGE)}…`
      : failure.message;
  if (failure.code === "TIMEOUT") return md`Huawei Cloud did not answer in time. Try again in a moment.`;
  if (failure.code === "NETWORK_ERROR") return md`Could not reach Huawei Cloud. Try again in a moment.`;
  if (failure.status === 429 || failure.code === "APIG.0308") {
    return md`Huawei Cloud is throttling requests. Try again in a minute.`;
  }
  if (failure.status === 401 || failure.status === 403) {
    return md`Huawei Cloud refused the bot's credentials or permissions: ${said}`;
  }
  if (isServerBusyAnswer(failure.code, failure.message))
    return md`Huawei Cloud answered ${SERVER_BUSY_REFUSAL}.`;
  // `Ecs.1000`–`Ecs.1002` come as 400 but are the service failing, not the request.
  if ((failure.status !== undefined && failure.status >= 500) || INTERNAL_FAILURE_CODES.has(failure.code)) {
    return md`Huawei Cloud had an internal error: ${said}`;
  }
  return md`Huawei Cloud rejected the request: ${said}`;
}

/** Failures that pass: trying again in a moment may well work (a refusal or rejection would not). */
function isTransient(failure: CloudFailure): boolean {
  return (
    (failure.status !== undefined && failure.status >= 500) || isRetryableStatus(failure.status, failure.code)
  );
}

export interface CloudErrorOptions {
  /**
   * The failure came before a change command requested anything (the lookup of its servers): the view says
   * nothing was requested or changed, and, for a failure that passes, that trying again is safe.
   */
  nothingRequested?: boolean;
  /** The failure came while answering a read command: the view says nothing was changed. */
  onlyRead?: boolean;
}

/**
 * A cloud error as a short explanation with the error code and the request ID (for support); for a change
 * command that failed before requesting anything, that nothing was requested or changed; for a read, that
 * nothing was changed. Otherwise it claims nothing: the bot does not know.
 */
export function buildCloudErrorView(failure: CloudFailure, options: CloudErrorOptions = {}): Message {
  const nothing = options.nothingRequested
    ? isTransient(failure)
      ? md`\nNothing was requested or changed (the servers could not be looked up), so it is safe to try again.`
      : md`\nNothing was requested or changed (the servers could not be looked up).`
    : options.onlyRead
      ? md`\nIt was only a read, so nothing was changed.`
      : md``;
  return buildErrorMessage({
    userMessage: md`${explain(failure)}${nothing}`,
    code: failure.code,
    ...(failure.requestId !== undefined ? { requestId: failure.requestId } : {}),
  });
}

/**
 * An internal error: "something went wrong in the bot (reference …)", whether anything may have changed
 * (`onlyRead`: nothing, it was a read) and what to do; the details are in the logs, under the reference.
 */
export function buildInternalErrorView(reference: string, options: { onlyRead?: boolean } = {}): Message {
  return buildErrorMessage({ reference, ...(options.onlyRead === true && { onlyRead: true }) });
}
