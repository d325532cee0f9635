/**
 * What the notifier keeps in the store per watcher and digest. Shared by every replica: the snapshot
 * and quiet-period state move together under compare-and-swap, and carry the fencing token of the
 * lease holder that wrote them.
 */
import type { QuietState } from "./apply-quiet-period.js";
import type { WatcherKind } from "./load-notifications-config.js";
import type { Rotation } from "./watcher-kind.js";

export const snapshotKey = (watcherId: string) => `notify:snapshot:${watcherId}`;
export const statusKey = (watcherId: string) => `notify:status:${watcherId}`;
export const leaseName = (watcherId: string) => `notify:watcher:${watcherId}`;
export const digestStatusKey = (digestId: string) => `notify:digest-status:${digestId}`;
export const digestClaimKey = (digestId: string, slot: number) => `notify:digest:${digestId}:${slot}`;

export interface SnapshotRecord {
  v: 1;
  kind: WatcherKind;
  takenAt: number;
  /** Fencing token of the lease under which it was written; a lower token never overwrites it. */
  token: number;
  data: unknown;
  quiet: QuietState;
}

/** The outcome of a run as stored for `/ops watch list` (JSON). */
export type StoredRunResult =
  | { outcome: "baseline"; observed: number; notes: string[]; rotation?: Rotation }
  | {
      outcome: "ok";
      observed: number;
      /** Transitions found. */
      changes: number;
      /** Of those, explained by operations started through the bot. */
      expected: number;
      /** Held back by the quiet period. */
      held: number;
      /** Announced (including held-back changes announced now). */
      announced: number;
      /** Messages posted / failed to post. */
      posted: number;
      deliveryErrors: string[];
      notes: string[];
      rotation?: Rotation;
    }
  | { outcome: "failed"; error: string; consecutiveFailures: number };

export interface WatcherStatusRecord {
  token: number;
  /** Replica that ran it last. */
  holder: string;
  lastRunAt: number;
  lastSuccessAt?: number;
  lastResult: StoredRunResult;
  consecutiveFailures: number;
  /** Start of the current streak of failures. */
  failingSince?: number;
  /** The "watcher is failing" message went out for the current streak. */
  failingAnnounced: boolean;
}

export type StoredDigestResult =
  | { outcome: "posted"; posted: number; deliveryErrors: string[] }
  | { outcome: "failed"; error: string };

export interface DigestStatusRecord {
  lastSlot: number;
  lastRunAt: number;
  lastResult: StoredDigestResult;
}

/** A post that failed, as a run records it: `C0123: not_in_channel` (the channel, then Slack's error code). */
export function deliveryError(channel: string, error: string): string {
  return `${channel}: ${error}`;
}

/** The channel and Slack's code of a recorded {@link deliveryError}; the whole entry as `error` when it has no channel. */
export function readDeliveryError(entry: string): { channel?: string; error: string } {
  const colon = entry.indexOf(": ");
  return colon < 0 ? { error: entry } : { channel: entry.slice(0, colon), error: entry.slice(colon + 2) };
}
