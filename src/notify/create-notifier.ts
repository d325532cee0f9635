import { randomUUID } from "node:crypto";
import { Cron } from "croner";
import type { ChatPort } from "../app/ports.js";
import { CloudError } from "../cloud/errors.js";
import type { Metrics } from "../metrics/metrics.js";
import type { Message } from "../render/message-model.js";
import {
  abortUpdate,
  type Clock,
  type Lease,
  type Store,
  systemClock,
  type Versioned,
} from "../store/store.js";
import { applyQuietPeriod, EMPTY_QUIET_STATE } from "./apply-quiet-period.js";
import { buildChangeMessage, sortEvents } from "./build-change-message.js";
import { buildWatcherFailingMessage, buildWatcherRecoveredMessage } from "./build-watcher-alert-message.js";
import { composeDigest } from "./compose-digest.js";
import { createChannelSender, type SendResult } from "./create-channel-sender.js";
import { EXPECTABLE_EVENTS, ecsServersWatcher } from "./ecs-servers-watcher.js";
import type { FleetEvent } from "./fleet-event.js";
import { hssHostsWatcher } from "./hss-hosts-watcher.js";
import { hssOpenPortsWatcher } from "./hss-open-ports-watcher.js";
import { hssScanTasksWatcher } from "./hss-scan-tasks-watcher.js";
import type {
  DigestConfig,
  DigestKind,
  NotificationsConfig,
  WatcherConfig,
  WatcherKind,
} from "./load-notifications-config.js";
import {
  consumeExpectedTransition,
  type ExpectedTransition,
  expectationKey,
  markExpectedTransition,
} from "./mark-expected-transition.js";
import { routeEvents } from "./route-events.js";
import type { NotifierCloud, WatcherKindImpl } from "./watcher-kind.js";
import {
  type DigestStatusRecord,
  digestClaimKey,
  digestStatusKey,
  leaseName,
  type SnapshotRecord,
  type StoredDigestResult,
  type StoredRunResult,
  snapshotKey,
  statusKey,
  type WatcherStatusRecord,
} from "./watcher-records.js";

/** pino-compatible. */
export interface NotifierLogger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface NotifierDeps {
  config: NotificationsConfig;
  cloud: NotifierCloud;
  chat: Pick<ChatPort, "postMessage">;
  store: Store;
  /** Default: the wall clock. Tests pass a manual clock and step with `tick` / `runOnce`. */
  clock?: Clock;
  /** Waits for pacing and `Retry-After`; default `setTimeout`. */
  sleep?: (ms: number) => Promise<void>;
  logger?: NotifierLogger;
  /** This replica's name in leases; default a random UUID. */
  replicaId?: string;
  /** How often `start()` looks for due work; default 1 s. */
  tickIntervalMs?: number;
  /** Watcher runs by kind and outcome (failures among them); default none recorded. */
  metrics?: Pick<Metrics, "watcherRun">;
}

export type SkipReason =
  /** Another replica holds the watcher's lease. */
  | "lease_held"
  /** The lease was lost during the run: nothing was written or posted. */
  | "fenced"
  /** Another run committed first: nothing was posted. */
  | "conflict"
  /** This replica is already running it. */
  | "running"
  /** The cloud client cannot serve this kind of watcher. */
  | "unavailable";

export type WatcherRunResult =
  | ({ watcherId: string } & StoredRunResult & { alerted?: boolean })
  | { watcherId: string; outcome: "skipped"; reason: SkipReason; detail?: string };

export type DigestRunResult =
  | { digestId: string; slot: number; outcome: "posted"; posted: number; deliveryErrors: string[] }
  | { digestId: string; slot: number; outcome: "failed"; error: string }
  /** Another replica (or an earlier tick) already took this slot. */
  | { digestId: string; slot: number; outcome: "skipped"; reason: "claimed" };

export interface TickReport {
  watchers: WatcherRunResult[];
  digests: DigestRunResult[];
}

/** One watcher for `/ops watch list`. */
export interface WatcherInfo {
  id: string;
  kind: WatcherKind;
  description?: string;
  source: string;
  intervalMs: number;
  quietPeriodMs: number;
  /** Channels its changes can reach (from the routes). */
  channels: string[];
  alertChannels: string[];
  available: boolean;
  unavailableReason?: string;
  /** Replica holding its lease now. */
  holder?: string;
  lastRunAt?: number;
  lastSuccessAt?: number;
  nextRunAt?: number;
  lastResult?: StoredRunResult;
  consecutiveFailures: number;
  /** The "failing" message is out and no recovery yet. */
  failing: boolean;
}

