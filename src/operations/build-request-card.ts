import type { ApprovalRequest } from "../approvals/approval-request.js";
import { currentStage } from "../approvals/current-stage.js";
import { formatDuration } from "../config/parse-duration.js";
import { plural } from "../render/escape-mrkdwn.js";
import { linkUrls } from "../render/link-urls.js";
import {
  type Action,
  actions,
  button,
  code,
  context,
  list,
  localTime,
  type Message,
  md,
  type Part,
  type Span,
  section,
} from "../render/message-model.js";
import { approvalDeadline } from "../schedule/approval-deadline.js";
import { describeWavePlan } from "../views/build-wave-views.js";
import { wavePlanOf } from "../waves/plan-waves.js";
import { describeDeleteFates } from "../workflow/preflight-message-parts.js";
import type { Preflight, PreflightProblem } from "../workflow/preflight-types.js";
import { REQUEST_DETAILS_ACTION } from "./approval-action-ids.js";
import { scheduleNowSection } from "./build-start-now-view.js";
import { describeParameters, describeWhat, type GroupIds } from "./describe-request.js";
import { approvalLine } from "./request-card-approvals.js";
import { cardButtons } from "./request-card-buttons.js";
import {
  fallbackLead,
  headline,
  isWaitingScheduled,
  notRunShown,
  outcome,
  stopShown,
} from "./request-card-outcome.js";
import { hasRunEnded, targetItem, unreadAfterRun } from "./request-card-targets.js";
import type { RequestDetails } from "./request-details.js";

// Where they were first defined: the Home tab and `/ops approvals` show the card's buttons.
export { approveConfirm, cardButtons } from "./request-card-buttons.js";

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
  const stop = stopShown(request, details);
  const notRun = notRunShown(request, details);
  const blocks: Part[] = [section({ text: headline(request, allowed, stop, notRun, details?.redecision) })];
  // The requester's own words (untrusted text), before what the approvers are asked to check.
  if (request.why !== undefined) blocks.push(section({ text: md`*Why:* ${linkUrls(request.why)}` }));
  // After a run, the servers as it left them (a deleted one says so), not as they were approved.
  const finalStates = new Map((details?.result?.servers ?? []).map((s) => [s.id, s]));
  // Once its run ended, a server the run did not read at its end is shown as it was when asked, said so.
  const ended = hasRunEnded(request);
  blocks.push(
    list(
      request.targets.slice(0, MAX_CARD_TARGETS).map((t) => targetItem(t, finalStates.get(t.id), ended)),
      {
        total: request.targets.length,
        moreHint: md`all of them under Details`,
      },
    ),
  );
  // A run refused before it sent anything left them as they were: nothing more to read.
  const unread =
    ended && notRun === false
      ? unreadAfterRun(request.targets.filter((t) => finalStates.get(t.id)?.status === undefined))
      : undefined;
  if (unread !== undefined) blocks.push(context(unread));
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
      const rule = currentStage(request)?.stage ?? request.requirement;
      // A scheduled change must be approved before it starts, which may be sooner than the policy's expiry.
      const schedule = request.schedule;
      const bySchedule = schedule !== undefined && request.expiresAt >= approvalDeadline(schedule);
      // With the day ("today", "tomorrow" or the date, in each reader's time zone): a deadline days ahead
      // must not read as today's.
      blocks.push(
        context(
          bySchedule
            ? md`Approve before ${localTime(request.expiresAt)} (${schedule?.openWhenAsked === true ? "when its window closes" : "its start time"}), or it lapses`
            : describeExpiresAt(request),
          // Said only when it binds: "needs no reason" on every card would be noise.
          ...(rule.reasonRequired ? [md`Rejecting needs a reason`] : []),
        ),
      );
    }
  }

  const waiting = isWaitingScheduled(request);
  // Waiting for its time: when it starts as the periodic pass last judged it (a window moved since: the new time).
  if (request.schedule !== undefined && (request.status === "pending" || waiting))
    blocks.push(scheduleNowSection(request.schedule, waiting ? details?.startShown : undefined));

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
  return {
    text: [
      ...fallbackLead(request, allowed, stop, notRun, details?.redecision),
      ...md` `,
      ...describeWhat(request),
    ],
    blocks,
  };
}

/**
 * When a pending request expires, in words true whenever the card is read (it is drawn again only when something
 * happens to it): the time in each reader's time zone, and how long after the request was asked (a staged one's
 * stage was reached) that is: `Expires <time> (30m after it was asked)`. Never "in 30m", which the card drawn
 * again 20 minutes later would still say. One wording for every approval card (changes, recurring schedules).
 * The time is `expires_in` after it started (an expiry cut short by a scheduled start is worded by the caller).
 */
export function describeExpiresAt(
  request: Pick<ApprovalRequest, "expiresAt" | "approvals" | "requirement">,
): Span[] {
  const position = currentStage(request);
  const rule = position?.stage ?? request.requirement;
  const after = formatDuration(rule.expiresInMs);
  return position !== undefined
    ? md`Expires ${localTime(request.expiresAt)} (${after} after this stage was reached)`
    : md`Expires ${localTime(request.expiresAt)} (${after} after it was asked)`;
}

/** A delete's warnings that count what its named line ({@link describeDeleteFates}) names. */
const NAMED_BY_FATES: ReadonlySet<PreflightProblem["code"]> = new Set([
  "data_disks_deleted",
  "eips_released",
]);

/** The preflight in a line, and each warning in a line (a pending card never has blocking problems). */
function verdict(preflight: Preflight): Part[] {
  const blocking = preflight.problems.filter((p) => p.severity === "blocking");
  const warnings = preflight.problems.filter((p) => p.severity === "warning");
  if (blocking.length > 0) {
    return [context(md`:no_entry: Checks: ${blocking.map((p) => p.message).join("; ")}`)];
  }
  // A delete's data disks and EIPs by name: those that go with it, and those kept (they stay, and are billed).
  const fates = describeDeleteFates(preflight);
  // The named line says what goes: a warning counting the same disks or EIPs would say it twice.
  const shown = fates.length > 0 ? warnings.filter((w) => !NAMED_BY_FATES.has(w.code)) : warnings;
  const lead = md`:white_check_mark: Checks passed${shown.length > 0 ? md`, with ${plural(shown.length, "warning")}:` : md``}`;
  return [
    context(lead, ...shown.slice(0, 9).map((w) => md`:warning: ${w.message}`)),
    ...(fates.length > 0 ? [context(...fates)] : []),
  ];
}

function detailsButton(request: Pick<ApprovalRequest, "id">): Action {
  return button({ id: REQUEST_DETAILS_ACTION, label: "Details", value: request.id });
}
