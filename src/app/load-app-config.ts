import { resolve } from "node:path";
import { z } from "zod";
import { DEFAULT_WORK_CONCURRENCY, DEFAULT_WORK_QUEUE_SIZE } from "../bot/create-work-queue.js";
import { DEFAULT_JOB_POLLS_PER_SECOND } from "../cloud/create-job-poll-gate.js";
import type { EnvVarDoc } from "../config/env-var-doc.js";
import { parseDuration } from "../config/parse-duration.js";
import { DEFAULT_STORE_URL } from "../store/create-store.js";
import { parseStoreUrl } from "../store/parse-store-url.js";
import { FAULT_POINTS, type FaultPoint } from "../workflow/fault-points.js";

/** Settings of the bot as a whole (Slack and Huawei Cloud have their own loaders). */
export interface AppConfig {
  /** `sqlite://…` (default, one replica), `redis://…` (several replicas), `memory://` (tests only). */
  storeUrl: string;
  policyFile: string;
  flowsDir: string;
  notificationsFile: string;
  logLevel: "fatal" | "error" | "warn" | "info" | "debug" | "trace" | "silent";
  /** Time to live of run leases (`RUN_LEASE_TTL`); absent: the operations default (30 s). */
  runLeaseTtlMs?: number;
  /**
   * How long a stop (SIGTERM) lets work in flight finish (`SHUTDOWN_GRACE`); absent: 10 s. The process exits
   * at most {@link SHUTDOWN_MARGIN_MS} after that, whatever is still pending.
   */
  shutdownGraceMs?: number;
  /** Test hook (`HWC_FAULT_POINT`): the process dies at this point of the next mutation. Absent: inert. */
  faultPoint?: FaultPoint;
  /** How long state that is no longer needed is kept (always set by `loadAppConfig`; absent: the defaults). */
  retention?: Retention;
  /** The bound on work after an ack (`WORK_CONCURRENCY`, `WORK_QUEUE_SIZE`); absent: the defaults. */
  work?: { concurrency: number; queueSize: number };
  /** HTTP mode: Slack's requests are judged and acked in a thread of their own (`ACK_THREAD`); absent: one thread. */
  ackThread?: boolean;
  /**
   * How old the user groups a policy decision uses may be (`USER_GROUPS_MAX_AGE`, 0 to 10 min); absent: the
   * default (1 min). Clicks are always authorized on groups read at the click.
   */
  userGroupsMaxAgeMs?: number;
  /**
   * Polls of cloud jobs a second, every job the replica follows together (`JOB_POLLS_PER_SECOND`); absent:
   * the default of the shared poll schedule (20).
   */
  jobPollsPerSecond?: number;
}

/** Retention periods (ms), from `REQUEST_RETENTION`, `RUN_RETENTION`, `DELIVERY_DEDUPE_TTL`, `SAVED_QUERY_TTL`. */
export interface Retention {
  /** Finished approval requests and their card details, after their last change. */
  finishedRequestsMs: number;
  /** Finished run records, after their last write. */
  runsMs: number;
  /** Dedupe keys of Slack deliveries. */
  deliveryDedupeMs: number;
  /** Queries behind result buttons (Previous/Next/Share). */
  savedQueriesMs: number;
}

const DEFAULT_POLICY_FILE = "flows/policy.yml";
const DEFAULT_FLOWS_DIR = "flows";
const DEFAULT_NOTIFICATIONS_FILE = "flows/notifications.yml";

/** Default of `SHUTDOWN_GRACE`. */
export const DEFAULT_SHUTDOWN_GRACE_MS = 10_000;
/** How long after the grace a stopping process exits regardless (closing connections, releasing leases). */
export const SHUTDOWN_MARGIN_MS = 5_000;

/** App settings are neither required nor secret: every one has a safe default. */
export type AppEnvVar = Omit<EnvVarDoc, "required" | "secret">;

