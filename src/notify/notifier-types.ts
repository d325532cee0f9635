/** What the channel notifier is given, answers and reports (see create-notifier.ts). */
import type { ChatPort } from "../app/ports.js";
import type { Metrics } from "../metrics/metrics.js";
import type { Message } from "../render/message-model.js";
import type { Clock, Store } from "../store/store.js";
import type { UndeliverableChannel } from "./channel-health.js";
import type { SendResult } from "./create-channel-sender.js";
import type { DigestKind, NotificationsConfig, WatcherKind } from "./load-notifications-config.js";
import type { NotifierCloud } from "./watcher-kind.js";
import type { StoredDigestResult, StoredRunResult } from "./watcher-records.js";

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
  /**
   * The bot's Slack user ID, for the `/invite` hint of a channel it is not in: asked when the alert is built,
   * since it is known only once the bot has started (`auth.test`); absent or undefined: the app's name.
   */
  botUserId?: () => string | undefined;
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
  /** Of `channels` and `alertChannels`, those posts fail to for good (until a post there succeeds again). */
  undeliverable: UndeliverableChannel[];
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
  /** Of `channels`, those posts fail to for good (until a post there succeeds again). */
  undeliverable: UndeliverableChannel[];
  /** Next time this replica will fire it. */
  nextAt?: number;
  lastSlot?: number;
  lastResult?: StoredDigestResult;
}

export interface Notifier {
  /**
   * Posts a message of the bot's own that is neither a watcher's nor a digest's (the audit chain's digest)
   * through the notifier's sender: paced and retried like the rest, and a channel that refuses it for good is
   * recorded and said once in the defaults' alert channels, as the notifier's own channels are. Never throws.
   */
  deliver(channel: string, message: Message): Promise<SendResult>;
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
