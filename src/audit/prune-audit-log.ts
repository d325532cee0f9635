import type { AuditEntryInput } from "./audit-entry.js";
import type { AuditLog } from "./create-audit-log.js";
import { type ChainProblem, prunePointHash } from "./verify-audit-chain.js";

/** Who ran the prune, as the machine reports it: nothing here is authenticated. */
export interface PruneOperator {
  /** The OS user (`os.userInfo()`). */
  osUser: string;
  host: string;
}

/** An export the operator handed to prune (`--export <file>`): its SHA-256 and each entry's hash by number. */
export interface PruneExport {
  sha256: string;
  hashes: ReadonlyMap<number, string>;
}

export type PruneAuditOutcome =
  /** Entries up to `throughSeq` were removed; the prune itself is entry `seq`. */
  | { ok: true; removed: number; throughSeq: number; throughAt: number; seq: number }
  /** Nothing was older than `before` (or it was already pruned). Nothing changed. */
  | { ok: false; reason: "nothing_to_prune" }
  /** The chain does not verify: pruning would destroy the evidence. Nothing changed. */
  | { ok: false; reason: "chain_broken"; problem: ChainProblem }
  /** The export given lacks entry `seq` (or holds it with another hash). Nothing changed. */
  | { ok: false; reason: "not_exported"; seq: number; throughSeq: number };

/** The actor ID of a prune run from the CLI: `cli:<OS user>@<host>`. */
export function pruneActorId(operator: PruneOperator): string {
  return `cli:${operator.osUser}@${operator.host}`;
}

/**
 * Removes the audit entries older than `before`: the longest run of entries from the start whose time is
 * before it (an entry written later but timed earlier, by a replica with a slow clock, stops the run, so
 * nothing newer than an entry kept is removed). Refuses when the chain does not verify, except for entries at
 * its start written before chaining (which is what they are pruned for). The prune is recorded in the chain
 * (`audit.pruned`, with the last removed entry's sequence number and hash: verification accepts a prune point
 * only with such an entry) in the same atomic step as the removal. The entry says only what was checked: with
 * `exported`, that the export holds every removed entry with its hash (else nothing is removed); without, that
 * that none was given (`--no-export`); and that the OS user and host are as the machine reported them.
 */
export async function pruneAuditLog(
  audit: AuditLog,
  before: number,
  operator: PruneOperator | string,
  exported?: PruneExport,
): Promise<PruneAuditOutcome> {
  const verified = await audit.verify();
  if (!verified.ok && verified.problem.kind !== "unchained")
    return { ok: false, reason: "chain_broken", problem: verified.problem };
  const removed: { seq: number; at: number; hash: string }[] = [];
  for await (const entry of audit.entries()) {
    if (entry.record.at >= before) break;
    removed.push({ seq: entry.seq, at: entry.record.at, hash: entry.hash });
  }
  const through = removed.at(-1);
  if (through === undefined) return { ok: false, reason: "nothing_to_prune" };
  if (exported !== undefined) {
    const lacking = removed.find((entry) => exported.hashes.get(entry.seq) !== entry.hash);
    if (lacking !== undefined)
      return { ok: false, reason: "not_exported", seq: lacking.seq, throughSeq: through.seq };
  }
  // A string: an actor ID given by a caller other than the CLI (a test's routine), taken as it is.
  const who =
    typeof operator === "string"
      ? operator
      : `OS user ${operator.osUser} on host ${operator.host} (as the machine reported them, not verified)`;
  const export_ =
    exported === undefined
      ? "removed without an export file (--no-export): nothing checked that they were kept elsewhere"
      : `the export file given (SHA-256 ${exported.sha256}) holds each of them with the same hash`;
  const record: AuditEntryInput = {
    type: "audit.pruned",
    actorId: typeof operator === "string" ? operator : pruneActorId(operator),
    message: `entries up to ${through.seq} removed by ${who}; ${export_}`,
    detail: {
      throughSeq: through.seq,
      // An entry written before chaining has no hash: the chain after it starts from the genesis hash.
      throughHash: prunePointHash(through.hash),
      throughAt: through.at,
      before,
      ...(typeof operator !== "string" && {
        osUser: operator.osUser,
        host: operator.host,
        operatorVerified: false,
      }),
      exportSha256: exported === undefined ? null : exported.sha256,
    },
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
