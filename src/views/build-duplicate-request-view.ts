import { plural } from "../render/escape-mrkdwn.js";
import { channelLink, link, localTime, type Message, md, type Span } from "../render/message-model.js";
import { buildNoticeView } from "./build-notice-view.js";

/** The request of the same intent that still waits for approval (see {@link buildDuplicateRequestView}). */
export interface DuplicateRequestInput {
  /** When it was asked (epoch ms), shown in the reader's time zone. */
  askedAt: number;
  /** The channel its card is in. */
  channelId: string;
  /** Its card, when a link to it could be had. */
  permalink?: string;
  /** It is not recorded yet: its card is being posted (by this replica or another). */
  posting?: boolean;
  /** What it still waits for: the approvals missing (of its current stage, named, for a staged request). */
  waiting: { approvals: number; stage?: string };
}

/**
 * The answer to a change asked again while the same request (same servers, action and parameters; the reason
 * may differ) still waits for approval: where it is, and that nothing new was requested, so there is one card
 * to approve and not two that could each run.
 */
export function buildDuplicateRequestView(input: DuplicateRequestInput): Message {
  const when = localTime(input.askedAt, "time");
  const needs = md`${plural(input.waiting.approvals, "approval")}${input.waiting.stage !== undefined ? md` at stage ${input.waiting.stage}` : md``}`;
  if (input.posting === true) {
    return buildNoticeView(
      ":repeat:",
      md`You already asked this at ${when}; its card is being posted in ${channelLink(input.channelId)}, where it will wait for approval (it needs ${needs}). Nothing new was requested.`,
    );
  }
  const where: Span[] =
    input.permalink !== undefined
      ? md`: ${link(input.permalink, "your request")}`
      : md` (its card is in ${channelLink(input.channelId)})`;
  return buildNoticeView(
    ":repeat:",
    md`You already asked this at ${when}${where}; it is waiting for approval (it still needs ${needs}). Nothing new was requested.`,
  );
}
