/**
 * One pending request per intent: a requester who asks the same change twice in a channel (a command pasted
 * twice, a retry after a slow answer) gets one card to approve, not two that could each be approved and run.
 */
import { createHash } from "node:crypto";
import { ABSENT, abortUpdate, type Clock, type Store, writeUpdate } from "../store/store.js";
import { toCanonicalJson } from "../store/to-canonical-json.js";
import type { ApprovalRequest } from "./approval-request.js";

/**
 * How long a claim whose request is not recorded yet still blocks: its card is being posted (a Slack call, with
 * its retries), and the request is recorded right after. Past it, a claim whose request never appeared (the
 * process died between the claim and the record) no longer blocks the requester.
 */
export const INTENT_POSTING_GRACE_MS = 2 * 60_000;

/** Kept a little past the request's expiry: garbage collection only (liveness is read from the request). */
const CLAIM_TTL_MARGIN_MS = 60_000;
/** Lost compare-and-swap races before giving up: each loss means another caller claimed or released it. */
const CLAIM_ATTEMPTS = 20;

const FORMAT = "hwc-chatops/request-intent/v1";
const claimKey = (fingerprint: string) => `approval-intent:${fingerprint}`;

/** What a claim holds: the request that holds the intent, and since when. */
interface IntentClaimRecord {
  requestId: string;
  claimedAt: number;
  /** Set when the request was never recorded (its card could not be posted): the claim blocks nothing. */
  released?: boolean;
}

/** The result of {@link IntentClaims.claim}. */
export type IntentClaim =
  | { ok: true }
  | {
      ok: false;
      /** The request that holds the intent. */
      requestId: string;
      /** When it was asked (its creation, or its claim while its card is being posted). */
      askedAt: number;
      /** The pending request, once recorded; undefined while its card is still being posted. */
      pending?: ApprovalRequest;
    };

/** What makes two requests the same intent. */
export type IntentOf = Pick<
  ApprovalRequest,
  "requester" | "channel" | "action" | "targets" | "parameters" | "schedule"
>;

/**
 * The intent's fingerprint (SHA-256, hex): the requester, the channel, the action, the exact servers (by ID, in
 * any order), the parameters as resolved (waves included) and the schedule. Not the `--reason`, the command's
 * wording, the policy's terms or the servers' state: the same change asked with other words is the same change.
 */
export function fingerprintIntent(intent: IntentOf): string {
  const document = {
    format: FORMAT,
    requester: { userId: intent.requester.userId, teamId: intent.requester.teamId },
    channel: intent.channel,
    action: intent.action,
    serverIds: intent.targets.map((t) => t.id).sort(),
    parameters: intent.parameters,
    schedule: intent.schedule ?? null,
  };
  return createHash("sha256").update(toCanonicalJson(document), "utf8").digest("hex");
}

/** Claims on intents, in the approvals' store (see {@link createIntentClaims}). */
export interface IntentClaims {
  /**
   * Claims `request`'s intent for it, unless another request of the same intent still waits for approval
   * (pending and not past its expiry, or claimed moments ago and its card still being posted). Atomic across
   * replicas: of concurrent callers with one intent, one gets `ok: true`. A claim on the same request again is
   * `ok: true`. Throws on a store failure (then nothing may be assumed: do not create the request).
   */
  claim(request: ApprovalRequest): Promise<IntentClaim>;
  /**
   * Gives up `request`'s claim when the request will not be recorded (its card could not be posted, or its
   * record failed), so the requester may ask again at once. A claim held by another request is left alone.
   */
  release(request: ApprovalRequest): Promise<void>;
}

/**
 * Claims keyed by the intent's fingerprint. A claim is never deleted when its request is decided: whether it
 * blocks is read from the request it names (pending and unexpired), so a decision on any path (a click, the
 * expiry sweep, a revocation) frees the intent with no write of its own, and a claim whose request is gone
 * or decided is taken over by compare-and-swap on its version. The key's TTL only collects the garbage.
 */
export function createIntentClaims(deps: {
  store: Store;
  clock: Clock;
  read: (id: string) => Promise<ApprovalRequest | undefined>;
}): IntentClaims {
  const { store, clock } = deps;

  /** Whether the claim still blocks, and who holds it. */
  async function holder(claim: IntentClaimRecord, now: number): Promise<IntentClaim | undefined> {
    const request = await deps.read(claim.requestId);
    if (request !== undefined) {
      return request.status === "pending" && now < request.expiresAt
        ? { ok: false, requestId: request.id, askedAt: request.createdAt, pending: request }
        : undefined;
    }
    return claim.released !== true && now - claim.claimedAt < INTENT_POSTING_GRACE_MS
      ? { ok: false, requestId: claim.requestId, askedAt: claim.claimedAt }
      : undefined;
  }

  return {
    async claim(request) {
      const key = claimKey(fingerprintIntent(request));
      for (let attempt = 0; attempt < CLAIM_ATTEMPTS; attempt++) {
        const now = clock.now();
        const current = await store.get<IntentClaimRecord>(key);
        if (current?.value.requestId === request.id && current.value.released !== true) return { ok: true };
        if (current !== undefined) {
          const held = await holder(current.value, now);
          if (held !== undefined) return held;
        }
        const record: IntentClaimRecord = { requestId: request.id, claimedAt: now };
        const ttlMs = Math.max(request.expiresAt - now, INTENT_POSTING_GRACE_MS) + CLAIM_TTL_MARGIN_MS;
        // Fails iff someone else claimed or released it since the read: read again and judge their claim.
        if (await store.compareAndSwap(key, current?.version ?? ABSENT, record, { ttlMs }))
          return { ok: true };
      }
      throw new Error(`could not claim the intent of ${request.id}: too much contention`);
    },

    async release(request) {
      await store.update<IntentClaimRecord, "not_ours">(
        claimKey(fingerprintIntent(request)),
        (current) =>
          current?.value.requestId === request.id
            ? writeUpdate({ ...current.value, released: true }, { ttlMs: CLAIM_TTL_MARGIN_MS })
            : abortUpdate("not_ours"),
        { retries: CLAIM_ATTEMPTS },
      );
    },
  };
}
