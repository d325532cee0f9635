import type { AuditEntryInput } from "./audit-entry.js";
import type { AuditLog } from "./create-audit-log.js";
import type { ChainProblem } from "./verify-audit-chain.js";

export type PruneAuditOutcome =
  /** Entries up to `throughSeq` were removed; the prune itself is entry `seq`. */
  | { ok: true; removed: number; throughSeq: number; throughAt: number; seq: number }
  /** Nothing was older than `before` (or it was already pruned). Nothing changed. */
  | { ok: false; reason: "nothing_to_prune" }
  /** The chain does not verify: pruning would destroy the evidence. Nothing changed. */
  | { ok: false; reason: "chain_broken"; problem: ChainProblem };

/**
 * Removes the audit entries older than `before`: the longest run of entries from the start whose time is
 * before it (an entry written later but timed earlier, by a replica with a slow clock, stops the run, so
 * nothing newer than an entry kept is removed). Refuses when the chain does not verify. The prune is
 * recorded in the chain (`audit.pruned`, with the last removed entry's sequence number and hash) in the same
 * atomic step as the removal. Meant to follow `npm run audit -- export`.
 */
export async function pruneAuditLog(
  audit: AuditLog,
  before: number,
  actorId: string,
): Promise<PruneAuditOutcome> {
  const verified = await audit.verify();
  if (!verified.ok) return { ok: false, reason: "chain_broken", problem: verified.problem };
  let through: { seq: number; at: number; hash: string } | undefined;
  for await (const entry of audit.entries()) {
    if (entry.record.at >= before) break;
    through = { seq: entry.seq, at: entry.record.at, hash: entry.hash };
  }
  if (through === undefined) return { ok: false, reason: "nothing_to_prune" };
  const record: AuditEntryInput = {
    type: "audit.pruned",
    actorId,
    message: `entries up to ${through.seq} removed after export`,
    detail: { throughSeq: through.seq, throughHash: through.hash, throughAt: through.at, before },
  };
  const result = await audit.prune(through.seq, record);
  return {
    ok: true,
    removed: result.removed,
    throughSeq: through.seq,
    throughAt: through.at,
    seq: result.seq,
  };
}
