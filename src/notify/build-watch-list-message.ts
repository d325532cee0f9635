import { formatDuration } from "../config/parse-duration.js";
import { formatCount, plural } from "../render/escape-mrkdwn.js";
import {
  channelLink,
  code,
  context,
  header,
  type ListField,
  type ListItem,
  list,
  localTime,
  type Message,
  md,
  type Span,
  section,
} from "../render/message-model.js";
import { statusIcon } from "../render/status-icon.js";
import { emoji } from "../views/format-values.js";
import { WATCHER_TITLES } from "./build-change-message.js";
import { linesPerProblem } from "./build-undeliverable-channel-message.js";
import type { UndeliverableChannel } from "./channel-health.js";
import type { DigestInfo, WatcherInfo } from "./notifier-types.js";
import { readDeliveryError, type StoredRunResult } from "./watcher-records.js";

function ago(now: number, at: number): Span[] {
  const ms = now - at;
  return ms < 1_000 ? md`just now` : md`${formatDuration(ms)} ago`;
}

function channelList(channels: readonly string[]): Span[] {
  if (channels.length === 0) return md`none`;
  // Slack shows each channel by its current name and links it.
  return channels.flatMap((c, i) => [...(i === 0 ? [] : md`, `), channelLink(c)]);
}

/** A run's result; `blocked`: channels said apart ("cannot post to"), left out of "not delivered to". */
function describeResult(result: StoredRunResult, blocked: ReadonlySet<string> = new Set()): Span[] {
  switch (result.outcome) {
    case "baseline":
      return md`baseline of ${formatCount(result.observed)} recorded`;
    case "failed":
      return md`failed: ${code(result.error)}`;
    case "ok": {
      const parts = [
        md`${formatCount(result.observed)} observed`,
        md`${formatCount(result.changes)} changes`,
        md`${formatCount(result.announced)} announced in ${plural(result.posted, "message")}`,
      ];
      if (result.expected > 0) parts.push(md`${formatCount(result.expected)} by hwc-chatops`);
      if (result.held > 0) parts.push(md`${formatCount(result.held)} held back`);
      const errors = result.deliveryErrors.filter((e) => !blocked.has(readDeliveryError(e).channel ?? ""));
      if (errors.length > 0) parts.push(md`not delivered to ${undelivered(errors)}`);
      return parts.flatMap((p, i) => [...(i === 0 ? [] : md` · `), ...p]);
    }
  }
}

/** `["C1: not_in_channel"]` (as a run records them) → "#c1 (`not_in_channel`)". Slack's code is untrusted. */
function undelivered(errors: readonly string[]): Span[] {
  return errors.flatMap((entry, i) => {
    const { channel, error } = readDeliveryError(entry);
    const where = channel === undefined ? md`${error}` : md`${channelLink(channel)} (${code(error)})`;
    return [...(i === 0 ? [] : md`, `), ...where];
  });
}

/** "#random, #nope": the channels only; what to do about each is said once, above the lists ({@link toFix}). */
function cannotPostTo(channels: readonly UndeliverableChannel[]): Span[] {
  return channelList([...new Set(channels.map((u) => u.channel))]);
}

/**
 * What to do about the channels the bot cannot post to, a watcher's and a digest's alike, once per problem
 * ({@link linesPerProblem}). Undefined when every channel can be posted to.
 */
function toFix(blocked: readonly UndeliverableChannel[], botUserId: string | undefined): Span[] | undefined {
  const lines = linesPerProblem(blocked, botUserId);
  if (lines.length === 0) return undefined;
  return [...md`:warning: *To fix*`, ...lines.flatMap((line) => [...md`\n`, ...line])];
}

/** A watcher's state: `FAILED` when it cannot read the cloud or reach one of its channels. */
function watcherStatus(w: WatcherInfo): "UNKNOWN" | "PENDING" | "FAILED" | "OK" {
  if (!w.available) return "UNKNOWN";
  if (w.lastResult === undefined) return "PENDING";
  // A watcher whose messages cannot reach a channel is not OK, however well it reads the cloud.
  if (w.lastResult.outcome === "failed" || w.undeliverable.length > 0) return "FAILED";
  return "OK";
}

/** A watcher's state in words, after what it watches: "ECS servers · failing: cannot post to 2 channels". */
function watcherState(w: WatcherInfo): string {
  switch (watcherStatus(w)) {
    case "UNKNOWN":
      return "unavailable";
    case "PENDING":
      return "not run yet";
    case "OK":
      return "working";
    case "FAILED": {
      const failed = w.lastResult?.outcome === "failed";
      const blocked = w.undeliverable.length;
      const posts = blocked > 0 ? `cannot post to ${plural(blocked, "channel")}` : "";
      if (failed && blocked > 0) return `failing: its last run failed, and it ${posts}`;
      return failed ? "failing: its last run failed" : `failing: ${posts}`;
    }
  }
}

