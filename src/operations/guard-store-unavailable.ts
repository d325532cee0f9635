import type { Logger } from "../log/create-logger.js";
import type { Message } from "../render/message-model.js";
import { StoreUnavailableError } from "../store/store-unavailable-error.js";
import { buildStoreUnavailableView } from "../views/build-store-unavailable-view.js";

/**
 * Runs a handler; if the state store is unreachable (it fails closed, so nothing was decided or executed),
 * tells the user so with {@link buildStoreUnavailableView} instead of a generic internal error. Any other
 * failure is rethrown for the router to explain.
 */
export async function guardStoreUnavailable(
  work: () => Promise<void>,
  tell: (message: Message) => Promise<unknown>,
  logger: Logger,
): Promise<void> {
  try {
    await work();
  } catch (error) {
    if (!(error instanceof StoreUnavailableError)) throw error;
    logger.warn({ err: error }, "the state store is unavailable: nothing was done");
    try {
      await tell(buildStoreUnavailableView());
    } catch (replyError) {
      logger.warn({ err: replyError }, "could not tell the user that the state store is unavailable");
    }
  }
}
