import type { Notice } from "../approvals/approval-notice.js";
import { localTime, type Span, untrusted, userMention } from "../render/message-model.js";

/**
 * A state-machine notice as spans: its mentions become real mentions, all of its text stays untrusted (a
 * `<@U…>` typed into a rejection reason is shown as text, never turned into a mention); its instants are
 * Slack date tokens (each reader's local time, with the date when it is not today).
 */
export function noticeToSpans(notice: Notice): Span[] {
  return notice.map((part) =>
    typeof part === "string" ? untrusted(part) : "user" in part ? userMention(part.user) : localTime(part.at),
  );
}
