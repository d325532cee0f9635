/**
 * The approval card's Approve / Reject / Cancel buttons and Approve's confirmation (also on the Home tab and in
 * `/ops approvals`).
 */
import type { ApprovalRequest } from "../approvals/approval-request.js";
import { BLOCK_KIT_LIMITS } from "../render/block-kit-limits.js";
import { plural } from "../render/escape-mrkdwn.js";
import {
  type Action,
  button,
  type Confirm,
  code,
  localTime,
  md,
  type Span,
} from "../render/message-model.js";
import { renderMrkdwn } from "../render/render-mrkdwn.js";
import { describeWavePlan } from "../views/build-wave-views.js";
import { wavePlanOf } from "../waves/plan-waves.js";
import { flowParametersOf } from "../workflow/flow-parameters-of.js";
import { approvalActionId } from "./approval-action-ids.js";
import { describeParameters, isDestructive, UNKNOWN_VERB, verbOf } from "./describe-request.js";

/**
 * Approve / Reject / Cancel for one request; `index` makes the IDs unique in a list of requests. Approve asks
 * for a confirmation naming the action, the servers and the options that change what runs (styled as
 * dangerous when it cannot be undone).
 */
export function cardButtons(
  request: Pick<ApprovalRequest, "id" | "action" | "targets" | "parameters" | "schedule"> &
    Partial<Pick<ApprovalRequest, "commandText">>,
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
  request: Pick<ApprovalRequest, "action" | "targets" | "parameters" | "schedule"> &
    Partial<Pick<ApprovalRequest, "commandText">>,
): Confirm {
  const verb = verbOf(request.action, request.commandText);
  // An action no verb is known for is approved as "this change", never by its IAM name.
  const unknown = verb === UNKNOWN_VERB;
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
    title: unknown ? "Approve this change?" : `Approve: ${verb}?`,
    text,
    confirm: unknown ? "Approve" : `Approve ${verb}`,
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
  // Verbs are the operations' names; one of them is not a verb of English.
  const Verb = verb === "change-os" ? "Change the OS of" : verb.charAt(0).toUpperCase() + verb.slice(1);
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
        ? md`*Waves:* ${plural(waves.waves.length, "wave")}, stops at ${plural(waves.maxFailures, "failed or unknown server")}${share}`
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
