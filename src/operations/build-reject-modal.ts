import type { ModalSpec } from "../app/ports.js";
import type { ApprovalRequest } from "../approvals/approval-request.js";
import { secretInText } from "../intents/find-secrets-in-text.js";
import { visibleText } from "../render/escape-mrkdwn.js";
import { code, md, section, userMention } from "../render/message-model.js";
import { REJECT_MODAL_ID, REJECT_REASON_INPUT } from "./approval-action-ids.js";
import { describeWhat } from "./describe-request.js";

/** Longest rejection reason accepted. */
export const MAX_REASON_LENGTH = 1000;

/** The modal asking an approver why they reject; its private metadata is the request ID only. */
export function buildRejectModal(request: ApprovalRequest): ModalSpec {
  return {
    id: REJECT_MODAL_ID,
    title: "Reject request",
    submitLabel: "Reject",
    privateMetadata: request.id,
    intro: [
      section({
        text: md`Reject ${userMention(request.requester.userId)}'s request to ${describeWhat(request)}?\n${code(
          request.commandText,
        )}`,
      }),
    ],
    inputs: [
      {
        id: REJECT_REASON_INPUT,
        label: "Why? (shown to the requester)",
        multiline: true,
        required: true,
        maxLength: MAX_REASON_LENGTH,
      },
    ],
  };
}

/**
 * Validation of the modal: errors by input ID, or undefined when the reason is fine. A reason holding a secret
 * is refused by the rule of every free text ({@link secretInText}), as a `--reason` is: it would be on the card,
 * in the rejecter's reply, the append-only audit log and the logs. The error names the kind, never the value.
 */
export function validateRejectReason(reason: string | undefined): Record<string, string> | undefined {
  const trimmed = reason?.trim() ?? "";
  if (visibleText(trimmed) === "")
    return { [REJECT_REASON_INPUT]: "Say why you reject it, so the requester knows what to change." };
  // Before the length: whatever is cut to fit must not be the part that keeps the secret.
  const secret = secretInText(trimmed);
  if (secret !== undefined)
    return {
      [REJECT_REASON_INPUT]:
        `This looks like ${secret}: a reason is shown on the card and kept in the audit log. ` +
        `Give it without (put it another way if it is none; rotate it if it was real).`,
    };
  if (trimmed.length > MAX_REASON_LENGTH)
    return { [REJECT_REASON_INPUT]: `At most ${MAX_REASON_LENGTH} characters.` };
  return undefined;
}
