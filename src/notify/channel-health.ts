/**
 * Channels the notifier cannot post to for good (the bot is not in the channel, it does not exist, it is
 * archived…), kept in the store per channel so every replica and every watcher or digest sees the same: said
 * once in the alert channels, shown by `/ops watch list`, forgotten when a post there succeeds again.
 */

import { CHANNEL_DELIVERY_ERRORS } from "../slack/channel-delivery-errors.js";
import { NO_CHANGE, type Store, writeUpdate } from "../store/store.js";
import type { NotifierLogger } from "./notifier-types.js";

/**
 * Slack's answers to `chat.postMessage` that no retry or wait can change: someone has to act (invite the bot,
 * fix the channel ID, unarchive, grant the app access). Rate limits, timeouts and server errors are not here.
 */
export const PERMANENT_DELIVERY_ERRORS: ReadonlySet<string> = new Set([
  ...CHANNEL_DELIVERY_ERRORS,
  "missing_scope",
]);

export function isPermanentDeliveryError(code: string): boolean {
  return PERMANENT_DELIVERY_ERRORS.has(code);
}

/**
 * A channel record lasts this long after the last failed post: a channel that stays broken but gets nothing
 * for a month is said again (once) at its next failure instead of being kept forever.
 */
export const UNDELIVERABLE_TTL_MS = 30 * 86_400_000;

export const undeliverableKey = (channel: string) => `notify:undeliverable:${channel}`;

/** A channel posts to fail in a way only a person can fix (JSON, in the store). */
export interface UndeliverableChannel {
  channel: string;
  /** Slack's error code (untrusted text: escape it). */
  error: string;
  /** First failure with this error. */
  since: number;
  /** Last failure. */
  lastAt: number;
  /** The one message about it went out (or there was nowhere to send it). */
  alerted: boolean;
}

export interface ChannelHealth {
  /**
   * Records a permanent failure of a post to `channel`. True when this call should say so in the alert
   * channels: the first failure, or the first with another error, since the channel last worked (one caller
   * wins across replicas).
   */
  failed(channel: string, error: string): Promise<boolean>;
  /** The message about `channel` could not be posted anywhere: the next failure tries again. */
  alertNotDelivered(channel: string): Promise<void>;
  /** A post to `channel` succeeded: forgets its record. */
  delivered(channel: string): Promise<void>;
  /** The records of these channels, in their order. */
  list(channels: readonly string[]): Promise<UndeliverableChannel[]>;
}

export function createChannelHealth(deps: {
  store: Store;
  clock: { now(): number };
  logger: NotifierLogger;
}): ChannelHealth {
  const { store, clock, logger } = deps;
  return {
    async failed(channel, error) {
      const now = clock.now();
      let alertNow = false;
      const update = await store.update<UndeliverableChannel, never>(
        undeliverableKey(channel),
        (current) => {
          const prev = current?.value;
          const same = prev !== undefined && prev.error === error;
          alertNow = !(same && prev.alerted);
          return writeUpdate(
            { channel, error, since: same ? prev.since : now, lastAt: now, alerted: true },
            { ttlMs: UNDELIVERABLE_TTL_MS },
          );
        },
        { retries: 5 },
      );
      if (!update.ok) return false;
      if (alertNow) logger.warn({ channel, error }, "notifications cannot be posted to this channel");
      return alertNow;
    },

    async alertNotDelivered(channel) {
      await store.update<UndeliverableChannel, never>(
        undeliverableKey(channel),
        (current) =>
          current === undefined
            ? NO_CHANGE
            : writeUpdate({ ...current.value, alerted: false }, { ttlMs: UNDELIVERABLE_TTL_MS }),
        { retries: 5 },
      );
    },

    async delivered(channel) {
      const key = undeliverableKey(channel);
      if ((await store.get(key)) === undefined) return;
      if (await store.delete(key)) logger.info({ channel }, "notifications reach this channel again");
    },

    async list(channels) {
      const records = await Promise.all(
        [...new Set(channels)].map((c) => store.get<UndeliverableChannel>(undeliverableKey(c))),
      );
      return records.flatMap((r) => (r === undefined ? [] : [r.value]));
    },
  };
}