export interface DigestInfo {
  id: string;
  kind: DigestKind;
  description?: string;
  source: string;
  schedule: string;
  timeZone: string;
  channels: string[];
  /** Next time this replica will fire it. */
  nextAt?: number;
  lastSlot?: number;
  lastResult?: StoredDigestResult;
}

export interface Notifier {
  /** Runs one watcher now, due or not (still only under its lease). Throws for an unknown ID. */
  runOnce(watcherId: string): Promise<WatcherRunResult>;
  /** Builds and posts one digest now (slot = now). Throws for an unknown ID. */
  runDigest(digestId: string): Promise<DigestRunResult>;
  /** Runs every watcher and digest that is due at `now` (default: the clock). */
  tick(now?: number): Promise<TickReport>;
  /** Data of `/ops watch list`. */
  listWatchers(): Promise<WatcherInfo[]>;
  listDigests(): Promise<DigestInfo[]>;
  /** See {@link markExpectedTransition}. */
  markExpectedTransition(serverId: string, toStatus: string, untilMs: number): Promise<void>;
  /** Ticks every `tickIntervalMs` on real timers until `stop()`. */
  start(): void;
  /** Stops ticking, waits for the current tick and releases this replica's leases. */
  stop(): Promise<void>;
}

const KINDS: Readonly<Record<WatcherKind, WatcherKindImpl<unknown>>> = {
  ecs_servers: ecsServersWatcher as WatcherKindImpl<unknown>,
  hss_hosts: hssHostsWatcher as WatcherKindImpl<unknown>,
  hss_open_ports: hssOpenPortsWatcher as WatcherKindImpl<unknown>,
  hss_scan_tasks: hssScanTasksWatcher as WatcherKindImpl<unknown>,
};

/** A digest slot is claimed for this long (well beyond any schedule's catch-up). */
const DIGEST_CLAIM_TTL_MS = 7 * 24 * 3_600_000;
const MAX_ERROR_TEXT = 300;

const silentLogger: NotifierLogger = { debug() {}, info() {}, warn() {}, error() {} };

function defaultSleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A cloud failure as one line (never contains credentials: CloudError carries none). */
export function describeError(error: unknown): string {
  let text: string;
  if (error instanceof CloudError) {
    text = `${error.code}${error.status !== undefined ? ` (HTTP ${error.status})` : ""}: ${error.message}`;
  } else if (error instanceof Error) text = `${error.name}: ${error.message}`;
  else text = String(error);
  return text.length > MAX_ERROR_TEXT ? `${text.slice(0, MAX_ERROR_TEXT - 1)}…` : text;
}

/**
 * The channel notifier: watchers that poll the cloud and announce transitions, and scheduled digests.
 *
 * Per watcher run: take or renew the watcher's lease (one replica runs each watcher), read the last
 * snapshot, observe the cloud, diff, drop transitions explained by the bot's own operations, damp flapping,
 * route to channels, then, with the lease re-checked, commit the new snapshot by compare-and-swap guarded
 * by the fencing token, and only then post one message per channel. A run that cannot commit posts
 * nothing, so a transition is announced at most once however many replicas run. The first run of a
 * watcher records a baseline silently. Failures are counted; after `failureThreshold` in a row one
 * "failing" message goes out, and one "recovered" message on the next success.
 */
