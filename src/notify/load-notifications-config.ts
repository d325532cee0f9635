import type { ConfigError } from "../config/format-config-errors.js";
import {
  formatConfigErrors,
  loadYamlConfig,
  parseYamlConfig,
  type YamlConfigResult,
} from "../config/load-yaml-config.js";
import type { Severity } from "./fleet-event.js";
import {
  DEFAULT_CONCURRENCY,
  DEFAULT_FAILURE_THRESHOLD,
  DEFAULT_INTERVAL_MS,
  DEFAULT_REQUESTS_PER_RUN,
  type NotificationsFile,
  notificationsFileSchema,
} from "./notifications-file-schema.js";

export type WatcherKind = NotificationsFile["watchers"][number]["kind"];
export type DigestKind = NotificationsFile["digests"][number]["kind"];

/** Servers / hosts to select: every tag must match (values are globs) and, if names are given, one name glob. */
export interface SubjectMatch {
  tags: Record<string, string>;
  names: string[];
}

export interface WatcherConfig {
  id: string;
  kind: WatcherKind;
  description?: string;
  intervalMs: number;
  quietPeriodMs: number;
  /** Items listed in a grouped message before "…and N more". */
  maxItems: number;
  /** Up to this many changes get a section with buttons each; more become a compact list. */
  detailedUpTo: number;
  /** Consecutive failed runs before the one "watcher is failing" message. */
  failureThreshold: number;
  leaseTtlMs: number;
  alertChannels: string[];
  /** Only these servers / hosts are watched at all (for open ports: only these hosts are queried). */
  scope?: SubjectMatch;
  /** Parallel per-host requests (open ports). */
  concurrency: number;
  /**
   * Open ports: at most this many per-host requests a run; the hosts are read in rotation, so a full cycle
   * over N hosts takes ceil(N / requestsPerRun) runs.
   */
  requestsPerRun: number;
  /** `file:line` of the watcher, for `/ops watch list`. */
  source: string;
}

export interface RouteRule {
  id: string;
  description?: string;
  channels: string[];
  /** Watcher IDs; absent = every watcher. */
  watchers?: string[];
  /** Event type globs; absent = every event. */
  events?: string[];
  minSeverity: Severity;
  match?: SubjectMatch;
  source: string;
}

export interface DigestConfig {
  id: string;
  kind: DigestKind;
  description?: string;
  /** Cron expression (croner syntax, 5 or 6 fields). */
  schedule: string;
  timeZone: string;
  channels: string[];
  /** How many hosts the "top risky" / "without agent" lists show. */
  top: number;
  match?: SubjectMatch;
  /** Where a channel it cannot post to is said: `defaults.alert_channels` (digests have none of their own). */
  alertChannels: string[];
  source: string;
}

export interface DeliveryConfig {
  /** Minimum spacing of two messages to one channel (Slack allows about one per second). */
  minIntervalMs: number;
  /** Attempts of one message when Slack answers 429 (each waits `Retry-After`). */
  maxAttempts: number;
}

/** Where and how often the audit chain head is posted, so a deleted tail is detectable afterwards. */
export interface AuditDigestConfig {
  /** Absent: no digest is posted. */
  channel?: string;
  everyMs: number;
  /** Where to say that the digest cannot be posted to `channel` (the defaults' `alert_channels`). */
  alertChannels: string[];
  /** `file:line` of the `audit` section. */
  source?: string;
}

export interface NotificationsConfig {
  source: string;
  watchers: WatcherConfig[];
  routes: RouteRule[];
  digests: DigestConfig[];
  delivery: DeliveryConfig;
  audit: AuditDigestConfig;
}

export const NOTIFY_DEFAULTS = {
  intervalMs: DEFAULT_INTERVAL_MS,
  quietPeriodMs: 15 * 60_000,
  maxItems: 10,
  detailedUpTo: 5,
  failureThreshold: DEFAULT_FAILURE_THRESHOLD,
  leaseTtlMs: 2 * 60_000,
  concurrency: DEFAULT_CONCURRENCY,
  requestsPerRun: DEFAULT_REQUESTS_PER_RUN,
  timeZone: "UTC",
  top: 10,
  minIntervalMs: 1_000,
  maxAttempts: 5,
  auditDigestEveryMs: 60 * 60_000,
} as const;

export type NotificationsConfigResult =
  | { ok: true; config: NotificationsConfig }
  | { ok: false; errors: ConfigError[] };

/** A configuration that cannot be used; `message` lists every problem as `file:line:column: …`. */
export class NotificationsConfigError extends Error {
  constructor(readonly errors: readonly ConfigError[]) {
    super(`invalid notifications configuration:\n${formatConfigErrors(errors)}`);
    this.name = "NotificationsConfigError";
  }
}