/** Every environment variable read here, for the README's configuration table. */
export const APP_ENV_VARS: readonly AppEnvVar[] = [
  {
    name: "STORE_URL",
    default: DEFAULT_STORE_URL,
    meaning:
      "Durable state: `sqlite://<file>` (one replica), `redis://host:port[/db]` (several), `memory://` (tests).",
  },
  { name: "POLICY_FILE", default: DEFAULT_POLICY_FILE, meaning: "Who may do what, with whose approval." },
  {
    name: "FLOWS_DIR",
    default: DEFAULT_FLOWS_DIR,
    meaning: "Folder with the operation flows (`start.yml` … `delete.yml`).",
  },
  {
    name: "NOTIFICATIONS_FILE",
    default: DEFAULT_NOTIFICATIONS_FILE,
    meaning: "Channel notifications: watchers, routes, digests.",
  },
  {
    name: "LOG_LEVEL",
    default: "info",
    meaning: "pino level: fatal, error, warn, info, debug, trace, silent.",
  },
  {
    name: "RUN_LEASE_TTL",
    default: "30s",
    meaning:
      "Lease of a running flow, renewed by the replica driving it: a dead replica's runs are adopted by another one after this long (1s to 1h).",
  },
  {
    name: "SHUTDOWN_GRACE",
    default: "10s",
    meaning:
      "On SIGTERM, how long work in flight may finish (at most 10m); the process exits at most 5 s later whatever is still pending.",
  },
  {
    name: "REQUEST_RETENTION",
    default: "90d",
    meaning:
      "How long a finished approval request (rejected, expired, cancelled, executed) and its card details are kept after their last change.",
  },
  {
    name: "RUN_RETENTION",
    default: "90d",
    meaning:
      "How long the record of a finished run (steps, jobs, final server states) is kept after its last write.",
  },
  {
    name: "DELIVERY_DEDUPE_TTL",
    default: "1h",
    meaning:
      "How long a Slack delivery's dedupe key is kept, so retries and re-sends are handled once (at least 5m: Slack retries for minutes).",
  },
  {
    name: "SAVED_QUERY_TTL",
    default: "1d",
    meaning:
      "How long Previous/Next/Share and notification buttons keep working (the query behind them is stored).",
  },
  {
    name: "WORK_CONCURRENCY",
    default: String(DEFAULT_WORK_CONCURRENCY),
    meaning:
      "How many acked Slack requests are worked on at once (1–1000); the rest wait in the work queue. Most of a request's time is spent waiting for the cloud and Slack: at 100 ms of cloud latency a show takes about 220 ms and a stop up to 700 ms, so 100 commands a second keep some 30–60 in flight.",
  },
  {
    name: "WORK_QUEUE_SIZE",
    default: String(DEFAULT_WORK_QUEUE_SIZE),
    meaning:
      'How many acked requests may wait for a slot (0–100000); beyond that a request is answered "busy, try again in a moment" instead of every request slowing down.',
  },
  {
    name: "ACK_THREAD",
    default: "on",
    meaning:
      "HTTP mode: `on` judges and acks Slack's requests in a thread of their own, so an ack never waits behind the work of earlier requests; `off` runs everything on one thread.",
  },
  {
    name: "USER_GROUPS_MAX_AGE",
    default: "1m",
    meaning:
      "How old the Slack user groups a policy decision uses may be (0s to 10m; 0s reads them for every decision). They are read again at once when Slack announces a change (`subteam_*` events); who may approve a click is always read at the click.",
  },
  {
    name: "JOB_POLLS_PER_SECOND",
    default: String(DEFAULT_JOB_POLLS_PER_SECOND),
    meaning:
      "How many polls of cloud jobs leave a replica in a second, every job it follows together (1–1000). Each job is polled every 2 s in its first minute and every 4 s after, so the default follows 40 jobs at once at that pace; more jobs wait their turn, and then the replica reads the servers of the jobs it follows together, by ID, every second, and a job whose servers were seen settling goes first. Raise it only as far as the account's API rate limit allows.",
  },
  {
    name: "HWC_FAULT_POINT",
    meaning:
      "Test hook, inert unless set: `after-intent` or `after-send` makes the process exit (137) at that point of the next mutation.",
  },
];

