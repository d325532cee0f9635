import * as z from "zod";
import { cronProblem, timeZoneSchema } from "../config/check-cron-and-time-zone.js";
import { boundedDurationSchema, formatDuration } from "../config/parse-duration.js";
import { suggestClosest } from "../config/suggest-closest.js";
import { valueIssue } from "../config/value-issue.js";
import { matchGlob } from "../policy/match-glob.js";
import { joinWords } from "../render/escape-mrkdwn.js";
import {
  EVENT_SEVERITY,
  EVENT_TYPES,
  EVENT_WATCHER_KIND,
  type EventType,
  SEVERITIES,
  severityRank,
} from "./fleet-event.js";

// The on-disk shape of flows/notifications.yml (snake_case, as written).
// `load-notifications-config.ts` compiles it into `NotificationsConfig`.

export const WATCHER_KINDS = ["ecs_servers", "hss_hosts", "hss_open_ports", "hss_scan_tasks"] as const;
export const DIGEST_KINDS = ["hss_posture", "ecs_fleet"] as const;

/** Polling faster than this would mostly load the cloud APIs (and their throttling). */
export const MIN_INTERVAL_MS = 10_000;

/** What a watcher that sets nothing gets (`NOTIFY_DEFAULTS` takes them from here). */
export const DEFAULT_INTERVAL_MS = 60_000;
export const DEFAULT_FAILURE_THRESHOLD = 3;
export const DEFAULT_REQUESTS_PER_RUN = 500;
export const DEFAULT_CONCURRENCY = 4;

/** The kinds that read one host per request and take `concurrency` and `requests_per_run`; others ignore them. */
export const PER_HOST_KINDS: readonly (typeof WATCHER_KINDS)[number][] = ["hss_open_ports"];

/**
 * Most failed runs before "watcher is failing" is said, and the longest a watcher may fail unsaid
 * (`failure_threshold` × `interval`): beyond a day, a watcher that cannot read the cloud is as good as absent.
 */
export const MAX_FAILURE_THRESHOLD = 100;
export const MAX_UNSAID_FAILURE_MS = 86_400_000;

/**
 * The per-host budget's average rate (`requests_per_run` / `interval`): HSS throttles per account, and the
 * commands' own HSS reads share that quota. The shipped 500 every 15m is about 0.6 a second, the defaults (500
 * every 1m) about 8.
 */
export const MAX_PER_HOST_REQUESTS_PER_SECOND = 10;

const id = z.string().refine((s) => /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(s), {
  params: { predicate: "is not a valid id; use up to 64 letters, digits, `-`, `_` and `.`" },
});

// Real Slack IDs are upper-case alphanumerics; the fake Slack's `C_OPS` style is accepted too.
const channelId = z.string().refine((s) => /^[CGD][A-Z0-9_]{2,}$/.test(s), {
  params: {
    predicate:
      "is not a Slack channel ID (like C0123ABCDE); channel names are not accepted (they can be renamed), copy the ID from the channel's details",
  },
});

const channels = z.array(channelId).min(1);

/**
 * Bounds of every duration in the file. Polling more often than every 10s costs the cloud API quota for
 * nothing, less than daily is a digest's job; a quiet period beyond a week hides a change for good; a lease
 * beyond an hour leaves a dead replica's watcher silent that long; posts spaced more than a minute apart
 * would queue up behind each other.
 */
const interval = boundedDurationSchema({ minMs: MIN_INTERVAL_MS, maxMs: 86_400_000, example: "1m" });
const quietPeriod = boundedDurationSchema({ minMs: 0, maxMs: 7 * 86_400_000, example: "15m" });
const leaseTtl = boundedDurationSchema({ minMs: 1_000, maxMs: 3_600_000, example: "2m" });
const minPostInterval = boundedDurationSchema({ minMs: 0, maxMs: 60_000, example: "1s" });

const failureThreshold = z
  .int()
  .min(1)
  .superRefine((n, ctx) => {
    if (n > MAX_FAILURE_THRESHOLD)
      ctx.addIssue(
        valueIssue(
          n,
          `must be at most ${MAX_FAILURE_THRESHOLD}: the failed runs in a row before "watcher is failing" is said (default ${DEFAULT_FAILURE_THRESHOLD}, so a blip pages nobody and a real failure is said within minutes)`,
        ),
      );
  });

const timeZone = timeZoneSchema;

/** Which servers / hosts: every tag (values may use `*` and `?`) and any one of the name globs. */
const subjectMatch = z
  .strictObject({
    tags: z.record(z.string().min(1), z.string()).default({}),
    names: z.array(z.string().min(1)).default([]),
  })
  .refine((m) => m.names.length + Object.keys(m.tags).length > 0, {
    message: "`match` needs `tags` or `names` to match on",
  });

