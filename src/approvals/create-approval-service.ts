/**
 * The approval workflow's implementation over a store: each transition one CAS with its audit records and
 * index moves as riders, the reads through the open-status indexes, the expiry pass. Apart from
 * `approval-service.ts`, which holds the service's contract (what its callers see and give it).
 */
import type { PreparedAuditEntry } from "../audit/create-audit-log.js";
import { randomText } from "../random/random-text.js";
import { approvalDeadline } from "../schedule/approval-deadline.js";
import { abortUpdate, NO_CHANGE, type SetMember, type Store, writeUpdate } from "../store/store.js";
import type { JudgeAgain } from "./apply-result.js";
import { auditContext, auditEntryFor, refusalEntry } from "./approval-audit-entries.js";
import {
  ActionNameSchema,
  ActionParametersSchema,
  type ApprovalRequest,
  ApprovalRequestSchema,
  ApprovalRequirementSchema,
  ApprovalTargetSchema,
  ApprovedTermsSchema,
  MessageRefSchema,
  RequestScheduleSchema,
} from "./approval-request.js";
import type {
  ActResult,
  ApprovalService,
  ApprovalServiceOptions,
  NewApprovalRequest,
} from "./approval-service.js";
import {
  type ApplyResult,
  type ApprovalEffect,
  type ApprovalEvent,
  applyEvent,
  type ClickAuthz,
} from "./approval-state.js";
import { isStatusIn, OPEN_STATUSES, type OpenStatus, TERMINAL_STATUSES } from "./approval-statuses.js";
import { createIntentClaims } from "./claim-pending-intent.js";
import { bindingInputOf, computeBindingHash } from "./compute-binding-hash.js";

/** How many times a click is applied again because approvals came in while the ones before were judged. */
const JUDGE_ATTEMPTS = 10;

const BUSY: ActResult = {
  ok: false,
  code: "conflict",
  message: ["The request is busy; please try again."],
  effects: [],
};

/**
 * A transition's result for a caller that judges nothing again (`act` without `judge`): the state machine asks
 * for judgements only when given `approversNow`, so this never happens; it is not approved if it does.
 */
function settled(result: ActResult | AskedToJudge): ActResult {
  return "unjudged" in result ? BUSY : result;
}

/** The state machine's request to judge these approvers again before the click is applied. */
interface AskedToJudge {
  ok: false;
  code: JudgeAgain;
  unjudged: readonly string[];
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
  const generateId = options.generateId ?? (() => `apr_${randomText(16, "base64url")}`);
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
    return settled(await apply(id, event, authz, auditRefusal));
  }

  /** {@link transition}, or the approvers the state machine asks to be judged again (`authz.approversNow`). */
  async function apply(
    id: string,
    event: ApprovalEvent,
    authz: ClickAuthz,
    auditRefusal: boolean,
  ): Promise<ActResult | AskedToJudge> {
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
        if (!applied.ok && auditRefusal && applied.code !== "approvals_unjudged")
          prepared.push(audit.prepare(refusalEntry(persist.request, event, applied.code)));
        return writeUpdate(persist.request, {
          append: prepared.map((p) => p.append),
          ...indexMoves(id, before.status, persist.request.status),
          ...retentionOf(persist.request),
        });
      },
      { retries },
    );

    if (!result.ok && result.reason === "conflict") return BUSY;
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
    // Not a refusal: the caller judges the approvers named and applies the click again.
    if (applied.code === "approvals_unjudged")
      return { ok: false, code: applied.code, unjudged: applied.unjudged ?? [] };
    if (applied.transition) {
      return { ok: false, code: applied.code, message: applied.message, ...applied.transition };
    }
    if (auditRefusal) await audit.record(refusalEntry(before, event, applied.code));
    return { ok: false, code: applied.code, message: applied.message, request: before, effects: [] };
  }

  /** A new request validated, with its ID, times and binding hash: what `create` stores. */
  function build(input: NewApprovalRequest): ApprovalRequest {
    const now = clock.now();
    const requirement = ApprovalRequirementSchema.parse(input.requirement);
    const targets = input.targets.map((t) => ApprovalTargetSchema.parse(t));
    const action = ActionNameSchema.parse(input.action);
    const parameters = ActionParametersSchema.parse(input.parameters);
    return ApprovalRequestSchema.parse({
      id: input.id ?? generateId(),
      status: "pending",
      createdAt: now,
      expiresAt: Math.min(
        now + requirement.expiresInMs,
        input.schedule !== undefined ? approvalDeadline(input.schedule) : Number.POSITIVE_INFINITY,
      ),
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
      ...(input.why !== undefined && { why: input.why }),
      ...(input.schedule !== undefined && { schedule: RequestScheduleSchema.parse(input.schedule) }),
      bindingHash: computeBindingHash(bindingInputOf({ action, targets, parameters })),
      version: 1,
    } satisfies ApprovalRequest);
  }

  /** Stores a built request and its `request.created` audit record, atomically. */
  async function record(request: ApprovalRequest, decisionRef?: string): Promise<ApprovalRequest> {
    const created = audit.prepare({
      ...auditContext(request),
      at: clock.now(),
      type: "request.created",
      actorId: request.requester.userId,
      message: request.commandText,
      detail: {
        channel: request.channel,
        expiresAt: request.expiresAt,
        requirement: request.requirement,
        // The parameters asked for (`--hard`'s `type: HARD`…), bound by the hash: the trail says what they were.
        parameters: request.parameters,
        ...(request.breakGlass !== undefined && { breakGlass: true, reason: request.breakGlass.reason }),
        ...(request.why !== undefined && { why: request.why }),
        ...(request.schedule !== undefined && { schedule: request.schedule }),
        ...(decisionRef !== undefined && { reference: decisionRef }),
      },
    });
    const wrote = await store.createIfAbsent(requestKey(request.id), request, {
      append: [created.append],
      ...indexMoves(request.id, undefined, "pending"),
    });
    if (!wrote) throw new Error(`approval id collision: ${request.id}`);
    created.publish();
    return request;
  }

  const intents = createIntentClaims({ store, clock, read });

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
    newId: generateId,

    async create(input) {
      return record(build(input), input.decisionRef);
    },

    prepare(input) {
      const request = build(input);
      return {
        request,
        create: async (message) =>
          record({ ...request, message: MessageRefSchema.parse(message) }, input.decisionRef),
        claimIntent: () => intents.claim(request),
        releaseIntent: () => intents.release(request),
      };
    },

    get: read,

    async act(id, event, authz, judge) {
      const click = { ...event, at: clock.now() } as ApprovalEvent;
      if (judge === undefined) return transition(id, click, authz, true);
      // The approvers judged again at this click, by user ID: asked for by the state machine only when the
      // click would complete the count (or a stage), and again for an approval that came in meanwhile.
      const approversNow: Record<string, ClickAuthz> = {};
      for (let attempt = 0; attempt < JUDGE_ATTEMPTS; attempt++) {
        const result = await apply(id, click, { ...authz, approversNow }, true);
        if (!("unjudged" in result)) return result;
        const judged = await judge(result.unjudged);
        for (const userId of result.unjudged)
          approversNow[userId] = judged[userId] ?? { isApprover: false, stages: [] };
      }
      return BUSY;
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
