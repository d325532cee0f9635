import { hashLogEntry } from "../store/hash-log-entry.js";
import { GENESIS_HASH, type LogEntry, type LogLink, type LogState } from "../store/store.js";
import { toCanonicalJson } from "../store/to-canonical-json.js";

/** A chain head as posted to the digest channel (see `createAuditDigestPoster`): what the store must still hold. */
export interface ChainDigest extends LogLink {
  /** When it was posted (epoch ms). */
  postedAt?: number;
}

/**
 * The first thing wrong with a chain, in the order the walk meets it. `at` is the time of the entry concerned
 * (for a gap: of the last entry before it), when the record has one.
 */
export type ChainProblem =
  /** The entry's content (or its stored hash) was changed after it was written. */
  | { kind: "altered"; seq: number; at?: number; storedHash: string; computedHash: string }
  /** The entry links to another predecessor than the one stored: the entry before it was changed or replaced. */
  | { kind: "broken_link"; seq: number; at?: number; expectedPrevHash: string; foundPrevHash: string }
  /** Entries `fromSeq`…`toSeq` are missing between two that are present. */
  | { kind: "missing"; fromSeq: number; toSeq: number; at?: number }
  /** An entry appears out of order (its sequence number was already seen or is before the prune point). */
  | { kind: "out_of_order"; seq: number; expectedSeq: number; at?: number }
  /**
   * Entries `fromSeq`…`toSeq`, at the start of the log, were written before the chain existed and carry no
   * hash; everything after them verified. `at`: the last one's time. The only problem a prune may go past.
   */
  | { kind: "unchained"; fromSeq: number; toSeq: number; at?: number }
  /** The entry carries no hash although an entry before it is chained: its hash was removed (tampering). */
  | { kind: "hash_removed"; seq: number; at?: number }
  /**
   * The prune point (entries up to `throughSeq` removed) is vouched for by no `audit.pruned` entry of the
   * chain naming that entry and hash: the start of the log was deleted outside the prune command. `recorded`:
   * a prune entry naming the same entry with another hash, if there is one.
   */
  | {
      kind: "unrecorded_prune";
      throughSeq: number;
      throughHash: string;
      recorded?: { seq: number; throughHash: string };
    }
  /** Entries at the end are gone: the chain head, or a posted digest, names entries the store lacks. */
  | {
      kind: "missing_tail";
      fromSeq: number;
      toSeq: number;
      at?: number;
      witness: "head" | "digest";
      postedAt?: number;
    }
  /** The store's head does not match its last entry (the head was rewritten). */
  | { kind: "head_mismatch"; headSeq: number; lastSeq: number; headHash: string; lastHash: string }
  /**
   * The entry a posted digest names has another hash now: history was rewritten since it was posted. For an
   * entry already pruned, `pruneRecordSeq` is the `audit.pruned` entry whose hash of it differs.
   */
  | {
      kind: "digest_mismatch";
      seq: number;
      at?: number;
      digestHash: string;
      storedHash: string;
      postedAt?: number;
      pruneRecordSeq?: number;
    };

/** The `audit.pruned` entry that records the current prune point. */
export interface PruneRecordRef {
  seq: number;
  at?: number;
}

/**
 * A digest naming an entry at or before the prune point: not in the live log any more. `pruneRecordSeq`: the
 * `audit.pruned` entry whose hash of that entry matched it; absent when no prune entry names it, so it could
 * not be checked here at all (only against the export that holds it).
 */
export interface PrunedDigest {
  digest: ChainDigest;
  prunedThroughSeq: number;
  pruneRecordSeq?: number;
}

export type ChainVerification =
  | {
      ok: true;
      /** Entries checked. */
      checked: number;
      /** The last removed entry (seq 0: nothing was pruned); the first checked entry links to it. */
      prunedThrough: LogLink;
      /** The `audit.pruned` entry recording that prune point (present whenever `prunedThrough.seq > 0`). */
      pruneRecord?: PruneRecordRef;
      head: LogLink;
      /** The digest checked against the live log, if one was given and names an entry after the prune point. */
      digest?: ChainDigest;
      /** The digest, if one was given and names an entry at or before the prune point. */
      prunedDigest?: PrunedDigest;
    }
  | { ok: false; checked: number; problem: ChainProblem };

