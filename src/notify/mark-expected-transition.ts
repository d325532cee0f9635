import type { Clock, Store } from "../store/store.js";
import { abortUpdate, writeUpdate } from "../store/store.js";

/** Store key of the transitions expected for one server. */
export function expectationKey(serverId: string): string {
  return `notify:expect:${serverId}`;
}

export interface ExpectedTransition {
  /** ACTIVE, SHUTOFF, ERROR, or DELETED (the server disappears). */
  toStatus: string;
  /** Epoch ms after which the expectation lapses. */
  until: number;
}

interface ExpectationRecord {
  expected: ExpectedTransition[];
}

/** A server may have a stop and a start in flight within one poll; more than this is a bug upstream. */
const MAX_PER_SERVER = 8;

/** `DELETED` / `SOFT_DELETED` mean "gone" to the watcher. */
export function normalizeExpectedStatus(status: string): string {
  const upper = status.toUpperCase();
  return upper === "DELETED" || upper === "SOFT_DELETED" ? "GONE" : upper;
}

/**
 * Records that an operation started through hwc-chatops will move `serverId` to `toStatus` before
 * `untilMs` (epoch ms), so the ECS watcher does not announce it again as a change "outside hwc-chatops".
 * Store-backed: every replica's watcher sees it. The executor calls this before submitting the job
 * (`DELETED` for a delete). An expectation is used up by the transition it explains, or lapses at `untilMs`.
 */
export async function markExpectedTransition(
  store: Store,
  clock: Clock,
  serverId: string,
  toStatus: string,
  untilMs: number,
): Promise<void> {
  const now = clock.now();
  if (untilMs <= now) return;
  const entry: ExpectedTransition = { toStatus: normalizeExpectedStatus(toStatus), until: untilMs };
  const result = await store.update<ExpectationRecord, never>(
    expectationKey(serverId),
    (current) => {
      const live = (current?.value.expected ?? []).filter((e) => e.until > now);
      const expected = [...live, entry].slice(-MAX_PER_SERVER);
      const lastsUntil = Math.max(...expected.map((e) => e.until));
      return writeUpdate({ expected }, { ttlMs: lastsUntil - now });
    },
    { retries: 10 },
  );
  if (!result.ok)
    throw new Error(`could not record the expected transition of ${serverId}: ${result.reason}`);
}

/**
 * Uses up the expectation that explains `serverId` reaching `state` (as the ECS watcher names states:
 * ACTIVE, SHUTOFF, ERROR, GONE). True when there was one.
 */
export async function consumeExpectedTransition(
  store: Store,
  clock: Clock,
  serverId: string,
  state: string,
): Promise<boolean> {
  const now = clock.now();
  const result = await store.update<ExpectationRecord, "none">(
    expectationKey(serverId),
    (current) => {
      const live = (current?.value.expected ?? []).filter((e) => e.until > now);
      const index = live.findIndex((e) => e.toStatus === state);
      if (index < 0) return abortUpdate("none" as const);
      const expected = live.filter((_, i) => i !== index);
      if (expected.length === 0) return writeUpdate({ expected }, { ttlMs: 1 });
      return writeUpdate({ expected }, { ttlMs: Math.max(...expected.map((e) => e.until)) - now });
    },
    { retries: 10 },
  );
  return result.ok;
}
