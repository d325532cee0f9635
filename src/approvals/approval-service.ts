import type { AuditLog } from "../audit/create-audit-log.js";
import type { Metrics } from "../metrics/metrics.js";
import type { Clock, Store } from "../store/store.js";
import type { Notice } from "./approval-notice.js";
import type {
  ApprovalRequest,
  ApprovalRequirement,
  ApprovalTarget,
  ApprovedTerms,
  MessageRef,
  RequestSchedule,
} from "./approval-request.js";
import type { ApprovalEffect, ApprovalEvent, ClickAuthz, RefusalCode } from "./approval-state.js";
import type { ExecutionOutcome, OpenStatus } from "./approval-statuses.js";
import type { IntentClaim } from "./claim-pending-intent.js";

export { createApprovalService, DEFAULT_FINISHED_RETENTION_MS } from "./create-approval-service.js";

/** What the command handler knows when it asks for approval; the service adds ids, times and the hash. */
export interface NewApprovalRequest {
  requester: { userId: string; teamId: string };
  channel: string;
  action: string;
  commandText: string;
  targets: ApprovalTarget[];
  parameters: Record<string, unknown>;
  ruleIds: string[];
  requirement: ApprovalRequirement;
  /** What the policy decided, to compare with its decision just before execution. */
  terms?: ApprovedTerms;
  message?: MessageRef;
  /** `--break-glass`: approval skipped for this reason. */
  breakGlass?: { reason: string };
  /** `--reason`: why the change is asked for, as the requester put it (shown to approvers, audited). */
  why?: string;
  /** A scheduled change: approval must be complete before `runAt`, so the request expires then at the latest. */
  schedule?: RequestSchedule;
  /**
   * The reference the request's `policy.decided` audit entry names (the Slack delivery that asked for it):
   * written into its `request.created` entry, which ties the decision to the request. Not stored on it.
   */
  decisionRef?: string;
  /**
   * The request's ID, taken from {@link ApprovalService.newId} before its first `policy.decided` entry was
   * recorded (which then names it, so the request's audit starts at that decision); default a new one.
   */
  id?: string;
}

/** Authorizes each of these approvers now, as their own click would be (see {@link ApprovalService.act}). */
export type JudgeApprovers = (userIds: readonly string[]) => Promise<Readonly<Record<string, ClickAuthz>>>;

/** A user's click, as the service takes it: the service stamps the time with its own clock. */
export type ClickEvent = DistributiveOmit<
  Extract<ApprovalEvent, { type: "approve" | "reject" | "cancel" }>,
  "at"
>;
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

export type ActResult =
  | { ok: true; request: ApprovalRequest; changed: boolean; effects: ApprovalEffect[]; message: Notice }
  | {
      ok: false;
      code: RefusalCode | "not_found" | "conflict";
      message: Notice;
      /** The request as it now is (to refresh the card), if it exists. */
      request?: ApprovalRequest;
      /** Changes that did happen despite the refusal (a late click expiring the request). */
      effects: ApprovalEffect[];
    };

export interface ListPendingFilter {
  /** Requests this user made, may approve by name, or may approve through one of `groups`. */
  userId?: string;
  /** The user's groups (resolved by the caller), matched against `requirement.approvers.groups`. */
  groups?: readonly string[];
}

/** A new request validated and given its ID and times, not stored yet (see {@link ApprovalService.prepare}). */
export interface PreparedApprovalRequest {
  /** The request as it will be stored (pending, version 1), for its card. */
  readonly request: ApprovalRequest;
  /**
   * Stores it with the message its card was posted as (and its `request.created` audit record, atomically).
   * Once only: a second call throws, as an ID collision would.
   */
  create(message: MessageRef): Promise<ApprovalRequest>;
  /**
   * Claims the request's intent (its requester, except for a scheduled change; channel, action, servers by ID,
   * parameters and schedule; not its `--reason`) before its card is posted: `ok: false` names the request of the
   * same intent that still waits for approval or, approved, has not started (a scheduled change waiting for its
   * time), and then nothing is to be posted or created. Atomic across replicas (one claim per intent in the
   * store); a request that started, ended or expired blocks nothing. For requests that wait for approval or for
   * their time: one the policy allows that runs at once is not claimed.
   */
  claimIntent(): Promise<IntentClaim>;
  /** Gives the intent's claim up when this request will not be created after all (best effort by the caller). */
  releaseIntent(): Promise<void>;
}

