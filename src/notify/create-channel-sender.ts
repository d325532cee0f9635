import type { ChatPort, MessageRef } from "../app/ports.js";
import { retryAfterMsOf } from "../app/retry-after-ms-of.js";
import type { Message } from "../render/message-model.js";
import type { Clock } from "../store/store.js";

export type SendResult =
  | { ok: true; ref: MessageRef; attempts: number }
  | { ok: false; error: string; attempts: number };

export interface ChannelSender {
  /** Posts one message, paced per channel and retried after Slack's `Retry-After`; never throws. */
  send(channel: string, message: Message): Promise<SendResult>;
}

export interface ChannelSenderOptions {
  chat: Pick<ChatPort, "postMessage">;
  clock: Clock;
  sleep: (ms: number) => Promise<void>;
  /** Minimum spacing of two posts to one channel (Slack: about one message per second per channel). */
  minIntervalMs: number;
  /** Attempts per message when rate limited. */
  maxAttempts: number;
}

/** A `Retry-After` beyond this is not waited for (the post fails and is logged). */
const MAX_RETRY_AFTER_MS = 5 * 60_000;

function errorCode(error: unknown): string {
  if (typeof error === "object" && error !== null) {
    const e = error as { code?: unknown; data?: { error?: unknown }; message?: unknown };
    if (typeof e.data?.error === "string") return e.data.error;
    if (typeof e.code === "string") return e.code;
    if (typeof e.message === "string") return e.message;
  }
  return String(error);
}

/**
 * Posts to Slack without flooding: posts to one channel are serialized and spaced `minIntervalMs` apart,
 * and a 429 waits `Retry-After` (and pushes the channel's next post back) before trying again. Other
 * failures are returned, not thrown: a channel the bot was removed from must not stop the others.
 */
export function createChannelSender(options: ChannelSenderOptions): ChannelSender {
  const { chat, clock, sleep, minIntervalMs, maxAttempts } = options;
  const nextAllowed = new Map<string, number>();
  const queues = new Map<string, Promise<unknown>>();

  async function deliver(channel: string, message: Message): Promise<SendResult> {
    for (let attempt = 1; ; attempt++) {
      const wait = (nextAllowed.get(channel) ?? 0) - clock.now();
      if (wait > 0) await sleep(wait);
      try {
        const ref = await chat.postMessage(channel, message);
        nextAllowed.set(channel, clock.now() + minIntervalMs);
        return { ok: true, ref, attempts: attempt };
      } catch (error) {
        const retryAfter = retryAfterMsOf(error);
        if (retryAfter === undefined || attempt >= maxAttempts || retryAfter > MAX_RETRY_AFTER_MS) {
          nextAllowed.set(channel, clock.now() + minIntervalMs);
          return { ok: false, error: errorCode(error), attempts: attempt };
        }
        nextAllowed.set(channel, clock.now() + Math.max(retryAfter, minIntervalMs));
      }
    }
  }

  return {
    send(channel, message) {
      const previous = queues.get(channel) ?? Promise.resolve();
      const result = previous.then(() => deliver(channel, message));
      const settled = result.catch(() => undefined);
      queues.set(channel, settled);
      void settled.then(() => {
        if (queues.get(channel) === settled) queues.delete(channel);
      });
      return result;
    },
  };
}
