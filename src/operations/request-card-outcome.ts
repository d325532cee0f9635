/** The approval card's status words: its headline, its fallback text's lead and its outcome (see `buildRequestCard`). */
import { whenExpired } from "../approvals/apply-result.js";
import type { ApprovalRequest } from "../approvals/approval-request.js";
import { link, localTime, md, type Span, userMention } from "../render/message-model.js";
import { withInlineCode } from "../views/format-values.js";
import { capitalize, formatElapsed } from "../workflow/format-flow-text.js";
import { type NotRunCause, notRunCauseOf } from "../workflow/not-run-cause-of.js";
import {
  askAgainAdvice,
  describeCause,
  type PolicyChange,
  policyChangeCause,
  policyChangeLines,
} from "./build-policy-change-view.js";
import { describeWhat } from "./describe-request.js";
import type { RequestDetails } from "./request-details.js";

/**
 * A scheduled change whose approval was not complete by its start time: expired then (its `expiresAt` is the
 * start time), said "lapsed" on its card as in its thread and on its pending card ("or it lapses").
 */
function lapsedUnapproved(request: ApprovalRequest): boolean {
  return (
    request.status === "expired" &&
    request.schedule !== undefined &&
    request.expiresAt >= request.schedule.runAt
  );
}

/**
 * Cancelled because its requester ran the same change with break-glass: who (`userId`), and the break-glass
 * request's ID and link. Said "superseded", never "cancelled": the change was not given up, it ran from there.
 */
export function supersededShown(
  request: Pick<ApprovalRequest, "status" | "cancellation">,
): { userId: string; requestId: string; link?: string } | undefined {
  const c = request.cancellation;
  if (request.status !== "cancelled" || c?.supersededBy === undefined) return undefined;
  return { userId: c.userId, ...c.supersededBy };
}

/** `@alice ran this change with break-glass (the break-glass request)`: the link when Slack gave one. */
export function supersededWords(superseded: { userId: string; link?: string }): Span[] {
  const where =
    superseded.link !== undefined ? md` (${link(superseded.link, "the break-glass request")})` : md``;
  return md`${userMention(superseded.userId)} ran this change with break-glass${where}`;
}

/** Approved (or allowed) and waiting for its scheduled time. */
export function isWaitingScheduled(request: ApprovalRequest): boolean {
  return request.status === "approved" && request.schedule !== undefined;
}

/** How a run in waves was stopped on purpose, as its card shows it (`RequestDetails.result.stop`). */
export type CardStop = NonNullable<NonNullable<RequestDetails["result"]>["stop"]>;

/**
 * The stop of a run in waves that ended without failures (a run with failed or unknown servers is shown as
 * such, whoever stopped it), or undefined.
 */
export function stopShown(
  request: Pick<ApprovalRequest, "status">,
  details: Pick<RequestDetails, "result"> | undefined,
): CardStop | undefined {
  const result = details?.result;
  // A stop with nothing failed is recorded as aborted (older records: succeeded); either way it is said as a stop.
  return result?.stop !== undefined && (result.status === "aborted" || request.status === "succeeded")
    ? result.stop
    : undefined;
}

/**
 * A run stopped before it sent anything, because the servers no longer matched what was approved (the run's
 * `aborted`; the approval record keeps `failed`, as its metrics do): said as such, never "Failed", which the
 * Result line under it would contradict. A run in waves stopped on purpose is its {@link stopShown} instead.
 */
export function abortedShown(
  request: Pick<ApprovalRequest, "status">,
  details: Pick<RequestDetails, "result"> | undefined,
): boolean {
  return (
    request.status === "failed" && details?.result?.status === "aborted" && details.result.stop === undefined
  );
}

/**
 * A run refused before it sent anything ({@link abortedShown}) with its cause when the recorded summary names one
 * (`servers changed since approval`), `true` when it does not; `false` for any other request. Said "Not run —
 * <cause>", never "Aborted", which is a person's Abort.
 */
export function notRunShown(
  request: Pick<ApprovalRequest, "status">,
  details: Pick<RequestDetails, "result"> | undefined,
): NotRunCause | boolean {
  if (!abortedShown(request, details)) return false;
  const result = details?.result;
  return (result !== undefined ? notRunCauseOf(result) : undefined) ?? true;
}

/** `Not run — servers changed since approval`, or `Not run` without a known cause. */
function notRunTitle(notRun: NotRunCause | boolean): string {
  return typeof notRun === "object" ? `Not run — ${notRun.short}` : "Not run";
}

