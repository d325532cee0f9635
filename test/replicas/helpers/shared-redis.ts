import { createClient } from "@redis/client";
import { createRedisStore } from "../../../src/store/create-redis-store.js";
import type { Store } from "../../../src/store/store.js";

/** The shared Redis of the test run (CI starts one). Tests using it fail, saying why, when it is not there. */
export const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";

/** `STORE_URL` for a bot on `redisUrl` with its own namespace. */
export function storeUrlOf(redisUrl: string, namespace: string): string {
  const url = new URL(redisUrl);
  url.searchParams.set("namespace", namespace);
  return url.href;
}

/**
 * Connects to the shared Redis (throwing a clear error when it is missing: never a silent skip), and
 * returns a store on `namespace` for the test to look into, plus a cleanup that deletes every key of it.
 */
export async function openSharedRedis(
  namespace: string,
): Promise<{ store: Store; cleanup(): Promise<void> }> {
  const admin = createClient({ url: REDIS_URL, socket: { connectTimeout: 2000, reconnectStrategy: false } });
  admin.on("error", () => {
    // Reported by the ping below.
  });
  try {
    await admin.connect();
    await admin.ping();
  } catch (error) {
    throw new Error(
      `the replica tests need a Redis server at REDIS_URL=${REDIS_URL} (start one with ` +
        `\`redis-server --port 6379\`, or point REDIS_URL elsewhere): ${(error as Error).message}`,
    );
  }
  const store = createRedisStore({ url: REDIS_URL, namespace });
  return {
    store,
    async cleanup() {
      await store.close();
      for await (const keys of admin.scanIterator({ MATCH: `hwc:{${namespace}}:*`, COUNT: 1000 })) {
        if (keys.length > 0) await admin.del(keys);
      }
      admin.destroy();
    },
  };
}
