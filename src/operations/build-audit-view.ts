import type { AuditEntryType, AuditRecord } from "../audit/audit-entry.js";
import { code, context, type ListItem, list, type Message, md, type Span } from "../render/message-model.js";
import { formatTime } from "./describe-request.js";

export interface AuditViewInput {
  /** `web-03`, `@alice`, or undefined for everything. */
  subject?: Span[];
  entries: readonly AuditRecord[];
  limit: number;
}

const SLACK_USER_RE = /^[UW][A-Z0-9_]{2,20}$/;

/** What each kind of entry records, in words; its type stays beside it, as the export and queries name it. */
const ENTRY_TITLES: Readonly<Record<AuditEntryType, string>> = {
  "request.created": "Request created",
  "policy.decided": "Policy decided",
  "approval.recorded": "Approval counted",
  "click.refused": "Click refused",
  "request.approved": "Request approved",
  "request.rejected": "Request rejected",
  "request.cancelled": "Request cancelled",
  "request.expired": "Request expired",
  "request.revoked": "Request revoked before it ran",
  "policy.redecided": "Policy decided again before running",
  "execution.started": "Run started",
  "execution.step": "Run step",
  "execution.job": "Cloud job started",
  "execution.finished": "Run finished",
  "break_glass.used": "Break-glass used",
  "break_glass.acknowledged": "Break-glass reviewed",
  "audit.pruned": "Audit log pruned",
  "schedule.activated": "Schedule activated",
  "schedule.paused": "Schedule paused",
  "schedule.resumed": "Schedule resumed",
  "schedule.deleted": "Schedule deleted",
  "schedule.run": "Scheduled run started",
  "schedule.skipped": "Scheduled run skipped",
};

/** A policy decision in words. */
const DECISIONS: Readonly<Record<string, string>> = {
  allow: "allowed",
  needs_approval: "needs approval",
  deny: "denied",
};

/** A person, or the part of the bot that acted (`system:executor` → the bot's executor). */
function actor(id: string): Span[] {
  if (SLACK_USER_RE.test(id)) return [{ t: "user", id }];
  const part = /^system:([a-z_-]+)$/.exec(id)?.[1];
  return part !== undefined ? md`the bot (${part})` : [code(id)];
}

/** `/ops audit`: recent audit entries, newest first, with who, what, rules, hash, job and outcome. Pure. */
export function buildAuditView(input: AuditViewInput): Message {
  const about = input.subject ? md` for ${input.subject}` : md``;
  const items = input.entries.map((e): ListItem => {
    const fields: { label: string; value: Span[] }[] = [];
    if (e.requestId) fields.push({ label: "Request", value: [code(e.requestId)] });
    if (e.decision) fields.push({ label: "Decision", value: md`${DECISIONS[e.decision] ?? e.decision}` });
    if (e.ruleIds.length > 0) fields.push({ label: "Rules", value: md`${e.ruleIds.join(", ")}` });
    if (e.jobId) fields.push({ label: "Job", value: [code(e.jobId)] });
    if (e.outcome) fields.push({ label: "Outcome", value: md`${e.outcome}` });
    if (e.bindingHash)
      fields.push({ label: "Approved terms (hash)", value: [code(e.bindingHash.slice(0, 12))] });
    const reason = typeof e.detail?.reason === "string" ? md` — reason: ${e.detail.reason}` : md``;
    return {
      title: md`${formatTime(e.at)} ${ENTRY_TITLES[e.type] ?? e.type} ${code(e.type)}`,
      subtitle: [
        ...md`by `,
        ...actor(e.actorId),
        // The message may hold text someone typed (a command line): untrusted, mentions in it stay text.
        ...(e.message ? md`: ${e.message}` : []),
        ...reason,
      ],
      fields,
    };
  });
  return {
    text: md`Audit${about}: ${String(input.entries.length)} entries`,
    blocks: [
      { kind: "section", text: md`*Audit log*${about} — newest first, up to ${String(input.limit)}` },
      list(items),
      context(md`The store's audit stream is the record of truth; every entry is also shipped to the log.`),
    ],
  };
}