export function createNotifier(deps: NotifierDeps): Notifier {
  const { config, cloud, store } = deps;
  const clock = deps.clock ?? systemClock;
  const logger = deps.logger ?? silentLogger;
  const replicaId = deps.replicaId ?? randomUUID();
  const sender = createChannelSender({
    chat: deps.chat,
    clock,
    sleep: deps.sleep ?? defaultSleep,
    minIntervalMs: config.delivery.minIntervalMs,
    maxAttempts: config.delivery.maxAttempts,
  });
  const watchers = new Map(config.watchers.map((w) => [w.id, w]));
  const digests = new Map(config.digests.map((d) => [d.id, d]));
  const crons = new Map(
    config.digests.map((d) => [d.id, new Cron(d.schedule, { timezone: d.timeZone, paused: true })]),
  );
  const nextDigestAt = new Map<string, number | undefined>();
  const startedAt = clock.now();
  for (const d of config.digests) nextDigestAt.set(d.id, nextFire(d.id, startedAt));
  const held = new Map<string, Lease>();
  const running = new Set<string>();

  for (const w of config.watchers) {
    const why = KINDS[w.kind].unavailable(cloud);
    if (why !== undefined) logger.warn({ watcher: w.id, reason: why }, "watcher unavailable");
  }

  function nextFire(digestId: string, after: number): number | undefined {
    return crons.get(digestId)?.nextRun(new Date(after))?.getTime();
  }

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

  async function post(channels: readonly string[], message: Message): Promise<SendResult[]> {
    const results = await Promise.all(channels.map((c) => sender.send(c, message)));
    results.forEach((r, i) => {
      if (!r.ok) logger.warn({ channel: channels[i], error: r.error }, "notification not delivered");
    });
    return results;
  }

  // ------------------------------------------------------------------------------------------------
  // Watchers
  // ------------------------------------------------------------------------------------------------

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
    const impl = KINDS[w.kind];
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
      observation = await impl.observe({ cloud, watcher: w }, previous?.value.data);
    } catch (error) {
      return failed(w, lease, error, runAt);
    }
    const now = clock.now();

    if (previous === undefined) {
      const commit = await fenceAndCommit(w, stored, {
        v: 1,
        kind: w.kind,
        takenAt: now,
        token: lease.token,
        data: observation.data,
        quiet: EMPTY_QUIET_STATE,
      });
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
    const commit = await fenceAndCommit(w, stored, {
      v: 1,
      kind: w.kind,
      takenAt: now,
      token: lease.token,
      data: observation.data,
      quiet: quiet.state,
    });
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

    const routed = routeEvents(sortEvents(quiet.announce), config.routes, w.id);
    // Channels in parallel; the sender paces and serializes within each channel.
    const deliveries = await Promise.all(
      [...routed].map(async ([channel, channelEvents]) => {
        const message = buildChangeMessage(channelEvents, {
          watcherId: w.id,
          kind: w.kind,
          maxItems: w.maxItems,
          detailedUpTo: w.detailedUpTo,
        });
        const [result] = await post([channel], message);
        return { channel, result: result! };
      }),
    );
    const result: StoredRunResult = {
      ...pendingResult,
      posted: deliveries.filter((d) => d.result.ok).length,
      deliveryErrors: deliveries.flatMap(({ channel, result: r }) =>
        r.ok ? [] : [`${channel}: ${r.error}`],
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
      );
    }
    return { watcherId: w.id, outcome: "failed", error: text, consecutiveFailures: failures, alerted: alert };
  }

  async function isDue(w: WatcherConfig, now: number): Promise<boolean> {
    const status = await store.get<WatcherStatusRecord>(statusKey(w.id));
    return status === undefined || now >= status.value.lastRunAt + w.intervalMs;
  }

  // ------------------------------------------------------------------------------------------------
  // Digests
  // ------------------------------------------------------------------------------------------------

  async function runDigestAt(d: DigestConfig, slot: number): Promise<DigestRunResult> {
    let message: Message;
    try {
      message = await composeDigest(cloud, d, slot);
    } catch (error) {
      const text = describeError(error);
      logger.warn({ digest: d.id, error: text }, "digest failed");
      await recordDigest(d, slot, { outcome: "failed", error: text });
      return { digestId: d.id, slot, outcome: "failed", error: text };
    }
    // Claimed only once the digest is ready: a replica that cannot read the cloud leaves the slot to others.
    if (!(await store.claimOnce(digestClaimKey(d.id, slot), DIGEST_CLAIM_TTL_MS))) {
      return { digestId: d.id, slot, outcome: "skipped", reason: "claimed" };
    }
    const results = await post(d.channels, message);
    const stored: StoredDigestResult = {
      outcome: "posted",
      posted: results.filter((r) => r.ok).length,
      deliveryErrors: results.flatMap((r, i) => (r.ok ? [] : [`${d.channels[i]}: ${r.error}`])),
    };
    await recordDigest(d, slot, stored);
    logger.info({ digest: d.id, slot, posted: stored.posted }, "digest posted");
    return { digestId: d.id, slot, ...stored };
  }

  async function recordDigest(d: DigestConfig, slot: number, result: StoredDigestResult) {
    await store.update<DigestStatusRecord, never>(
      digestStatusKey(d.id),
      () => ({ lastSlot: slot, lastRunAt: clock.now(), lastResult: result }),
      { retries: 5 },
    );
  }

  // ------------------------------------------------------------------------------------------------
  // Scheduler
  // ------------------------------------------------------------------------------------------------

  async function tick(nowArg?: number): Promise<TickReport> {
    const now = nowArg ?? clock.now();
    const watcherRuns = await Promise.all(
      config.watchers.map(async (w): Promise<WatcherRunResult | undefined> => {
        if (running.has(w.id) || KINDS[w.kind].unavailable(cloud) !== undefined) return undefined;
        // Renewing on every tick keeps the lease with a live replica between runs.
        if ((await ensureLease(w)) === undefined) return undefined;
        if (!(await isDue(w, now))) return undefined;
        return runWatcher(w);
      }),
    );
    const digestRuns = await Promise.all(
      config.digests.map(async (d): Promise<DigestRunResult | undefined> => {
        const due = nextDigestAt.get(d.id);
        if (due === undefined || now < due) return undefined;
        // Missed slots (the bot was down) collapse into one digest, for the latest slot.
        nextDigestAt.set(d.id, nextFire(d.id, now));
        return runDigestAt(d, due);
      }),
    );
    return {
      watchers: watcherRuns.filter((r) => r !== undefined),
      digests: digestRuns.filter((r) => r !== undefined),
    };
  }

  let timer: NodeJS.Timeout | undefined;
  let stopped = true;
  let inFlight: Promise<unknown> | undefined;

  return {
    async runOnce(watcherId) {
      const w = watchers.get(watcherId);
      if (w === undefined) throw new RangeError(`no watcher ${watcherId}`);
      return runWatcher(w);
    },

    async runDigest(digestId) {
      const d = digests.get(digestId);
      if (d === undefined) throw new RangeError(`no digest ${digestId}`);
      return runDigestAt(d, clock.now());
    },

    tick,

    async listWatchers() {
      return Promise.all(
        config.watchers.map(async (w): Promise<WatcherInfo> => {
          const [status, lease] = await Promise.all([
            store.get<WatcherStatusRecord>(statusKey(w.id)),
            store.getLease(leaseName(w.id)),
          ]);
          const s = status?.value;
          const why = KINDS[w.kind].unavailable(cloud);
          const channels = [
            ...new Set(
              config.routes
                .filter((r) => r.watchers === undefined || r.watchers.includes(w.id))
                .flatMap((r) => r.channels),
            ),
          ];
          return {
            id: w.id,
            kind: w.kind,
            ...(w.description !== undefined && { description: w.description }),
            source: w.source,
            intervalMs: w.intervalMs,
            quietPeriodMs: w.quietPeriodMs,
            channels,
            alertChannels: w.alertChannels,
            available: why === undefined,
            ...(why !== undefined && { unavailableReason: why }),
            ...(lease !== undefined && { holder: lease.owner }),
            ...(s !== undefined && {
              lastRunAt: s.lastRunAt,
              nextRunAt: s.lastRunAt + w.intervalMs,
              lastResult: s.lastResult,
              ...(s.lastSuccessAt !== undefined && { lastSuccessAt: s.lastSuccessAt }),
            }),
            consecutiveFailures: s?.consecutiveFailures ?? 0,
            failing: s?.failingAnnounced === true,
          };
        }),
      );
    },

    async listDigests() {
      return Promise.all(
        config.digests.map(async (d): Promise<DigestInfo> => {
          const status = (await store.get<DigestStatusRecord>(digestStatusKey(d.id)))?.value;
          const nextAt = nextDigestAt.get(d.id);
          return {
            id: d.id,
            kind: d.kind,
            ...(d.description !== undefined && { description: d.description }),
            source: d.source,
            schedule: d.schedule,
            timeZone: d.timeZone,
            channels: d.channels,
            ...(nextAt !== undefined && { nextAt }),
            ...(status !== undefined && { lastSlot: status.lastSlot, lastResult: status.lastResult }),
          };
        }),
      );
    },

    markExpectedTransition: (serverId, toStatus, untilMs) =>
      markExpectedTransition(store, clock, serverId, toStatus, untilMs),

    start() {
      if (!stopped) return;
      stopped = false;
      const interval = deps.tickIntervalMs ?? 1_000;
      const loop = () => {
        if (stopped) return;
        inFlight = tick()
          .catch((error: unknown) => logger.error({ error: describeError(error) }, "notifier tick failed"))
          .finally(() => {
            if (!stopped) timer = setTimeout(loop, interval);
          });
      };
      timer = setTimeout(loop, 0);
    },

    async stop() {
      stopped = true;
      if (timer !== undefined) clearTimeout(timer);
      await inFlight;
      await Promise.all(
        [...held].map(([id, lease]) => store.releaseLease(leaseName(id), replicaId, lease.token)),
      );
      held.clear();
    },
  };
}
