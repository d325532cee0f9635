import type { ApprovalRequest } from "../approvals/approval-request.js";
import {
  actions,
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
import { describeSchedule } from "../views/build-schedule-views.js";
import { cardButtons } from "./build-request-card.js";
import { describeApprovals, describeWhat, formatTime } from "./describe-request.js";

export interface ActionableApproval {
  request: ApprovalRequest;
  canApprove: boolean;
  canCancel: boolean;
  /** Link to the request's card (its root message), when there is one. */
  link?: string;
  /** A scheduled change waiting for its time (listed last, with Cancel). */
  scheduled?: boolean;
}

/** Most requests listed in one message (each takes two blocks). */
export const MAX_LISTED_APPROVALS = 15;

/**
 * One request in a list: who asks for what, the command, the approvals so far, the expiry, its ID and a link
 * to its card. Shared by `/ops approvals` and the Home tab.
 */
export function describeListedRequest(request: ApprovalRequest, cardLink: string | undefined): Span[] {
  const why = request.why !== undefined ? md`\n*Why:* ${request.why}` : md``;
  return [...describeListed(request, cardLink), ...why];
}

function describeListed(request: ApprovalRequest, cardLink: string | undefined): Span[] {
  const r = request;
  if (r.status === "approved" && r.schedule !== undefined) {
    return md`${userMention(r.requester.userId)} asked to ${describeWhat(r)}\n${code(r.commandText)} · approved (${describeApprovals(r)}) · ${describeSchedule(r.schedule)} · request ${code(r.id)}${
      cardLink !== undefined ? md` · ${link(cardLink, "Open the card")}` : md``
    }`;
  }
  return md`${userMention(r.requester.userId)} asks to ${describeWhat(r)}\n${code(r.commandText)} · approvals ${String(
    r.approvals.length,
  )} of ${String(r.requirement.minApprovals)} (${describeApprovals(r)}) · expires ${formatTime(r.expiresAt)} · request ${code(r.id)}${
    cardLink !== undefined ? md` · ${link(cardLink, "Open the card")}` : md``
  }`;
}

/**
 * `/ops approvals`: what this user can act on, the requests they may approve first (Approve / Reject), then
 * their own pending requests (Cancel), each with a link to its card. Button IDs are unique in the message. Pure.
 */
export function buildApprovalListView(items: readonly ActionableApproval[]): Message {
  if (items.length === 0) {
    // (Scheduled changes count as items: a list with only those is not "nothing".)
    return {
      text: md`No pending approvals you can act on`,
      blocks: [section({ text: md`:white_check_mark: No pending approvals you can act on.` })],
    };
  }
  const toApprove = items.filter((i) => i.canApprove && i.scheduled !== true);
  const own = items.filter((i) => !i.canApprove && i.canCancel && i.scheduled !== true);
  const later = items.filter((i) => i.scheduled === true);
  const shown = [...toApprove, ...own].slice(0, MAX_LISTED_APPROVALS);
  const blocks: Part[] = [];
  shown.forEach((item, i) => {
    if (i === 0 && item.canApprove)
      blocks.push(section({ text: md`*Waiting for your approval* (${String(toApprove.length)})` }));
    if (!item.canApprove && (i === 0 || shown[i - 1]?.canApprove))
      blocks.push(section({ text: md`*Your pending requests* (${String(own.length)})` }));
    blocks.push(section({ text: describeListedRequest(item.request, item.link) }));
    blocks.push(
      actions(
        ...cardButtons(item.request, i, {
          approve: item.canApprove,
          reject: item.canApprove,
          cancel: item.canCancel,
        }),
      ),
    );
  });
  const listed = toApprove.length + own.length;
  if (listed > MAX_LISTED_APPROVALS) {
    blocks.push(context(md`…and ${String(listed - MAX_LISTED_APPROVALS)} more; act on the oldest first.`));
  }
  // Scheduled changes: cancellable by their requester or an approver until they start.
  const laterShown = later.slice(0, Math.max(0, MAX_LISTED_APPROVALS - shown.length));
  if (laterShown.length > 0)
    blocks.push(section({ text: md`*Scheduled changes* (${String(later.length)})` }));
  laterShown.forEach((item, j) => {
    blocks.push(section({ text: describeListedRequest(item.request, item.link) }));
    blocks.push(
      actions(
        ...cardButtons(item.request, shown.length + j, { approve: false, reject: false, cancel: true }),
      ),
    );
  });
  return {
    text: md`${String(toApprove.length)} waiting for your approval, ${String(own.length)} of your requests pending`,
    blocks,
  };
}
