import { z } from "zod";
import type { AuditEntryType, AuditRecord } from "../audit/audit-entry.js";
import { SLACK_USER_ID_RE } from "../intents/intent-schema.js";
import {
  actions,
  type Button,
  button,
  code,
  context,
  type ListItem,
  list,
  type Message,
  md,
  type Part,
  type Span,
  type Text,
  userMention,
} from "../render/message-model.js";
import { renderBlockKit } from "../render/render-block-kit.js";
import { shortServerId, withInlineCode } from "../views/format-values.js";
import { DECISION_WORDS, describeAuditEntry, describeFoldedEntry } from "./describe-audit-entry.js";
import { auditServerFields, type ServerNames, serverNamesOf } from "./describe-audit-servers.js";
import { formatTime } from "./describe-request.js";
import { type AuditLine, foldRunSteps, type StepFacts } from "./fold-run-steps.js";

/** The audit view's paging buttons (`ops.audit.page.older`, `ops.audit.page.newest`); value: an {@link AuditPageQuery}. */
export const AUDIT_PAGE_ACTION = "ops.audit.page";

/** Whose entries a page shows: as the command named them, a server with the IDs it was resolved to. */
const AuditPageSubjectSchema = z.discriminatedUnion("kind", [
  z.strictObject({ kind: z.literal("request"), requestId: z.string().regex(/^apr_[A-Za-z0-9_-]{22,64}$/) }),
  z.strictObject({ kind: z.literal("user"), userId: z.string().regex(SLACK_USER_ID_RE) }),
  z.strictObject({
    kind: z.literal("server"),
    /** The server as typed (`web-04`, an ID): said on the view and in the command to type. */
    label: z.string().min(1).max(200),
    /** Every server ID it stood for when the command ran (a deleted server's too). */
    ids: z.array(z.string().min(1).max(64)).min(1).max(100),
  }),
]);
export type AuditPageSubject = z.infer<typeof AuditPageSubjectSchema>;

/** The query behind a page of `/ops audit`, carried whole in its buttons' values (no state kept). */
const AuditPageQuerySchema = z.strictObject({
  subject: AuditPageSubjectSchema.optional(),
  /** Entries asked for per page (`/ops audit … n`); a page shows as many of them as fit one message. */
  limit: z.number().int().min(1).max(100),
  /** Only entries older than this one (its `seq`); absent: from the newest. */
  beforeSeq: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER).optional(),
  /** How many newer entries the pages before this one showed; absent: not known (`--before` typed by hand). */
  offset: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).optional(),
});
export type AuditPageQuery = z.infer<typeof AuditPageQuerySchema>;

/** A button's value for `query`: compact JSON. */
export function encodeAuditPage(query: AuditPageQuery): string {
  return JSON.stringify(query);
}