const eventPattern = z.string().superRefine((pattern, ctx) => {
  if (EVENT_TYPES.some((type) => matchGlob(pattern, type))) return;
  const guess = suggestClosest(pattern, EVENT_TYPES);
  const hint =
    guess !== undefined ? ` (did you mean \`${guess}\`?)` : `; known events: ${EVENT_TYPES.join(", ")}`;
  ctx.addIssue({ code: "custom", message: `event \`${pattern}\` matches no known event${hint}` });
});

function enumOf<const T extends readonly [string, ...string[]]>(values: T, what: string) {
  return z.enum(values, {
    error: (issue) => {
      const input = issue.input;
      if (typeof input !== "string") return `should be a ${what}: one of ${values.join(", ")}`;
      const guess = suggestClosest(input, values);
      return `\`${input}\` is not a ${what}${guess !== undefined ? ` (did you mean \`${guess}\`?)` : `; use one of ${values.join(", ")}`}`;
    },
  });
}

/** What `defaults` sets for every watcher and a watcher may set for itself: one set of bounds for both. */
const watcherSettings = {
  interval: interval.optional(),
  quiet_period: quietPeriod.optional(),
  max_items: z.int().min(1).max(50).optional(),
  detailed_up_to: z.int().min(0).max(10).optional(),
  failure_threshold: failureThreshold.optional(),
  lease_ttl: leaseTtl.optional(),
  alert_channels: channels.optional(),
};

const defaults = z.strictObject({
  ...watcherSettings,
  time_zone: timeZone.optional(),
});

const watcher = z.strictObject({
  id,
  kind: enumOf(WATCHER_KINDS, "watcher kind"),
  description: z.string().trim().min(1).optional(),
  enabled: z.boolean().optional(),
  ...watcherSettings,
  scope: subjectMatch.optional(),
  concurrency: z.int().min(1).max(16).optional(),
  requests_per_run: z.int().min(1).max(100_000).optional(),
});

const route = z.strictObject({
  id,
  description: z.string().trim().min(1).optional(),
  channels,
  watchers: z.array(id).min(1).optional(),
  events: z.array(eventPattern).min(1).optional(),
  min_severity: enumOf(SEVERITIES, "severity").optional(),
  match: subjectMatch.optional(),
});

const digest = z
  .strictObject({
    id,
    kind: enumOf(DIGEST_KINDS, "digest kind"),
    description: z.string().trim().min(1).optional(),
    enabled: z.boolean().optional(),
    schedule: z.string().min(1),
    time_zone: timeZone.optional(),
    channels,
    top: z.int().min(1).max(50).optional(),
    match: subjectMatch.optional(),
  })
  .superRefine((d, ctx) => {
    const problem = cronProblem(d.schedule);
    if (problem !== undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["schedule"],
        message: `\`schedule: ${d.schedule}\` is not a cron expression (${problem}); use e.g. "0 9 * * 1-5" (09:00 on weekdays)`,
      });
    }
  });

const delivery = z.strictObject({
  min_interval: minPostInterval.optional(),
  max_attempts: z.int().min(1).max(20).optional(),
});

/** Shortest `audit.digest_every`: posting the chain head more often only floods the channel. */
export const MIN_AUDIT_DIGEST_EVERY_MS = 60_000;

/** The tamper-evidence digest of the audit chain (see `createAuditDigestPoster`). */
const audit = z.strictObject({
  digest_channel: channelId.optional(),
  digest_every: boundedDurationSchema({
    minMs: MIN_AUDIT_DIGEST_EVERY_MS,
    maxMs: 7 * 86_400_000,
    example: "1h",
  }).optional(),
});

