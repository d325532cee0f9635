import type { Metrics } from "../metrics/metrics.js";
import type { Message } from "../render/message-model.js";
import { abortUpdate, type Clock, type Lease, type Store, type Versioned } from "../store/store.js";
import { applyQuietPeriod, EMPTY_QUIET_STATE } from "./apply-quiet-period.js";
import { buildChangeMessage, sortEvents } from "./build-change-message.js";
import { buildWatcherFailingMessage, buildWatcherRecoveredMessage } from "./build-watcher-alert-message.js";
import type { SendResult } from "./create-channel-sender.js";
import { createFleetIndex, type FleetIndex } from "./create-fleet-index.js";
import { describeError } from "./describe-error.js";
import { EXPECTABLE_EVENTS, ecsServersWatcher } from "./ecs-servers-watcher.js";
import type { FleetEvent } from "./fleet-event.js";
import { hssHostsWatcher } from "./hss-hosts-watcher.js";
import { hssOpenPortsWatcher } from "./hss-open-ports-watcher.js";
import { hssScanTasksWatcher } from "./hss-scan-tasks-watcher.js";
import type { NotificationsConfig, WatcherConfig, WatcherKind } from "./load-notifications-config.js";
import {
  consumeExpectedTransition,
  type ExpectedTransition,
  expectationKey,
} from "./mark-expected-transition.js";
import type { NotifierLogger, WatcherRunResult } from "./notifier-types.js";
import { routeEvents } from "./route-events.js";
import type { NotifierCloud, WatcherKindImpl } from "./watcher-kind.js";
import {
  deliveryError,
  leaseName,
  type SnapshotRecord,
  type StoredRunResult,
  snapshotKey,
  statusKey,
  type WatcherStatusRecord,
} from "./watcher-records.js";

/** Each kind of watcher: how it observes the cloud, diffs two observations and names a subject's state. */
export const WATCHER_KINDS: Readonly<Record<WatcherKind, WatcherKindImpl<unknown>>> = {
  ecs_servers: ecsServersWatcher as WatcherKindImpl<unknown>,
  hss_hosts: hssHostsWatcher as WatcherKindImpl<unknown>,
  hss_open_ports: hssOpenPortsWatcher as WatcherKindImpl<unknown>,
  hss_scan_tasks: hssScanTasksWatcher as WatcherKindImpl<unknown>,
};

export interface WatcherRunnerDeps {
  cloud: NotifierCloud;
  /** The servers the watchers read, kept current between runs; default one of the runner's own over `cloud.ecs`. */
  fleet?: FleetIndex;
  store: Store;
  clock: Clock;
  logger: NotifierLogger;
  /** This replica's name in leases. */
  replicaId: string;
  /** Where a run's changes go. */
  routes: NotificationsConfig["routes"];
  /**
   * Posts one message to each channel (paced and retried), logging what was not delivered; a channel that
   * refuses it for good is said once in `alertChannels` (see `createNotifier`).
   */
  post(
    channels: readonly string[],
    message: Message,
    alertChannels: readonly string[],
  ): Promise<SendResult[]>;
  metrics?: Pick<Metrics, "watcherRun">;
}

/** The watchers' runs on this replica, each under the watcher's lease. */
export interface WatcherRunner {
  /** Runs `w` now, due or not (skipped while this replica is running it, or while another holds its lease). */
  run(w: WatcherConfig): Promise<WatcherRunResult>;
  /**
   * Runs `w` if it is due at `now`; undefined when it was not run. Renews this replica's lease on every
   * call, so the lease stays with a live replica between runs.
   */
  runIfDue(w: WatcherConfig, now: number): Promise<WatcherRunResult | undefined>;
  /** Gives back the leases this replica holds. */
  releaseLeases(): Promise<void>;
}