/** The query a button carried, or undefined when it is not one (a forged or foreign value). */
export function decodeAuditPage(value: string): AuditPageQuery | undefined {
  try {
    const parsed = AuditPageQuerySchema.safeParse(JSON.parse(value));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

export interface AuditViewInput {
  /** The page's query: whose entries, how many, older than which. */
  query: AuditPageQuery;
  /**
   * The matching entries older than `query.beforeSeq`, newest first: more than `query.limit` (one more is enough)
   * says older ones exist. The view shows as many of the first `limit` as fit in one message.
   */
  entries: readonly AuditRecord[];
}

/** Slack's limit for a button's value: a longer query (a name that stood for many servers) gets no buttons. */
const MAX_BUTTON_VALUE = 2000;
/** The hint of the probe rendering's list: it shows only when the renderer had to cut the list. */
const CUT_PROBE = "audit-page-cut-probe";

/**
 * Entries whose binding hash is the terms approvers approved: an approval, the approval, and what happened to
 * an approved request. Elsewhere (created, expired, rejected, cancelled…) it is the terms asked for.
 */
const APPROVED_TERMS: ReadonlySet<AuditEntryType> = new Set<AuditEntryType>([
  "approval.recorded",
  "request.approved",
  "request.revoked",
  "policy.redecided",
  "execution.started",
]);

/**
 * The narrowing `/ops audit` has, and where the whole log is: under a page with older entries, and as the list's
 * "…and N more" should the renderer ever cut a page (it is chosen to fit, so it does not).
 */
const NARROW_DOWN = md`narrow down with ${code("/ops audit <server>")}, ${code("/ops audit @user")} or ${code("/ops audit apr_…")} (one request); the whole log: ${code("npm run audit -- export")} on the bot's host`;

/** A detail's list of strings (`reasons`), or undefined. */
function stringsOf(value: unknown): string[] | undefined {
  if (!Array.isArray(value) || value.length === 0) return undefined;
  return value.every((v): v is string => typeof v === "string") ? value : undefined;
}

/**
 * The policy's reasons: composed by the bot, with rule IDs in backticks, shown as code spans (not escaped to
 * look-alikes); joined by `; `.
 */
function reasonsSpans(reasons: readonly string[]): Span[] {
  return reasons.flatMap((r, i) => [...(i > 0 ? md`; ` : []), ...withInlineCode(r)]);
}

/**
 * Where an expired request stood (`request.expired`'s `detail`): `count` approvals of `required`, and for a
 * staged request the stage it waited on, `stage` (its name), `stageIndex` (1-based) of `stages`. In words.
 */
function expiredAt(detail: AuditRecord["detail"]): Span[] | undefined {
  const count = detail?.count;
  const required = detail?.required;
  if (typeof count !== "number" || typeof required !== "number") return undefined;
  const approvals = md`${String(count)} of ${String(required)} approvals`;
  if (typeof detail?.stage !== "string") return approvals;
  const position =
    typeof detail.stageIndex === "number" && typeof detail.stages === "number"
      ? ` (${detail.stageIndex} of ${detail.stages})`
      : "";
  return md`waiting on stage ${detail.stage}${position}, ${approvals}`;
}

/** What a page is about, in words: `web-04`, a user, a request; undefined for the whole log. */
function subjectSpans(subject: AuditPageSubject | undefined): Span[] | undefined {
  if (subject === undefined) return undefined;
  if (subject.kind === "request") return [code(subject.requestId)];
  if (subject.kind === "user") return [userMention(subject.userId)];
  return [code(subject.label)];
}

/** The command that shows the page older than `seq`, as one types it. */
function olderCommand(query: AuditPageQuery, seq: number): string {
  const s = query.subject;
  const subject =
    s === undefined
      ? ""
      : s.kind === "request"
        ? ` ${s.requestId}`
        : s.kind === "user"
          ? ` @${s.userId}`
          : ` ${s.label}`;
  return `/ops audit${subject} ${String(query.limit)} --before ${String(seq)}`;
}

/**
 * `/ops audit`: a page of audit entries, newest first, with who, what, rules, hash, job and outcome; as many
 * as fit in one message (measured with the renderer, so the oldest entry shown is the one the next page
 * continues after: none skipped, none repeated), then how to go back in time. Pure.
 */
export function buildAuditView(input: AuditViewInput): Message {
  const { query } = input;
  const candidates = input.entries.slice(0, query.limit);
  const fits = (shown: number) => {
    const kit = renderBlockKit(compose(input, shown, md`${CUT_PROBE}`));
    return !JSON.stringify(kit.blocks).includes(CUT_PROBE);
  };
  let shown = candidates.length;
  if (shown > 1 && !fits(shown)) {
    // The most that fit: `low` fits (one always does), `high` does not.
    let low = 1;
    let high = shown;
    while (high - low > 1) {
      const mid = Math.floor((low + high) / 2);
      if (fits(mid)) low = mid;
      else high = mid;
    }
    shown = low;
  }
  return compose(input, shown, NARROW_DOWN);
}

/**
 * The page with its first `shown` entries (a step's start and its end on one line when both are shown, see
 * {@link foldRunSteps}); `moreHint` is the list's, should the renderer cut it.
 */
function compose(input: AuditViewInput, shown: number, moreHint: Span[]): Message {
  const { query, entries } = input;
  const page = entries.slice(0, shown);
  const { lines, stepFacts } = foldRunSteps(page);
  const names = serverNamesOf(page);
  const subjectIds = query.subject?.kind === "server" ? query.subject.ids : undefined;
  let cut = false;
  const items = lines.map((line) => {
    const item = itemOf(line, stepFacts, names, subjectIds);
    cut ||= item.cut;
    return item.item;
  });
  const subject = subjectSpans(query.subject);
  const about = subject ? md` for ${subject}` : md``;
  const oldest = entries[shown - 1];
  const hasOlder = oldest !== undefined && entries.length > shown;
  const older = query.beforeSeq === undefined ? md`` : md` older than #${String(query.beforeSeq)}`;
  const range =
    shown === 0
      ? md`no entries${older}`
      : query.offset !== undefined
        ? md`entries ${String(query.offset + 1)}–${String(query.offset + shown)}${older}, newest first`
        : md`${String(shown)} ${shown === 1 ? "entry" : "entries"}${older}, newest first`;
  const blocks: Part[] = [{ kind: "section", text: md`*Audit log*${about} — ${range}` }];
  if (subjectIds !== undefined && subjectIds.length > 1)
    blocks.push(
      context(
        md`${subject ?? []} has named ${String(subjectIds.length)} different servers: ${namesakes(subjectIds)}; each entry says which one (by ID).`,
      ),
    );
  blocks.push(list(items, { moreHint }));
  if (cut)
    blocks.push(
      context(
        md`Lists cut short ("and N more"): every server and parameter is in the export, ${code(exportCommand(query.subject))} on the bot's host.`,
      ),
    );
  const buttons: Button[] = [];
  if (hasOlder) {
    const next: AuditPageQuery = {
      ...query,
      beforeSeq: oldest.seq,
      ...(query.offset !== undefined && { offset: query.offset + shown }),
    };
    const value = encodeAuditPage(next);
    if (value.length <= MAX_BUTTON_VALUE)
      buttons.push(button({ id: `${AUDIT_PAGE_ACTION}.older`, label: md`Older entries`, value }));
    const orButton = buttons.length > 0 ? md` (or the button below)` : md``;
    blocks.push(
      context(md`Older entries: ${code(olderCommand(query, oldest.seq))}${orButton}. Or ${NARROW_DOWN}.`),
    );
  } else if (shown > 0) {
    blocks.push(context(md`No older entries${about}.`));
  }
  if (query.beforeSeq !== undefined) {
    const { beforeSeq: _, ...rest } = query;
    const value = encodeAuditPage({ ...rest, offset: 0 });
    if (value.length <= MAX_BUTTON_VALUE)
      buttons.push(button({ id: `${AUDIT_PAGE_ACTION}.newest`, label: md`Newest entries`, value }));
  }
  if (buttons.length > 0) blocks.push(actions(...buttons));
  const count = md`${String(shown)} ${shown === 1 ? "entry" : "entries"}`;
  return { text: md`Audit${about}: ${count}${older}`, blocks };
}

/**
 * One line as a list item: its entry's number (`#4521`, what `--before` takes), time, what happened, who and
 * what, in operator words ({@link describeAuditEntry}), then the entries folded into it by number; the
 * entry's type only at the end of its fields, as the log names it.
 */
function itemOf(
  line: AuditLine,
  stepFacts: (e: AuditRecord) => StepFacts,
  names: ServerNames,
  subjectIds: readonly string[] | undefined,
): { item: ListItem; cut: boolean } {
  const e = line.entry;
  const fields: { label: Text; value: Text }[] = [];
  if (e.requestId) fields.push({ label: "Request", value: [code(e.requestId)] });
  // Early on the line: the renderer shows an item's first fields only.
  const servers = auditServerFields([e, ...line.also], names, subjectIds);
  fields.push(...servers.fields);
  // A policy decision's verdict is its title ("Policy decided: denied").
  if (e.decision && e.type !== "policy.decided")
    fields.push({ label: "Decision", value: md`${DECISION_WORDS[e.decision] ?? e.decision}` });
  if (e.ruleIds.length > 0) fields.push({ label: "Rules", value: md`${e.ruleIds.join(", ")}` });
  if (e.jobId) fields.push({ label: "Job", value: [code(e.jobId)] });
  if (e.outcome) fields.push({ label: "Outcome", value: md`${e.outcome}` });
  if (e.bindingHash)
    fields.push({
      label: APPROVED_TERMS.has(e.type) ? "Approved terms (hash)" : "Terms (hash)",
      value: [code(e.bindingHash.slice(0, 12))],
    });
  if (e.type === "request.expired") {
    const when = expiredAt(e.detail);
    if (when !== undefined) fields.push({ label: "When it expired", value: when });
  }
  // The policy file's SHA-256 the decision was made under (as logged at start).
  if (typeof e.detail?.policySha256 === "string")
    fields.push({ label: "Policy (SHA-256)", value: [code(e.detail.policySha256.slice(0, 12))] });
  // The policy's reasons (a denial, a revocation, a skipped slot, a refused read).
  const reasonList = stringsOf(e.detail?.reasons);
  const reasons = reasonList === undefined ? md`` : md` — reasons: ${reasonsSpans(reasonList)}`;
  // Last, and given up first when the renderer cuts the fields: only to search the log, whose line for the
  // entry reads `audit <type>` (with its `seq`).
  fields.push({ label: "Logged as", value: [code(e.type)] });
  const words = describeAuditEntry(e, stepFacts(e));
  const item: ListItem = {
    title: md`#${String(e.seq)} · ${formatTime(e.at)} · ${words.title}`,
    subtitle: [
      ...md`by `,
      ...words.by,
      ...(words.said ? [...md`: `, ...words.said] : []),
      ...words.notes,
      ...reasons,
      ...line.also.flatMap(describeFoldedEntry),
    ],
    fields,
  };
  return { item, cut: servers.cut };
}

/** The servers a name stood for, by ID as cards shorten it. */
function namesakes(ids: readonly string[]): Span[] {
  return ids.flatMap((id, i) => [...(i > 0 ? md`, ` : []), shortServerId(id)]);
}

/** The export of a page's subject, as one types it on the bot's host. */
function exportCommand(subject: AuditPageSubject | undefined): string {
  const filter =
    subject === undefined
      ? ""
      : subject.kind === "request"
        ? ` --request ${subject.requestId}`
        : subject.kind === "user"
          ? ` --user ${subject.userId}`
          : ` --server ${subject.label}`;
  return `npm run audit -- export${filter}`;
}
