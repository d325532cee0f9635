/**
 * One audit entry in operator words, from its type and detail (never by rewriting stored entries: the log is a
 * hash chain, and entries written before these words must read as well). The flow file's vocabulary (call
 * names, step IDs, the flow's path) and the bot's component names stay out of what the operator reads; the
 * view keeps the entry's type only as the log line names it (`audit <type>`), to search the log with.
 */
import type { RefusalCode } from "../approvals/approval-state.js";
import type { AuditEntryType, AuditRecord } from "../audit/audit-entry.js";
import { plural } from "../render/escape-mrkdwn.js";
import { linkUrls } from "../render/link-urls.js";
import { code, md, type Span } from "../render/message-model.js";
import { describePolicyApproval } from "../views/describe-policy-approval.js";
import { callNoun, stepWords } from "../workflow/flow-status-message.js";
import { CALLS, type CallName } from "../workflow/flow-vocabulary.js";
import { formatTime } from "./describe-request.js";
import { phaseOf, type StepFacts } from "./fold-run-steps.js";

/** What each kind of entry records, in words (an `execution.step`'s title depends on its phase). */
const ENTRY_TITLES: Readonly<Record<AuditEntryType, string>> = {
  "request.created": "Request created",
  "policy.decided": "Policy decided",
  "request.refused": "Request refused",
  "approval.recorded": "Approval counted",
  "click.refused": "Click refused",
  "request.approved": "Request approved",
  "request.rejected": "Request rejected",
  "request.cancelled": "Request cancelled",
  "request.expired": "Request expired",
  "request.revoked": "Request revoked before it ran",
  "policy.redecided": "Policy checked again before running",
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
  "console_log.read": "Console log read",
  "audit.read": "Audit log read",
};

/** A policy decision (`decision`) in words; the audit view's Decision field says it the same way. */
export const DECISION_WORDS: Readonly<Record<string, string>> = {
  allow: "allowed",
  needs_approval: "needs approval",
  deny: "denied",
};

/**
 * A refused command's title by what refused it (`request.refused`'s `detail.refusedBy`); without one (a
 * schedule change, older entries) it is "Request refused". The reason follows as "refused because".
 */
const REFUSED_BY_TITLES: Readonly<Record<string, string>> = {
  preflight: "Request refused by the preflight",
  direct_message: "Request refused: asked in a direct message",
  waves: "Request refused: its waves could not be planned",
  duplicate: "Request refused: already asked",
  not_posted: "Request dropped: its card could not be posted",
};

