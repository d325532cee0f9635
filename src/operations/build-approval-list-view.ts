import type { ApprovalRequest } from "../approvals/approval-request.js";
import {
  actions,
  code,
  context,
  type Message,
  md,
  type Part,
  section,
  userMention,
} from "../render/message-model.js";
import { cardButtons } from "./build-request-card.js";
import { describeApprovals, describeWhat, formatTime } from "./describe-request.js";

export interface ActionableApproval {
  request: ApprovalRequest;
  canApprove: boolean;
  canCancel: boolean;
}

/** Most requests listed in one message (each takes three blocks). */
export const MAX_LISTED_APPROVALS = 15;

/** `/ops approvals`: the pending requests this user can act on, each with its buttons. Pure. */
export function buildApprovalListView(items: readonly ActionableApproval[]): Message {
  if (items.length === 0) {
    return {
      text: md`No pending approvals you can act on`,
      blocks: [section({ text: md`:white_check_mark: No pending approvals you can act on.` })],
    };
  }
  const blocks: Part[] = [
    section({ text: md`*Pending approvals you can act on* (${String(items.length)})` }),
  ];
  items.slice(0, MAX_LISTED_APPROVALS).forEach((item, i) => {
    const r = item.request;
    blocks.push(
      section({
        text: md`${userMention(r.requester.userId)} asks to ${describeWhat(r)}\n${code(r.commandText)} · approvals ${String(
          r.approvals.length,
        )} of ${String(r.requirement.minApprovals)} (${describeApprovals(r)}) · expires ${formatTime(r.expiresAt)} · request ${code(r.id)}`,
      }),
    );
    blocks.push(
      actions(
        ...cardButtons(r, i, { approve: item.canApprove, reject: item.canApprove, cancel: item.canCancel }),
      ),
    );
  });
  if (items.length > MAX_LISTED_APPROVALS) {
    blocks.push(
      context(md`…and ${String(items.length - MAX_LISTED_APPROVALS)} more; act on the oldest first.`),
    );
  }
  return { text: md`${String(items.length)} pending approvals you can act on`, blocks };
}