/**
 * `/ops watch list`: every watcher with its schedule, last run and result, then the digests. `botUserId` (the
 * bot's Slack user ID) names the bot in the `/invite` hint of a channel it is not in.
 */
export function buildWatchListMessage(
  watchers: readonly WatcherInfo[],
  digests: readonly DigestInfo[],
  now: number,
  botUserId?: string,
): Message {
  const items: ListItem[] = watchers.map((w) => {
    const fields: ListField[] = [
      { label: md`every`, value: md`${formatDuration(w.intervalMs)}` },
      {
        label: md`last run`,
        value:
          w.lastRunAt === undefined || w.lastResult === undefined
            ? md`never`
            : md`${ago(now, w.lastRunAt)}: ${describeResult(w.lastResult, new Set(w.undeliverable.map((u) => u.channel)))}`,
      },
      { label: md`to`, value: channelList(w.channels) },
    ];
    if (w.undeliverable.length > 0) {
      fields.push({ label: md`cannot post to`, value: cannotPostTo(w.undeliverable) });
    }
    const rotation = w.lastResult?.outcome === "failed" ? undefined : w.lastResult?.rotation;
    if (rotation !== undefined && rotation.total > rotation.perRun) {
      const runs = Math.ceil(rotation.total / rotation.perRun);
      fields.push({
        label: md`full cycle`,
        value: md`${formatDuration(runs * w.intervalMs)} (${formatCount(rotation.perRun)} of ${formatCount(rotation.total)} hosts a run)`,
      });
    }
    if (w.consecutiveFailures > 0) {
      fields.push({
        label: md`failing`,
        value: md`${formatCount(w.consecutiveFailures)} in a row${w.failing ? md` (announced)` : []}`,
      });
    }
    if (!w.available && w.unavailableReason !== undefined) {
      fields.push({ label: md`unavailable`, value: w.unavailableReason });
    }
    if (w.holder !== undefined) fields.push({ label: md`runs on`, value: code(w.holder) });
    // The state in words beside what it watches (not a status code after the ID): the icon says it at a glance.
    return {
      title: md`${emoji(statusIcon(watcherStatus(w)))} ${w.id}`,
      subtitle: md`${w.description ?? WATCHER_TITLES[w.kind]} · ${watcherState(w)}`,
      fields,
    };
  });
  const digestItems: ListItem[] = digests.map((d) => ({
    title: d.id,
    subtitle: md`${code(d.schedule)} (${d.timeZone})${d.description !== undefined ? md` — ${d.description}` : []}`,
    fields: [
      { label: md`to`, value: channelList(d.channels) },
      ...(d.undeliverable.length > 0
        ? [{ label: md`cannot post to`, value: cannotPostTo(d.undeliverable) }]
        : []),
      {
        label: md`last`,
        value:
          d.lastSlot === undefined || d.lastResult === undefined
            ? md`never`
            : md`${ago(now, d.lastSlot)}: ${d.lastResult.outcome === "posted" ? md`posted to ${formatCount(d.lastResult.posted)} channels` : md`failed: ${code(d.lastResult.error)}`}`,
      },
      ...(d.nextAt !== undefined ? [{ label: md`next`, value: [localTime(d.nextAt)] }] : []),
    ],
  }));
  // As each watcher's own status says: failing to read the cloud, or to reach a channel.
  const failing = watchers.filter((w) => watcherStatus(w) === "FAILED").length;
  const undeliverable = [...watchers, ...digests].flatMap((x) => x.undeliverable);
  const blocked = new Set(undeliverable.map((u) => u.channel)).size;
  const fix = toFix(undeliverable, botUserId);
  const unreachable =
    blocked > 0 ? md`, cannot post to ${formatCount(blocked)} ${blocked === 1 ? "channel" : "channels"}` : [];
  return {
    text: md`${plural(watchers.length, "watcher")} (${formatCount(failing)} failing), ${plural(digests.length, "digest")}${unreachable}`,
    blocks: [
      header(md`Watchers`),
      context(
        md`${plural(watchers.length, "watcher")}, ${formatCount(failing)} failing${unreachable} · configured in \`flows/notifications.yml\``,
      ),
      ...(fix === undefined ? [] : [section({ text: fix })]),
      list(items, { moreHint: md`see \`flows/notifications.yml\`` }),
      header(md`Digests`),
      list(digestItems, { moreHint: md`see \`flows/notifications.yml\`` }),
    ],
  };
}
