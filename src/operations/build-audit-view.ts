import type { AuditRecord } from "../audit/audit-entry.js";
import { code, context, type ListItem, list, type Message, md, type Span } from "../render/message-model.js";
import { formatTime } from "./describe-request.js";

export interface AuditViewInput {
  /** `web-03`, `@alice`, or undefined for everything. */
  subject?: Span[];
  entries: readonly AuditRecord[];
  limit: number;
}

const SLACK_USER_RE = /^[UW][A-Z0-9_]{2,20}$/;

function actor(id: string): Span[] {
  return SLACK_USER_RE.test(id) ? [{ t: "user", id }] : [code(id)];
}

/** `/ops audit`: recent audit entries, newest first, with who, what, rules, hash, job and outcome. Pure. */
export function buildAuditView(input: AuditViewInput): Message {
  const about = input.subject ? md` for ${input.subject}` : md``;
  const items = input.entries.map((e): ListItem => {
    const fields: { label: string; value: Span[] }[] = [];
    if (e.requestId) fields.push({ label: "Request", value: [code(e.requestId)] });
    if (e.decision) fields.push({ label: "Decision", value: md`${e.decision}` });
    if (e.ruleIds.length > 0) fields.push({ label: "Rules", value: md`${e.ruleIds.join(", ")}` });
    if (e.jobId) fields.push({ label: "Job", value: [code(e.jobId)] });
    if (e.outcome) fields.push({ label: "Outcome", value: md`${e.outcome}` });
    if (e.bindingHash) fields.push({ label: "Hash", value: [code(e.bindingHash.slice(0, 12))] });
    const reason = typeof e.detail?.reason === "string" ? md` — reason: ${e.detail.reason}` : md``;
    return {
      title: md`${formatTime(e.at)} ${e.type}`,
      subtitle: [
        ...md`by `,
        ...actor(e.actorId),
        ...md` `,
        // The message may hold text someone typed (a command line): untrusted, mentions in it stay text.
        ...(e.message ? md`${e.message}` : []),
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
