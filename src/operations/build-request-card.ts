import type { ApprovalRequest, ApprovalTarget } from "../approvals/approval-request.js";
import { approvalsFor, currentStage } from "../approvals/current-stage.js";
import { formatDuration } from "../config/parse-duration.js";
import { BLOCK_KIT_LIMITS } from "../render/block-kit-limits.js";
import { plural } from "../render/escape-mrkdwn.js";
import {
  type Action,
  actions,
  button,
  type Confirm,
  code,
  context,
  type ListItem,
  list,
  localTime,
  type Message,
  md,
  type Part,
  type Span,
  section,
  userMention,
} from "../render/message-model.js";
import { renderMrkdwn } from "../render/render-mrkdwn.js";
import { scheduleSection } from "../views/build-schedule-views.js";
import { describeWavePlan } from "../views/build-wave-views.js";
import { typeable } from "../views/format-values.js";
import { wavePlanOf } from "../waves/plan-waves.js";
import { flowParametersOf } from "../workflow/flow-parameters-of.js";
import { formatElapsed } from "../workflow/format-flow-text.js";
import type { Preflight } from "../workflow/preflight-types.js";
import { approvalActionId, REQUEST_DETAILS_ACTION } from "./approval-action-ids.js";
import { policyChangeLines } from "./build-policy-change-view.js";
import {
  describeApprovals,
  describeApprovers,
  describeParameters,
  describeWhat,
  type GroupIds,
  isDestructive,
  verbOf,
} from "./describe-request.js";
import type { RequestDetails } from "./request-details.js";

export interface RequestCardInput {
  request: ApprovalRequest;
  /** Absent when the details record is missing: the card then shows the approval record only. */
  details: RequestDetails | undefined;
  /** User-group IDs by handle, so the approver groups are mentioned (and notified). */
  groupIds?: GroupIds;
}

/** Targets listed one per line on the card; more are counted (all of them are in the details). */
const MAX_CARD_TARGETS = 10;

/**
 * The root message of a request's thread, short enough to read on one screen: who asks what, the targets
 * (name · status · flavor · env), the options, the preflight verdict in a line, what approval is needed and
 * who gave it, the expiry in the reader's time zone, and the buttons (Approve with a confirmation naming the
 * servers, Reject, Cancel, Details). Rule descriptions, IDs, HSS posture, disks and EIPs are behind Details.
 * Every state a request goes through renders here, ending with its outcome. Pure.
 */
export function buildRequestCard(input: RequestCardInput): Message {
  const { request, details } = input;
  const groupIds = input.groupIds ?? {};
  const allowed = details?.kind === "allowed";
  const blocks: Part[] = [section({ text: headline(request, allowed) })];
  // The requester's own words (untrusted text), before what the approvers are asked to check.
  if (request.why !== undefined) blocks.push(section({ text: md`*Why:* ${request.why}` }));
  // After a run, the servers as it left them (a deleted one says so), not as they were approved.
  const finalStates = new Map((details?.result?.servers ?? []).map((s) => [s.id, s]));

  blocks.push(
    list(
      request.targets.slice(0, MAX_CARD_TARGETS).map((t) => targetItem(t, finalStates.get(t.id))),
      {
        total: request.targets.length,
        moreHint: md`all of them under Details`,
      },
    ),
  );
  const options = describeParameters(request.action, request.parameters);
  const waves = wavePlanOf(request.parameters);
  blocks.push(
    context(
      md`${code(request.commandText)}`,
      ...(options !== undefined ? [md`*Options:* ${options}`] : []),
      // The waves as planned now and approved: exactly what will run.
      ...(waves !== undefined ? [md`*Waves:* ${describeWavePlan(waves)}`] : []),
    ),
  );
  // What the checks found stays on the card of a request that ran at once; an approval card shows it while
  // people decide (afterwards the thread tells what happened).
  if (details !== undefined && (allowed || request.status === "pending"))
    blocks.push(...verdict(details.preflight));

  if (allowed) {
    const glass = request.breakGlass;
    blocks.push(
      context(
        glass === undefined
          ? md`Allowed by the policy: no approval needed.`
          : md`:rotating_light: *Break-glass:* approval skipped. Reason: ${glass.reason}`,
      ),
    );
  } else {
    blocks.push(section({ text: approvalLine(request, groupIds) }));
    if (request.status === "pending") {
      const req = request.requirement;
      const position = currentStage(request);
      const rule = position?.stage ?? req;
      // A scheduled change must be approved before it starts, which may be sooner than the policy's expiry.
      const bySchedule = request.schedule !== undefined && request.expiresAt >= request.schedule.runAt;
      // With the day ("today", "tomorrow" or the date, in each reader's time zone): a deadline days ahead
      // must not read as today's.
      blocks.push(
        context(
          bySchedule
            ? md`Approve before ${localTime(request.expiresAt)} (its start time), or it lapses`
            : md`Expires ${localTime(request.expiresAt)} (in ${formatDuration(rule.expiresInMs)}${position !== undefined ? md` for this stage` : md``})`,
          rule.reasonRequired ? md`Rejecting needs a reason` : md`Rejecting needs no reason`,
        ),
      );
    }
  }

  const waiting = isWaitingScheduled(request);
  if (request.schedule !== undefined && (request.status === "pending" || waiting))
    blocks.push(scheduleSection(request.schedule));

  const result = outcome(request, details);
  if (result !== undefined) blocks.push(section({ text: result }));

  blocks.push(
    actions(
      ...(request.status === "pending" && !allowed ? cardButtons(request) : []),
      // Until it starts, a scheduled change can be called off by its requester or an approver.
      ...(waiting ? cardButtons(request, 0, { approve: false, reject: false }) : []),
      detailsButton(request),
    ),
  );
  return { text: [...fallbackLead(request, allowed), ...md` `, ...describeWhat(request)], blocks };
}

