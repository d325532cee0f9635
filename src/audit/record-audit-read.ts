/**
 * A read of the audit log is itself an entry of it (`audit.read`): who looked, when, at which entries (the
 * filters as they were asked), how many they got, whether they viewed them in Slack or exported them, and, for
 * a read the policy refused, why. An auditor asks "who looked at this?" of the same log they ask "who did this?".
 */
import type { Logger } from "../log/create-logger.js";
import type { AuditEntryInput } from "./audit-entry.js";

/** The filters of a read, as asked (absent: not filtered on). Times are epoch milliseconds. */
export interface AuditReadFilters {
  /** A server as typed (a name or an ID). */
  server?: string;
  /** The server IDs `server` stood for when it was read (a deleted server's too). */
  serverIds?: readonly string[];
  /** Who acted or asked (a Slack user ID). */
  user?: string;
  /** One request's entries (`apr_…`). */
  request?: string;
  /** At or after (the export's `--since`). */
  since?: number;
  /** Before (the export's `--until`). */
  until?: number;
  /** Only entries older than this one (a page further back, `--before <seq>`). */
  beforeSeq?: number;
  /** Entries asked for per page. */
  limit?: number;
  /** The export's format. */
  format?: "jsonl" | "csv";
}

/** What a refused read was refused by: the policy's decision, its rules and reasons. */
export interface AuditReadRefusal {
  decision: "needs_approval" | "deny";
  ruleIds: readonly string[];
  reasons: readonly string[];
}

export interface AuditRead {
  /** A Slack user ID, or `cli:<OS user>@<host>` for the command line (as the machine reports it). */
  actorId: string;
  teamId?: string;
  /**
   * What was read: the policy action of the Slack command (`ops:audit:list`, `ops:audit:verify`,
   * `ops:audit:breakGlass`), or {@link AUDIT_EXPORT_ACTION} for the command line's export.
   */
  action: string;
  /** `view`: shown in Slack; `export`: written out by `npm run audit -- export`. */
  via: "view" | "export";
  filters: AuditReadFilters;
  /** How many entries (break-glass uses, entries checked) were shown or exported; absent when refused. */
  entries?: number;
  /** Absent: the read was allowed and answered. */
  refused?: AuditReadRefusal;
}

/** The action recorded for `npm run audit -- export` (no policy decides it: shell access to the store does). */
export const AUDIT_EXPORT_ACTION = "audit:export";

/** What each read shows, in the entry's message: its noun for a count, and for a refusal. */
const WHAT: Readonly<Record<string, { counted: (n: number) => string; refused: string }>> = {
  "ops:audit:list": {
    counted: (n) => `${n} audit ${n === 1 ? "entry" : "entries"}`,
    refused: "audit entries",
  },
  "ops:audit:verify": {
    counted: (n) => `the audit chain's verification (${n} ${n === 1 ? "entry" : "entries"} checked)`,
    refused: "the audit chain's verification",
  },
  "ops:audit:breakGlass": {
    counted: (n) => `${n} break-glass ${n === 1 ? "use" : "uses"}`,
    refused: "break-glass uses",
  },
  [AUDIT_EXPORT_ACTION]: {
    counted: (n) => `${n} audit ${n === 1 ? "entry" : "entries"}`,
    refused: "audit entries",
  },
};

/** `server web-01, user U…, since 2025-…`: the filters in one line, for the message (the detail has them whole). */
function describeFilters(filters: AuditReadFilters): string {
  const parts: string[] = [];
  if (filters.server !== undefined) parts.push(`server ${filters.server}`);
  if (filters.user !== undefined) parts.push(`user ${filters.user}`);
  if (filters.request !== undefined) parts.push(`request ${filters.request}`);
  if (filters.since !== undefined) parts.push(`since ${new Date(filters.since).toISOString()}`);
  if (filters.until !== undefined) parts.push(`until ${new Date(filters.until).toISOString()}`);
  if (filters.beforeSeq !== undefined) parts.push(`before #${filters.beforeSeq}`);
  return parts.length === 0 ? "no filter" : parts.join(", ");
}

/** The filters as the entry's detail holds them (JSON: absent ones left out). */
function filtersDetail(filters: AuditReadFilters): Record<string, string | number | string[]> {
  const out: Record<string, string | number | string[]> = {};
  for (const [key, value] of Object.entries(filters)) {
    if (value === undefined) continue;
    out[key] = Array.isArray(value) ? [...(value as string[])] : (value as string | number);
  }
  return out;
}

/** The `audit.read` entry of `read`. */
export function auditReadEntry(read: AuditRead): AuditEntryInput {
  const what = WHAT[read.action] ?? WHAT["ops:audit:list"]!;
  const filters = describeFilters(read.filters);
  const message =
    read.refused !== undefined
      ? `Refused to show ${what.refused} (${filters})`
      : `${read.via === "export" ? "Exported" : "Viewed"} ${what.counted(read.entries ?? 0)}${
          read.filters.format !== undefined ? ` as ${read.filters.format}` : ""
        } (${filters})`;
  return {
    type: "audit.read",
    actorId: read.actorId,
    ...(read.teamId !== undefined && read.teamId !== "" && { teamId: read.teamId }),
    action: read.action,
    decision: read.refused?.decision ?? "allow",
    ruleIds: [...(read.refused?.ruleIds ?? [])],
    message,
    detail: {
      via: read.via,
      allowed: read.refused === undefined,
      filters: filtersDetail(read.filters),
      ...(read.entries !== undefined && { entries: read.entries }),
      ...(read.refused !== undefined && { reasons: [...read.refused.reasons] }),
    },
  };
}

/** Where a read that could not be recorded is said: the bot's log (the audit log ships its entries there too). */
export type AuditReadFailureLog = Pick<Logger, "error">;

/**
 * Records `read` through `record` (the audit log's). True when it was recorded: a Slack read that cannot be
 * recorded is not shown (nobody reads the audit unseen), a refusal stays refused either way. A read that
 * cannot be recorded is never dropped unsaid: its entry goes to `log` at error level instead, where whoever
 * runs the bot (and the log shipping that carries the audit's copies) sees who read what while the store
 * refused to record it; the failed write itself is counted by the store's metrics
 * (`store_operation_duration_seconds`, `operation="append"`, `outcome="error"`). The CLI has no such log and
 * passes `undefined`: it says so on its standard error.
 */
export async function recordAuditRead(
  record: (entry: AuditEntryInput) => Promise<unknown>,
  read: AuditRead,
  log: AuditReadFailureLog | undefined,
): Promise<boolean> {
  const entry = auditReadEntry(read);
  try {
    await record(entry);
    return true;
  } catch (error) {
    log?.error(
      { err: error, auditRead: entry },
      read.refused === undefined
        ? "a read of the audit log could not be recorded in it: nothing was shown"
        : "a refused read of the audit log could not be recorded in it",
    );
    return false;
  }
}
