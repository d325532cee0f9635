import { hashLogEntry } from "../store/hash-log-entry.js";
import type { LogEntry, LogLink, LogState } from "../store/store.js";
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
  /** The entry was written before the chain existed and carries no hash. */
  | { kind: "unchained"; seq: number; at?: number }
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
  /** The entry a posted digest names has another hash now: history was rewritten since it was posted. */
  | {
      kind: "digest_mismatch";
      seq: number;
      at?: number;
      digestHash: string;
      storedHash: string;
      postedAt?: number;
    };

export type ChainVerification =
  | {
      ok: true;
      /** Entries checked. */
      checked: number;
      /** The last removed entry (seq 0: nothing was pruned); the first checked entry links to it. */
      prunedThrough: LogLink;
      head: LogLink;
      /** The digest checked against, if one was given and not pruned away. */
      digest?: ChainDigest;
    }
  | { ok: false; checked: number; problem: ChainProblem };

/** `at` of a record, when it has a numeric one (audit entries do). */
function timeOf(record: unknown): number | undefined {
  if (typeof record !== "object" || record === null) return undefined;
  const at = (record as { at?: unknown }).at;
  return typeof at === "number" ? at : undefined;
}

/**
 * Walks a log from its prune point to its head and reports the first broken or missing link: every entry
 * must have the next sequence number, link to the hash of the one before it, and hash to its stored hash
 * (recomputed from the canonical JSON of its record); the head must be the last entry, and a posted digest
 * must name an entry that is still there with the same hash. Pure apart from reading `entries` (oldest first).
 */
export async function verifyAuditChain(
  entries: AsyncIterable<LogEntry>,
  state: LogState,
  digest?: ChainDigest,
): Promise<ChainVerification> {
  let expectedSeq = state.prunedThrough.seq + 1;
  let prevHash = state.prunedThrough.hash;
  let lastAt: number | undefined;
  let checked = 0;
  const fail = (problem: ChainProblem): ChainVerification => ({ ok: false, checked, problem });
  const digestPostedAt = digest?.postedAt !== undefined ? { postedAt: digest.postedAt } : {};
  const atOf = (at: number | undefined) => (at === undefined ? {} : { at });

  if (digest !== undefined && digest.seq === state.prunedThrough.seq && digest.seq > 0) {
    if (digest.hash !== state.prunedThrough.hash)
      return fail({
        kind: "digest_mismatch",
        seq: digest.seq,
        digestHash: digest.hash,
        storedHash: state.prunedThrough.hash,
        ...digestPostedAt,
      });
  }

  for await (const entry of entries) {
    const at = timeOf(entry.record);
    if (entry.seq < expectedSeq)
      return fail({ kind: "out_of_order", seq: entry.seq, expectedSeq, ...atOf(at) });
    if (entry.seq > expectedSeq)
      return fail({ kind: "missing", fromSeq: expectedSeq, toSeq: entry.seq - 1, ...atOf(lastAt) });
    if (entry.hash === "") return fail({ kind: "unchained", seq: entry.seq, ...atOf(at) });
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
    if (digest !== undefined && digest.seq === entry.seq && digest.hash !== entry.hash)
      return fail({
        kind: "digest_mismatch",
        seq: entry.seq,
        digestHash: digest.hash,
        storedHash: entry.hash,
        ...digestPostedAt,
        ...atOf(at),
      });
    checked += 1;
    prevHash = entry.hash;
    lastAt = at;
    expectedSeq += 1;
  }

  const last = expectedSeq - 1;
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
  return {
    ok: true,
    checked,
    prunedThrough: state.prunedThrough,
    head: { seq: last, hash: prevHash },
    ...(digest !== undefined && digest.seq > state.prunedThrough.seq && { digest }),
  };
}
