import type { Logger } from "../log/create-logger.js";
import type { DeliveryClaim } from "../slack/listeners/listener-deps.js";
import type { Store } from "../store/store.js";

export interface DeliveryDedupe {
  claim(key: string): Promise<DeliveryClaim>;
}

/**
 * Redelivered Slack requests are handled once across every replica sharing `store`: the first delivery of a
 * key claims it (`store.claimOnce`) for `ttlMs`, longer than Slack's retries (three, over about five
 * minutes) and its five-minute replay window. When the store cannot be reached, nothing is handled.
 */
export function createDeliveryDedupe(options: {
  store: Store;
  logger: Logger;
  ttlMs?: number;
}): DeliveryDedupe {
  const ttlMs = options.ttlMs ?? 60 * 60_000;
  return {
    async claim(key) {
      try {
        // Disposable: losing a claim to a power cut at worst lets one redelivery through again.
        const first = await options.store.claimOnce(key, ttlMs, { durability: "relaxed" });
        return first ? "first" : "repeat";
      } catch (error) {
        options.logger.warn(
          { err: error },
          "could not record a Slack delivery: the state store is unavailable",
        );
        return "unavailable";
      }
    },
  };
}
