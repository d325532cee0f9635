import { randomBytes } from "node:crypto";
import type { AuditLog, PreparedAuditEntry } from "../audit/create-audit-log.js";
import type { Metrics } from "../metrics/metrics.js";
import {
  abortUpdate,
  type Clock,
  NO_CHANGE,
  type SetMember,
  type Store,
  writeUpdate,
} from "../store/store.js";
import { auditContext, auditEntryFor, refusalEntry } from "./approval-audit-entries.js";
import type { Notice } from "./approval-notice.js";
import {
  ActionNameSchema,
  ActionParametersSchema,
  type ApprovalRequest,
  ApprovalRequestSchema,
  type ApprovalRequirement,
  ApprovalRequirementSchema,
  type ApprovalTarget,
  ApprovalTargetSchema,
  type ApprovedTerms,
  ApprovedTermsSchema,
  type MessageRef,
  MessageRefSchema,
  type RequestSchedule,
  RequestScheduleSchema,
} from "./approval-request.js";
import {
  type ApplyResult,
  type ApprovalEffect,
  type ApprovalEvent,
  applyEvent,
  type ClickAuthz,
  type RefusalCode,
} from "./approval-state.js";
import {
  type ExecutionOutcome,
  isStatusIn,
  OPEN_STATUSES,
  type OpenStatus,
  TERMINAL_STATUSES,
} from "./approval-statuses.js";
import { bindingInputOf, computeBindingHash } from "./compute-binding-hash.js";

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
  /** A scheduled change: approval must be complete before `runAt`, so the request expires then at the latest. */
  schedule?: RequestSchedule;
}

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

