import { randomUUID } from "node:crypto";
import { resolve } from "node:path";
import type { Worker } from "node:worker_threads";
import { type AuditDigestPoster, createAuditDigestPoster } from "../audit/create-audit-digest-poster.js";
import { createAuditLog } from "../audit/create-audit-log.js";
import { type Bot, createBot } from "../bot/create-bot.js";
import { createCloudClient } from "../cloud/create-cloud-client.js";
import type { CloudConfig } from "../cloud/load-cloud-config.js";
import type { CloudClient } from "../cloud/types.js";
import { createInteractionTokens } from "../commands/create-interaction-tokens.js";
import { createNotifyActionHandler } from "../commands/create-notify-action-handler.js";
import { type ConfigError, formatConfigErrors } from "../config/format-config-errors.js";
import type { Logger } from "../log/create-logger.js";
import { createPrometheusMetrics, type PrometheusMetrics } from "../metrics/create-prometheus-metrics.js";
import { instrumentStore } from "../metrics/instrument-store.js";
import {
  buildWatchListMessage,
  createExpectationMarker,
  createNotifier,
  loadNotificationsConfig,
  NOTIFY_ACTION_PREFIX,
  type Notifier,
} from "../notify/index.js";
import { createOperations, type Operations } from "../operations/index.js";
import { loadPolicy } from "../policy/load-policy.js";
import type { Policy } from "../policy/types.js";
import { createRateLimitGate } from "../slack/create-rate-limit-gate.js";
import { createSlackChat } from "../slack/create-slack-chat.js";
import { createUserGroupCache } from "../slack/create-user-group-cache.js";
import type { SlackConfig } from "../slack/load-slack-config.js";
import { createStore } from "../store/create-store.js";
import { type Clock, type Store, systemClock } from "../store/store.js";
import type { FaultPoint } from "../workflow/fault-points.js";
import { loadFlows } from "../workflow/load-flows.js";
import type { FlowSet } from "../workflow/types.js";
import { createReplicaPresence, fingerprintConfigFiles } from "./create-replica-presence.js";
import { type AppConfig, describeConfigFilePaths } from "./load-app-config.js";
import { readPackageVersion } from "./read-package-version.js";
import { reportStoreDurability } from "./report-store-durability.js";
import { warnUnknownPolicyGroups } from "./warn-unknown-policy-groups.js";

/** A policy, flow or notification file that cannot be used: the bot refuses to start. */
export class ConfigFileError extends Error {
  constructor(readonly errors: readonly ConfigError[]) {
    super(`configuration files are invalid; the bot does not start:\n${formatConfigErrors([...errors])}`);
    this.name = "ConfigFileError";
  }
}

/** The declarative files, validated together so that one start reports every problem at once. */
export interface LoadedFiles {
  policy: Policy;
  flows: FlowSet;
  notifications: Awaited<ReturnType<typeof loadNotificationsConfig>> extends infer R
    ? R extends { ok: true; config: infer C }
      ? C
      : never
    : never;
}

/** Loads and validates the policy, the flows and the notifications; throws {@link ConfigFileError}. */
export async function loadConfigFiles(
  config: Pick<AppConfig, "policyFile" | "flowsDir" | "notificationsFile">,
) {
  const [policy, flows, notifications] = await Promise.all([
    loadPolicy(config.policyFile),
    loadFlows(config.flowsDir),
    loadNotificationsConfig(config.notificationsFile),
  ]);
  const errors = [
    ...(policy.ok ? [] : policy.errors),
    ...(flows.ok ? [] : flows.errors),
    ...(notifications.ok ? [] : notifications.errors),
  ];
  if (!policy.ok || !flows.ok || !notifications.ok) throw new ConfigFileError(errors);
  return {
    policy: policy.policy,
    flows: flows.flows,
    notifications: notifications.config,
  } satisfies LoadedFiles;
}

export interface StartOptions {
  slack: SlackConfig;
  cloud: CloudConfig;
  app: AppConfig;
  /** The declarative files, already loaded and validated (`src/main.ts` checks them with everything else). */
  files?: LoadedFiles;
  logger: Logger;
  clock?: Clock;
  /** HTTP mode: the interface to listen on (the playground binds loopback). */
  host?: string;
  /** Overrides `app.storeUrl` with a store the caller owns (tests, the playground). */
  store?: Store;
  /**
   * Overrides the cloud client built from `cloud` (the caller then closes it; its calls are then not in the
   * metrics unless the caller built it with them).
   */
  cloudClient?: CloudClient;
  /** What `/metrics` serves; default a registry of this bot's own (several bots in one process stay apart). */
  metrics?: PrometheusMetrics;
  /** Operations tuning (tests use short intervals). */
  statusIntervalMs?: number;
  sweepIntervalMs?: number;
  /**
   * Test hook, inert unless given: called when the executor reaches `app.faultPoint` in a mutation (main
   * makes the process exit there). See `src/workflow/fault-points.ts`.
   */
  onFaultPoint?: (point: FaultPoint) => void;
  /** The ack thread's worker, started early by the entry point; the bot owns it (see `createBot`). */
  ackThreadWorker?: Worker;
}

