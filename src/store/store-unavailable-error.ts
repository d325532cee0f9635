/**
 * A network backend (Redis) could not be reached or did not answer. The call may or may not have taken
 * effect (see the `Store` rules): callers fail closed. The message names the backend by host and port only,
 * never with credentials, so it is safe to log and to show in Slack.
 */
export class StoreUnavailableError extends Error {
  override readonly name = "StoreUnavailableError";

  constructor(
    /** Where the store is, without credentials, e.g. "Redis at 10.0.0.5:6379". */
    readonly backend: string,
    reason: string,
    options?: ErrorOptions,
  ) {
    super(`the state store (${backend}) is unavailable: ${reason}`, options);
  }
}