/**
 * `web-03` · ACTIVE · `s6.medium.2 · env=staging` (the ID is in the details); after a run, its status and
 * flavor as the run read them at the end (`deleted` once it is gone).
 */
function targetItem(t: ApprovalTarget, after?: { status?: string; flavor?: string }): ListItem {
  if (after?.status === "NOT_FOUND")
    return { status: "DELETED", title: typeable(t.name), subtitle: md`no longer exists` };
  const env = t.tags?.env;
  const locked = t.locked === true ? md` · :lock: locked` : md``;
  const flavor = after?.flavor ?? t.flavor;
  return {
    status: after?.status ?? t.status,
    title: typeable(t.name),
    subtitle: env !== undefined ? md`${flavor} · env=${env}${locked}` : md`${flavor}${locked}`,
  };
}

/** The preflight in a line, and each warning in a line (a pending card never has blocking problems). */
function verdict(preflight: Preflight): Part[] {
  const blocking = preflight.problems.filter((p) => p.severity === "blocking");
  const warnings = preflight.problems.filter((p) => p.severity === "warning");
  if (blocking.length > 0) {
    return [context(md`:no_entry: Checks: ${blocking.map((p) => p.message).join("; ")}`)];
  }
  const lead = md`:white_check_mark: Checks passed${warnings.length > 0 ? md`, with ${plural(warnings.length, "warning")}:` : md``}`;
  return [context(lead, ...warnings.slice(0, 9).map((w) => md`:warning: ${w.message}`))];
}

/** `*Approvals: 0 of 2* from @ops-approvers (not @alice) · approved by: nobody yet`. */
function approvalLine(request: ApprovalRequest, groupIds: GroupIds): Span[] {
  const req = request.requirement;
  if (req.stages !== undefined) return stageLines(request, req.stages, groupIds);
  const who = describeApprovers(req, groupIds);
  const notSelf = req.allowSelfApproval ? md`` : md` (not ${userMention(request.requester.userId)})`;
  const given = request.approvals.length;
  if (request.status === "pending") {
    return md`*Approvals: ${String(given)} of ${String(req.minApprovals)}* from ${who}${notSelf} · approved by: ${describeApprovals(request)}`;
  }
  if (given === 0) return md`*Approvals:* ${String(given)} of ${String(req.minApprovals)}`;
  return md`*Approved by* ${describeApprovals(request)} (${String(given)} of ${String(req.minApprovals)})`;
}

/**
 * A staged request: a line per stage, in order, with its count, its approvers and who approved it:
 * `:white_check_mark: 1. team lead: 1 of 1, approved by @bob` / `:arrow_right: 2. security: 0 of 1 from @sre`.
 */
