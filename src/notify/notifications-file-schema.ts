import * as z from "zod";
import { cronProblem, isTimeZone } from "../config/check-cron-and-time-zone.js";
import { boundedDurationSchema } from "../config/parse-duration.js";
import { suggestClosest } from "../config/suggest-closest.js";
import { matchGlob } from "../policy/match-glob.js";
import { EVENT_TYPES, SEVERITIES } from "./fleet-event.js";

// The on-disk shape of flows/notifications.yml (snake_case, as written).
// `load-notifications-config.ts` compiles it into `NotificationsConfig`.

export const WATCHER_KINDS = ["ecs_servers", "hss_hosts", "hss_open_ports", "hss_scan_tasks"] as const;
export const DIGEST_KINDS = ["hss_posture", "ecs_fleet"] as const;

/** Polling faster than this would mostly load the cloud APIs (and their throttling). */
export const MIN_INTERVAL_MS = 10_000;

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

const timeZone = z.string().refine(isTimeZone, {
  params: { predicate: "is not an IANA time zone (like UTC, Europe/Berlin, Asia/Shanghai)" },
});

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

const defaults = z.strictObject({
  interval: interval.optional(),
  quiet_period: quietPeriod.optional(),
  max_items: z.int().min(1).max(50).optional(),
  detailed_up_to: z.int().min(0).max(10).optional(),
  failure_threshold: z.int().min(1).optional(),
  lease_ttl: leaseTtl.optional(),
  alert_channels: channels.optional(),
  time_zone: timeZone.optional(),
});

const watcher = z.strictObject({
  id,
  kind: enumOf(WATCHER_KINDS, "watcher kind"),
  description: z.string().trim().min(1).optional(),
  enabled: z.boolean().optional(),
  interval: interval.optional(),
  quiet_period: quietPeriod.optional(),
  max_items: z.int().min(1).max(50).optional(),
  detailed_up_to: z.int().min(0).max(10).optional(),
  failure_threshold: z.int().min(1).optional(),
  lease_ttl: leaseTtl.optional(),
  alert_channels: channels.optional(),
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
