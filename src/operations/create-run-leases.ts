import { setMaxListeners } from "node:events";
import type { Logger } from "../log/create-logger.js";
import { createOutageLog } from "../log/create-outage-log.js";
import type { Clock, Store, WriteFence } from "../store/store.js";
import { systemTimers, type Timers } from "./timers.js";

/** Lease name of a run: whoever holds it drives the run; every write to its record is fenced by it. */
export const runLeaseName = (runId: string) => `run:${runId}`;

/** Why a held run stopped being ours: the replica is stopping, or the lease was lost (expired, taken over). */
export type RunLeaseEnd = "stopping" | "lost";

/** This replica's hold on one run. */
export interface RunLease {
  readonly runId: string;
  /** For the executor's writes (`ExecuteFlowDeps.fence`). */
  readonly fence: WriteFence;
  /** Aborts when the run must stop at its next safe point (`ExecuteFlowDeps.signal`). */
  readonly signal: AbortSignal;
  /** Set when `signal` aborted: why. */
  readonly ended: RunLeaseEnd | undefined;
  /** Releases the lease (another replica may take the run at once) and stops renewing it. Never throws. */
  release(): Promise<void>;
}

export interface RunLeases {
  /** Takes the run's lease for this replica; undefined if another replica (or this one) holds it. Throws on store failures. */
  acquire(runId: string): Promise<RunLease | undefined>;
  /** Asks every held run to stop at its next safe point (SIGTERM). New acquisitions are refused. */
  stopAll(): void;
  /** Stops renewing and releases every lease still held. Idempotent. */
  close(): Promise<void>;
  /** Run IDs this replica holds. */
  held(): string[];
}

export interface RunLeasesOptions {
  store: Store;
  /** This replica's identity, the leases' owner. */
  replicaId: string;
  /** Lease time to live: how long a dead replica's runs wait before another replica adopts them. */
  ttlMs: number;
  clock: Clock;
  logger: Logger;
  timers?: Timers;
}

interface Held {
  runId: string;
  token: number;
  /** Expiry as last granted (by the store's clock): past it without a renewal, the lease is not ours. */
  expiresAt: number;
  controller: AbortController;
  ended: RunLeaseEnd | undefined;
}

/**
 * Ownership of running flows across replicas: a run is driven only by the holder of `run:<runId>`, which
 * renews it every third of the TTL. A renewal refused (expired, taken over) or impossible until the lease's
 * expiry (the store unreachable) ends the hold: the run's signal aborts and the run stops at its next safe
 * point, quietly; its fenced writes would be refused anyway. Another replica's adoption pass then takes it.
 */
export function createRunLeases(options: RunLeasesOptions): RunLeases {
  const { store, replicaId, ttlMs, clock } = options;
  const logger = options.logger.child({ component: "run-leases", replica: replicaId });
  const timers = options.timers ?? systemTimers;
  const held = new Map<string, Held>();
  const outage = createOutageLog(logger, clock);
  let timer: unknown;
  let renewing = false;
  let stopping = false;

  /** Renewals run every third of the TTL from the first acquisition until `close()`. */
  function armRenewals(): void {
    if (timer !== undefined || stopping) return;
    timer = timers.setInterval(
      () => {
        void renewAll();
      },
      Math.max(1, Math.floor(ttlMs / 3)),
    );
  }

  function end(h: Held, why: RunLeaseEnd): void {
    if (h.ended !== undefined) return;
    h.ended = why;
    h.controller.abort(new Error(why === "lost" ? "run lease lost" : "replica stopping"));
  }

  async function renewAll(): Promise<void> {
    if (renewing) return;
    renewing = true;
    try {
      await Promise.all(
        [...held.values()].map(async (h) => {
          if (h.ended === "lost") return;
          try {
            const renewed = await store.renewLease(runLeaseName(h.runId), replicaId, h.token, ttlMs);
            outage.succeeded();
            if (renewed) {
              h.expiresAt = clock.now() + ttlMs;
              return;
            }
            logger.warn({ run: h.runId, token: h.token }, "run lease lost: another replica may continue it");
            end(h, "lost");
          } catch (error) {
            if (clock.now() < h.expiresAt) {
              if (!outage.failed(error, "run leases are not renewed", { run: h.runId }))
                logger.warn({ err: error, run: h.runId }, "could not renew the run lease; retrying");
              return;
            }
            logger.warn({ err: error, run: h.runId }, "run lease expired while the store was unreachable");
            end(h, "lost");
          }
        }),
      );
    } finally {
      renewing = false;
    }
  }

  return {
    async acquire(runId) {
      if (stopping) return undefined;
      const lease = await store.acquireLease(runLeaseName(runId), replicaId, ttlMs);
      if (lease === undefined) return undefined;
      const h: Held = {
        runId,
        token: lease.token,
        expiresAt: lease.expiresAt,
        controller: new AbortController(),
        ended: undefined,
      };
      // Every read, sleep and job wait of the run listens to it, one per job at once (a resize of 50 servers
      // follows 50 jobs): not a leak, so Node's warning past 10 listeners would only alarm the operator.
      setMaxListeners(0, h.controller.signal);
      // Several holds of one run in this process cannot happen: the store grants the lease once.
      held.set(runId, h);
      armRenewals();
      let released = false;
      return {
        runId,
        fence: { lease: runLeaseName(runId), owner: replicaId, token: lease.token },
        signal: h.controller.signal,
        get ended() {
          return h.ended;
        },
        async release() {
          if (released) return;
          released = true;
          if (held.get(runId) === h) held.delete(runId);
          if (h.ended === "lost") return;
          try {
            await store.releaseLease(runLeaseName(runId), replicaId, h.token);
          } catch (error) {
            // It expires on its own; another replica adopts the run then.
            logger.warn({ err: error, run: runId }, "could not release the run lease");
          }
        },
      };
    },
    stopAll() {
      stopping = true;
      for (const h of held.values()) end(h, "stopping");
    },
    async close() {
      stopping = true;
      if (timer !== undefined) timers.clearInterval(timer);
      timer = undefined;
      const remaining = [...held.values()];
      held.clear();
      await Promise.all(
        remaining.map(async (h) => {
          end(h, "stopping");
          try {
            await store.releaseLease(runLeaseName(h.runId), replicaId, h.token);
          } catch (error) {
            logger.warn({ err: error, run: h.runId }, "could not release the run lease");
          }
        }),
      );
    },
    held: () => [...held.keys()],
  };
}