function stageLines(
  request: ApprovalRequest,
  stages: NonNullable<ApprovalRequest["requirement"]["stages"]>,
  groupIds: GroupIds,
): Span[] {
  const waiting = request.status === "pending" ? currentStage(request)?.index : undefined;
  const lines = stages.map((stage, index) => {
    const given = approvalsFor(request, stage.name);
    const done = given.length >= stage.minApprovals;
    const icon = done ? md`:white_check_mark:` : index === waiting ? md`:arrow_right:` : md`:white_circle:`;
    const by =
      given.length > 0
        ? md`, approved by ${describeApprovals({ approvals: given })}`
        : md` from ${describeApprovers(stage, groupIds)}`;
    const notSelf =
      stage.allowSelfApproval || given.length > 0
        ? md``
        : md` (not ${userMention(request.requester.userId)})`;
    return md`${icon} ${String(index + 1)}. ${stage.name}: ${String(given.length)} of ${String(stage.minApprovals)}${by}${notSelf}`;
  });
  const head =
    waiting !== undefined
      ? md`*Approval in ${String(stages.length)} stages*, now: ${stages[waiting]?.name ?? ""}`
      : md`*Approval in ${String(stages.length)} stages*`;
  return [...head, ...lines.flatMap((l) => [...md`\n`, ...l])];
}

/**
 * Approve / Reject / Cancel for one request; `index` makes the IDs unique in a list of requests. Approve asks
 * for a confirmation naming the action, the servers and the options that change what runs (styled as
 * dangerous when it cannot be undone).
 */
export function cardButtons(
  request: Pick<ApprovalRequest, "id" | "action" | "targets" | "parameters" | "schedule">,
  index = 0,
  which: { approve?: boolean; reject?: boolean; cancel?: boolean } = {},
): Action[] {
  const show = { approve: true, reject: true, cancel: true, ...which };
  const out: Action[] = [];
  if (show.approve) {
    out.push(
      button({
        id: approvalActionId("approve", index),
        label: "Approve",
        value: request.id,
        style: "primary",
        confirm: approveConfirm(request),
      }),
    );
  }
  if (show.reject)
    out.push(
      button({ id: approvalActionId("reject", index), label: "Reject", value: request.id, style: "danger" }),
    );
  if (show.cancel)
    out.push(button({ id: approvalActionId("cancel", index), label: "Cancel request", value: request.id }));
  return out;
}

/**
 * What approving runs, on which exact servers, and with which options: "Stop 2 servers: web-01 (d704b694…),
 * web-02 (f38404cb…)?" then the options that change what runs (the card's *Options:* line, from
 * {@link describeParameters}), the wave plan and, for a scheduled change, when it runs. Slack cuts a
 * confirmation at 300 characters: fewer and shorter names are shown, then the waves and the start time in
 * fewer words, before anything is cut.
 */
export function approveConfirm(
  request: Pick<ApprovalRequest, "action" | "targets" | "parameters" | "schedule">,
): Confirm {
  const verb = verbOf(request.action);
  const destructive = isDestructive(request.action);
  const consequence =
    verb === "delete"
      ? md` This cannot be undone.`
      : destructive
        ? md` Everything on the system disk is lost; data disks are kept.`
        : md``;
  let text: Span[] = [];
  for (const fit of CONFIRM_FITS) {
    text = [...question(request, verb, fit), ...consequence, ...approvedTerms(request, fit)];
    if (renderMrkdwn(text).length <= BLOCK_KIT_LIMITS.confirmText) break;
  }
  return {
    title: `Approve: ${verb}?`,
    text,
    confirm: `Approve ${verb}`,
    deny: "Back",
    ...(destructive && { style: "danger" as const }),
  };
}

/** How much the confirmation says, most first: the first that fits is used (else the last, cut by Slack). */
interface ConfirmFit {
  /** Servers named (the others are counted). */
  names: number;
  /** Longest server name shown whole; longer ones are cut with "…" (the ID prefix still tells them apart). */
  nameMax: number;
  /** The waves and the start time in fewer words. */
  compact: boolean;
  /**
   * The options counted, not listed, when even that does not fit (many long tags): said so, and pointed to
   * the card above, rather than cut by Slack after the first few (which could drop `env=prod`).
   */
  briefOptions?: boolean;
}
const CONFIRM_FITS: readonly ConfirmFit[] = [
  { names: 3, nameMax: Number.POSITIVE_INFINITY, compact: false },
  { names: 2, nameMax: Number.POSITIVE_INFINITY, compact: false },
  { names: 1, nameMax: Number.POSITIVE_INFINITY, compact: false },
  { names: 1, nameMax: 24, compact: false },
  { names: 1, nameMax: 24, compact: true },
  { names: 1, nameMax: 24, compact: true, briefOptions: true },
];

