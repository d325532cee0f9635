import { randomUUID } from "node:crypto";
import type { Logger } from "pino";
import {
  type Clock,
  type LogAppend,
  type LogEntry,
  type PruneLogResult,
  type Store,
  systemClock,
} from "../store/store.js";
import {
  type AuditEntry,
  type AuditEntryInput,
  AuditEntrySchema,
  type AuditRecord,
  readAuditEntry,
} from "./audit-entry.js";
import { type ChainDigest, type ChainVerification, verifyAuditChain } from "./verify-audit-chain.js";

/** The store stream holding the audit log. */
export const AUDIT_STREAM = "audit";
/** The last chain head posted to the digest channel (see `createAuditDigestPoster`). */
export const AUDIT_DIGEST_KEY = "audit:digest:last";
/** Entries read per store call while walking the whole chain. */
const CHAIN_PAGE = 500;

/** What {@link AUDIT_DIGEST_KEY} holds. */
export interface PostedDigest {
  seq: number;
  hash: string;
  postedAt: number;
  channel: string;
}

/** An entry validated and ready to commit atomically with a store write (see `WriteOptions.append`). */
export interface PreparedAuditEntry {
  entry: AuditEntry;
  /** Pass in the rider list of the store write that this entry describes. */
  append: LogAppend;
  /** Call once the write has committed: ships the entry to the logger. */
  publish(): void;
}

export interface AuditQuery {
  serverId?: string;
  /** Matches the actor or the requester. */
  userId?: string;
  requestId?: string;
  type?: AuditEntry["type"];
  /** Only entries older than this sequence number (paging back): the scan starts below it. */
  beforeSeq?: number;
  /** Newest first, at most this many. */
  limit: number;
}

export interface AuditLog {
  /** The store the audit stream lives in; writes that must commit with an audit record use the same one. */
  readonly store: Store;
  /**
   * Validates, appends to the store's audit stream, then writes one JSON line (`audit: true`) to the
   * logger. Throws if the entry is invalid or the append fails: the caller must then not proceed.
   */
  record(entry: AuditEntryInput): Promise<AuditRecord>;
  /** Validates without writing, for a store write that carries the entry as a rider. Throws if invalid. */
  prepare(entry: AuditEntryInput): PreparedAuditEntry;
  /** Matching entries, newest first. Scans the stream from the end; all filters must match. */
  query(query: AuditQuery): Promise<AuditRecord[]>;
  /**
   * The whole chain, oldest first, as stored (not validated against the schema: a verifier must see what is
   * there), read in pages; with `since`, only entries whose time is at or after it.
   */
  entries(options?: { since?: number }): AsyncIterable<LogEntry<AuditEntry>>;
  /**
   * Walks the chain and reports its first broken or missing link. Checked against `digest` when given,
   * otherwise against the store's copy of the last digest the bot posted (if it is there: it lives in the
   * same store, so whoever can delete entries can delete it too).
   */
  verify(options?: { digest?: ChainDigest }): Promise<ChainVerification>;
  /** The last chain head posted to the digest channel, if any. */
  lastDigest(): Promise<PostedDigest | undefined>;
  /** Removes entries through `throughSeq` and appends `record` (validated) saying so; see `pruneAuditLog`. */
  prune(throughSeq: number, record: AuditEntryInput): Promise<PruneLogResult>;
}

export interface AuditLogOptions {
  store: Store;
  logger: Logger;
  clock?: Clock;
}

/**
 * The audit log. The store's append-only stream is the record of truth; the logger line is a copy for
 * shipping elsewhere, written after the store accepted the entry (never before: a shipped line must not
 * describe something the store refused).
 */
export function createAuditLog(options: AuditLogOptions): AuditLog {
  const { store, logger } = options;
  const clock = options.clock ?? systemClock;

  function validate(input: AuditEntryInput): AuditEntry {
    const candidate = { ...input, id: randomUUID(), at: input.at ?? clock.now() };
    return readAuditEntry(candidate) ?? AuditEntrySchema.parse(candidate);
  }

  function publish(entry: AuditEntry, seq?: number): void {
    try {
      // A call whose outcome is unknown needs someone to look (the console, not a resend): warn, not info.
      const level = entry.detail?.phase === "call_outcome_unknown" ? "warn" : "info";
      logger[level]({ audit: true, ...entry, ...(seq !== undefined && { seq }) }, `audit ${entry.type}`);
    } catch {
      // The store already holds the entry; a broken log sink must not turn a committed fact into an error.
    }
  }

  async function* entries(options: { since?: number } = {}): AsyncIterable<LogEntry<AuditEntry>> {
    let afterSeq = 0;
    for (;;) {
      const page = await store.readLog<AuditEntry>(AUDIT_STREAM, { afterSeq, limit: CHAIN_PAGE });
      for (const entry of page) {
        if (options.since === undefined || entry.record.at >= options.since) yield entry;
      }
      const last = page.at(-1);
      if (last === undefined || page.length < CHAIN_PAGE) return;
      afterSeq = last.seq;
    }
  }

  async function lastDigest(): Promise<PostedDigest | undefined> {
    return (await store.get<PostedDigest>(AUDIT_DIGEST_KEY))?.value;
  }

  return {
    store,
    entries,
    lastDigest,

    async verify(verifyOptions = {}) {
      const posted = verifyOptions.digest ?? (await lastDigest());
      // The head first: every entry up to it exists (entry and head are written in one step), and entries
      // appended while walking are past it and left for the next verification.
      const state = await store.logState(AUDIT_STREAM);
      const upToHead = async function* () {
        for await (const entry of entries()) {
          if (entry.seq > state.head.seq) return;
          yield entry;
        }
      };
      const digest =
        posted === undefined ? undefined : { seq: posted.seq, hash: posted.hash, postedAt: posted.postedAt };
      return verifyAuditChain(upToHead(), state, digest);
    },

    async prune(throughSeq, input) {
      const entry = validate(input);
      const result = await store.pruneLog(AUDIT_STREAM, throughSeq, entry);
      publish(entry, result.seq);
      return result;
    },

    async record(input) {
      const entry = validate(input);
      const seq = await store.append(AUDIT_STREAM, entry);
      publish(entry, seq);
      return { ...entry, seq };
    },

    prepare(input) {
      const entry = validate(input);
      return { entry, append: { stream: AUDIT_STREAM, record: entry }, publish: () => publish(entry) };
    },

    async query(query) {
      const matches = (entry: AuditEntry) =>
        (query.requestId === undefined || entry.requestId === query.requestId) &&
        (query.type === undefined || entry.type === query.type) &&
        (query.serverId === undefined || entry.serverIds.includes(query.serverId)) &&
        (query.userId === undefined || entry.actorId === query.userId || entry.requesterId === query.userId);
      const entries = await store.readLog<AuditEntry>(AUDIT_STREAM, {
        fromEnd: true,
        limit: query.limit,
        ...(query.beforeSeq !== undefined && { beforeSeq: query.beforeSeq }),
        filter: matches,
      });
      return entries.map(({ seq, record }) => ({ ...AuditEntrySchema.parse(record), seq }));
    },
  };
}
