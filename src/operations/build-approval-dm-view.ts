import type { ApprovalRequest } from "../approvals/approval-request.js";
import { approvalsFor, currentStage } from "../approvals/current-stage.js";
import { formatCount, truncateGraphemes } from "../render/escape-mrkdwn.js";
import { linkUrls } from "../render/link-urls.js";
import {
  code,
  context,
  link,
  type Message,
  md,
  type Part,
  type Span,
  section,
  userMention,
} from "../render/message-model.js";
import { renderMrkdwn } from "../render/render-mrkdwn.js";
import { describeSchedule } from "../views/build-schedule-views.js";
import { withInlineCode } from "../views/format-values.js";
import { notRunCauseOf } from "../workflow/not-run-cause-of.js";
import { describeCause } from "./build-policy-change-view.js";
import { describeExpiry, describeProgress } from "./describe-request.js";
import {
  abortedShown,
  stopShown,
  stopTitle,
  supersededShown,
  supersededWords,
} from "./request-card-outcome.js";
import type { RequestDetails } from "./request-details.js";

/** What an approver's direct message shows of the request. */
export type ApprovalDmRequest = Pick<
  ApprovalRequest,
  | "requester"
  | "createdAt"
  | "commandText"
  | "why"
  | "targets"
  | "approvals"
  | "requirement"
  | "expiresAt"
  | "status"
  | "schedule"
  | "rejection"
  | "cancellation"
  | "revocation"
  | "lapsedApprovals"
>;

/**
 * What a closed message reads of the request's details: how its run ended, so a run that never sent anything
 * (the servers changed, or another change held them) or was stopped between waves is said as its card says
 * it, never "failed"; a change not run after a re-decision, with what changed (`redecision`). Absent (details not
 * read, or gone): said from the approval record alone.
 */
export type ApprovalDmDetails = Partial<Pick<RequestDetails, "result" | "redecision">> | undefined;

/** Most server names a direct message lists (the card and its Details have them all). */
const MAX_DM_SERVER_NAMES = 10;
/** Longest a name shows, escaped (the card's bound on a target's title): ten fit in one section. */
const MAX_DM_SERVER_NAME_LENGTH = 150;

/**
 * The direct message to one approver under `notify_approvers: dm`, sent when their approval is wanted (a
 * staged request's later stages when they are reached): who asks what, why, the servers (named as the card
 * names them, at most 10), where the approvals stand and until when (each reader's local time), and a link
 * to the card (the buttons are there, with the checks that go with them). Pure; every value is untrusted text.
 */
export function buildApprovalDmView(input: {
  request: ApprovalDmRequest;
  permalink: string | undefined;
}): Message {
  const { request } = input;
  const where =
    input.permalink !== undefined ? link(input.permalink, "Open the request") : md`See the channel`;
  const text = md`:raising_hand: ${userMention(request.requester.userId)} asks for your approval: ${code(request.commandText)}`;
  return {
    text,
    blocks: [
      section({ text }),
      ...requestParts(request),
      section({ text: md`${where} to approve or reject it.` }),
    ],
  };
}

/** What the request is about and where its approvals stand: why, the servers, the approvals and the expiry. */
function requestParts(request: ApprovalDmRequest): Part[] {
  return [
    ...(request.why !== undefined ? [section({ text: md`*Why:* ${linkUrls(request.why)}` })] : []),
    section({
      text: md`*Servers (${String(request.targets.length)}):* ${serverNames(request.targets.map((t) => t.name))}`,
    }),
    // A block of its own: however long the names, the approvals and the expiry are never cut off.
    section({ text: describeProgress(request) }),
  ];
}

/**
 * One approver's direct message as the request stands now, once approvals were given (`stage`: the stage they
 * were asked for, when the request is staged). While it waits: asked again with the new count; "You approved …"
 * with where the approvals stand once they have; "No longer waiting for you: stage *team lead* … is complete"
 * once the stage they were asked for no longer waits (it names the stages after it, words that stay true while
 * those go on); "Your approval of … no longer counts: <why>" when it lapsed. Once the request no longer waits, the closed
 * message ({@link buildApprovalDmClosedView}). Pure; every value is untrusted text.
 */