export interface RunningBot {
  bot: Bot;
  operations: Operations;
  notifier: Notifier;
  /** Posts the audit chain head to `audit.digest_channel`; absent when none is configured. */
  auditDigest: AuditDigestPoster | undefined;
  /** The start-up check of the policy's user groups against Slack's: the handles Slack does not have. */
  groupsChecked: Promise<string[]>;
  /** The store as the bot uses it (every operation timed into the metrics). */
  store: Store;
  metrics: PrometheusMetrics;
  /** HTTP mode: `http://host:port`. */
  url: string | undefined;
  /** Stops taking work, lets running steps reach a safe point, releases leases, closes connections. */
  stop(graceMs?: number): Promise<void>;
}

/**
 * Composes and starts the whole bot: configuration files (refusing to start on any error), the store,
 * the cloud client, operations (policy, approvals, execution, recovery), notifications and the Slack app.
 * No process access: `src/main.ts` passes configuration in and wires signals.
 */
export async function startHwcChatops(options: StartOptions): Promise<RunningBot> {
  const { logger } = options;
  // Read while the rest starts: only the replicas' comparison needs it, before the first run.
  const fingerprinting = fingerprintConfigFiles(options.app);
  const files = options.files ?? (await loadConfigFiles(options.app));
  const metrics = options.metrics ?? createPrometheusMetrics();
  // Instrumented at the seams: every store operation, cloud attempt and Slack call is counted where it happens.
  const storeOptions = {
    ...(options.clock && { clock: options.clock }),
    // One-way: said at info, with the file, so whoever rolls back knows to restore the copy from before.
    onSchemaUpgrade: ({ file, from, to, ms }: { file: string; from: number; to: number; ms: number }) =>
      logger.info(
        { file: resolve(file), from, to, ms },
        `store file ${resolve(file)} upgraded from schema ${from} to ${to} (older versions of hwc-chatops cannot open it)`,
      ),
  };
  const store = instrumentStore(
    options.store ?? (await createStore(options.app.storeUrl, storeOptions)),
    metrics,
  );
  // Once, at start, beside the rest (never fails the start): a Redis that would forget the state is said so.
  const durabilityChecked =
    options.store === undefined
      ? reportStoreDurability(options.app.storeUrl, { logger, metrics })
      : undefined;
  const cloud = options.cloudClient ?? createCloudClient(options.cloud, { metrics });
  const replicaId = `${process.pid}-${randomUUID().slice(0, 8)}`;
  const retention = options.app.retention;

  let notifier: Notifier | undefined;
  const operations = createOperations({
    policy: files.policy,
    flows: files.flows,
    store,
    cloud,
    logger,
    metrics,
    ...(options.clock && { clock: options.clock }),
    ...(options.statusIntervalMs !== undefined && { statusIntervalMs: options.statusIntervalMs }),
    ...(options.sweepIntervalMs !== undefined && { sweepIntervalMs: options.sweepIntervalMs }),
    replicaId,
    ...(options.app.runLeaseTtlMs !== undefined && { runLeaseTtlMs: options.app.runLeaseTtlMs }),
    ...(options.app.jobPollsPerSecond !== undefined && {
      jobPolls: { maxPollsPerSecond: options.app.jobPollsPerSecond },
    }),
    ...(retention !== undefined && {
      retention: { finishedRequestsMs: retention.finishedRequestsMs, runsMs: retention.runsMs },
    }),
    ...(options.app.faultPoint !== undefined &&
      options.onFaultPoint !== undefined && {
        faultPoint: (point: FaultPoint) => {
          if (point === options.app.faultPoint) options.onFaultPoint?.(point);
        },
      }),
    // The executor tells the ECS watcher in advance, so the bot's own stops/starts/deletes are not re-announced.
    onBeforeMutation: createExpectationMarker({
      store,
      config: files.notifications,
      logger: logger.child({ component: "notify" }),
      ...(options.clock && { clock: options.clock }),
    }),
    watchList: async () => {
      if (notifier === undefined) throw new Error("notifications are not running");
      const now = (options.clock ?? { now: Date.now }).now();
      return buildWatchListMessage(
        await notifier.listWatchers(),
        await notifier.listDigests(),
        now,
        bot.botUserId,
      );
    },
  });
  // One for both chats of the process: a change Slack announces to the bot reaches the notifier's too.
  const userGroups = createUserGroupCache({
    store,
    logger,
    ...(options.clock && { clock: options.clock }),
    ...(options.app.userGroupsMaxAgeMs !== undefined && { maxAgeMs: options.app.userGroupsMaxAgeMs }),
  });
  // One for both chats too: Slack's limits are the app's, whichever chat made the call.
  const rateLimits = createRateLimitGate();
  const auth = options.cloud.auth;
  const bot = createBot({
    secretValues:
      auth.kind === "aksk"
        ? [auth.sk, ...(auth.securityToken !== undefined ? [auth.securityToken] : [])]
        : [auth.password],
    slack: options.slack,
    userGroups,
    rateLimits,
    cloud,
    logger,
    store,
    handlers: operations.handlers,
    metrics,
    // Each scrape runs /readyz's store check first: `store_up` then says whether the store answers as of the
    // scrape, which an alert can see (a store outage leaves the process up, so `up` cannot).
    scrape: {
      contentType: metrics.contentType,
      async render() {
        metrics.storeReady((await bot.readiness()).checks.store === "ok");
        return metrics.render();
      },
    },
    ...(options.host !== undefined && { host: options.host }),
    ...(options.app.work !== undefined && { work: options.app.work }),
    ...(options.app.ackThread !== undefined && { ackThread: options.app.ackThread }),
    ...(options.ackThreadWorker !== undefined && { ackThreadWorker: options.ackThreadWorker }),
    ...(retention !== undefined && {
      retention: { deliveryDedupeMs: retention.deliveryDedupeMs, savedQueriesMs: retention.savedQueriesMs },
    }),
  });
  operations.register(bot);
  // Notification buttons run the command they stand for, through the same policy as the slash commands.
  bot.registerAction(
    NOTIFY_ACTION_PREFIX,
    createNotifyActionHandler({
      mutation: operations.handlers.mutation,
      readPolicy: operations.handlers.readPolicy,
      botUserId: () => bot.botUserId,
      ...(retention !== undefined && {
        tokens: createInteractionTokens(store, { queryTtlMs: retention.savedQueriesMs }),
      }),
    }),
  );
  const chat = createSlackChat(bot.app.client, { metrics, groups: userGroups, rateLimits });
  notifier = createNotifier({
    config: files.notifications,
    cloud,
    chat,
    store,
    logger,
    replicaId,
    metrics,
    // Known once the bot has started (auth.test), before the notifier starts: its alerts name the bot's user.
    botUserId: () => bot.botUserId,
    ...(options.clock && { clock: options.clock }),
  });

  const auditChannel = files.notifications.audit.channel;
  const auditDigest =
    auditChannel === undefined
      ? undefined
      : createAuditDigestPoster({
          audit: createAuditLog({ store, logger, ...(options.clock && { clock: options.clock }) }),
          chat,
          clock: options.clock ?? systemClock,
          logger: logger.child({ component: "audit-digest" }),
          channel: auditChannel,
          everyMs: files.notifications.audit.everyMs,
          post: (to, message) => notifier.deliver(to, message),
        });

  const fingerprint = await fingerprinting;
  await durabilityChecked;
  const presence = createReplicaPresence({
    store,
    // An injected clock (tests, the playground) is not the machine's: there is nothing to compare.
    clock: options.clock ?? systemClock,
    measureClock: options.clock === undefined,
    logger: logger.child({ component: "replicas" }),
    replicaId,
    files: fingerprint,
    onCheck: (report) =>
      metrics.replicaPresence({
        skewMs: report.skewMs,
        replicas: report.replicas,
        withOtherFiles: report.differing.length,
      }),
  });

  try {
    // Before any run is adopted or resumed: a replica whose clock is far off the store's would take runs from
    // the others. Alongside the listener's start, which it would otherwise delay (start-up to /healthz).
    // Both settled before either failure is thrown: the listener is never stopped while it is still starting.
    const started = await Promise.allSettled([presence.start(), bot.start()]);
    for (const outcome of started) if (outcome.status === "rejected") throw outcome.reason;
    await operations.start({ chat });
    notifier.start();
    auditDigest?.start();
  } catch (error) {
    await presence.stop().catch(() => {});
    await bot.stop(0).catch(() => {});
    await operations.stop(0).catch(() => {});
    if (!options.cloudClient) await cloud.close();
    if (!options.store) await store.close();
    throw error;
  }
  // Which release runs (what a rollback is checked against), the files' hashes (what replicas compare) and
  // where they were read from (a misspelled POLICY_FILE falls back to the shipped policy: the path shows it).
  logger.info(
    {
      version: readPackageVersion(),
      replicaId,
      store: store.namespace,
      files: fingerprint,
      paths: describeConfigFilePaths(options.app),
    },
    "hwc-chatops is running",
  );
  // In the background: a policy group Slack does not have is worth a warning, never a delay of the start.
  const groupsChecked = warnUnknownPolicyGroups(files.policy, chat, logger).catch(() => []);

  let stopping: Promise<void> | undefined;
  return {
    bot,
    operations,
    notifier,
    auditDigest,
    groupsChecked,
    store,
    metrics,
    get url() {
      return bot.url;
    },
    stop(graceMs = 10_000) {
      stopping ??= (async () => {
        // At once and together: no new Slack work, no new runs; running flows stop at their next safe point
        // and their leases are released, so another replica adopts them without waiting for the lease TTL.
        await Promise.all([
          bot.stop(graceMs),
          operations.stop(graceMs),
          notifier?.stop(),
          auditDigest?.stop(),
          presence.stop(),
        ]);
        if (!options.cloudClient) await cloud.close();
        if (!options.store) await store.close();
      })();
      return stopping;
    },
  };
}