/**
 * Reads and validates `flows/notifications.yml`. Problems come back as errors naming the file, line and
 * column (render them with `formatConfigErrors`). Pass `text` to validate content not on disk.
 */
export async function loadNotificationsConfig(
  filePath: string,
  options: { text?: string } = {},
): Promise<NotificationsConfigResult> {
  return compile(filePath, await loadYamlConfig(filePath, notificationsFileSchema, options));
}

/** {@link loadNotificationsConfig} for the start of the bot: a bad file stops it with file and line. */
export async function loadNotificationsConfigOrThrow(filePath: string): Promise<NotificationsConfig> {
  const result = await loadNotificationsConfig(filePath);
  if (!result.ok) throw new NotificationsConfigError(result.errors);
  return result.config;
}

/** {@link loadNotificationsConfig} for text in hand; `file` labels errors and sources. */
export function parseNotificationsConfig(
  text: string,
  file = "notifications.yml",
): NotificationsConfigResult {
  return compile(file, parseYamlConfig(file, text, notificationsFileSchema));
}

function compile(file: string, loaded: YamlConfigResult<NotificationsFile>): NotificationsConfigResult {
  if (!loaded.ok) return loaded;
  const { value, locate } = loaded;
  const d = value.defaults ?? {};
  const at = (path: (string | number)[]) => `${file}:${locate(path).line}`;
  const watchers = value.watchers.flatMap((w, index): WatcherConfig[] =>
    w.enabled === false
      ? []
      : [
          {
            id: w.id,
            kind: w.kind,
            ...(w.description !== undefined && { description: w.description }),
            intervalMs: w.interval ?? d.interval ?? NOTIFY_DEFAULTS.intervalMs,
            quietPeriodMs: w.quiet_period ?? d.quiet_period ?? NOTIFY_DEFAULTS.quietPeriodMs,
            maxItems: w.max_items ?? d.max_items ?? NOTIFY_DEFAULTS.maxItems,
            detailedUpTo: w.detailed_up_to ?? d.detailed_up_to ?? NOTIFY_DEFAULTS.detailedUpTo,
            failureThreshold: w.failure_threshold ?? d.failure_threshold ?? NOTIFY_DEFAULTS.failureThreshold,
            leaseTtlMs: w.lease_ttl ?? d.lease_ttl ?? NOTIFY_DEFAULTS.leaseTtlMs,
            // The schema guarantees one of the two for enabled watchers.
            alertChannels: w.alert_channels ?? d.alert_channels ?? [],
            ...(w.scope !== undefined && { scope: w.scope }),
            concurrency: w.concurrency ?? NOTIFY_DEFAULTS.concurrency,
            requestsPerRun: w.requests_per_run ?? NOTIFY_DEFAULTS.requestsPerRun,
            source: at(["watchers", index]),
          },
        ],
  );
  const routes = value.routes.map(
    (r, index): RouteRule => ({
      id: r.id,
      ...(r.description !== undefined && { description: r.description }),
      channels: [...new Set(r.channels)],
      ...(r.watchers !== undefined && { watchers: r.watchers }),
      ...(r.events !== undefined && { events: r.events }),
      minSeverity: r.min_severity ?? "info",
      ...(r.match !== undefined && { match: r.match }),
      source: at(["routes", index]),
    }),
  );
  const digests = value.digests.flatMap((g, index): DigestConfig[] =>
    g.enabled === false
      ? []
      : [
          {
            id: g.id,
            kind: g.kind,
            ...(g.description !== undefined && { description: g.description }),
            schedule: g.schedule,
            timeZone: g.time_zone ?? d.time_zone ?? NOTIFY_DEFAULTS.timeZone,
            channels: [...new Set(g.channels)],
            top: g.top ?? NOTIFY_DEFAULTS.top,
            ...(g.match !== undefined && { match: g.match }),
            alertChannels: d.alert_channels ?? [],
            source: at(["digests", index]),
          },
        ],
  );
  return {
    ok: true,
    config: {
      source: file,
      watchers,
      routes,
      digests,
      delivery: {
        minIntervalMs: value.delivery?.min_interval ?? NOTIFY_DEFAULTS.minIntervalMs,
        maxAttempts: value.delivery?.max_attempts ?? NOTIFY_DEFAULTS.maxAttempts,
      },
      audit: {
        ...(value.audit?.digest_channel !== undefined && { channel: value.audit.digest_channel }),
        everyMs: value.audit?.digest_every ?? NOTIFY_DEFAULTS.auditDigestEveryMs,
        alertChannels: d.alert_channels ?? [],
        ...(value.audit !== undefined && { source: at(["audit"]) }),
      },
    },
  };
}
