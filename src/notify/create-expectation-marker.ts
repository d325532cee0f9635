import { type Clock, type Store, systemClock } from "../store/store.js";
import type { NotificationsConfig } from "./load-notifications-config.js";
import { markExpectedTransition } from "./mark-expected-transition.js";
import type { NotifierLogger } from "./notifier-types.js";

/**
 * The ECS status each executor call leaves its servers in. A reboot, a resize and a migration keep the
 * status the watcher compares (REBOOT / RESIZE are transitional), so they explain nothing; the stop and start
 * around them are calls of their own. A reinstall or OS change starts the (stopped) server on its new disk.
 */
const STATUS_AFTER_CALL: Readonly<Record<string, string>> = {
  "ecs.batch_start": "ACTIVE",
  "ecs.batch_stop": "SHUTOFF",
  "ecs.delete": "DELETED",
  "ecs.reinstall": "ACTIVE",
  "ecs.change_os": "ACTIVE",
};

/** A mutation about to be sent (structurally the executor's `MutationNotice`). */
export interface ExpectedMutation {
  call: string;
  serverIds: readonly string[];
  /** How long the flow waits for the call's jobs. */
  waitTimeoutMs?: number;
}

export interface ExpectationMarkerDeps {
  store: Store;
  config: Pick<NotificationsConfig, "watchers">;
  /** Default: the wall clock. */
  clock?: Clock;
  logger?: NotifierLogger;
  /** Used when the flow has no wait after the call. Default 15 min. */
  defaultWaitMs?: number;
}

const DEFAULT_WAIT_MS = 15 * 60_000;
/** Store writes in flight at once for a large batch (one key per server, so no contention). */
const PARALLEL_WRITES = 16;

/**
 * The executor's `onBeforeMutation` hook: records, for every server of a start, stop or delete about to be
 * sent, the status it is expected to reach (see {@link markExpectedTransition}), so the ECS watcher does not
 * announce the bot's own operations as changes made outside it.
 *
 * An expectation lasts the flow's wait timeout plus, for the slowest ECS watcher, one interval (the run
 * that sees the new status) and one lease TTL (another replica taking the watcher over). With no ECS
 * watcher enabled it records nothing. Failures are logged, never thrown: an unrecorded expectation only
 * means the change is announced.
 */
export function createExpectationMarker(
  deps: ExpectationMarkerDeps,
): (mutation: ExpectedMutation) => Promise<void> {
  const clock = deps.clock ?? systemClock;
  const ecsWatchers = deps.config.watchers.filter((w) => w.kind === "ecs_servers");
  const graceMs = Math.max(0, ...ecsWatchers.map((w) => w.intervalMs + w.leaseTtlMs));
  return async (mutation) => {
    const toStatus = STATUS_AFTER_CALL[mutation.call];
    if (toStatus === undefined || ecsWatchers.length === 0) return;
    const untilMs = clock.now() + (mutation.waitTimeoutMs ?? deps.defaultWaitMs ?? DEFAULT_WAIT_MS) + graceMs;
    const ids = [...mutation.serverIds];
    for (let i = 0; i < ids.length; i += PARALLEL_WRITES) {
      const settled = await Promise.allSettled(
        ids
          .slice(i, i + PARALLEL_WRITES)
          .map((id) => markExpectedTransition(deps.store, clock, id, toStatus, untilMs)),
      );
      const failed = settled.filter((s) => s.status === "rejected");
      if (failed.length > 0) {
        deps.logger?.warn(
          { call: mutation.call, failed: failed.length, err: failed[0]?.reason },
          "could not record expected transitions; they will be announced",
        );
      }
    }
  };
}
