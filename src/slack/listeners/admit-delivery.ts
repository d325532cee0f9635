import type { Message } from "../../render/message-model.js";
import type { ListenerDeps } from "./listener-deps.js";

/**
 * Queues the work of an acked delivery; when the queue is full, tells the user that the bot is busy (through
 * `tell` when there is a way to reach them) and logs it.
 */
export async function enqueueOrTellBusy(
  deps: ListenerDeps,
  work: () => Promise<void>,
  tell: ((message: Message) => Promise<unknown>) | undefined,
): Promise<void> {
  if (deps.enqueue(work)) return;
  deps.logger.warn("work queue full: request turned away as busy");
  if (tell === undefined || deps.busy === undefined) return;
  try {
    await tell(deps.busy);
  } catch (error) {
    deps.logger.warn({ err: error }, "could not tell the user that the bot is busy");
  }
}

/**
 * Whether to handle a delivery: true for its first delivery; false for a redelivery (dropped quietly) and
 * when the state store is unavailable (the user is told, through `tell` when there is a way to reach them).
 */
export async function admitDelivery(
  deps: ListenerDeps,
  key: string,
  tell: ((message: Message) => Promise<unknown>) | undefined,
): Promise<boolean> {
  if (deps.claimDelivery === undefined) return true;
  const claim = await deps.claimDelivery(key);
  if (claim === "first") return true;
  if (claim === "repeat") {
    deps.logger.info({ key }, "redelivered Slack request ignored: it was handled already");
    return false;
  }
  if (tell !== undefined && deps.storeUnavailable !== undefined) {
    try {
      await tell(deps.storeUnavailable);
    } catch (error) {
      deps.logger.warn({ err: error }, "could not tell the user that the state store is unavailable");
    }
  }
  return false;
}
