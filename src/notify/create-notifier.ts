import { randomUUID } from "node:crypto";
import { Cron } from "croner";
import { createOutageLog } from "../log/create-outage-log.js";
import type { Message } from "../render/message-model.js";
import { systemClock } from "../store/store.js";
import { buildUndeliverableChannelMessage } from "./build-undeliverable-channel-message.js";
import { createChannelHealth, isPermanentDeliveryError } from "./channel-health.js";
import { composeDigest } from "./compose-digest.js";
import { createChannelSender, type SendResult } from "./create-channel-sender.js";
import { createFleetIndex } from "./create-fleet-index.js";
import { createWatcherRunner, WATCHER_KINDS } from "./create-watcher-runner.js";
import { describeError } from "./describe-error.js";
import type { DigestConfig } from "./load-notifications-config.js";
import { markExpectedTransition } from "./mark-expected-transition.js";
import type {
  DigestInfo,
  DigestRunResult,
  Notifier,
  NotifierDeps,
  NotifierLogger,
  TickReport,
  WatcherInfo,
} from "./notifier-types.js";
import {
  type DigestStatusRecord,
  deliveryError,
  digestClaimKey,
  digestStatusKey,
  leaseName,
  type StoredDigestResult,
  statusKey,
  type WatcherStatusRecord,
} from "./watcher-records.js";

/** A digest slot is claimed for this long (well beyond any schedule's catch-up). */
const DIGEST_CLAIM_TTL_MS = 7 * 24 * 3_600_000;

const silentLogger: NotifierLogger = { debug() {}, info() {}, warn() {}, error() {} };

function defaultSleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * The channel notifier: watchers that poll the cloud and announce transitions (each run under the
 * watcher's lease, posting only what it committed: see {@link createWatcherRunner}), and scheduled
 * digests, each slot posted once however many replicas run.
 */
export function createNotifier(deps: NotifierDeps): Notifier {
  const { config, cloud, store } = deps;
  const clock = deps.clock ?? systemClock;
  const logger = deps.logger ?? silentLogger;
  const replicaId = deps.replicaId ?? randomUUID();
  // One fleet for every watcher and digest: listed once, then kept current by its changes between runs.
  const fleet = createFleetIndex(cloud.ecs, { now: () => clock.now() });
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

  for (const w of config.watchers) {
    const why = WATCHER_KINDS[w.kind].unavailable(cloud);
    if (why !== undefined) logger.warn({ watcher: w.id, reason: why }, "watcher unavailable");
  }

  function nextFire(digestId: string, after: number): number | undefined {
    return crons.get(digestId)?.nextRun(new Date(after))?.getTime();
  }

  const health = createChannelHealth({ store, clock, logger });

  /**
   * Posts one message to each channel. A channel that refuses it for good (the bot is not in it, it does not
   * exist, it is archived…) is recorded for `/ops watch list` and said once in `alertChannels`, until a post
   * there succeeds again; other failures (rate limits, Slack errors) are only logged.
   */
  async function post(
    channels: readonly string[],
    message: Message,
    alertChannels: readonly string[],
  ): Promise<SendResult[]> {
    const results = await Promise.all(channels.map((c) => sender.send(c, message)));
    const newlyFailed: { channel: string; error: string }[] = [];
    await Promise.all(
      results.map(async (r, i) => {
        const channel = channels[i]!;
        if (r.ok) return health.delivered(channel);
        if (!isPermanentDeliveryError(r.error)) {
          logger.warn({ channel, error: r.error }, "notification not delivered");
          return;
        }
        if (await health.failed(channel, r.error)) newlyFailed.push({ channel, error: r.error });
      }),
    );
    for (const f of newlyFailed) toSay.push({ ...f, alertChannels });
    return results;
  }

  /**
   * Channels newly found undeliverable, said together once the run or digest that found them is done
   * (`sayUndeliverableFound`): thirty failing routes are one alert, not thirty.
   */
  const toSay: { channel: string; error: string; alertChannels: readonly string[] }[] = [];

  async function sayUndeliverableFound(): Promise<void> {
    const found = toSay.splice(0);
    const byAlertChannels = new Map<string, typeof found>();
    for (const f of found) {
      const key = [...f.alertChannels].sort().join(",");
      byAlertChannels.set(key, [...(byAlertChannels.get(key) ?? []), f]);
    }
    for (const group of byAlertChannels.values())
      await sayUndeliverable(group, group[0]?.alertChannels ?? []);
  }

  /**
   * The one message about the channels that cannot be posted to, in the alert channels other than those: one
   * message for all a post found, however many.
   */
  async function sayUndeliverable(
    failed: readonly { channel: string; error: string }[],
    alertChannels: readonly string[],
  ) {
    const failing = new Set(failed.map((f) => f.channel));
    const targets = alertChannels.filter((c) => !failing.has(c));
    if (targets.length === 0) return;
    const message = buildUndeliverableChannelMessage(
      failed.map(({ channel, error }) => ({
        channel,
        error,
        routes: config.routes.filter((r) => r.channels.includes(channel)),
        digests: config.digests.filter((d) => d.channels.includes(channel)),
        alertsOf: config.watchers.filter((w) => w.alertChannels.includes(channel)).map((w) => w.id),
        ...(config.audit.channel === channel && { auditDigest: config.audit.source ?? config.source }),
      })),
      deps.botUserId?.(),
    );
    // An alert channel that refuses it is recorded in turn, with nowhere further to say so.
    const results = await post(targets, message, []);
    if (!results.some((r) => r.ok)) for (const f of failed) await health.alertNotDelivered(f.channel);
  }

  const runner = createWatcherRunner({
    cloud,
    fleet,
    store,
    clock,
    logger,
    replicaId,
    routes: config.routes,
    post,
    ...(deps.metrics !== undefined && { metrics: deps.metrics }),
  });

  // ------------------------------------------------------------------------------------------------
  // Digests
  // ------------------------------------------------------------------------------------------------

  async function runDigestAt(d: DigestConfig, slot: number): Promise<DigestRunResult> {
    let message: Message;
    try {
      message = await composeDigest(cloud, fleet, d, slot);
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
    const results = await post(d.channels, message, d.alertChannels);
    const stored: StoredDigestResult = {
      outcome: "posted",
      posted: results.filter((r) => r.ok).length,
      deliveryErrors: results.flatMap((r, i) => (r.ok ? [] : [deliveryError(d.channels[i] ?? "", r.error)])),
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

  /** Digests whose slots missed while no replica ran are yet to be looked for (once, at the first tick). */
  const toCatchUp = new Set(config.digests.map((d) => d.id));

  /**
   * The latest slot of `d` after the last one any replica handled (the stored status) and at or before `now`:
   * a slot that came while the bot was down (a deploy over 08:00), posted late rather than lost. Undefined
   * when there is none, or for a digest never posted (a new one starts with its next slot).
   */
  async function missedSlot(d: DigestConfig, now: number): Promise<number | undefined> {
    const status = await store.get<DigestStatusRecord>(digestStatusKey(d.id));
    if (status === undefined) return undefined;
    let latest: number | undefined;
    // Bounded: a minutely digest down for a week is 10,080 slots; only the latest is wanted.
    for (
      let at = nextFire(d.id, status.value.lastSlot), n = 0;
      at !== undefined && at <= now && n < 20_000;
      n++
    ) {
      latest = at;
      at = nextFire(d.id, at);
    }
    return latest;
  }

  async function tick(nowArg?: number): Promise<TickReport> {
    const now = nowArg ?? clock.now();
    const watcherRuns = await Promise.all(config.watchers.map((w) => runner.runIfDue(w, now)));
    const digestRuns = await Promise.all(
      config.digests.map(async (d): Promise<DigestRunResult | undefined> => {
        if (toCatchUp.has(d.id)) {
          const missed = await missedSlot(d, now).catch((err: unknown) => {
            logger.warn({ digest: d.id, error: describeError(err) }, "could not look for a missed digest");
            return null;
          });
          // Looked for once it could be read; an unreadable store is asked again at the next tick.
          if (missed !== null) toCatchUp.delete(d.id);
          if (missed != null && missed < (nextDigestAt.get(d.id) ?? Number.POSITIVE_INFINITY)) {
            logger.info(
              { digest: d.id, slot: missed },
              "a digest slot passed while the bot was down: posting it now",
            );
            nextDigestAt.set(d.id, missed);
          }
        }
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

  /** `work`, then the undeliverable channels it found, said together (a failure to say them is logged). */
  async function thenSayFound<T>(work: Promise<T>): Promise<T> {
    try {
      return await work;
    } finally {
      await sayUndeliverableFound().catch((err: unknown) =>
        logger.warn({ err }, "could not say which channels cannot be posted to"),
      );
    }
  }

  let timer: NodeJS.Timeout | undefined;
  let stopped = true;
  let inFlight: Promise<unknown> | undefined;

  return {
    async deliver(channel, message) {
      const [result] = await thenSayFound(post([channel], message, config.audit.alertChannels));
      return result ?? { ok: false, error: "not_sent", attempts: 0 };
    },
    async runOnce(watcherId) {
      const w = watchers.get(watcherId);
      if (w === undefined) throw new RangeError(`no watcher ${watcherId}`);
      return thenSayFound(runner.run(w));
    },

    async runDigest(digestId) {
      const d = digests.get(digestId);
      if (d === undefined) throw new RangeError(`no digest ${digestId}`);
      return thenSayFound(runDigestAt(d, clock.now()));
    },

    tick: (now) => thenSayFound(tick(now)),

    async listWatchers() {
      return Promise.all(
        config.watchers.map(async (w): Promise<WatcherInfo> => {
          const [status, lease] = await Promise.all([
            store.get<WatcherStatusRecord>(statusKey(w.id)),
            store.getLease(leaseName(w.id)),
          ]);
          const s = status?.value;
          const why = WATCHER_KINDS[w.kind].unavailable(cloud);
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
            undeliverable: await health.list([...channels, ...w.alertChannels]),
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
            undeliverable: await health.list(d.channels),
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
      // A tick meets the store every second: an outage is said once as it starts and once as it ends.
      const outage = createOutageLog(
        {
          debug: (fields, message) => logger.debug({ component: "notifier", ...fields }, message),
          info: (fields, message) => logger.info({ component: "notifier", ...fields }, message),
          warn: (fields, message) => logger.warn({ component: "notifier", ...fields }, message),
        },
        clock,
      );
      const loop = () => {
        if (stopped) return;
        inFlight = thenSayFound(tick())
          .then(
            () => outage.succeeded(),
            (error: unknown) => {
              if (!outage.failed(error, "no watcher runs and no digest is posted"))
                logger.error({ error: describeError(error) }, "notifier tick failed");
            },
          )
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
      await runner.releaseLeases();
    },
  };
}
