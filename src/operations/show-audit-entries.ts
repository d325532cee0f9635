import type { Actor } from "../app/ports.js";
import type { AuditRecord } from "../audit/audit-entry.js";
import type { AuditLog } from "../audit/create-audit-log.js";
import {
  type AuditReadFailureLog,
  type AuditReadFilters,
  recordAuditRead,
} from "../audit/record-audit-read.js";
import type { HandlerContext, OpsIntent } from "../commands/types.js";
import { formatTarget } from "../intents/index.js";
import { code, type Message, md } from "../render/message-model.js";
import type { Store } from "../store/store.js";
import { buildAuditReadNotRecordedView } from "../views/build-audit-read-not-recorded-view.js";
import { buildNoticeView } from "../views/build-notice-view.js";
import { type AuditPageQuery, buildAuditView } from "./build-audit-view.js";
import { serverNameKey } from "./request-details.js";

/** Default and cap of `/ops audit … n`. */
const DEFAULT_AUDIT_ENTRIES = 20;

export interface AuditReadDeps {
  audit: AuditLog;
  store: Store;
}

/**
 * `/ops audit [server|@user|apr_…] [n] [--before <seq>]`: the first page of the entries asked for, its read
 * recorded (see {@link showAuditPage}). The read policy has allowed it already.
 */
export async function showAuditEntries(
  deps: AuditReadDeps,
  intent: Extract<OpsIntent, { type: "ops.audit" }>,
  ctx: HandlerContext,
): Promise<Message> {
  const reader = ctx.request.actor;
  const limit = intent.limit ?? DEFAULT_AUDIT_ENTRIES;
  // Typed `--before`: which page of the history this is, is not known; the pages' buttons keep count.
  const paging = intent.beforeSeq === undefined ? { offset: 0 } : { beforeSeq: intent.beforeSeq };
  const subject = intent.subject;
  const page = async (query: AuditPageQuery) =>
    (await showAuditPage(deps.audit, query, reader, ctx.logger)).message;
  if (subject === undefined) return page({ limit, ...paging });
  if (subject.kind === "request") {
    return page({ subject: { kind: "request", requestId: subject.requestId }, limit, ...paging });
  }
  if (subject.kind === "user") {
    return page({ subject: { kind: "user", userId: subject.userId }, limit, ...paging });
  }
  const ref = subject.server;
  const label = formatTarget(ref);
  const ids = new Set<string>();
  if (ref.kind === "id") ids.add(ref.id);
  else {
    const resolution = await ctx.resolveTargets([ref], "prefix");
    if (resolution.ok) for (const s of resolution.servers) ids.add(s.id);
    else
      for (const o of resolution.outcomes)
        if (o.kind === "ambiguous") for (const c of o.candidates) ids.add(c.id);
    // A deleted server no longer resolves: the IDs its name had in requests still find its history.
    if (ref.kind === "name") for (const id of await deps.store.members(serverNameKey(ref.name))) ids.add(id);
  }
  if (ids.size === 0) {
    return buildNoticeView(":mag:", md`No server ${code(label)} exists, and no request ever named it.`);
  }
  return page({ subject: { kind: "server", label, ids: [...ids] }, limit, ...paging });
}

/** A page's filters as its `audit.read` entry records them (a refused click's too). */
export function auditPageFilters(query: AuditPageQuery): AuditReadFilters {
  const subject = query.subject;
  return {
    ...(subject?.kind === "server" && { server: subject.label, serverIds: subject.ids }),
    ...(subject?.kind === "user" && { user: subject.userId }),
    ...(subject?.kind === "request" && { request: subject.requestId }),
    limit: query.limit,
    ...(query.beforeSeq !== undefined && { beforeSeq: query.beforeSeq }),
  };
}

/**
 * A page of `/ops audit` for `reader`: the matching entries older than the query's cursor, one more than asked
 * for (so the view knows older ones exist), read from the stream below the cursor. The command and its paging
 * buttons both answer through here. The read is recorded (`audit.read`: who, the filters, how many entries)
 * before anything is shown; a read that cannot be recorded is not shown (`shown: false`, the message says so)
 * and is said in `log` (see `recordAuditRead`).
 */
export async function showAuditPage(
  audit: AuditLog,
  query: AuditPageQuery,
  reader: Actor,
  log: AuditReadFailureLog,
): Promise<{ shown: boolean; message: Message }> {
  const entries = await queryAuditPage(audit, query);
  const recorded = await recordAuditRead(
    (entry) => audit.record(entry),
    {
      actorId: reader.userId,
      teamId: reader.teamId,
      action: "ops:audit:list",
      via: "view",
      filters: auditPageFilters(query),
      entries: Math.min(entries.length, query.limit),
    },
    log,
  );
  if (!recorded) return { shown: false, message: buildAuditReadNotRecordedView() };
  return { shown: true, message: buildAuditView({ query, entries }) };
}

async function queryAuditPage(audit: AuditLog, query: AuditPageQuery): Promise<AuditRecord[]> {
  const limit = query.limit + 1;
  const before = query.beforeSeq === undefined ? {} : { beforeSeq: query.beforeSeq };
  const subject = query.subject;
  if (subject === undefined) return audit.query({ limit, ...before });
  if (subject.kind === "request") return audit.query({ requestId: subject.requestId, limit, ...before });
  if (subject.kind === "user") return audit.query({ userId: subject.userId, limit, ...before });
  return queryServers(audit, subject.ids, limit, query.beforeSeq);
}

/** Entries of any of the servers older than `beforeSeq` (when given), newest first, at most `limit`. */
async function queryServers(
  audit: AuditLog,
  serverIds: readonly string[],
  limit: number,
  beforeSeq: number | undefined,
): Promise<AuditRecord[]> {
  const bySeq = new Map<number, AuditRecord>();
  for (const serverId of serverIds) {
    for (const e of await audit.query({ serverId, limit, ...(beforeSeq !== undefined && { beforeSeq }) }))
      bySeq.set(e.seq, e);
  }
  return [...bySeq.values()].sort((a, b) => b.seq - a.seq).slice(0, limit);
}