/** An `execution.step`'s title by its phase. */
const STEP_TITLES: Readonly<Record<string, string>> = {
  run_created: "Run created",
  step_started: "Step started",
  step_finished: "Step finished",
  step_skipped: "Step skipped",
  intent: "Sent to Huawei Cloud",
  call_accepted: "Huawei Cloud accepted",
  call_rejected: "Huawei Cloud refused",
  call_outcome_unknown: "Huawei Cloud's answer not known",
  interrupted: "Call interrupted",
  confirmed: "Checked from the servers",
  reconciled: "Checked from the servers",
  drift: "Run stopped before any call",
  run_finished: "Run ended",
  resumed: "Run resumed",
  job_followed_up: "Cloud job followed up",
  waves_control: "Waves",
  waves_check: "Wave not started",
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

/** The bot's parts (`system:<part>`), in words; an unknown part is named as it is. */
const BOT_PARTS: Readonly<Record<string, string>> = {
  executor: "the bot",
  policy: "the policy",
  expiry: "the bot (expiry)",
  scheduler: "the scheduler",
};

/** How a step ended (`step_finished`'s `detail.status`), in words. */
const STEP_STATUSES: Readonly<Record<string, string>> = {
  succeeded: "done",
  failed: "failed",
  outcome_unknown: "outcome not known",
  aborted: "stopped",
  cancelled: "cancelled",
  skipped: "skipped",
};

/** How a run ended (`run_finished`'s `detail.status`), in words. */
const RUN_STATUSES: Readonly<Record<string, string>> = {
  succeeded: "succeeded",
  failed: "failed",
  outcome_unknown: "ended, outcome not known",
  aborted: "stopped before any call",
  cancelled: "was cancelled",
};

/** Per-server results of a step (`detail.counts`) worth saying: any that did not succeed. */
const RESULT_WORDS: Readonly<Record<string, string>> = {
  succeeded: "done",
  failed: "failed",
  unknown: "not known",
  skipped: "skipped",
  incomplete: "incomplete",
  not_started: "not started",
};

const SLACK_USER_RE = /^[UW][A-Z0-9_]{2,20}$/;
/** A call's name at the start of a step's message (`ecs.batch_stop accepted…`), as older entries wrote it. */
const CALL_LEAD_RE = /^(ecs\.[a-z_]+)(:? )/;
/** A slash command as typed (`/ecs …`, `/ops …`) at the start of a message or after its `: `. */
const COMMAND_RE = /^((?:.*?: )?)(\/(?:ecs|ops)\s.*?)( \(([^()]+), ([^(),\s]+)\))?$/s;

/** An entry in words: its title, who acted, what it says and what was given as reasons. */
export interface AuditEntryWords {
  title: string;
  /** Who acted: a person, or the bot's part in words, or break-glass. */
  by: Span[];
  /** What happened, in words (may hold text someone typed: untrusted, mentions in it stay text). */
  said: Span[] | undefined;
  /** ` — label: text` parts: the request's reason, the break-glass reason, a rejection's… */
  notes: Span[];
}

/** Whether `call` is one of the flow vocabulary's calls. */
function isCall(call: unknown): call is CallName {
  return typeof call === "string" && (CALLS as readonly string[]).includes(call);
}

/** A call as the subject of a sentence: "Stop", "Flavor change"; an unknown call is "A call". */
function callSubject(call: unknown): string {
  if (!isCall(call)) return "A call";
  const noun = callNoun(call).replace(/^the /, "");
  return noun.charAt(0).toUpperCase() + noun.slice(1);
}

/** A call as an object: "the stop"; an unknown call is "the call". */
function callObject(call: unknown): string {
  return isCall(call) ? callNoun(call) : "the call";
}

/** A step in words, from what the page says of it (its kind from its start, its call from its calls). */
function stepSubject(facts: StepFacts): string {
  if (facts.kind === "recheck") return "Check that the servers had not changed";
  if (facts.kind === "wait") return "Wait for the servers";
  if (isCall(facts.call)) return stepWords({ kind: "call", call: facts.call });
  return "A step of the run";
}

/** A message that leads with a call's name, with the call in words instead ("The stop accepted…"). */
function withoutCallName(message: string): string {
  const m = CALL_LEAD_RE.exec(message);
  if (m === null) return message;
  const said = callObject(m[1]);
  return `${said.charAt(0).toUpperCase()}${said.slice(1)}${m[2] === ": " ? ": " : " "}${message.slice(m[0].length)}`;
}

/** The counts of a step's results that are not `succeeded`, in words ("1 failed, 1 not known"), or "". */
function countsOf(counts: unknown): string {
  if (counts === null || typeof counts !== "object") return "";
  const said = Object.entries(counts as Record<string, unknown>)
    .filter(([k, n]) => k !== "succeeded" && typeof n === "number" && n > 0)
    .map(([k, n]) => `${String(n)} ${RESULT_WORDS[k] ?? k}`);
  return said.length > 0 ? ` (${said.join(", ")})` : "";
}

/** What an `execution.step` entry says, in words; undefined keeps its message. */
function stepSaid(e: AuditRecord, facts: StepFacts): string | undefined {
  const d = e.detail ?? {};
  const servers = plural(e.serverIds.length, "server");
  switch (phaseOf(e)) {
    case "run_created":
      return typeof d.operation === "string" ? `${d.operation} of ${servers}` : undefined;
    case "step_started":
      return stepSubject(facts);
    case "step_finished": {
      const status = typeof d.status === "string" ? (STEP_STATUSES[d.status] ?? d.status) : "ended";
      return `${stepSubject(facts)}: ${status}${countsOf(d.counts)}`;
    }
    case "step_skipped":
      return `${stepSubject(facts)}: ${d.reason === "no_targets" ? "no server needed it" : "the run had stopped"}`;
    case "intent":
      return `${callSubject(d.call)} sent to Huawei Cloud for ${servers}`;
    case "run_finished":
      return typeof d.status === "string" ? `the run ${RUN_STATUSES[d.status] ?? d.status}` : undefined;
    case "resumed":
      return "after a restart of the bot, at the step it had reached";
    default:
      return e.message === undefined ? undefined : withoutCallName(e.message);
  }
}

/** A refused click's message in words (its code and the request's status then), or the entry's own message. */
function refusalSaid(e: AuditRecord): string | undefined {
  const code = e.detail?.code;
  const why = typeof code === "string" ? REFUSALS[code as RefusalCode] : undefined;
  if (why === undefined) return e.message;
  const event = e.detail?.event;
  const what = (typeof event === "string" ? REFUSED_EVENTS[event] : undefined) ?? "Click";
  const status = typeof e.detail?.status === "string" ? ` (it was ${e.detail.status})` : "";
  return `${what} refused: ${why}${status}`;
}

/** What the entry says besides its notes, as text; undefined: nothing. */
function saidText(e: AuditRecord, facts: StepFacts): string | undefined {
  switch (e.type) {
    case "click.refused":
      return refusalSaid(e);
    case "execution.step":
      return stepSaid(e, facts);
    case "execution.job":
      return `Huawei Cloud accepted ${callObject(e.detail?.call)}${e.jobId !== undefined ? `: job ${e.jobId}` : ""}`;
    case "policy.redecided":
      // What changed (a freeze, an approver's groups, the servers), recorded by the re-decision; older entries
      // have only the verdict.
      if (e.detail?.stricter === true)
        return typeof e.detail.cause === "string"
          ? `not run: ${e.detail.cause}`
          : "stricter than what was approved: not run";
      if (e.detail?.stricter === false)
        return e.detail?.breakGlass === true
          ? "the policy is no stricter than when break-glass was used: runs"
          : "the policy still allows it as approved";
      return e.message;
    // Said by the break-glass reason note: the message is the same text.
    case "break_glass.used":
    case "break_glass.acknowledged":
      return undefined;
    default: {
      // A message that only repeats the policy's reasons (a revocation's) is said once, by them.
      const reasons = e.detail?.reasons;
      if (Array.isArray(reasons) && e.message === reasons.join("; ")) return undefined;
      return e.message;
    }
  }
}

/**
 * A message, with the command line it holds in a code span, so it reads and copies exactly as it ran (`*` in a
 * cron stays `*`, not a look-alike): a schedule's message ends with ` (<cron>, <zone>)`, its cron also in one.
 * The rest may hold text someone typed: untrusted, mentions in it stay text.
 */
function messageSpans(type: AuditEntryType, message: string): Span[] {
  const m = COMMAND_RE.exec(message);
  if (m === null) return md`${message}`;
  const [, before = "", command = "", suffix, cron = "", zone = ""] = m;
  const lead = before === "" ? [] : md`${before}`;
  if (suffix !== undefined && type.startsWith("schedule.")) {
    return [...lead, code(command), ...md` (${code(cron)}, ${zone})`];
  }
  return [...lead, code(command + (suffix ?? ""))];
}

/** Whether the entry belongs to a break-glass request (the writers mark every such entry `detail.breakGlass`). */
function isBreakGlass(e: AuditRecord): boolean {
  return (
    e.detail?.breakGlass === true || e.type === "break_glass.used" || e.type === "break_glass.acknowledged"
  );
}

/** Who acted: a person; the policy's approval of a break-glass request is break-glass's, not the policy's. */
function byOf(e: AuditRecord): Span[] {
  if (SLACK_USER_RE.test(e.actorId)) return [{ t: "user", id: e.actorId }];
  const part = /^system:([a-z_-]+)$/.exec(e.actorId)?.[1];
  if (part === undefined) return [code(e.actorId)];
  const approval = e.type === "approval.recorded" || e.type === "request.approved";
  if (part === "policy" && approval) return describePolicyApproval(isBreakGlass(e));
  return md`${BOT_PARTS[part] ?? `the bot (${part})`}`;
}

/**
 * The reasons given, each labelled by whose it is: `reason` is always the requester's own (`--reason`, kept
 * as `detail.why` on a request's creation), `break-glass reason` always the justification for skipping
 * approval (`detail.reason` on break-glass entries, the message of `break_glass.*`), a rejection's and a
 * refusal's named as such.
 */
function notesOf(e: AuditRecord): Span[] {
  const d = e.detail;
  const notes: Span[] = [];
  const note = (label: string, text: string) => notes.push(...md` — ${label}: ${text}`);
  // The requester's links (a ticket) followable from the log, as on the card.
  const linked = (label: string, text: string) => notes.push(...md` — ${label}: ${linkUrls(text)}`);
  if (e.type === "break_glass.used" || e.type === "break_glass.acknowledged") {
    const text = typeof d?.reason === "string" ? d.reason : e.message;
    if (text !== undefined && text !== "") note("break-glass reason", text);
    return notes;
  }
  if (typeof d?.why === "string" && e.type === "request.created") linked("reason", d.why);
  // A step's `reason` is a code its words already say (a skipped step's, a drift's).
  if (typeof d?.reason === "string" && e.type !== "execution.step") {
    const label =
      e.type === "request.rejected"
        ? "rejection reason"
        : e.type === "request.refused"
          ? "refused because"
          : isBreakGlass(e)
            ? "break-glass reason"
            : "reason";
    note(label, d.reason);
  }
  // The break-glass request that superseded a cancelled one: its ID as code, exact to copy into `/ops audit`.
  if (typeof d?.supersededBy === "string" && e.type === "request.cancelled")
    notes.push(...md` — break-glass request: ${code(d.supersededBy)}`);
  // Any other `why` (a skipped slot's "skipped" only repeats the title): said as it was written.
  if (typeof d?.why === "string" && e.type !== "request.created" && e.type !== "schedule.skipped")
    note("why", d.why);
  return notes;
}

/**
 * What happened, as the line's title: a step's by its phase, a policy decision with its verdict ("Policy
 * decided: needs approval"), a refused command with what refused it.
 */
function titleOf(e: AuditRecord): string {
  const phase = phaseOf(e);
  const step = phase !== undefined ? STEP_TITLES[phase] : undefined;
  if (step !== undefined) return step;
  if (e.type === "policy.decided" && e.decision !== undefined)
    return `Policy decided: ${DECISION_WORDS[e.decision] ?? e.decision}`;
  const refusedBy = e.detail?.refusedBy;
  if (e.type === "request.refused" && typeof refusedBy === "string")
    return REFUSED_BY_TITLES[refusedBy] ?? ENTRY_TITLES[e.type];
  return ENTRY_TITLES[e.type] ?? e.type;
}

/** An entry's title, who, what and reasons in words; `facts`: what the page says about its step. */
export function describeAuditEntry(e: AuditRecord, facts: StepFacts = {}): AuditEntryWords {
  const title = titleOf(e);
  const text = saidText(e, facts);
  return {
    title,
    by: byOf(e),
    said: text === undefined || text === "" ? undefined : messageSpans(e.type, text),
    notes: notesOf(e),
  };
}

/** An entry said on another's line (a step's start on its end's): ` — also #10 03:48:44: step started`. */
export function describeFoldedEntry(e: AuditRecord): Span[] {
  const phase = phaseOf(e);
  const what =
    phase === "step_started"
      ? "step started"
      : phase === "run_created"
        ? "run created"
        : phase === "run_finished"
          ? `run recorded as ${typeof e.detail?.status === "string" ? e.detail.status : "ended"}`
          : (STEP_TITLES[phase ?? ""] ?? ENTRY_TITLES[e.type]).toLowerCase();
  return md` — also #${String(e.seq)} ${formatTime(e.at).slice(11, 19)}: ${what}`;
}