/**
 * Per watcher run: take or renew the watcher's lease (one replica runs each watcher), read the last
 * snapshot, observe the cloud, diff, drop transitions explained by the bot's own operations, damp flapping,
 * route to channels, then, with the lease re-checked, commit the new snapshot by compare-and-swap guarded
 * by the fencing token, and only then post one message per channel. A run that cannot commit posts
 * nothing, so a transition is announced at most once however many replicas run. The first run of a
 * watcher records a baseline silently. Failures are counted; after `failureThreshold` in a row one
 * "failing" message goes out, and one "recovered" message on the next success.
 */
export function createWatcherRunner(deps: WatcherRunnerDeps): WatcherRunner {
  const { cloud, store, clock, logger, replicaId, post } = deps;
  const fleet = deps.fleet ?? createFleetIndex(cloud.ecs, { now: () => clock.now() });
  const held = new Map<string, Lease>();
  const running = new Set<string>();

  /** Renews this replica's lease on the watcher, or takes it if nobody holds it. */
  async function ensureLease(w: WatcherConfig): Promise<Lease | undefined> {
    const name = leaseName(w.id);
    const current = held.get(w.id);
    if (current !== undefined) {
      if (await store.renewLease(name, replicaId, current.token, w.leaseTtlMs)) {
        const renewed = { token: current.token, expiresAt: clock.now() + w.leaseTtlMs };
        held.set(w.id, renewed);
        return renewed;
      }
      held.delete(w.id);
      logger.info({ watcher: w.id, token: current.token }, "watcher lease lost");
    }
    const lease = await store.acquireLease(name, replicaId, w.leaseTtlMs);
    if (lease !== undefined) held.set(w.id, lease);
    return lease;
  }

  async function runWatcher(w: WatcherConfig): Promise<WatcherRunResult> {
    if (running.has(w.id)) return { watcherId: w.id, outcome: "skipped", reason: "running" };
    running.add(w.id);
    try {
      const result = await runWatcherExclusive(w).catch((error: unknown) => {
        deps.metrics?.watcherRun(w.kind, "failed");
        throw error;
      });
      deps.metrics?.watcherRun(w.kind, result.outcome);
      return result;
    } finally {
      running.delete(w.id);
    }
  }

  async function runWatcherExclusive(w: WatcherConfig): Promise<WatcherRunResult> {
    const impl = WATCHER_KINDS[w.kind];
    const why = impl.unavailable(cloud);
    if (why !== undefined) return { watcherId: w.id, outcome: "skipped", reason: "unavailable", detail: why };
    const lease = await ensureLease(w);
    if (lease === undefined) {
      const holder = await store.getLease(leaseName(w.id));
      return {
        watcherId: w.id,
        outcome: "skipped",
        reason: "lease_held",
        ...(holder && { detail: holder.owner }),
      };
    }
    const runAt = clock.now();
    const stored = await store.get<SnapshotRecord>(snapshotKey(w.id));
    // A watcher whose kind changed under the same ID starts over with a baseline.
    const previous = stored?.value.kind === w.kind ? stored : undefined;

    let observation: Awaited<ReturnType<typeof impl.observe>>;
    try {
      observation = await impl.observe({ cloud, fleet, watcher: w }, previous?.value.data);
    } catch (error) {
      return failed(w, lease, error, runAt);
    }
    const now = clock.now();
    /** The snapshot this run commits: what it observed, with the flap damping's state `quiet`. */
    const snapshotOf = (quiet: SnapshotRecord["quiet"]): SnapshotRecord => ({
      v: 1,
      kind: w.kind,
      takenAt: now,
      token: lease.token,
      data: observation.data,
      quiet,
    });

    if (previous === undefined) {
      const commit = await fenceAndCommit(w, stored, snapshotOf(EMPTY_QUIET_STATE));
      if (!commit.ok) return { watcherId: w.id, outcome: "skipped", reason: commit.reason };
      const result: StoredRunResult = {
        outcome: "baseline",
        observed: observation.observed,
        notes: observation.notes,
        ...(observation.rotation !== undefined && { rotation: observation.rotation }),
      };
      await succeeded(w, commit.lease, runAt, result);
      logger.info({ watcher: w.id, observed: observation.observed }, "watcher baseline recorded");
      return { watcherId: w.id, ...result };
    }

    const changes = impl.diff(previous.value.data, observation.data);
    const { events, explained } = await dropExpected(changes);
    const quiet = applyQuietPeriod({
      events,
      explained,
      state: previous.value.quiet,
      now,
      quietPeriodMs: w.quietPeriodMs,
      stateOf: (family) => impl.stateOf(observation.data, family),
    });
    const commit = await fenceAndCommit(w, stored, snapshotOf(quiet.state));
    if (!commit.ok) return { watcherId: w.id, outcome: "skipped", reason: commit.reason };
    for (const e of explained) await consumeExpectedTransition(store, clock, e.subject.id, e.state);

    const pendingResult: StoredRunResult = {
      outcome: "ok",
      observed: observation.observed,
      changes: changes.length,
      expected: explained.length,
      held: quiet.held,
      announced: quiet.announce.length,
      posted: 0,
      deliveryErrors: [],
      notes: observation.notes,
      ...(observation.rotation !== undefined && { rotation: observation.rotation }),
    };
    await succeeded(w, commit.lease, runAt, pendingResult);

    const routed = routeEvents(sortEvents(quiet.announce), deps.routes, w.id);
    // Channels in parallel; the sender paces and serializes within each channel.
    const deliveries = await Promise.all(
      [...routed].map(async ([channel, channelEvents]) => {
        const message = buildChangeMessage(channelEvents, {
          watcherId: w.id,
          kind: w.kind,
          maxItems: w.maxItems,
          detailedUpTo: w.detailedUpTo,
        });
        const [result] = await post([channel], message, w.alertChannels);
        return { channel, result: result! };
      }),
    );
    const result: StoredRunResult = {
      ...pendingResult,
      posted: deliveries.filter((d) => d.result.ok).length,
      deliveryErrors: deliveries.flatMap(({ channel, result: r }) =>
        r.ok ? [] : [deliveryError(channel, r.error)],
      ),
    };
    if (deliveries.length > 0) await recordResult(w, commit.lease, result);
    if (quiet.announce.length > 0 || quiet.held > 0) {
      logger.info(
        { watcher: w.id, changes: changes.length, announced: quiet.announce.length, held: quiet.held },
        "watcher changes",
      );
    }
    return { watcherId: w.id, ...result };
  }

  /** Splits off the transitions that operations started through the bot announced in advance. */
  async function dropExpected(
    changes: readonly FleetEvent[],
  ): Promise<{ events: FleetEvent[]; explained: FleetEvent[] }> {
    const events: FleetEvent[] = [];
    const explained: FleetEvent[] = [];
    const now = clock.now();
    for (const event of changes) {
      if (EXPECTABLE_EVENTS.has(event.type) && event.subject.kind === "server") {
        const record = await store.get<{ expected: ExpectedTransition[] }>(expectationKey(event.subject.id));
        if (record?.value.expected.some((e) => e.until > now && e.toStatus === event.state)) {
          explained.push(event);
          continue;
        }
      }
      events.push(event);
    }
    return { events, explained };
  }

  /**
   * The fence: re-checks the lease (renewing it), refuses to overwrite a snapshot written under a newer
   * token, and commits by compare-and-swap on the version read at the start of the run.
   */
  async function fenceAndCommit(
    w: WatcherConfig,
    read: Versioned<SnapshotRecord> | undefined,
    record: SnapshotRecord,
  ): Promise<{ ok: true; lease: Lease } | { ok: false; reason: "fenced" | "conflict" }> {
    const lease = await ensureLease(w);
    if (lease === undefined || (read !== undefined && read.value.token > lease.token)) {
      logger.warn({ watcher: w.id }, "watcher run fenced off: lease lost");
      return { ok: false, reason: "fenced" };
    }
    const value = { ...record, token: lease.token };
    const ok =
      read === undefined
        ? await store.createIfAbsent(snapshotKey(w.id), value)
        : await store.compareAndSwap(snapshotKey(w.id), read.version, value);
    if (!ok) logger.warn({ watcher: w.id }, "watcher snapshot changed under the run; not posting");
    return ok ? { ok: true, lease } : { ok: false, reason: "conflict" };
  }

  async function succeeded(w: WatcherConfig, lease: Lease, runAt: number, result: StoredRunResult) {
    let recoveredAfter: number | undefined;
    const update = await store.update<WatcherStatusRecord, "fenced">(
      statusKey(w.id),
      (current) => {
        if (current !== undefined && current.value.token > lease.token) return abortUpdate("fenced");
        const prev = current?.value;
        recoveredAfter = prev?.failingAnnounced ? runAt - (prev.failingSince ?? runAt) : undefined;
        return {
          token: lease.token,
          holder: replicaId,
          lastRunAt: runAt,
          lastSuccessAt: runAt,
          lastResult: result,
          consecutiveFailures: 0,
          failingAnnounced: false,
        };
      },
      { retries: 5 },
    );
    if (update.ok && update.changed && recoveredAfter !== undefined) {
      logger.info({ watcher: w.id }, "watcher recovered");
      await post(
        w.alertChannels,
        buildWatcherRecoveredMessage(
          { watcherId: w.id, kind: w.kind, intervalMs: w.intervalMs },
          recoveredAfter,
        ),
        w.alertChannels,
      );
    }
  }

  async function recordResult(w: WatcherConfig, lease: Lease, result: StoredRunResult) {
    await store.update<WatcherStatusRecord, "stale">(
      statusKey(w.id),
      (current) => {
        if (current === undefined || current.value.token > lease.token) return abortUpdate("stale");
        return { ...current.value, lastResult: result };
      },
      { retries: 5 },
    );
  }

  async function failed(
    w: WatcherConfig,
    lease: Lease,
    error: unknown,
    runAt: number,
  ): Promise<WatcherRunResult> {
    const text = describeError(error);
    let failures = 0;
    let alert = false;
    const update = await store.update<WatcherStatusRecord, "fenced">(
      statusKey(w.id),
      (current) => {
        if (current !== undefined && current.value.token > lease.token) return abortUpdate("fenced");
        const prev = current?.value;
        failures = (prev?.consecutiveFailures ?? 0) + 1;
        alert = failures >= w.failureThreshold && prev?.failingAnnounced !== true;
        return {
          token: lease.token,
          holder: replicaId,
          lastRunAt: runAt,
          ...(prev?.lastSuccessAt !== undefined && { lastSuccessAt: prev.lastSuccessAt }),
          lastResult: { outcome: "failed", error: text, consecutiveFailures: failures },
          consecutiveFailures: failures,
          failingSince: prev?.failingSince ?? runAt,
          failingAnnounced: prev?.failingAnnounced === true || alert,
        };
      },
      { retries: 5 },
    );
    if (!update.ok) return { watcherId: w.id, outcome: "skipped", reason: "fenced" };
    logger.warn({ watcher: w.id, error: text, consecutiveFailures: failures }, "watcher run failed");
    if (alert) {
      await post(
        w.alertChannels,
        buildWatcherFailingMessage(
          { watcherId: w.id, kind: w.kind, intervalMs: w.intervalMs },
          failures,
          text,
        ),
        w.alertChannels,
      );
    }
    return { watcherId: w.id, outcome: "failed", error: text, consecutiveFailures: failures, alerted: alert };
  }

  async function isDue(w: WatcherConfig, now: number): Promise<boolean> {
    const status = await store.get<WatcherStatusRecord>(statusKey(w.id));
    return status === undefined || now >= status.value.lastRunAt + w.intervalMs;
  }

  return {
    run: runWatcher,
    async runIfDue(w, now) {
      if (running.has(w.id) || WATCHER_KINDS[w.kind].unavailable(cloud) !== undefined) return undefined;
      if ((await ensureLease(w)) === undefined) return undefined;
      if (!(await isDue(w, now))) return undefined;
      return runWatcher(w);
    },
    async releaseLeases() {
      await Promise.all(
        [...held].map(([id, lease]) => store.releaseLease(leaseName(id), replicaId, lease.token)),
      );
      held.clear();
    },
  };
}
