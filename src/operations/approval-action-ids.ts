/**
 * Action and callback IDs of the approval card's buttons and the rejection modal. The button value is only
 * the opaque approval request ID; everything else is loaded from the store at click time.
 *
 * | ID                       | kind            | value / private_metadata |
 * |--------------------------|-----------------|--------------------------|
 * | `ops.approval.approve`   | button          | approval request ID      |
 * | `ops.approval.reject`    | button          | approval request ID      |
 * | `ops.approval.cancel`    | button          | approval request ID      |
 * | `ops.approval.reject`    | modal (callback)| approval request ID      |
 *
 * Slack wants action IDs unique within a message, so a list with several requests (`/ops approvals`) suffixes
 * the second and later ones: `ops.approval.approve.1`, `ops.approval.approve.2`…
 */

/** Register the action handler under this prefix (it matches every ID above). */
export const APPROVAL_ACTION_PREFIX = "ops.approval";
export const APPROVAL_ACTIONS = {
  approve: "ops.approval.approve",
  reject: "ops.approval.reject",
  cancel: "ops.approval.cancel",
} as const;
export type ApprovalVerb = keyof typeof APPROVAL_ACTIONS;

/** The card's Details button (value: the approval request ID): the full request, answered to the clicker. */
export const REQUEST_DETAILS_ACTION = "ops.request.details";

/** Callback ID of the "reason for rejecting" modal; the view handler is registered under exactly this ID. */
export const REJECT_MODAL_ID = "ops.approval.reject";
/** Input ID of the reason in that modal. */
export const REJECT_REASON_INPUT = "reason";

/** The action ID of the `index`-th button of this kind in one message (0 → the bare ID). */
export function approvalActionId(verb: ApprovalVerb, index = 0): string {
  return index === 0 ? APPROVAL_ACTIONS[verb] : `${APPROVAL_ACTIONS[verb]}.${index}`;
}

const ACTION_ID_RE = /^ops\.approval\.(approve|reject|cancel)(?:\.\d{1,4})?$/;

/** Which button an action ID belongs to, or undefined when it is not one of ours. */
export function parseApprovalActionId(actionId: string): ApprovalVerb | undefined {
  const match = ACTION_ID_RE.exec(actionId);
  return match ? (match[1] as ApprovalVerb) : undefined;
}
