import { createHash } from "node:crypto";

/** The `prevHash` of a stream's first entry: 64 zeros. */
export const GENESIS_HASH = "0".repeat(64);

/**
 * The text an entry's hash is taken over: the canonical JSON of `{prevHash, record, seq}` (keys in code-unit
 * order), built by concatenation because `recordJson` already is canonical JSON (`toCanonicalJson`). Every
 * backend builds exactly this string inside its atomic step (the Redis one in Lua, see `redis-scripts.ts`),
 * and the verifier rebuilds it from what it reads.
 */
export function logEntryPreimage(prevHash: string, recordJson: string, seq: number): string {
  return `{"prevHash":"${prevHash}","record":${recordJson},"seq":${seq}}`;
}

/** SHA-256 (lowercase hex) of {@link logEntryPreimage}: the link the next entry carries as its `prevHash`. */
export function hashLogEntry(prevHash: string, recordJson: string, seq: number): string {
  return createHash("sha256")
    .update(logEntryPreimage(prevHash, recordJson, seq), "utf8")
    .digest("hex");
}
