import type { Message } from "../../render/message-model.js";
import type { ListenerDeps } from "./listener-deps.js";

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