/** `at` of a record, when it has a numeric one (audit entries do). */
function timeOf(record: unknown): number | undefined {
  if (typeof record !== "object" || record === null) return undefined;
  const at = (record as { at?: unknown }).at;
  return typeof at === "number" ? at : undefined;
}

/** `{throughSeq, throughHash}` of an `audit.pruned` record, if it is one and carries them. */
function pruneOf(record: unknown): { throughSeq: number; throughHash: string } | undefined {
  if (typeof record !== "object" || record === null) return undefined;
  const { type, detail } = record as { type?: unknown; detail?: unknown };
  if (type !== "audit.pruned" || typeof detail !== "object" || detail === null) return undefined;
  const { throughSeq, throughHash } = detail as { throughSeq?: unknown; throughHash?: unknown };
  if (typeof throughSeq !== "number" || typeof throughHash !== "string") return undefined;
  return { throughSeq, throughHash };
}

/**
 * The hash a prune point stands for: a prune through an entry written before chaining (which has no hash)
 * leaves the chain to start from the genesis hash, as it did after those entries.
 */
export function prunePointHash(hash: string): string {
  return hash === "" ? GENESIS_HASH : hash;
}

/**
 * Walks a log from its prune point to its head and reports the first broken or missing link: every entry
 * must have the next sequence number, link to the hash of the one before it, and hash to its stored hash
 * (recomputed from the canonical JSON of its record); the head must be the last entry, and a posted digest
 * must name an entry that is still there with the same hash (or, pruned, that the prune entries recorded with
 * that hash). Entries without a hash can only be a run at the start (written before chaining; the first
 * chained entry then links to the genesis hash); one after a chained entry had its hash removed. A prune
 * point must be recorded by an `audit.pruned` entry of the chain naming that entry and its hash. Pure apart
 * from reading `entries` (oldest first).
 */