export interface ApprovalService {
  /** A new request ID, for a request not built yet (see {@link NewApprovalRequest.id}). */
  newId(): string;
  /** Creates a pending request (and its `request.created` audit record, atomically). */
  create(input: NewApprovalRequest): Promise<ApprovalRequest>;
  /**
   * A pending request with its ID, as `create` would store it, stored only by its own `create(message)`: its
   * card (whose buttons carry the ID) is posted first, so no request exists that nobody could see, and the
   * card needs no second write to Slack. A click before it is stored finds no request.
   */
  prepare(input: Omit<NewApprovalRequest, "message">): PreparedApprovalRequest;
  get(id: string): Promise<ApprovalRequest | undefined>;
  /**
   * Applies a click atomically. `authz` is computed by the caller at click time. Refused clicks are audited
   * (`click.refused`). Repeats (double clicks, redeliveries) return `changed: false` and write nothing.
   *
   * `judge`: authorizes other approvers as their own click would be authorized now (the same check as
   * `authz`). Given, the approval that would complete the count (or a stage) first judges every approval
   * counted before with it, and one that no longer qualifies stops counting: the request keeps waiting and
   * shows it (`lapsedApprovals`). It is called only for such a click, with the approvers to judge (again for
   * one whose approval came in meanwhile). Every person's click must pass it: without it nothing is judged again.
   */
  act(id: string, event: ClickEvent, authz: ClickAuthz, judge?: JudgeApprovers): Promise<ActResult>;
  /**
   * approved → executing. Exactly one caller wins per request, whatever the concurrency, retries or
   * replicas; every other call gets `{ ok: false }` (including a repeat with the same executionId). Throws
   * if the store (or the audit rider) fails: treat a throw as "not claimed" and do not execute.
   */
  claimExecution(id: string, executionId: string): Promise<ActResult>;
  /**
   * approved → revoked: the policy decided again before execution is stricter (`reasons`, operator text).
   * Loses to a claim that got there first (then `{ ok: false, code: "not_approved" }`).
   */
  revoke(id: string, reasons: string[], options?: { lapsed?: boolean }): Promise<ActResult>;
  /** executing → succeeded | failed | outcome_unknown, only by the execution that claimed it. */
  finishExecution(
    id: string,
    executionId: string,
    outcome: ExecutionOutcome,
    error?: string,
  ): Promise<ActResult>;
  /** Records where the approval card was posted. Not a state transition (not audited). */
  setMessageRef(id: string, message: MessageRef): Promise<ApprovalRequest | undefined>;
  /** Pending requests (from the pending index, no scan), oldest first, optionally those involving a user. */
  listPending(filter?: ListPendingFilter): Promise<ApprovalRequest[]>;
  /** Requests in a non-terminal status (e.g. `executing` for reconciliation after a restart), oldest first. */
  listByStatus(status: OpenStatus): Promise<ApprovalRequest[]>;
  /** Expires every pending request due at `now`; returns them so the caller can update their cards. */
  expireDue(now?: number): Promise<ApprovalRequest[]>;
}

export interface ApprovalServiceOptions {
  store: Store;
  clock: Clock;
  /** Must write to `store`: transitions and their audit records commit in one atomic store write. */
  audit: AuditLog;
  /**
   * Approval latency (request to decision, human decisions only) and executions by outcome with their
   * duration, recorded once per committed transition; default none recorded.
   */
  metrics?: Pick<Metrics, "approvalDecided" | "executionFinished">;
  /** Re-reads after a lost CAS race before giving up with `conflict`. Default 100. */
  retries?: number;
  /** Default: `apr_` + 128 random bits (base64url). */
  generateId?: () => string;
  /**
   * How long a finished request (rejected, expired, cancelled, succeeded, failed, outcome unknown) is kept
   * after its last change; it has left the open-status indexes by then. Default 90 days.
   */
  finishedRetentionMs?: number;
}