const schema = z.object({
  STORE_URL: z.string().min(1).default(DEFAULT_STORE_URL),
  POLICY_FILE: z.string().min(1).default(DEFAULT_POLICY_FILE),
  FLOWS_DIR: z.string().min(1).default(DEFAULT_FLOWS_DIR),
  NOTIFICATIONS_FILE: z.string().min(1).default(DEFAULT_NOTIFICATIONS_FILE),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  RUN_LEASE_TTL: optionalPeriod({ min: "1s", max: "1h" }),
  SHUTDOWN_GRACE: optionalPeriod({ max: "10m" }),
  HWC_FAULT_POINT: z.enum(FAULT_POINTS).optional(),
  REQUEST_RETENTION: period("90d", { min: "1h" }),
  RUN_RETENTION: period("90d", { min: "1h" }),
  DELIVERY_DEDUPE_TTL: period("1h", { min: "5m" }),
  SAVED_QUERY_TTL: period("1d", { min: "1m" }),
  WORK_CONCURRENCY: count(DEFAULT_WORK_CONCURRENCY, 1, 1_000),
  WORK_QUEUE_SIZE: count(DEFAULT_WORK_QUEUE_SIZE, 0, 100_000),
  ACK_THREAD: z.enum(["on", "off"], { error: 'must be "on" or "off"' }).default("on"),
  USER_GROUPS_MAX_AGE: period("1m", { max: "10m" }),
  JOB_POLLS_PER_SECOND: count(DEFAULT_JOB_POLLS_PER_SECOND, 1, 1_000),
});

/** A whole number variable with a default and bounds. */
function count(fallback: number, min: number, max: number) {
  return z
    .string()
    .default(String(fallback))
    .transform((value, ctx): number => {
      const n = /^\d+$/.test(value) ? Number(value) : Number.NaN;
      if (n >= min && n <= max) return n;
      ctx.addIssue({
        code: "custom",
        message: `must be a whole number from ${min} to ${max}, got "${value}"`,
      });
      return z.NEVER;
    });
}

/** Bounds of a duration variable, written as durations (`1h`): the error names them as written. */
interface PeriodBounds {
  min?: string;
  max?: string;
}

/** Milliseconds of a bound written here (a typo in one is a programming fault). */
function boundMs(text: string): number {
  const parsed = parseDuration(text);
  if (!parsed.ok) throw new Error(`bad duration bound: ${parsed.error}`);
  return parsed.ms;
}

/** Parses a duration variable's value and checks it against `bounds`, adding the issue when it fails. */
function within(bounds: PeriodBounds) {
  const minMs = bounds.min === undefined ? 0 : boundMs(bounds.min);
  const maxMs = bounds.max === undefined ? Number.POSITIVE_INFINITY : boundMs(bounds.max);
  return (value: string, ctx: z.RefinementCtx): number => {
    const parsed = parseDuration(value);
    if (parsed.ok && parsed.ms >= minMs && parsed.ms <= maxMs) return parsed.ms;
    const message = !parsed.ok
      ? parsed.error
      : parsed.ms < minMs
        ? `must be at least ${bounds.min}`
        : `must be at most ${bounds.max}`;
    ctx.addIssue({ code: "custom", message });
    return z.NEVER;
  };
}

/** A duration variable with a default and bounds (the error names both forms). */
function period(fallback: string, bounds: PeriodBounds) {
  return z.string().default(fallback).transform(within(bounds));
}

/** A duration variable without a default: absent means the component's own default. */
function optionalPeriod(bounds: PeriodBounds) {
  const check = within(bounds);
  return z
    .string()
    .optional()
    .transform((value, ctx): number | undefined => (value === undefined ? undefined : check(value, ctx)));
}

