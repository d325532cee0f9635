/**
 * Policy, approvals and execution as seen from Slack: the mutation and `/ops` handlers of the command router,
 * the approval card's buttons, the rejection modal, the expiry sweeper and the startup recovery.
 */
export {
  APPROVAL_ACTION_PREFIX,
  APPROVAL_ACTIONS,
  type ApprovalVerb,
  approvalActionId,
  parseApprovalActionId,
  REJECT_MODAL_ID,
  REJECT_REASON_INPUT,
} from "./approval-action-ids.js";
export { buildRequestCard, type RequestCardInput } from "./build-request-card.js";
export { type Coalescer, type CoalescerOptions, createCoalescer } from "./create-coalescer.js";
export {
  createExpirySweeper,
  type ExpirySweeper,
  type ExpirySweeperOptions,
} from "./create-expiry-sweeper.js";
export { createOperations, type Operations, type OperationsOptions } from "./create-operations.js";
export { POLICY_ACTOR } from "./describe-request.js";
export type { RequestDetails } from "./request-details.js";
export { systemTimers, type Timers } from "./timers.js";
