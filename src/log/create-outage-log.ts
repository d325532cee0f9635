import type { Clock } from "../store/store.js";
import { StoreUnavailableError } from "../store/store-unavailable-error.js";

/**
 * How one component that meets the store again and again (run-lease renewals, the adoption pass, the expiry
 * sweep, the scheduled changes' pass, the Slack delivery claims) logs a store outage: a warning with the reason when its first store call fails, debug while it lasts, and one info
 * line with how long it lasted when a call succeeds again. Such a component retries every second or so: a
 * warning with a stack each time buries the one line that matters. Other errors are not outages: the caller
 * logs them as before.
 */
export interface OutageLog {
  /**
   * A call of the component failed. An unavailable store is logged here (returns true); any other error is
   * left to the caller (returns false). `what` says what could not be done ("could not renew the run lease").
   */
  failed(error: unknown, what: string, fields?: Record<string, unknown>): boolean;
  /** A call of the component succeeded: the outage in progress, if any, is over. */
  succeeded(): void;
}

/** What an outage log writes with: any logger taking fields and a message (pino's, the notifier's). */
export interface OutageLogger {
  debug(fields: object, message: string): void;
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
}

/** One per component (each says its own outage once); below its users, as a seam shared by several layers. */
export function createOutageLog(logger: OutageLogger, clock: Clock): OutageLog {
  let since: number | undefined;
  return {
    failed(error, what, fields = {}) {
      if (!(error instanceof StoreUnavailableError)) return false;
      if (since === undefined) {
        since = clock.now();
        // The reason without the stack: every call fails the same way until the store is back.
        logger.warn(
          { ...fields, reason: error.message },
          `the store is unavailable: ${what} until it is back`,
        );
      } else logger.debug({ ...fields, reason: error.message }, what);
      return true;
    },
    succeeded() {
      if (since === undefined) return;
      const lastedMs = clock.now() - since;
      since = undefined;
      logger.info({ lastedMs }, "the store is available again");
    },
  };
}