/** "Stop 2 servers: web-01 (d704b694…), web-02 (f38404cb…)?" */
function question(request: Pick<ApprovalRequest, "targets">, verb: string, fit: ConfirmFit): Span[] {
  const Verb = verb.charAt(0).toUpperCase() + verb.slice(1);
  const cut = (name: string) => {
    const chars = [...name];
    return chars.length > fit.nameMax ? `${chars.slice(0, fit.nameMax).join("")}…` : name;
  };
  const named = request.targets.slice(0, fit.names).map((t) => md`${cut(t.name)} (${t.id.slice(0, 8)}…)`);
  const list = named.flatMap((n, i) => (i === 0 ? n : [...md`, `, ...n]));
  const rest = request.targets.length - named.length;
  const more = rest > 0 ? md` and ${String(rest)} more` : md``;
  const servers =
    request.targets.length === 1 ? list : [...md`${plural(request.targets.length, "server")}: `, ...list];
  return md`${Verb} ${servers}${more}?`;
}

/** The options, the waves and the start time the approver agrees to, a line each (as the card says them). */
function approvedTerms(
  request: Pick<ApprovalRequest, "action" | "parameters" | "schedule">,
  fit: ConfirmFit,
): Span[] {
  const { compact } = fit;
  const lines: Span[][] = [];
  const options = fit.briefOptions ? briefOptions(request.parameters) : undefined;
  const full = options ?? describeParameters(request.action, request.parameters);
  if (full !== undefined) lines.push(md`*Options:* ${full}`);
  const waves = wavePlanOf(request.parameters);
  if (waves !== undefined) {
    const share = waves.maxFailuresText !== String(waves.maxFailures) ? ` (${waves.maxFailuresText})` : "";
    lines.push(
      compact
        ? md`*Waves:* ${plural(waves.waves.length, "wave")}, stops at ${plural(waves.maxFailures, "failed server")}${share}`
        : md`*Waves:* ${describeWavePlan(waves)}`,
    );
  }
  const schedule = request.schedule;
  if (schedule !== undefined) {
    const window = schedule.window;
    lines.push(
      window === undefined
        ? md`*Runs:* ${localTime(schedule.runAt)}`
        : compact
          ? md`*Runs:* when the maintenance window ${code(window)} opens`
          : md`*Runs:* ${localTime(schedule.runAt)}, when the maintenance window ${code(window)} opens`,
    );
  }
  return lines.flatMap((l) => md`\n${l}`);
}

/** Tags to add and remove, counted (see {@link ConfirmFit.briefOptions}); undefined when there are none. */
function briefOptions(parameters: Readonly<Record<string, unknown>>): Span[] | undefined {
  const p = flowParametersOf(parameters);
  const added = p.addTags?.length ?? 0;
  const removed = p.removeTags?.length ?? 0;
  if (added + removed === 0) return undefined;
  const what = [
    ...(added > 0 ? [`${plural(added, "tag")} to add`] : []),
    ...(removed > 0 ? [`${plural(removed, "tag")} to remove`] : []),
  ].join(" and ");
  return md`${what}, each listed on the card: read them there before you approve`;
}

function detailsButton(request: Pick<ApprovalRequest, "id">): Action {
  return button({ id: REQUEST_DETAILS_ACTION, label: "Details", value: request.id });
}

/** Approved (or allowed) and waiting for its scheduled time. */
function isWaitingScheduled(request: ApprovalRequest): boolean {
  return request.status === "approved" && request.schedule !== undefined;
}

function headline(request: ApprovalRequest, allowed: boolean): Span[] {
  const who = userMention(request.requester.userId);
  const what = describeWhat(request);
  if (isWaitingScheduled(request)) return md`:calendar: *Scheduled:* ${who} asked to ${what}`;
  if (request.status === "revoked" && request.revocation?.lapsed === true)
    return md`:hourglass: *Not run (lapsed):* ${who} asked to ${what}`;
  switch (request.status) {
    case "pending":
    case "approved":
      if (allowed) return md`:arrow_forward: ${who} asked to ${what} — allowed, starting`;
      return request.status === "pending"
        ? md`:lock: *Approval needed:* ${who} asks to ${what}`
        : md`:white_check_mark: *Approved:* ${who} asked to ${what} — starting`;
    case "executing":
      return md`:hourglass_flowing_sand: *Running:* ${who} asked to ${what} — progress in the thread`;
    case "succeeded":
      return md`:white_check_mark: *Done:* ${who} asked to ${what}`;
    case "failed":
      return md`:x: *Failed:* ${who} asked to ${what}`;
    case "outcome_unknown":
      return md`:grey_question: *Outcome unknown:* ${who} asked to ${what}`;
    case "rejected":
      return md`:no_entry_sign: *Rejected:* ${who} asked to ${what}`;
    case "cancelled":
      return md`:heavy_multiplication_x: *Cancelled:* ${who} asked to ${what}`;
    case "expired":
      return md`:hourglass: *Expired:* ${who} asked to ${what}`;
    case "revoked":
      return md`:no_entry: *Not run, the policy changed:* ${who} asked to ${what}`;
  }
}

