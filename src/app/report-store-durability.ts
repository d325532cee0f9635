import type { Logger } from "../log/create-logger.js";
import type { Metrics } from "../metrics/metrics.js";
import type { RedisDurability } from "../store/check-redis-durability.js";
import { parseStoreUrl } from "../store/parse-store-url.js";

/**
 * At start only: whether the Redis behind `STORE_URL` keeps the bot's state (persistence on, no eviction). An
 * unsafe Redis is accepted (the bot works until Redis restarts or fills up) but said loudly, once per problem,
 * and kept in `store_durable` (0) for an alert; a Redis user that may not run `CONFIG GET` (an ACL user, a
 * managed Redis) is said at info as what it is, not as an outage, the gauge left absent. SQLite and the memory store are not checked (undefined).
 */
export async function reportStoreDurability(
  storeUrl: string,
  deps: { logger: Logger; metrics: Metrics },
): Promise<RedisDurability | undefined> {
  const parsed = parseStoreUrl(storeUrl);
  if (!parsed.ok || parsed.target.backend !== "redis") return undefined;
  const log = deps.logger.child({ component: "store" });
  // Loaded only for a Redis store: the Redis client is some 50 ms of every start's module loading otherwise.
  const { checkRedisDurability } = await import("../store/check-redis-durability.js");
  const durability = await checkRedisDurability({ url: parsed.target.url });
  if (!durability.checked) {
    // A refusal is no outage: the store works, only this check cannot be made. Said as such, so nobody
    // chases a store problem that is not there.
    log.info(
      { reason: durability.reason },
      durability.refused
        ? "could not check whether Redis keeps its data: the Redis user may not run CONFIG GET (the store itself is working); check appendonly and maxmemory-policy on the Redis server instead"
        : "could not check whether Redis keeps its data: Redis did not answer",
    );
    return durability;
  }
  deps.metrics.storeDurable(durability.durable);
  for (const problem of durability.problems)
    log.warn({ durable: false }, `Redis may lose the bot's state: ${problem}`);
  return durability;
}