/**
 * A scheduled change that could not start before its time ran out: its window closed or moved, its `--at` time
 * passed, or its last approval came after its start. "Window closed" would be wrong for all but the first; the
 * result line under it says which.
 */
const LAPSED_TITLE = "Not run — could not start in time";

/**
 * `Aborted by @alice after wave 2 of 3`, `Stopped before wave 3 of 3`: a stop's words, capitalised. `requester`:
 * the request's, named next to these words: when they aborted it themselves, "by the requester", not twice.
 */
export function stopTitle(stop: CardStop, requester?: string): Span[] {
  if (stop.kind === "check") return md`Stopped before wave ${String(stop.beforeWave)} of ${String(stop.of)}`;
  const by =
    stop.by === undefined
      ? md``
      : stop.by === requester
        ? md` by the requester`
        : md` by ${userMention(stop.by)}`;
  return stop.afterWave === 0
    ? md`Aborted${by} before the first wave`
    : md`Aborted${by} after wave ${String(stop.afterWave)} of ${String(stop.of)}`;
}

/**
 * The card's first line: an icon and the request's state, who asked and what. `stop` (see {@link stopShown}):
 * a run in waves stopped on purpose, said instead of "Done". `redecision` (the details'): what changed when a
 * re-decision before execution stopped it (a freeze, an approver's groups…), said instead of blaming "the policy".
 */