export function buildApprovalDmViewFor(input: {
  request: ApprovalDmRequest;
  permalink: string | undefined;
  userId: string;
  stage?: string;
  details?: ApprovalDmDetails;
}): Message {
  const { request, userId } = input;
  const closed = buildApprovalDmClosedView(input);
  if (closed !== undefined) return closed;
  const whose = md`${userMention(request.requester.userId)}'s request ${code(request.commandText)}`;
  const stages = request.requirement.stages ?? [];
  const askedFor = stages.findIndex((s) => s.name === input.stage);
  const position = currentStage(request);
  const approved = request.approvals.some((a) => a.userId === userId);
  if (askedFor >= 0 && (position === undefined || askedFor < position.index)) {
    const name = stages[askedFor]?.name ?? "";
    const after = stages
      .slice(askedFor + 1)
      .flatMap((s, i) => (i === 0 ? md`*${s.name}*` : md`, *${s.name}*`));
    const text = approved
      ? md`:ballot_box_with_check: You approved stage *${name}* of ${whose}: it is complete.`
      : md`:fast_forward: No longer waiting for you: stage *${name}* of ${whose} is complete (approved by ${mentions(
          approvalsFor(request, name).map((a) => a.userId),
        )}).`;
    return closedShape(
      text,
      md`${text} The stages after it: ${after}. This message is updated when the request ends.`,
      input.permalink,
    );
  }
  if (approved) {
    const text = md`:ballot_box_with_check: You approved ${whose}; it waits for more approvals.`;
    return {
      text,
      blocks: [
        section({ text }),
        ...requestParts(request),
        ...(input.permalink !== undefined ? [context(link(input.permalink, "Open the request"))] : []),
      ],
    };
  }
  const lapsed = (request.lapsedApprovals ?? []).find((a) => a.userId === userId);
  if (lapsed !== undefined) {
    const text = md`:warning: Your approval of ${userMention(request.requester.userId)}'s ${code(request.commandText)} no longer counts: ${lapsedWhy(request, lapsed)}. Nothing else is needed from you.`;
    return closedShape(text, text, input.permalink);
  }
  return buildApprovalDmView(input);
}

/**
 * Why the reader's approval stopped counting, to them (the card's words, `request-card-approvals.ts`): `you are
 * no longer among its approvers (it asks `@ops-approvers`)`. The groups named, not mentioned.
 */
function lapsedWhy(
  request: ApprovalDmRequest,
  lapsed: NonNullable<ApprovalDmRequest["lapsedApprovals"]>[number],
): Span[] {
  if (lapsed.reason === "self_approval") return md`the requester's own approval does not count for it now`;
  const stages = request.requirement.stages;
  const stage = stages?.find((s) => s.name === lapsed.stage);
  if (stages !== undefined && stage === undefined) return md`its stage is no longer asked for`;
  const asked = (stage ?? request.requirement).approvers.groups.map((g) => `@${g}`);
  return asked.length > 0
    ? md`you are no longer among its approvers (it asks ${code(asked.join(", "))})`
    : md`you are no longer among its approvers`;
}

/** A message that asks nothing: what happened, and the link to the card under it. */
function closedShape(text: Span[], body: Span[], permalink: string | undefined): Message {
  return {
    text,
    blocks: [
      section({ text: body }),
      ...(permalink !== undefined ? [context(link(permalink, "Open the request"))] : []),
    ],
  };
}

/**
 * The same direct message once the request no longer waits for anyone: "No longer waiting for you: approved
 * by @bob, @carol and run (succeeded)", "… approved by @bob, but not run (servers changed since approval). Nothing
 * was sent." (a run the card says "Not run", with why), "… rejected by @bob: <reason>", "… cancelled by @alice", "… was
 * superseded: @alice ran this change with break-glass" (with its link), "… expired". Undefined while it still
 * waits (pending). Pure; the reason and the result are untrusted text.
 */
export function buildApprovalDmClosedView(input: {
  request: ApprovalDmRequest;
  permalink: string | undefined;
  details?: ApprovalDmDetails;
}): Message | undefined {
  const { request } = input;
  const outcome = dmOutcome(request, input.details);
  if (outcome === undefined) return undefined;
  const text = md`${outcome.icon} No longer waiting for you: ${userMention(request.requester.userId)}'s request ${code(
    request.commandText,
  )} ${outcome.words}`;
  return closedShape(text, text, input.permalink);
}

/**
 * How the request ended for its approvers ("was approved by …", "expired after …"), or undefined while it
 * still waits for approvals. A run stopped
 * between waves, or aborted before it sent anything, is told apart from a failure as the card tells it
 * (`stopShown`, `abortedShown`): the approval record alone says `failed` (a stop: or `succeeded`).
 */