const STATUS_WORDS: Readonly<Record<ApprovalRequest["status"], string>> = {
  pending: "approval needed",
  approved: "approved",
  executing: "running",
  succeeded: "done",
  failed: "failed",
  outcome_unknown: "outcome unknown",
  rejected: "rejected",
  cancelled: "cancelled",
  expired: "expired",
  revoked: "not run, the policy changed",
};

function fallbackLead(request: ApprovalRequest, allowed: boolean): Span[] {
  if (isWaitingScheduled(request)) return md`Scheduled:`;
  if (allowed && (request.status === "pending" || request.status === "approved")) return md`Allowed:`;
  // A lapsed scheduled change was revoked by its time, not by a stricter policy: its headline says so too.
  const words =
    request.status === "revoked" && request.revocation?.lapsed === true
      ? "not run (lapsed)"
      : STATUS_WORDS[request.status];
  return md`${words.replace(/^./, (c) => c.toUpperCase())}:`;
}

function outcome(request: ApprovalRequest, details: RequestDetails | undefined): Span[] | undefined {
  switch (request.status) {
    case "rejected": {
      const r = request.rejection;
      if (!r) return md`Nothing was done.`;
      return r.reason
        ? md`Rejected by ${userMention(r.userId)}: ${r.reason}\nNothing was done.`
        : md`Rejected by ${userMention(r.userId)}. Nothing was done.`;
    }
    case "cancelled":
      return request.cancellation
        ? md`Cancelled by ${userMention(request.cancellation.userId)}. Nothing was done.`
        : md`Nothing was done.`;
    case "expired":
      if (request.schedule !== undefined && request.expiresAt >= request.schedule.runAt)
        return md`Lapsed ${localTime(request.expiredAt ?? request.expiresAt)}: approval was not complete before its start time. Nothing was done; schedule it again if it is still needed.`;
      return md`Expired ${localTime(request.expiredAt ?? request.expiresAt)} without enough approvals. Nothing was done; ask again if it is still needed.`;
    case "revoked":
      if (request.revocation?.lapsed === true)
        return md`Not run: ${request.revocation.reasons[0] ?? "its time passed"}. Nothing was done; schedule it again if it is still needed.`;
      return [
        ...md`Checked again before running, the policy is stricter now:`,
        // In words with real mentions from the re-decision kept with the card; the recorded reasons (plain text,
        // with the rules' sources, for the audit) when it could not be kept.
        ...(details?.redecision !== undefined
          ? policyChangeLines(details.redecision, request.action, { request })
          : (request.revocation?.reasons ?? []).map((r) => md`${r}`)
        )
          .slice(0, 6)
          .flatMap((line) => [...md`\n• `, ...line]),
        ...md`\nNothing was done. Ask again to get the approvals it needs now: ${request.commandText}`,
      ];
    case "executing":
      return md`Running since ${localTime(request.execution?.startedAt ?? request.createdAt, "time")}.`;
    case "succeeded":
    case "failed":
    case "outcome_unknown": {
      const result = details?.result;
      const error = request.execution?.error ?? details?.executionError;
      if (result === undefined) return error !== undefined ? md`*Result:* ${error}` : undefined;
      // An aborted run's summary says why itself (changed, or could not be read) and that nothing was sent.
      if (result.status === "aborted") return md`*Result:* ${result.summary}. Details in the thread.`;
      const took = result.durationMs !== undefined ? md` in ${formatElapsed(result.durationMs)}` : md``;
      const note = result.status === "outcome_unknown" ? md` — check the servers before retrying` : md``;
      return md`*Result:* ${result.summary}${took}${note}. Details in the thread.`;
    }
    default:
      return undefined;
  }
}
