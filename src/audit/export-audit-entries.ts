/**
 * What `npm run audit -- export` writes: the entries that pass its filters, as JSON lines (with their hashes:
 * what prune checks an export against) or as CSV for a spreadsheet (one row per entry, stable columns).
 */
import type { LogEntry } from "../store/store.js";
import type { AuditEntry } from "./audit-entry.js";

/** The export's filters; every one given must match. Times are epoch milliseconds. */
export interface AuditExportFilter {
  /** At or after. */
  since?: number;
  /** Before (not at). */
  until?: number;
  /** The actor or the requester (as `/ops audit @user`). */
  userId?: string;
  requestId?: string;
  /**
   * A server by ID or by name: an entry naming it (`serverNames`, the name when it was written), or holding
   * one of `serverIds` (the IDs the name had in requests, which also finds entries written before names were).
   */
  server?: { text: string; ids: ReadonlySet<string> };
}

/** Whether an entry passes `filter`. */
export function matchesExportFilter(entry: AuditEntry, filter: AuditExportFilter): boolean {
  if (filter.since !== undefined && entry.at < filter.since) return false;
  if (filter.until !== undefined && entry.at >= filter.until) return false;
  if (filter.requestId !== undefined && entry.requestId !== filter.requestId) return false;
  if (filter.userId !== undefined && entry.actorId !== filter.userId && entry.requesterId !== filter.userId)
    return false;
  const server = filter.server;
  if (server !== undefined) {
    // As stored (an export reads what is there): a list may be missing in a damaged entry.
    const ids = Array.isArray(entry.serverIds) ? entry.serverIds : [];
    const names = Object.values(entry.serverNames ?? {});
    if (!ids.some((id) => id === server.text || server.ids.has(id)) && !names.includes(server.text))
      return false;
  }
  return true;
}

/** The CSV columns, in order: a header row names them. Changing them breaks spreadsheets built on them. */
export const AUDIT_CSV_COLUMNS = [
  "time",
  "seq",
  "type",
  "actor",
  "request",
  "servers",
  "outcome",
  "detail",
] as const;

/** A JSON line of the export: the entry with its place in the chain. */
export function auditJsonLine(entry: LogEntry<AuditEntry>): string {
  return `${JSON.stringify({ seq: entry.seq, prevHash: entry.prevHash, hash: entry.hash, record: entry.record })}\n`;
}

/**
 * One CSV row of an entry ({@link AUDIT_CSV_COLUMNS}): its time in ISO 8601 UTC, its servers as
 * `name (ID)` (the ID alone where the entry recorded no name) joined by `; `, its detail as JSON.
 */
export function auditCsvRow(entry: LogEntry<AuditEntry>): string {
  const r = entry.record;
  const names = r.serverNames ?? {};
  const servers = (Array.isArray(r.serverIds) ? r.serverIds : [])
    .map((id) => (names[id] ? `${names[id]} (${id})` : id))
    .join("; ");
  return csvRow([
    Number.isFinite(r.at) ? new Date(r.at).toISOString() : String(r.at),
    String(entry.seq),
    r.type,
    r.actorId,
    r.requestId ?? "",
    servers,
    r.outcome ?? "",
    r.detail === undefined ? "" : JSON.stringify(r.detail),
  ]);
}

/** The header row of the CSV export. */
export function auditCsvHeader(): string {
  return csvRow(AUDIT_CSV_COLUMNS);
}

function csvRow(cells: readonly string[]): string {
  return `${cells.map(csvCell).join(",")}\r\n`;
}

/** Characters a spreadsheet reads as the start of a formula (OWASP's CSV injection list). */
const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * One CSV cell (RFC 4180): quoted when it holds a comma, a quote or a line break (quotes doubled); a cell a
 * spreadsheet would run as a formula (starting with `=`, `+`, `-`, `@`, a tab or a carriage return: text
 * someone typed, a reason, a command) is prefixed with `'`, as OWASP recommends, so it is shown as text.
 */
export function csvCell(value: string): string {
  const safe = FORMULA_START.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}
