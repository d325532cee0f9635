import { randomUUID } from "node:crypto";
import type { Logger } from "pino";
import { type Clock, type LogAppend, type Store, systemClock } from "../store/store.js";
import { type AuditEntry, type AuditEntryInput, AuditEntrySchema, type AuditRecord } from "./audit-entry.js";

/** The store stream holding the audit log. */
export const AUDIT_STREAM = "audit";

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
    return AuditEntrySchema.parse({ ...input, id: randomUUID(), at: input.at ?? clock.now() });
  }

  function publish(entry: AuditEntry, seq?: number): void {
    try {
      logger.info({ audit: true, ...entry, ...(seq !== undefined && { seq }) }, `audit ${entry.type}`);
    } catch {
      // The store already holds the entry; a broken log sink must not turn a committed fact into an error.
    }
  }

  return {
    store,

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
        filter: matches,
      });
      return entries.map(({ seq, record }) => ({ ...AuditEntrySchema.parse(record), seq }));
    },
  };
}
