/**
 * The statuses of an approval request as closed sets, their named subsets, and the transitions the state
 * machine (`approval-state.ts`) allows between them. Shared by the request's schema, the service's per-status
 * index sets and the views.
 */
export const APPROVAL_STATUSES = [
  "pending",
  "approved",
  "rejected",
  "expired",
  "cancelled",
  "revoked",
  "executing",
  "succeeded",
  "failed",
  "outcome_unknown",
] as const;
export type ApprovalStatus = (typeof APPROVAL_STATUSES)[number];

/** How an execution ended. `outcome_unknown`: the cloud call may or may not have happened (never retried). */
export const EXECUTION_OUTCOMES = ["succeeded", "failed", "outcome_unknown"] as const;
export type ExecutionOutcome = (typeof EXECUTION_OUTCOMES)[number];

/** Statuses in which approve/reject/cancel clicks can change anything. */
export const ACTIONABLE_STATUSES = ["pending"] as const satisfies readonly ApprovalStatus[];
/** Statuses reached by a decision on a pending request. */
export const DECIDED_STATUSES = [
  "approved",
  "rejected",
  "expired",
  "cancelled",
] as const satisfies readonly ApprovalStatus[];
/** Statuses of a request that was approved and handed to (or finished by) the executor. */
export const EXECUTION_STATUSES = [
  "executing",
  ...EXECUTION_OUTCOMES,
] as const satisfies readonly ApprovalStatus[];
/** No transition leaves these. */
export const TERMINAL_STATUSES = [
  "rejected",
  "expired",
  "cancelled",
  "revoked",
  ...EXECUTION_OUTCOMES,
] as const satisfies readonly ApprovalStatus[];
/** Non-terminal statuses: the service keeps an index set per status so these can be listed without a scan. */
export const OPEN_STATUSES = [
  "pending",
  "approved",
  "executing",
] as const satisfies readonly ApprovalStatus[];
export type OpenStatus = (typeof OPEN_STATUSES)[number];

/** Every allowed transition; anything else is refused. */
export const TRANSITIONS: Readonly<Record<ApprovalStatus, readonly ApprovalStatus[]>> = {
  pending: ["approved", "rejected", "expired", "cancelled"],
  // approved → cancelled: a scheduled change, cancelled before its time.
  approved: ["executing", "revoked", "cancelled"],
  executing: EXECUTION_OUTCOMES,
  rejected: [],
  expired: [],
  cancelled: [],
  revoked: [],
  succeeded: [],
  failed: [],
  outcome_unknown: [],
};

export function isStatusIn<S extends ApprovalStatus>(
  status: ApprovalStatus,
  subset: readonly S[],
): status is S {
  return (subset as readonly ApprovalStatus[]).includes(status);
}