/** Where the declarative files are, from the environment or the defaults (even when other settings are bad). */
export function configFilePaths(
  env: Record<string, string | undefined> = process.env,
): Pick<AppConfig, "policyFile" | "flowsDir" | "notificationsFile"> {
  const value = (name: string, fallback: string) => env[name]?.trim() || fallback;
  return {
    policyFile: value("POLICY_FILE", DEFAULT_POLICY_FILE),
    flowsDir: value("FLOWS_DIR", DEFAULT_FLOWS_DIR),
    notificationsFile: value("NOTIFICATIONS_FILE", DEFAULT_NOTIFICATIONS_FILE),
  };
}

/**
 * The declarative files' locations as absolute paths (relative settings are read from the working directory),
 * for the start-up log and `--check`: which files were read, not only their hashes.
 */
export function describeConfigFilePaths(
  config: Pick<AppConfig, "policyFile" | "flowsDir" | "notificationsFile">,
): { policy: string; flows: string; notifications: string } {
  return {
    policy: resolve(config.policyFile),
    flows: resolve(config.flowsDir),
    notifications: resolve(config.notificationsFile),
  };
}

export type LoadAppConfigResult = { ok: true; config: AppConfig } | { ok: false; issues: string[] };

/**
 * Reads and validates the app settings; every problem at once, each naming its variable (never echoing a URL's
 * password).
 */
export function loadAppConfig(env: Record<string, string | undefined> = process.env): LoadAppConfigResult {
  const blankToUndefined = Object.fromEntries(
    Object.keys(schema.shape).map((k) => [k, env[k]?.trim() ? env[k]?.trim() : undefined]),
  );
  const parsed = schema.safeParse(blankToUndefined);
  // Every problem at once: the store URL is judged even when another variable is wrong.
  const store = parseStoreUrl(
    typeof blankToUndefined.STORE_URL === "string" ? blankToUndefined.STORE_URL : DEFAULT_STORE_URL,
  );
  const issues = [
    ...(parsed.success ? [] : parsed.error.issues.map((i) => `${String(i.path[0])}: ${i.message}`)),
    ...(store.ok ? [] : [store.error]),
  ];
  if (!parsed.success || issues.length > 0) return { ok: false, issues };
  return {
    ok: true,
    config: {
      storeUrl: parsed.data.STORE_URL,
      policyFile: parsed.data.POLICY_FILE,
      flowsDir: parsed.data.FLOWS_DIR,
      notificationsFile: parsed.data.NOTIFICATIONS_FILE,
      logLevel: parsed.data.LOG_LEVEL,
      ...(parsed.data.RUN_LEASE_TTL !== undefined && { runLeaseTtlMs: parsed.data.RUN_LEASE_TTL }),
      ...(parsed.data.SHUTDOWN_GRACE !== undefined && { shutdownGraceMs: parsed.data.SHUTDOWN_GRACE }),
      ...(parsed.data.HWC_FAULT_POINT !== undefined && { faultPoint: parsed.data.HWC_FAULT_POINT }),
      retention: {
        finishedRequestsMs: parsed.data.REQUEST_RETENTION,
        runsMs: parsed.data.RUN_RETENTION,
        deliveryDedupeMs: parsed.data.DELIVERY_DEDUPE_TTL,
        savedQueriesMs: parsed.data.SAVED_QUERY_TTL,
      },
      work: { concurrency: parsed.data.WORK_CONCURRENCY, queueSize: parsed.data.WORK_QUEUE_SIZE },
      ackThread: parsed.data.ACK_THREAD === "on",
      userGroupsMaxAgeMs: parsed.data.USER_GROUPS_MAX_AGE,
      jobPollsPerSecond: parsed.data.JOB_POLLS_PER_SECOND,
    },
  };
}
