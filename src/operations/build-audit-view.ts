import type { RefusalCode } from "../approvals/approval-state.js";
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
  "request.refused": "Not requested",
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

/** Why a click or event was refused (`click.refused`'s `detail.code`), in words. */
const REFUSALS: Readonly<Record<RefusalCode, string>> = {
  not_pending: "the request was no longer waiting for approval",
  not_an_approver: "not one of its approvers",
  stage_not_reached: "their stage had not been reached",
  self_approval: "requesters may not approve their own request",
  reason_required: "a rejection needs a reason",
  only_requester_can_cancel: "only the requester can cancel",
  expired: "the request had expired",
  not_due: "not due to expire yet",
  not_approved: "the request was not approved",
  binding_mismatch: "the request no longer matched what was approved",
  not_executing: "the request was not running",
  execution_mismatch: "another run holds the request",
};

/** What was refused (`detail.event`), in words. */
const REFUSED_EVENTS: Readonly<Record<string, string>> = {
  approve: "Approve",
  reject: "Reject",
  cancel: "Cancel",
  expire: "Expiry",
  start_execution: "Start of a run",
  revoke: "Revocation",
  finish: "End of a run",
};

/** A refused click's message in words (its code and the request's status then), or the entry's own message. */
function messageOf(e: AuditRecord): string | undefined {
  if (e.type !== "click.refused") return e.message;
  const code = e.detail?.code;
  const why = typeof code === "string" ? REFUSALS[code as RefusalCode] : undefined;
  if (why === undefined) return e.message;
  const event = e.detail?.event;
  const what = (typeof event === "string" ? REFUSED_EVENTS[event] : undefined) ?? "Click";
  const status = typeof e.detail?.status === "string" ? ` (it was ${e.detail.status})` : "";
  return `${what} refused: ${why}${status}`;
}

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
    // The requester's `--reason`, kept apart from a rejection's or break-glass's reason.
    const why = typeof e.detail?.why === "string" ? md` — why: ${e.detail.why}` : md``;
    const message = messageOf(e);
    return {
      title: md`${formatTime(e.at)} ${ENTRY_TITLES[e.type] ?? e.type} ${code(e.type)}`,
      subtitle: [
        ...md`by `,
        ...actor(e.actorId),
        // The message may hold text someone typed (a command line): untrusted, mentions in it stay text.
        ...(message ? md`: ${message}` : []),
        ...reason,
        ...why,
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