function dmOutcome(
  request: ApprovalDmRequest,
  details: ApprovalDmDetails,
): { icon: Span[]; words: Span[] } | undefined {
  const by = md`was approved by ${mentions(request.approvals.map((a) => a.userId))}`;
  const stop = stopShown(request, details);
  if (stop !== undefined)
    return {
      icon: md`:octagonal_sign:`,
      words: md`${by}. ${stopTitle(stop, request.requester.userId)}; the later waves were not run. The thread has the details.`,
    };
  if (abortedShown(request, details)) {
    const summary = details?.result?.summary ?? "";
    const cause = details?.result !== undefined ? notRunCauseOf(details.result) : undefined;
    // Said once: not run, why, and that nothing was sent (a summary naming another request says it itself; its
    // code spans stay code).
    const why =
      cause?.next !== undefined
        ? md` (${cause.short}). Nothing was sent.`
        : summary !== ""
          ? md`: ${withInlineCode(summary.replace(/^(aborted|not run): /i, ""))}.`
          : md`. Nothing was sent.`;
    return {
      icon: md`:no_entry:`,
      words: md`${by}, but not run${why} The thread has the details.`,
    };
  }
  switch (request.status) {
    case "pending":
      return undefined;
    case "approved":
      // Approved is not done: the tick is for a result only.
      return {
        icon: md`:ballot_box_with_check:`,
        words:
          request.schedule !== undefined
            ? md`${by}. ${describeSchedule(request.schedule)}.`
            : md`${by}; it runs now.`,
      };
    case "executing":
      return { icon: md`:hourglass_flowing_sand:`, words: md`${by}; it is running.` };
    case "succeeded":
      return { icon: md`:white_check_mark:`, words: md`${by} and run (succeeded).` };
    case "failed":
      return { icon: md`:x:`, words: md`${by} and run: it failed. The thread has the details.` };
    case "outcome_unknown":
      return {
        icon: md`:warning:`,
        words: md`${by} and run, with an unknown outcome: check the servers. The thread has the details.`,
      };
    case "revoked":
      return {
        icon: md`:no_entry:`,
        words:
          request.revocation?.lapsed === true
            ? md`${by}, then not run: its time had passed.`
            : details?.redecision !== undefined
              ? md`${by}, then not run: ${describeCause(details.redecision)}. The card says why.`
              : md`${by}, then not run: checked again before running, it no longer met the policy. The card says why.`,
      };
    case "rejected": {
      const r = request.rejection;
      if (r === undefined) return { icon: md`:no_entry_sign:`, words: md`was rejected.` };
      return {
        icon: md`:no_entry_sign:`,
        words:
          r.reason !== undefined
            ? md`was rejected by ${userMention(r.userId)}: ${r.reason}`
            : md`was rejected by ${userMention(r.userId)}.`,
      };
    }
    case "cancelled": {
      // The change went ahead without this approval: the approver must not read it as withdrawn.
      const superseded = supersededShown(request);
      if (superseded !== undefined)
        return {
          icon: md`:fast_forward:`,
          words: md`was superseded: ${supersededWords(superseded)}. Your approval is no longer needed; nothing will run from this request.`,
        };
      return {
        icon: md`:heavy_multiplication_x:`,
        words:
          request.cancellation !== undefined
            ? md`was cancelled by ${userMention(request.cancellation.userId)}.`
            : md`was cancelled.`,
      };
    }
    case "expired":
      return {
        icon: md`:stopwatch:`,
        words: md`expired ${describeExpiry(request)}. Nothing was done.`,
      };
  }
}

/** `` `web-01`, `web-02` +3 more ``: each name as typed (code), bounded once escaped, as the card bounds it. */
function serverNames(names: readonly string[]): Span[] {
  const shown = names.slice(0, MAX_DM_SERVER_NAMES).flatMap((name, i) => {
    const span = boundedName(name);
    return i === 0 ? [span] : [...md`, `, span];
  });
  const more =
    names.length > MAX_DM_SERVER_NAMES ? md` +${formatCount(names.length - MAX_DM_SERVER_NAMES)} more` : md``;
  return [...shown, ...more];
}

/** The name as code, cut (with `…`) until it fits `MAX_DM_SERVER_NAME_LENGTH` escaped: `&` takes five. */
function boundedName(name: string): Span {
  let cut = name;
  for (let n = name.length; n > 1 && renderMrkdwn(code(cut)).length > MAX_DM_SERVER_NAME_LENGTH; n--)
    cut = truncateGraphemes(name, n);
  return code(cut);
}

function mentions(userIds: readonly string[]): Span[] {
  if (userIds.length === 0) return md`nobody`;
  return userIds.flatMap((id, i) => (i === 0 ? [userMention(id)] : [...md`, `, userMention(id)]));
}