export async function verifyAuditChain(
  entries: AsyncIterable<LogEntry>,
  state: LogState,
  digest?: ChainDigest,
): Promise<ChainVerification> {
  const pointHash = prunePointHash(state.prunedThrough.hash);
  let expectedSeq = state.prunedThrough.seq + 1;
  let prevHash = pointHash;
  // Pruned through a chained entry: no entry left can predate the chain.
  let chained = state.prunedThrough.seq > 0 && pointHash !== GENESIS_HASH;
  let unchained: { fromSeq: number; toSeq: number; at?: number } | undefined;
  let lastAt: number | undefined;
  let checked = 0;
  /** `audit.pruned` entries met, by the entry they name. */
  const prunes = new Map<number, { seq: number; at?: number; throughHash: string }[]>();
  const fail = (problem: ChainProblem): ChainVerification => ({ ok: false, checked, problem });
  const digestPostedAt = digest?.postedAt !== undefined ? { postedAt: digest.postedAt } : {};
  const atOf = (at: number | undefined) => (at === undefined ? {} : { at });

  for await (const entry of entries) {
    const at = timeOf(entry.record);
    if (entry.seq < expectedSeq)
      return fail({ kind: "out_of_order", seq: entry.seq, expectedSeq, ...atOf(at) });
    if (entry.seq > expectedSeq)
      return fail({ kind: "missing", fromSeq: expectedSeq, toSeq: entry.seq - 1, ...atOf(lastAt) });
    const digestDiffers = digest !== undefined && digest.seq === entry.seq && digest.hash !== entry.hash;
    const digestMismatch = (): ChainVerification =>
      fail({
        kind: "digest_mismatch",
        seq: entry.seq,
        digestHash: digest?.hash ?? "",
        storedHash: entry.hash,
        ...digestPostedAt,
        ...atOf(at),
      });
    if (entry.hash === "") {
      if (chained) return fail({ kind: "hash_removed", seq: entry.seq, ...atOf(at) });
      if (digestDiffers) return digestMismatch();
      unchained = { fromSeq: unchained?.fromSeq ?? entry.seq, toSeq: entry.seq, ...atOf(at) };
      lastAt = at;
      expectedSeq += 1;
      continue;
    }
    const computed = hashLogEntry(entry.prevHash, toCanonicalJson(entry.record), entry.seq);
    if (computed !== entry.hash)
      return fail({
        kind: "altered",
        seq: entry.seq,
        storedHash: entry.hash,
        computedHash: computed,
        ...atOf(at),
      });
    if (entry.prevHash !== prevHash)
      return fail({
        kind: "broken_link",
        seq: entry.seq,
        expectedPrevHash: prevHash,
        foundPrevHash: entry.prevHash,
        ...atOf(at),
      });
    if (digestDiffers) return digestMismatch();
    const prune = pruneOf(entry.record);
    if (prune !== undefined)
      prunes.set(prune.throughSeq, [
        ...(prunes.get(prune.throughSeq) ?? []),
        { seq: entry.seq, throughHash: prune.throughHash, ...atOf(at) },
      ]);
    chained = true;
    checked += 1;
    prevHash = entry.hash;
    lastAt = at;
    expectedSeq += 1;
  }

  const last = expectedSeq - 1;
  let pruneRecord: PruneRecordRef | undefined;
  if (state.prunedThrough.seq > 0) {
    const named = prunes.get(state.prunedThrough.seq) ?? [];
    const record = named.find((p) => p.throughHash === pointHash);
    if (record === undefined) {
      const other = named[0];
      return fail({
        kind: "unrecorded_prune",
        throughSeq: state.prunedThrough.seq,
        throughHash: state.prunedThrough.hash,
        ...(other !== undefined && { recorded: { seq: other.seq, throughHash: other.throughHash } }),
      });
    }
    pruneRecord = { seq: record.seq, ...atOf(record.at) };
  }
  if (state.head.seq > last)
    return fail({
      kind: "missing_tail",
      fromSeq: last + 1,
      toSeq: state.head.seq,
      witness: "head",
      ...atOf(lastAt),
    });
  if (state.head.seq !== last || state.head.hash !== prevHash)
    return fail({
      kind: "head_mismatch",
      headSeq: state.head.seq,
      lastSeq: last,
      headHash: state.head.hash,
      lastHash: prevHash,
    });
  if (digest !== undefined && digest.seq > last)
    return fail({
      kind: "missing_tail",
      fromSeq: last + 1,
      toSeq: digest.seq,
      witness: "digest",
      ...digestPostedAt,
      ...atOf(lastAt),
    });
  let prunedDigest: PrunedDigest | undefined;
  if (digest !== undefined && digest.seq <= state.prunedThrough.seq) {
    const named = prunes.get(digest.seq) ?? [];
    const other = named.find((p) => p.throughHash !== digest.hash);
    if (other !== undefined)
      return fail({
        kind: "digest_mismatch",
        seq: digest.seq,
        digestHash: digest.hash,
        storedHash: other.throughHash,
        pruneRecordSeq: other.seq,
        ...digestPostedAt,
      });
    const match = named[0];
    prunedDigest = {
      digest,
      prunedThroughSeq: state.prunedThrough.seq,
      ...(match !== undefined && { pruneRecordSeq: match.seq }),
    };
  }
  if (unchained !== undefined) return fail({ kind: "unchained", ...unchained });
  return {
    ok: true,
    checked,
    prunedThrough: state.prunedThrough,
    ...(pruneRecord !== undefined && { pruneRecord }),
    head: { seq: last, hash: prevHash },
    ...(digest !== undefined && digest.seq > state.prunedThrough.seq && { digest }),
    ...(prunedDigest !== undefined && { prunedDigest }),
  };
}
