import type { ApprovalRequest } from "../approvals/approval-request.js";
import { plural } from "../render/escape-mrkdwn.js";
import { linkUrls } from "../render/link-urls.js";
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
import { rendersWhole } from "../render/render-block-kit.js";
import { cardButtons } from "./build-request-card.js";
import { describeScheduleNow } from "./build-start-now-view.js";
import { describeApprovals, describeProgress, describeWhat } from "./describe-request.js";
import type { StartNow } from "./judge-start-now.js";

export interface ActionableApproval {
  request: ApprovalRequest;
  canApprove: boolean;
  canCancel: boolean;
  /** Link to the request's card (its root message), when there is one. */
  link?: string;
  /** A scheduled change waiting for its time (listed last, with Cancel). */
  scheduled?: boolean;
  /** When that scheduled change starts as judged now (`judgeStartNow`); absent: as asked. */
  start?: StartNow;
}

/**
 * Most requests listed in one message. Fewer are shown when their entries (each a section and a row of buttons
 * with their confirmations) would not fit the message's budget: the list says how many it left out itself.
 */
export const MAX_LISTED_APPROVALS = 15;

/**
 * One request in a list: who asks for what, the command, the approvals so far, the expiry, its ID and a link
 * to its card; a scheduled change's start as judged now (`start`, see `describeScheduleNow`), else as asked.
 * Shared by `/ops approvals` and the Home tab.
 */
export function describeListedRequest(
  request: ApprovalRequest,
  cardLink: string | undefined,
  start?: StartNow,
): Span[] {
  const why = request.why !== undefined ? md`\n*Why:* ${linkUrls(request.why)}` : md``;
  return [...describeListed(request, cardLink, start), ...why];
}

function describeListed(request: ApprovalRequest, cardLink: string | undefined, start?: StartNow): Span[] {
  const r = request;
  if (r.status === "approved" && r.schedule !== undefined) {
    return md`${userMention(r.requester.userId)} asked to ${describeWhat(r)}\n${code(r.commandText)} · approved (${describeApprovals(r)}) · ${describeScheduleNow(r.schedule, start)} · request ${code(r.id)}${
      cardLink !== undefined ? md` · ${link(cardLink, "Open the card")}` : md``
    }`;
  }
  return md`${userMention(r.requester.userId)} asks to ${describeWhat(r)}\n${code(r.commandText)} · ${describeProgress(r)} · request ${code(r.id)}${
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
  const sections: ListSection[] = [
    { title: "Waiting for your approval", hidden: "waiting for your approval", items: toApprove },
    { title: "Your pending requests", hidden: "of your pending requests", items: own },
    // Scheduled changes: cancellable by their requester or an approver until they start.
    { title: "Scheduled changes", hidden: "scheduled changes", items: later },
  ];
  const ordered = sections.flatMap((s) => s.items);
  const build = (shown: number): Part[] => {
    const blocks: Part[] = [];
    let index = 0;
    for (const { title, items: entries } of sections) {
      const here = entries.slice(0, Math.max(0, shown - index));
      if (here.length > 0) blocks.push(section({ text: md`*${title}* (${String(entries.length)})` }));
      for (const item of here) {
        blocks.push(section({ text: describeListedRequest(item.request, item.link, item.start) }));
        blocks.push(
          actions(
            ...cardButtons(item.request, index++, {
              approve: item.canApprove && item.scheduled !== true,
              reject: item.canApprove && item.scheduled !== true,
              cancel: item.canCancel || item.scheduled === true,
            }),
          ),
        );
      }
    }
    if (shown < ordered.length) blocks.push(context(moreLine(sections, shown)));
    return blocks;
  };
  const text = countLine(toApprove.length, own.length, later.length);
  // As many as fit whole: the renderer would otherwise cut the list (and its own "…and N more") short.
  let shown = Math.min(ordered.length, MAX_LISTED_APPROVALS);
  while (shown > 1 && !rendersWhole({ text, blocks: build(shown) })) shown--;
  return { text, blocks: build(shown) };
}

/**
 * The message's text (what a notification shows): what each section lists, the empty ones left out, so a list
 * of scheduled changes only is not "0 of your requests pending" (a scheduled change is approved, not pending).
 */
function countLine(toApprove: number, own: number, scheduled: number): Span[] {
  const counts = [
    toApprove > 0 ? `${String(toApprove)} waiting for your approval` : "",
    own > 0 ? `${String(own)} of your requests pending` : "",
    scheduled > 0 ? `${plural(scheduled, "scheduled change")} you may cancel` : "",
  ];
  return md`${counts.filter((c) => c !== "").join(", ")}`;
}

interface ListSection {
  title: string;
  /** How the section's entries left out are counted: `45 more waiting for your approval`. */
  hidden: string;
  items: readonly ActionableApproval[];
}

/**
 * `…and 45 more waiting for your approval, 2 more of your pending requests not shown here`, with what the
 * list offers to reach them: it is ordered oldest first, so the next ones appear as these are decided.
 */
function moreLine(sections: readonly ListSection[], shown: number): Span[] {
  let before = 0;
  const hidden: string[] = [];
  for (const { hidden: words, items } of sections) {
    const left = items.length - Math.min(items.length, Math.max(0, shown - before));
    before += items.length;
    if (left > 0) hidden.push(`${String(left)} more ${words}`);
  }
  return md`…and ${hidden.join(", ")} not shown here. The oldest are listed first: the next ones appear here as these are decided (or open the cards in their channels).`;
}
