import type { Logger } from "pino";
import type { ChatPort } from "../app/ports.js";
import type { Message } from "../render/message-model.js";
import { type Clock, NO_CHANGE } from "../store/store.js";
import { buildAuditDigestMessage } from "./build-audit-digest-message.js";
import { AUDIT_DIGEST_KEY, AUDIT_STREAM, type AuditLog, type PostedDigest } from "./create-audit-log.js";

export interface AuditDigestPosterOptions {
  audit: AuditLog;
  chat: Pick<ChatPort, "postMessage">;
  clock: Clock;
  logger: Logger;
  /** Where the chain head goes. */
  channel: string;
  /** One digest per this period (slots are aligned to the epoch, the same on every replica). */
  everyMs: number;
  /** How often to look whether a slot is due. Default a minute (or `everyMs`, when shorter). */
  checkEveryMs?: number;
  /**
   * Posts the digest; default `chat.postMessage`. The bot passes the notifier's delivery, so a channel that
   * refuses the digest for good is said in the alert channels instead of only logged at each slot.
   */
  post?: (channel: string, message: Message) => Promise<{ ok: true } | { ok: false; error: string }>;
}

export type AuditDigestTick =
  | { outcome: "posted"; slot: number; seq: number; hash: string }
  /** Another replica has this slot, or this one already posted it. */
  | { outcome: "claimed"; slot: number }
  /** The chain did not move since the last digest (which still names the head), or it is empty. */
  | { outcome: "unchanged"; slot: number; seq: number }
  | { outcome: "failed"; slot: number; error: string };

export interface AuditDigestPoster {
  /** Posts the digest of the current slot if no replica did yet. Never throws. */
  tick(): Promise<AuditDigestTick>;
  start(): void;
  stop(): Promise<void>;
}

/** Slot claims outlive the slot by this much, so a replica with a late clock does not post it again. */
const CLAIM_MARGIN_MS = 60 * 60_000;

/**
 * Posts the audit chain head (sequence number and hash) to `channel` every `everyMs`, like CloudTrail's digest
 * files: a tail deleted from the store afterwards is detectable against the last posted head. One replica
 * posts each slot: the slot is claimed in the store before posting (`claimOnce`), as the notification digests
 * do. A head that did not move since the last digest, or an empty log, is not posted (that digest still proves
 * it; the slot stays unclaimed). The last
 * posted head is kept in the store (`audit:digest:last`) for `/ops audit verify`.
 */
export function createAuditDigestPoster(options: AuditDigestPosterOptions): AuditDigestPoster {
  const { audit, chat, clock, logger, channel, everyMs } = options;
  const store = audit.store;
  const checkEveryMs = options.checkEveryMs ?? Math.min(60_000, everyMs);
  const post =
    options.post ??
    (async (to: string, message: Message) => {
      await chat.postMessage(to, message);
      return { ok: true } as const;
    });
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> | undefined;

  async function tick(): Promise<AuditDigestTick> {
    const now = clock.now();
    const slot = Math.floor(now / everyMs);
    try {
      const { head } = await store.logState(AUDIT_STREAM);
      const last = await audit.lastDigest();
      if (head.seq === 0 || (last !== undefined && last.seq === head.seq && last.hash === head.hash))
        return { outcome: "unchanged", slot, seq: head.seq };
      // Claimed only when there is something to post, so a quiet slot is still open once entries arrive.
      if (!(await store.claimOnce(`audit:digest:slot:${slot}`, everyMs + CLAIM_MARGIN_MS))) {
        return { outcome: "claimed", slot };
      }
      const sent = await post(channel, buildAuditDigestMessage(head, now));
      if (!sent.ok) {
        logger.warn({ error: sent.error, channel }, "audit digest not posted");
        return { outcome: "failed", slot, error: sent.error };
      }
      const posted: PostedDigest = { seq: head.seq, hash: head.hash, postedAt: now, channel };
      await store.update<PostedDigest, never>(
        AUDIT_DIGEST_KEY,
        (current) => (current !== undefined && current.value.seq > posted.seq ? NO_CHANGE : posted),
        { retries: 5 },
      );
      logger.info({ seq: head.seq, hash: head.hash, channel }, "audit digest posted");
      return { outcome: "posted", slot, seq: head.seq, hash: head.hash };
    } catch (error) {
      const text = error instanceof Error ? error.message : String(error);
      logger.warn({ error: text, channel }, "audit digest not posted");
      return { outcome: "failed", slot, error: text };
    }
  }

  return {
    tick,
    start() {
      if (timer !== undefined) return;
      const run = () => {
        running ??= tick().finally(() => {
          running = undefined;
        });
      };
      run();
      timer = setInterval(run, checkEveryMs);
      timer.unref();
    },
    async stop() {
      if (timer !== undefined) clearInterval(timer);
      timer = undefined;
      await running;
    },
  };
}
