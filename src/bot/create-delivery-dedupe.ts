import type { Logger } from "../log/create-logger.js";
import { createOutageLog } from "../log/create-outage-log.js";
import { type Metrics, noopMetrics } from "../metrics/metrics.js";
import { COMMAND_KEY_PREFIX } from "../slack/listeners/delivery-keys.js";
import type { DeliveryClaim } from "../slack/listeners/listener-deps.js";
import type { Store } from "../store/store.js";

export interface DeliveryDedupe {
  claim(key: string): Promise<DeliveryClaim>;
}

/**
 * Redelivered Slack requests are handled once across every replica sharing `store`: the first delivery of a
 * key claims it (`store.claimOnce`) for `ttlMs`, longer than Slack's retries (three, over about five
 * minutes) and its five-minute replay window. When the store cannot be reached, nothing is handled: a slash
 * command turned away so is logged and counted (`commands_total{outcome="store_unavailable"}`, verb `unparsed`:
 * it is never read), so that an alert can count the people turned away.
 */
export function createDeliveryDedupe(options: {
  store: Store;
  logger: Logger;
  ttlMs?: number;
  /** For how long an outage lasted (default `Date.now`). */
  now?: () => number;
  /** Counts the slash commands turned away; default none. */
  metrics?: Metrics;
}): DeliveryDedupe {
  const metrics = options.metrics ?? noopMetrics;
  const ttlMs = options.ttlMs ?? 60 * 60_000;
  // Every command and click meets the store here: an outage is said once as it starts and once as it ends.
  const outage = createOutageLog(options.logger, { now: options.now ?? Date.now });
  return {
    async claim(key) {
      try {
        // Disposable: losing a claim to a power cut at worst lets one redelivery through again.
        const first = await options.store.claimOnce(key, ttlMs, { durability: "relaxed" });
        outage.succeeded();
        return first ? "first" : "repeat";
      } catch (error) {
        if (!outage.failed(error, "could not record a Slack delivery (nothing is handled)"))
          options.logger.warn(
            { err: error },
            "could not record a Slack delivery: the state store is unavailable",
          );
        if (key.startsWith(COMMAND_KEY_PREFIX)) {
          options.logger.info({ key }, "command turned away: the state store is unavailable");
          metrics.command("unparsed", "store_unavailable");
        }
        return "unavailable";
      }
    },
  };
}