export function headline(
  request: ApprovalRequest,
  allowed: boolean,
  stop?: CardStop,
  notRun: NotRunCause | boolean = false,
  redecision?: PolicyChange,
): Span[] {
  const who = userMention(request.requester.userId);
  const what = describeWhat(request);
  if (isWaitingScheduled(request)) return md`:calendar: *Scheduled:* ${who} asked to ${what}`;
  if (stop !== undefined)
    return md`:octagonal_sign: *${stopTitle(stop, request.requester.userId)}:* ${who} asked to ${what}`;
  if (notRun !== false) return md`:no_entry: *${notRunTitle(notRun)}:* ${who} asked to ${what}`;
  if (request.status === "revoked" && request.revocation?.lapsed === true)
    return md`:stopwatch: *${LAPSED_TITLE}:* ${who} asked to ${what}`;
  if (lapsedUnapproved(request)) return md`:stopwatch: *Lapsed:* ${who} asked to ${what}`;
  switch (request.status) {
    case "pending":
    case "approved":
      if (allowed) return md`:arrow_forward: ${who} asked to ${what} — allowed, starting`;
      return request.status === "pending"
        ? md`:raising_hand: *Approval needed:* ${who} asks to ${what}`
        : md`:ballot_box_with_check: *Approved, starting:* ${who} asked to ${what}`;
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
      return supersededShown(request) !== undefined
        ? md`:fast_forward: *Superseded by break-glass:* ${who} asked to ${what}`
        : md`:heavy_multiplication_x: *Cancelled:* ${who} asked to ${what}`;
    case "expired":
      return md`:stopwatch: *Expired:* ${who} asked to ${what}`;
    case "revoked":
      return redecision !== undefined
        ? md`:no_entry: *Not run — ${describeCause(redecision)}:* ${who} asked to ${what}`
        : md`:no_entry: *Not run:* ${who} asked to ${what}`;
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
  revoked: "not run",
};

/** The first word of the card's fallback text (notifications, lists): the request's state. */
export function fallbackLead(
  request: ApprovalRequest,
  allowed: boolean,
  stop?: CardStop,
  notRun: NotRunCause | boolean = false,
  redecision?: PolicyChange,
): Span[] {
  if (isWaitingScheduled(request)) return md`Scheduled:`;
  if (stop !== undefined) return stop.kind === "abort" ? md`Aborted:` : md`Stopped:`;
  if (notRun !== false) return md`${notRunTitle(notRun)}:`;
  if (allowed && (request.status === "pending" || request.status === "approved")) return md`Allowed:`;
  // A lapsed scheduled change was revoked by its time, not by a stricter policy: its headline says so too.
  const words =
    request.status === "revoked" && request.revocation?.lapsed === true
      ? LAPSED_TITLE
      : request.status === "revoked" && redecision !== undefined
        ? `not run — ${policyChangeCause(redecision)}`
        : lapsedUnapproved(request)
          ? "lapsed"
          : supersededShown(request) !== undefined
            ? "superseded by break-glass"
            : STATUS_WORDS[request.status];
  return md`${words.replace(/^./, (c) => c.toUpperCase())}:`;
}

/** What came of the request (why nothing was done, since when it runs, or its result); undefined while pending. */
export function outcome(request: ApprovalRequest, details: RequestDetails | undefined): Span[] | undefined {
  switch (request.status) {
    case "rejected": {
      const r = request.rejection;
      if (!r) return md`Nothing was done.`;
      return r.reason
        ? md`Rejected by ${userMention(r.userId)}: ${r.reason}\nNothing was done.`
        : md`Rejected by ${userMention(r.userId)}. Nothing was done.`;
    }
    case "cancelled": {
      // Not "nothing was done": the change ran, from the break-glass request; only this one will never run.
      const superseded = supersededShown(request);
      if (superseded !== undefined)
        return md`Superseded: ${supersededWords(superseded)}. Nothing will run from this request; it needs no approval.`;
      return request.cancellation
        ? md`Cancelled by ${userMention(request.cancellation.userId)}. Nothing was done.`
        : md`Nothing was done.`;
    }
    case "expired":
      if (lapsedUnapproved(request))
        return md`Lapsed ${localTime(whenExpired(request))}: approval was not complete before its start time. Nothing was done; schedule it again if it is still needed.`;
      return md`Expired ${localTime(whenExpired(request))} without enough approvals. Nothing was done; ask again if it is still needed.`;
    case "revoked":
      if (request.revocation?.lapsed === true)
        // The headline says "Not run": the reason, capitalised, then that nothing was sent.
        return md`${withInlineCode(capitalize(request.revocation.reasons[0] ?? "its time passed"))}. Nothing was sent; schedule it again if it is still needed.`;
      return [
        ...md`Checked again before running:`,
        // In words with real mentions from the re-decision kept with the card; the recorded reasons (plain text,
        // with the rules' sources, for the audit) when it could not be kept.
        ...(details?.redecision !== undefined
          ? policyChangeLines(details.redecision, request.action, { request })
          : (request.revocation?.reasons ?? []).map((r) => md`${r}`)
        )
          .slice(0, 6)
          .flatMap((line) => [...md`\n• `, ...line]),
        ...md`\n`,
        // Without the re-decision, what it needs now is not known: asking again says it.
        ...askAgainAdvice(details?.redecision ?? { changes: [], tightenings: [] }, request.commandText),
      ];
    case "executing": {
      // Shown to the minute (`{time}`, the fallback's HH:MM), so drawn from the minute: an allowed request
      // first posted as its run's card (its start's minute) is not edited when the run starts a moment later.
      const since = request.execution?.startedAt ?? request.createdAt;
      return md`Running since ${localTime(since - (since % 60_000), "time")}.`;
    }
    case "succeeded":
    case "failed":
    case "outcome_unknown": {
      const result = details?.result;
      const error = request.execution?.error ?? details?.executionError;
      // Plain text that keeps its code spans between backticks (a request ID, a name): shown as code again.
      if (result === undefined)
        return error !== undefined ? md`*Result:* ${withInlineCode(error)}` : undefined;
      // A run refused before it sent anything: the headline says why in a few words ("Not run — servers changed
      // since approval"), the result that nothing was sent and what to do; a cause the headline cannot say
      // whole (another request holding the servers, with its ID) is said here, after "Not run" is dropped.
      if (result.status === "aborted" && result.stop === undefined) {
        const next = notRunCauseOf(result)?.next;
        return next !== undefined
          ? md`*Result:* Nothing was sent. ${next} Details in the thread.`
          : md`*Result:* ${withInlineCode(capitalize(result.summary.replace(/^(aborted|not run): /i, "")))}. Details in the thread.`;
      }
      const unknown = result.status === "outcome_unknown";
      const took =
        result.durationMs !== undefined
          ? md` ${unknown ? "after" : "in"} ${formatElapsed(result.durationMs)}`
          : md``;
      const note = unknown
        ? md`: check ${request.targets.length === 1 ? "it" : "those servers"} before asking again`
        : md``;
      // The check's reason (plain text, escaped here) is the card's only word on why the later waves did not run.
      const why =
        result.stop?.kind === "check"
          ? md` Wave ${String(result.stop.beforeWave)} was not started: ${withInlineCode(result.stop.why.replace(/\.$/, ""))}.`
          : md``;
      return md`*Result:* ${capitalize(result.summary)}${took}${note}.${why} Details in the thread.`;
    }
    default:
      return undefined;
  }
}
