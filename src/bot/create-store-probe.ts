import { randomUUID } from "node:crypto";
import type { Logger } from "../log/create-logger.js";
import { createOutageLog } from "../log/create-outage-log.js";
import { type Store, writeUpdate } from "../store/store.js";

/** A store that does not answer a readiness probe within this long is not ready. */
const STORE_PROBE_TIMEOUT_MS = 2_000;
/**
 * `/readyz` writes its key (prefix + one ID per bot, so replicas never write the same key) and reads it back:
 * a store that still answers reads but refuses writes (a full disk, a read-only replica) serves nobody, since
 * every command first records its delivery. It runs once per probe and per scrape of `/metrics` (every few
 * seconds), probes at the same time sharing one write; the key expires soon after the last one.
 */
const STORE_PROBE_KEY_PREFIX = "readyz:probe:";
const STORE_PROBE_TTL_MS = 60_000;

/**
 * `/readyz`'s check of the store: "ok" once its probe key is written, else why not (the write's failure, or no
 * answer in time).
 */
export function createStoreProbe(store: Store, log: Logger, now: () => number): () => Promise<string> {
  const probeKey = `${STORE_PROBE_KEY_PREFIX}${randomUUID()}`;
  // Said once as it starts and once as it ends, like every other part that meets the store again and again.
  const probeOutage = createOutageLog(log, { now });
  let probeWrite: Promise<string> | undefined;
  /** One write at a time: probes that come while one is in flight (a hung store) share its answer. */
  const writeProbeKey = (): Promise<string> => {
    probeWrite ??= store
      .update(probeKey, () => writeUpdate(Date.now(), { ttlMs: STORE_PROBE_TTL_MS }), { retries: 2 })
      .then(
        (result) => {
          if (!result.ok) return `the probe key could not be written (${result.reason})`;
          probeOutage.succeeded();
          return "ok";
        },
        (error: unknown) => {
          if (!probeOutage.failed(error, "/readyz answers 503 and store_up is 0"))
            log.warn({ err: error }, "/readyz: the store could not be written");
          return error instanceof Error ? error.message : String(error);
        },
      )
      .finally(() => {
        probeWrite = undefined;
      });
    return probeWrite;
  };
  return async (): Promise<string> => {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<string>((resolve) => {
      timer = setTimeout(
        () => resolve(`no answer within ${STORE_PROBE_TIMEOUT_MS} ms`),
        STORE_PROBE_TIMEOUT_MS,
      );
      timer.unref();
    });
    try {
      return await Promise.race([writeProbeKey(), timeout]);
    } finally {
      clearTimeout(timer);
    }
  };
}
