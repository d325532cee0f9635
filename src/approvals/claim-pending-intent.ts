/**
 * One open request per intent: a requester who asks the same change twice in a channel (a command pasted
 * twice, a retry after a slow answer, a scheduled change asked again before its time) gets one card to approve
 * and one change that runs, not two that could each be approved and run. The intent is held from the ask until
 * the change starts or ends; a running change's servers are protected by its server holds, not by this.
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

/**
 * Kept a little past the last moment the request could hold the intent: garbage collection only (liveness is
 * read from the request).
 */
const CLAIM_TTL_MARGIN_MS = 60_000;
/** Lost compare-and-swap races before giving up: each loss means another caller claimed or released it. */
const CLAIM_ATTEMPTS = 20;

const FORMAT = "hwc-chatops/request-intent/v1";
const claimKey = (fingerprint: string) => `approval-intent:${fingerprint}`;

/** What a claim holds: the request that holds the intent, and since when. */
interface IntentClaimRecord {
  requestId: string;
  claimedAt: number;
  /** Who asked it: a scheduled change is one intent whoever asks it, and the answer names them. */
  requesterId?: string;
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
      /** Who asked it (another person only for a scheduled change: see {@link fingerprintIntent}). */
      requesterId: string;
      /**
       * The request, once recorded: pending, or approved and not started yet (a scheduled change waiting for
       * its time); undefined while its card is still being posted.
       */
      request?: ApprovalRequest;
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
 * A scheduled change is one intent whoever asks it (the requester's team only): two people who schedule the
 * same change for the same time in one channel want it done once, and both would run at that time. A change
 * that runs now is each requester's own: asked by another person, it is a request to do it again.
 */
export function fingerprintIntent(intent: IntentOf): string {
  const document = {
    format: FORMAT,
    requester:
      intent.schedule === undefined
        ? { userId: intent.requester.userId, teamId: intent.requester.teamId }
        : { teamId: intent.requester.teamId },
    channel: intent.channel,
    action: intent.action,
    serverIds: intent.targets.map((t) => t.id).sort(),
    parameters: intent.parameters,
    // When it runs, not when it was asked: asked before its window opened or while it is open, the same
    // opening is the same change.
    schedule:
      intent.schedule === undefined
        ? null
        : {
            runAt: intent.schedule.runAt,
            startBy: intent.schedule.startBy,
            ...(intent.schedule.window !== undefined && { window: intent.schedule.window }),
          },
  };
  return createHash("sha256").update(toCanonicalJson(document), "utf8").digest("hex");
}

/** Claims on intents, in the approvals' store (see {@link createIntentClaims}). */
export interface IntentClaims {
  /**
   * Claims `request`'s intent for it, unless another request of the same intent is still open (see
   * {@link holdsIntent}), or was claimed moments ago and its card is still being posted. Atomic across
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
 * Whether `request` still holds its intent at `now`: it waits for approval (pending, not past its expiry), or it
 * is approved and has not started (a scheduled change waiting for its time, not past the last moment it may
 * start; one that runs now, for the moment until its run claims it). Started, or ended in any way (succeeded,
 * failed, rejected, cancelled, expired, revoked, lapsed), it holds nothing.
 */
export function holdsIntent(
  request: Pick<ApprovalRequest, "status" | "expiresAt" | "schedule">,
  now: number,
): boolean {
  if (request.status === "pending") return now < request.expiresAt;
  if (request.status === "approved") return request.schedule === undefined || now < request.schedule.startBy;
  return false;
}

/**
 * Claims keyed by the intent's fingerprint. A claim is never deleted when its request is decided: whether it
 * blocks is read from the request it names ({@link holdsIntent}), so a transition on any path (a click, the
 * expiry sweep, a revocation, the start of its run) frees the intent with no write of its own, and a claim whose
 * request is gone or done is taken over by compare-and-swap on its version. The key's TTL only collects the
 * garbage: it outlives the last moment the request could still hold the intent.
 */
export function createIntentClaims(deps: {
  store: Store;
  clock: Clock;
  read: (id: string) => Promise<ApprovalRequest | undefined>;
}): IntentClaims {
  const { store, clock } = deps;

  /** Whether the claim still blocks, and who holds it. */
  async function holder(
    claim: IntentClaimRecord,
    now: number,
    asker: ApprovalRequest["requester"],
  ): Promise<IntentClaim | undefined> {
    const request = await deps.read(claim.requestId);
    if (request !== undefined) {
      return holdsIntent(request, now)
        ? {
            ok: false,
            requestId: request.id,
            askedAt: request.createdAt,
            requesterId: request.requester.userId,
            request,
          }
        : undefined;
    }
    return claim.released !== true && now - claim.claimedAt < INTENT_POSTING_GRACE_MS
      ? {
          ok: false,
          requestId: claim.requestId,
          askedAt: claim.claimedAt,
          // A claim written before the requester was recorded in it: its intent included the requester.
          requesterId: claim.requesterId ?? asker.userId,
        }
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
          const held = await holder(current.value, now, request.requester);
          if (held !== undefined) return held;
        }
        const record: IntentClaimRecord = {
          requestId: request.id,
          claimedAt: now,
          requesterId: request.requester.userId,
        };
        // Approved, a scheduled change holds the intent until it starts, at the latest by its `startBy`.
        const heldUntil = Math.max(request.expiresAt, request.schedule?.startBy ?? 0);
        const ttlMs = Math.max(heldUntil - now, INTENT_POSTING_GRACE_MS) + CLAIM_TTL_MARGIN_MS;
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

/**
 * The recorded request that holds `intent` now ({@link holdsIntent}), as the claim names it: what a
 * break-glass run of the same change supersedes. Undefined when none does (or its card is still being posted).
 */
export async function findIntentHolder(
  deps: { store: Store; clock: Clock; read: (id: string) => Promise<ApprovalRequest | undefined> },
  intent: IntentOf,
): Promise<ApprovalRequest | undefined> {
  const claim = await deps.store.get<IntentClaimRecord>(claimKey(fingerprintIntent(intent)));
  if (claim === undefined || claim.value.released === true) return undefined;
  const request = await deps.read(claim.value.requestId);
  return request !== undefined && holdsIntent(request, deps.clock.now()) ? request : undefined;
}