/** The notifications file. An empty file configures nothing. */
export const notificationsFileSchema = z
  .strictObject({
    version: z.literal(1).optional(),
    defaults: defaults.optional(),
    delivery: delivery.optional(),
    audit: audit.optional(),
    watchers: z.preprocess((v) => v ?? [], z.array(watcher)),
    routes: z.preprocess((v) => v ?? [], z.array(route)),
    digests: z.preprocess((v) => v ?? [], z.array(digest)),
  })
  .superRefine((file, ctx) => {
    uniqueIds(file.watchers, "watchers", ctx);
    uniqueIds(file.routes, "routes", ctx);
    uniqueIds(file.digests, "digests", ctx);
    const watcherIds = file.watchers.map((w) => w.id);
    file.routes.forEach((r, index) => {
      r.watchers?.forEach((w, j) => {
        if (watcherIds.includes(w)) return;
        const guess = suggestClosest(w, watcherIds);
        ctx.addIssue({
          code: "custom",
          path: ["routes", index, "watchers", j],
          message: `no watcher \`${w}\`${guess !== undefined ? ` (did you mean \`${guess}\`?)` : ""}`,
        });
      });
    });
    const alertsNeeded = file.defaults?.alert_channels === undefined;
    file.watchers.forEach((w, index) => {
      if (alertsNeeded && w.alert_channels === undefined && w.enabled !== false) {
        ctx.addIssue({
          code: "custom",
          path: ["watchers", index],
          message: `watcher \`${w.id}\` has nowhere to say that it is failing: set \`alert_channels\` here or in \`defaults\``,
        });
      }
    });
    checkWatcherSettings(file, ctx);
    checkRoutesCanMatch(file, ctx);
  });

export type NotificationsFile = z.output<typeof notificationsFileSchema>;

function uniqueIds(items: readonly { id: string }[], list: string, ctx: z.RefinementCtx): void {
  const seen = new Map<string, number>();
  items.forEach((item, index) => {
    const first = seen.get(item.id);
    if (first === undefined) seen.set(item.id, index);
    else {
      ctx.addIssue({
        code: "custom",
        path: [list, index, "id"],
        message: `id \`${item.id}\` is already used by ${list}[${first}]; ids must be unique`,
      });
    }
  });
}

type FileShape = {
  defaults?: { interval?: number | undefined; failure_threshold?: number | undefined } | undefined;
  watchers: readonly {
    id: string;
    kind: (typeof WATCHER_KINDS)[number];
    enabled?: boolean | undefined;
    interval?: number | undefined;
    failure_threshold?: number | undefined;
    concurrency?: number | undefined;
    requests_per_run?: number | undefined;
  }[];
  routes: readonly {
    id: string;
    watchers?: readonly string[] | undefined;
    events?: readonly string[] | undefined;
    min_severity?: (typeof SEVERITIES)[number] | undefined;
  }[];
};

/**
 * Settings that can never work: the per-host budget on a kind that reads no hosts one by one, a budget whose
 * average rate would exceed the cloud's throttling, a watcher that could fail for more than a day unsaid.
 */
function checkWatcherSettings(file: FileShape, ctx: z.RefinementCtx): void {
  const d = file.defaults ?? {};
  let unsaidFromDefaults = false;
  file.watchers.forEach((w, index) => {
    const at = (key: string) => ["watchers", index, key];
    if (!PER_HOST_KINDS.includes(w.kind)) {
      for (const key of ["concurrency", "requests_per_run"] as const) {
        if (w[key] === undefined) continue;
        ctx.addIssue({
          ...valueIssue(
            w[key],
            `is ignored by \`${w.kind}\` watchers: only ${PER_HOST_KINDS.map((k) => `\`${k}\``).join(", ")} watchers read hosts one request at a time; remove it`,
          ),
          path: at(key),
        });
      }
    }
    const intervalMs = w.interval ?? d.interval ?? DEFAULT_INTERVAL_MS;
    const every = formatDuration(intervalMs);
    if (PER_HOST_KINDS.includes(w.kind)) {
      const perRun = w.requests_per_run ?? DEFAULT_REQUESTS_PER_RUN;
      const perSecond = perRun / (intervalMs / 1_000);
      if (perSecond > MAX_PER_HOST_REQUESTS_PER_SECOND) {
        const most = Math.floor((MAX_PER_HOST_REQUESTS_PER_SECOND * intervalMs) / 1_000);
        const rate = `${formatCount(Math.round(perSecond))} requests a second to HSS on average (HSS throttles per account)`;
        const fix = `keep it to ${MAX_PER_HOST_REQUESTS_PER_SECOND} a second: at most ${formatCount(most)} a run every ${every}, or a longer \`interval\``;
        if (w.requests_per_run !== undefined) {
          ctx.addIssue({
            ...valueIssue(w.requests_per_run, `every ${every} is ${rate}; ${fix}`),
            path: at("requests_per_run"),
          });
        } else {
          ctx.addIssue({
            code: "custom",
            path: w.interval !== undefined ? at("interval") : ["watchers", index],
            message: `watcher \`${w.id}\` reads ${formatCount(perRun)} hosts (the default \`requests_per_run\`) every ${every}: ${rate}; set \`requests_per_run\` to at most ${formatCount(most)}, or a longer \`interval\``,
          });
        }
      }
    }
    const threshold = w.failure_threshold ?? d.failure_threshold ?? DEFAULT_FAILURE_THRESHOLD;
    if (threshold > MAX_FAILURE_THRESHOLD || threshold * intervalMs <= MAX_UNSAID_FAILURE_MS) return;
    const most = Math.max(1, Math.floor(MAX_UNSAID_FAILURE_MS / intervalMs));
    const message = `a watcher that fails every run (every ${every}) is said to be failing only after ${formatCount(threshold)} runs, ${formatDuration(threshold * intervalMs)} later; keep \`failure_threshold\` × \`interval\` within ${formatDuration(MAX_UNSAID_FAILURE_MS)} (here at most ${formatCount(most)} runs)`;
    if (w.failure_threshold !== undefined) {
      ctx.addIssue({
        code: "custom",
        path: at("failure_threshold"),
        message: `watcher \`${w.id}\`: ${message}`,
      });
    } else if (w.interval !== undefined) {
      ctx.addIssue({ code: "custom", path: at("interval"), message: `watcher \`${w.id}\`: ${message}` });
    } else if (!unsaidFromDefaults) {
      unsaidFromDefaults = true;
      ctx.addIssue({
        code: "custom",
        path:
          d.failure_threshold !== undefined ? ["defaults", "failure_threshold"] : ["defaults", "interval"],
        message: `in \`defaults\`: ${message}`,
      });
    }
  });
}

/** 10000 → "10,000". */
function formatCount(n: number): string {
  return Math.trunc(n).toLocaleString("en");
}

/**
 * Routes that can never match: an event pattern none of the route's watchers reports (by their kinds), or a
 * `min_severity` above every event the route can get. A disabled watcher (`enabled: false`) reports nothing: a
 * route that names only disabled watchers is refused, and so is an event only disabled watchers would report.
 * A file whose watchers are all disabled (notifications switched off) leaves its routes alone, as a file
 * without watchers does: they wait for one to be enabled.
 */
function checkRoutesCanMatch(file: FileShape, ctx: z.RefinementCtx): void {
  const running = file.watchers.filter((w) => w.enabled !== false);
  file.routes.forEach((r, index) => {
    const named =
      r.watchers === undefined ? file.watchers : file.watchers.filter((w) => r.watchers?.includes(w.id));
    // Unknown watcher IDs are reported on their own; a file without watchers routes nothing yet.
    if (named.length === 0 || (r.watchers === undefined && running.length === 0)) return;
    const watchers = named.filter((w) => w.enabled !== false);
    const disabled = named.filter((w) => w.enabled === false);
    if (watchers.length === 0) {
      ctx.addIssue({
        code: "custom",
        path: ["routes", index, "watchers"],
        message: `route \`${r.id}\` gets events only from ${joinWords(disabled.map((w) => `\`${w.id}\``))}, which ${disabled.length === 1 ? "is" : "are"} disabled (\`enabled: false\`), so it never matches; enable ${disabled.length === 1 ? "it" : "one"}, or add an enabled watcher to \`watchers\``,
      });
      return;
    }
    const kinds = new Set(watchers.map((w) => w.kind));
    const reported = EVENT_TYPES.filter((type) => kinds.has(EVENT_WATCHER_KIND[type]));
    const off =
      disabled.length === 0
        ? ""
        : `; ${joinWords(disabled.map((w) => `\`${w.id}\` (${w.kind})`))} ${disabled.length === 1 ? "is" : "are"} disabled and report${disabled.length === 1 ? "s" : ""} nothing`;
    const whose =
      r.watchers === undefined
        ? `no ${disabled.length === 0 ? "" : "enabled "}watcher in this file reports it (its ${disabled.length === 0 ? "" : "enabled "}watchers: ${watchers.map((w) => `\`${w.id}\` (${w.kind})`).join(", ")}${off})`
        : `this route's ${disabled.length === 0 ? "" : "enabled "}watchers (${watchers.map((w) => `\`${w.id}\`: ${w.kind}`).join(", ")}) report only ${joinWords(reported)}${off}`;
    r.events?.forEach((pattern, j) => {
      const from = [
        ...new Set(EVENT_TYPES.filter((type) => matchGlob(pattern, type)).map((t) => EVENT_WATCHER_KIND[t])),
      ];
      // An event no watcher kind reports is unknown, and said so on its own (with a did-you-mean).
      if (from.length === 0 || reported.some((type) => matchGlob(pattern, type))) return;
      ctx.addIssue({
        code: "custom",
        path: ["routes", index, "events", j],
        message: `event \`${pattern}\` comes only from ${joinWords(from.map((k) => `\`${k}\``))} watchers, and ${whose}, so route \`${r.id}\` never gets it; fix \`events\` or \`watchers\`${disabled.length === 0 ? "" : ", or enable a watcher"}`,
      });
    });
    if (r.min_severity === undefined) return;
    const min = severityRank(r.min_severity);
    const selected: EventType[] = reported.filter(
      (type) => r.events === undefined || r.events.some((pattern) => matchGlob(pattern, type)),
    );
    if (selected.length === 0 || selected.some((type) => severityRank(EVENT_SEVERITY[type]) >= min)) return;
    ctx.addIssue({
      ...valueIssue(
        r.min_severity,
        `lets none of this route's events through (${selected.map((t) => `${t}: ${EVENT_SEVERITY[t]}`).join(", ")}), so route \`${r.id}\` never matches; lower \`min_severity\` or change \`events\``,
      ),
      path: ["routes", index, "min_severity"],
    });
  });
}