export interface ApprovalService {
  /** Creates a pending request (and its `request.created` audit record, atomically). */
  create(input: NewApprovalRequest): Promise<ApprovalRequest>;
  get(id: string): Promise<ApprovalRequest | undefined>;
  /**
   * Applies a click atomically. `authz` is computed by the caller at click time. Refused clicks are audited
   * (`click.refused`). Repeats (double clicks, redeliveries) return `changed: false` and write nothing.
   */
  act(id: string, event: ClickEvent, authz: ClickAuthz): Promise<ActResult>;
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

/** Default of {@link ApprovalServiceOptions.finishedRetentionMs}. */
export const DEFAULT_FINISHED_RETENTION_MS = 90 * 24 * 60 * 60_000;

const requestKey = (id: string) => `approval:${id}`;
const statusSetKey = (status: OpenStatus) => `approvals:status:${status}`;

/**
 * The approval workflow over a {@link Store}.
 *
 * Ordering guarantee: every transition is ONE atomic store write (a CAS on the request record) that
 * carries, as riders, its audit records and the status-index moves. So the new state, its audit records
 * and the indexes become visible together or not at all: if the audit append fails, the transition did not
 * happen (the call throws). Only the logger copy of the audit record is written after the commit (it is a
 * shipping copy; the store is the record of truth). Refused clicks change nothing and are audited after
 * the refusal is decided; if that audit write fails the call throws (the refusal stands).
 *
 * Each attempt re-reads the record and re-runs the pure state machine on it, so two replicas racing
 * (approve vs reject, 50 claimers) serialize through the CAS: one wins, the others re-evaluate on the
 * winner's result and get a refusal or an idempotent `changed: false`.
 */
export function createApprovalService(options: ApprovalServiceOptions): ApprovalService {
  const { store, clock, audit } = options;
  const retries = options.retries ?? 100;
  const generateId = options.generateId ?? (() => `apr_${randomBytes(16).toString("base64url")}`);
  const finishedRetentionMs = options.finishedRetentionMs ?? DEFAULT_FINISHED_RETENTION_MS;
  /** A finished request expires; an open one never does (it is in an index set, and the sweeper expires it). */
  const retentionOf = (request: ApprovalRequest) =>
    isStatusIn(request.status, TERMINAL_STATUSES) ? { ttlMs: finishedRetentionMs } : {};
  if (audit.store !== store) {
    throw new Error(
      "the audit log must use the approval store, so transitions and audit records commit atomically",
    );
  }

  async function read(id: string): Promise<ApprovalRequest | undefined> {
    const stored = await store.get<unknown>(requestKey(id));
    return stored === undefined ? undefined : ApprovalRequestSchema.parse(stored.value);
  }

  /** Index moves for a status change: one set per non-terminal status. */
  function indexMoves(
    id: string,
    from: ApprovalRequest["status"] | undefined,
    to: ApprovalRequest["status"],
  ) {
    const removeFromSets: SetMember[] = [];
    const addToSets: SetMember[] = [];
    if (from !== to) {
      if (from !== undefined && isStatusIn(from, OPEN_STATUSES))
        removeFromSets.push({ setKey: statusSetKey(from), member: id });
      if (isStatusIn(to, OPEN_STATUSES)) addToSets.push({ setKey: statusSetKey(to), member: id });
    }
    return { removeFromSets, addToSets };
  }

  /** Metrics of a committed transition (after the commit: a lost race is not counted). */
  function observe(request: ApprovalRequest, effects: readonly ApprovalEffect[]): void {
    const metrics = options.metrics;
    if (metrics === undefined) return;
    for (const effect of effects) {
      switch (effect.type) {
        case "approved":
          // A request the policy allowed is approved at once by a `system:` actor: no one waited for a decision.
          if (!effect.userId.startsWith("system:"))
            metrics.approvalDecided("approved", effect.at - request.createdAt);
          break;
        case "rejected":
        case "cancelled":
        case "expired":
          metrics.approvalDecided(effect.type, effect.at - request.createdAt);
          break;
        case "execution_finished":
          metrics.executionFinished(effect.outcome, effect.at - (request.execution?.startedAt ?? effect.at));
          break;
        default:
          break;
      }
    }
  }

  /**
   * One atomic transition: read, apply, CAS with audit riders; re-run on a lost race. `auditRefusal`:
   * whether a refusal (without side change) is audited — true for user clicks.
   */
  async function transition(
    id: string,
    event: ApprovalEvent,
    authz: ClickAuthz,
    auditRefusal: boolean,
  ): Promise<ActResult> {
    // The last attempt's evaluation is the one that committed (or decided not to write).
    let applied: ApplyResult | undefined;
    let before: ApprovalRequest | undefined;
    let prepared: PreparedAuditEntry[] = [];
    const observer = "userId" in event ? event.userId : undefined;

    const result = await store.update<unknown, "not_found" | "refused">(
      requestKey(id),
      (current) => {
        prepared = [];
        if (current === undefined) return abortUpdate("not_found");
        before = ApprovalRequestSchema.parse(current.value);
        applied = applyEvent(before, event, authz);
        const persist = applied.ok ? (applied.changed ? applied : undefined) : applied.transition;
        if (persist === undefined) return applied.ok ? NO_CHANGE : abortUpdate("refused");
        prepared = persist.effects.map((effect) =>
          audit.prepare(auditEntryFor(persist.request, effect, observer)),
        );
        if (!applied.ok && auditRefusal)
          prepared.push(audit.prepare(refusalEntry(persist.request, event, applied.code)));
        return writeUpdate(persist.request, {
          append: prepared.map((p) => p.append),
          ...indexMoves(id, before.status, persist.request.status),
          ...retentionOf(persist.request),
        });
      },
      { retries },
    );

    if (!result.ok && result.reason === "conflict") {
      return {
        ok: false,
        code: "conflict",
        message: ["The request is busy; please try again."],
        effects: [],
      };
    }
    if (!result.ok && result.detail === "not_found") {
      return { ok: false, code: "not_found", message: ["No such approval request."], effects: [] };
    }
    if (applied === undefined || before === undefined)
      throw new Error("unreachable: update ran without evaluating");
    if (result.ok && result.changed) {
      for (const p of prepared) p.publish();
      const persisted = applied.ok ? applied : applied.transition;
      if (persisted !== undefined) observe(persisted.request, persisted.effects);
    }

    if (applied.ok) return applied;
    if (applied.transition) {
      return { ok: false, code: applied.code, message: applied.message, ...applied.transition };
    }
    if (auditRefusal) await audit.record(refusalEntry(before, event, applied.code));
    return { ok: false, code: applied.code, message: applied.message, request: before, effects: [] };
  }

  async function readMany(ids: readonly string[]): Promise<ApprovalRequest[]> {
    const requests = await Promise.all(ids.map(read));
    return requests
      .filter((r): r is ApprovalRequest => r !== undefined)
      .sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : 1));
  }

  async function listByStatus(status: OpenStatus): Promise<ApprovalRequest[]> {
    // The index is maintained atomically with the record, but re-check: the record is the truth.
    return (await readMany(await store.members(statusSetKey(status)))).filter((r) => r.status === status);
  }

  return {
    async create(input) {
      const now = clock.now();
      const requirement = ApprovalRequirementSchema.parse(input.requirement);
      const targets = input.targets.map((t) => ApprovalTargetSchema.parse(t));
      const action = ActionNameSchema.parse(input.action);
      const parameters = ActionParametersSchema.parse(input.parameters);
      const request = ApprovalRequestSchema.parse({
        id: generateId(),
        status: "pending",
        createdAt: now,
        expiresAt: Math.min(now + requirement.expiresInMs, input.schedule?.runAt ?? Number.POSITIVE_INFINITY),
        requester: { userId: input.requester.userId, teamId: input.requester.teamId },
        channel: input.channel,
        action,
        commandText: input.commandText,
        targets,
        parameters,
        ruleIds: input.ruleIds,
        requirement,
        ...(input.terms !== undefined && { terms: ApprovedTermsSchema.parse(input.terms) }),
        approvals: [],
        ...(input.message && { message: MessageRefSchema.parse(input.message) }),
        ...(input.breakGlass !== undefined && { breakGlass: { reason: input.breakGlass.reason } }),
        ...(input.schedule !== undefined && { schedule: RequestScheduleSchema.parse(input.schedule) }),
        bindingHash: computeBindingHash(bindingInputOf({ action, targets, parameters })),
        version: 1,
      } satisfies ApprovalRequest);

      const created = audit.prepare({
        ...auditContext(request),
        at: now,
        type: "request.created",
        actorId: request.requester.userId,
        message: request.commandText,
        detail: {
          channel: request.channel,
          expiresAt: request.expiresAt,
          requirement,
          ...(request.breakGlass !== undefined && { breakGlass: true, reason: request.breakGlass.reason }),
          ...(request.schedule !== undefined && { schedule: request.schedule }),
        },
      });
      const wrote = await store.createIfAbsent(requestKey(request.id), request, {
        append: [created.append],
        ...indexMoves(request.id, undefined, "pending"),
      });
      if (!wrote) throw new Error(`approval id collision: ${request.id}`);
      created.publish();
      return request;
    },

    get: read,

    act(id, event, authz) {
      return transition(id, { ...event, at: clock.now() } as ApprovalEvent, authz, true);
    },

    claimExecution(id, executionId) {
      return transition(
        id,
        { type: "start_execution", executionId, at: clock.now() },
        { isApprover: false },
        false,
      );
    },

    revoke(id, reasons, options = {}) {
      const event: ApprovalEvent = {
        type: "revoke",
        reasons,
        at: clock.now(),
        ...(options.lapsed && { lapsed: true }),
      };
      return transition(id, event, { isApprover: false }, false);
    },

    finishExecution(id, executionId, outcome, error) {
      const event: ApprovalEvent =
        error === undefined
          ? { type: "finish", executionId, outcome, at: clock.now() }
          : { type: "finish", executionId, outcome, error, at: clock.now() };
      return transition(id, event, { isApprover: false }, false);
    },

    async setMessageRef(id, message) {
      const ref = MessageRefSchema.parse(message);
      const result = await store.update<unknown, "not_found">(
        requestKey(id),
        (current) => {
          if (current === undefined) return abortUpdate("not_found");
          const request = ApprovalRequestSchema.parse(current.value);
          const next = { ...request, message: ref, version: request.version + 1 };
          return writeUpdate(next, retentionOf(next));
        },
        { retries },
      );
      if (!result.ok && result.reason === "conflict") {
        throw new Error(`could not record the message of ${id}: too much contention`);
      }
      return result.ok && result.changed ? ApprovalRequestSchema.parse(result.value) : undefined;
    },

    async listPending(filter = {}) {
      const pending = await listByStatus("pending");
      const { userId, groups = [] } = filter;
      if (userId === undefined) return pending;
      return pending.filter(
        (r) =>
          r.requester.userId === userId ||
          r.requirement.approvers.users.includes(userId) ||
          r.requirement.approvers.groups.some((g) => groups.includes(g)),
      );
    },

    listByStatus,

    async expireDue(now = clock.now()) {
      const due = (await listByStatus("pending")).filter((r) => now >= r.expiresAt);
      const expired: ApprovalRequest[] = [];
      for (const request of due) {
        const result = await transition(
          request.id,
          { type: "expire", at: now },
          { isApprover: false },
          false,
        );
        if (result.ok && result.changed) expired.push(result.request);
      }
      return expired;
    },
  };
}
