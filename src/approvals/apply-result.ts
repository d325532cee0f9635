/**
 * What applying an event to an approval request yields: the effects, the refusal codes and the result, with
 * the constructors the state machine builds its results with and the wording of a request's status. Apart
 * from `approval-state.ts`, which judges the events, because this is what the judgement answers with.
 */
import { formatCommandLine } from "../intents/format-command-line.js";
import type { Target } from "../intents/intent-schema.js";
import { instant, listMentions, mention, type Notice, say } from "./approval-notice.js";
import type { ApprovalRequest } from "./approval-request.js";
import type { ExecutionOutcome } from "./approval-statuses.js";

/** What happened, for the audit log and for the caller (update the card, start the executor). */
export type ApprovalEffect =
  | {
      type: "approval_recorded";
      userId: string;
      at: number;
      count: number;
      required: number;
      /** Staged requests: the stage it counted for, and whether that completed the stage. */
      stage?: string;
      stageComplete?: boolean;
      /**
       * Approvals given before that this one would have completed the count (or a stage) with, judged again at
       * it and no longer qualifying: they stopped counting (`count` leaves them out), the request still waits.
       */
      lapsed?: LapsedApproval[];
    }
  | { type: "approved"; userId: string; at: number; approvers: string[] }
  | { type: "rejected"; userId: string; reason?: string; at: number }
  /** `supersededBy`: the ID of the break-glass request of the same change that closed it. */
  | { type: "cancelled"; userId: string; at: number; supersededBy?: string }
  | { type: "expired"; at: number }
  | { type: "execution_started"; executionId: string; at: number }
  | { type: "revoked"; reasons: string[]; at: number; lapsed?: true }
  | {
      type: "execution_finished";
      executionId: string;
      outcome: ExecutionOutcome;
      error?: string;
      at: number;
    };

/** An approval that stopped counting (see `ApprovalRequest.lapsedApprovals`). */
export type LapsedApproval = NonNullable<ApprovalRequest["lapsedApprovals"]>[number];

/** Why the state machine refused an event (the `code` of a refused {@link ApplyResult}). */
export type RefusalCode =
  /** The request is no longer pending (approved, rejected, expired, cancelled, executing…). */
  | "not_pending"
  /** The clicking user is not among the approvers. */
  | "not_an_approver"
  /** Staged: the user approves a later stage than the one the request waits on. */
  | "stage_not_reached"
  /** The requester tried to approve their own request and the rule forbids it. */
  | "self_approval"
  /** A rejection without a reason where the rule requires one. */
  | "reason_required"
  /** Someone other than the requester tried to cancel. */
  | "only_requester_can_cancel"
  /** The click came at or after `expiresAt`: the request is expired by it (see `transition`). */
  | "expired"
  /** `expire` before `expiresAt`. */
  | "not_due"
  /** `start_execution` on a request that is not approved (e.g. another execution already claimed it). */
  | "not_approved"
  /** The request's targets/parameters no longer hash to its `bindingHash`: never execute it. */
  | "binding_mismatch"
  /** `finish` on a request that is not executing. */
  | "not_executing"
  /** `finish` from an execution other than the one that claimed the request. */
  | "execution_mismatch";

/**
 * Not a refusal of the click: the approval would complete the count (or a stage), and approvals counted before
 * have not been judged again now (`unjudged`). The service judges them and applies the click again; never
 * answered to a click, never audited.
 */
export type JudgeAgain = "approvals_unjudged";

/** The answer of `applyEvent`: the request as it now is, or a refusal (never thrown). */
export type ApplyResult =
  | {
      ok: true;
      request: ApprovalRequest;
      /** False for an idempotent repeat (same person approving twice, redelivered event). */
      changed: boolean;
      effects: ApprovalEffect[];
      /** For the clicking user. */
      message: Notice;
    }
  | {
      ok: false;
      code: RefusalCode | JudgeAgain;
      message: Notice;
      /**
       * A change that happened even though the event was refused, to be persisted like a normal transition:
       * a click at or after `expiresAt` expires the request.
       */
      transition?: { request: ApprovalRequest; effects: ApprovalEffect[] };
      /** `approvals_unjudged`: the approvers whose approvals are to be judged again. */
      unjudged?: readonly string[];
    };

/** An instant in a notice: the reader's local time where it is shown, ISO 8601 (UTC) in logs and audit text. */
export const iso = (at: number) => instant(at);

/**
 * When a request expired, as every reader is told it (the card, the late click's answer): its deadline, not
 * when a click or the expiry sweep noticed it (`expiredAt`, kept for the audit), which can be minutes later.
 */
export function whenExpired(request: Pick<ApprovalRequest, "expiresAt">): number {
  return request.expiresAt;
}

/**
 * Why a non-pending request cannot be acted on, saying what happened and by whom: the end of "This request
 * was …" and of "You already approved this request; it is …". A request already running says that it cannot
 * be stopped from chat and what to do instead.
 */
export function describeStatus(request: ApprovalRequest): Notice {
  const approvedBy =
    request.approvals.length > 0
      ? say`approved by ${listMentions(request.approvals.map((a) => a.userId))}`
      : request.breakGlass !== undefined
        ? say`run without approval (break-glass)`
        : say`approved`;
  switch (request.status) {
    case "pending":
      return say`pending (${request.approvals.length} of ${request.requirement.minApprovals} approvals)`;
    case "approved":
      return say`already ${approvedBy}`;
    case "rejected": {
      const r = request.rejection;
      if (!r) return say`already rejected`;
      // The reason is text typed by a person: it stays a text part, whatever it looks like.
      return r.reason
        ? say`already rejected by ${mention(r.userId)}: ${r.reason}`
        : say`already rejected by ${mention(r.userId)}`;
    }
    case "expired":
      return say`not approved in time: it expired at ${iso(whenExpired(request))}`;
    case "cancelled":
      if (request.cancellation?.supersededBy !== undefined)
        return say`superseded: ${mention(request.cancellation.userId)} ran the same change with break-glass, so nothing will run from it`;
      return request.cancellation
        ? say`cancelled by ${mention(request.cancellation.userId)}`
        : say`cancelled`;
    case "revoked":
      return say`${approvedBy}, then not run: the policy is stricter now`;
    case "executing": {
      const undo = undoCommand(request);
      return say`${approvedBy} and is executing now; it cannot be stopped from chat. Follow it in this card's thread${undo === undefined ? "" : `; to undo it once it has finished: ${undo}`}`;
    }
    case "succeeded":
      return say`${approvedBy} and has run: it succeeded`;
    case "failed":
      return say`${approvedBy} and has run: it failed (see this card's thread)`;
    case "outcome_unknown":
      return say`${approvedBy} and has run, outcome unknown: check the servers before asking again`;
  }
}

/** The commands that undo a change outright, by the change's action: power and lock, each the other's. */
const UNDO_VERBS: Readonly<Partial<Record<string, "start" | "stop" | "lock" | "unlock">>> = {
  "ecs:cloudServers:stop": "start",
  "ecs:cloudServers:start": "stop",
  "ecs:servers:lock": "unlock",
  "ecs:servers:unlock": "lock",
};

/** Beyond this many servers, the undo hint names the command, not each server. */
const MAX_UNDO_TARGETS = 5;

/**
 * The command that undoes a request's change (`/ecs start web-03` for a stop), where one obviously does;
 * undefined otherwise (a reboot, a resize, a delete…). Its servers by name, by ID where a name is not unique
 * among them.
 */
function undoCommand(request: ApprovalRequest): string | undefined {
  const verb = UNDO_VERBS[request.action];
  if (verb === undefined || request.targets.length === 0) return undefined;
  if (request.targets.length > MAX_UNDO_TARGETS) return `/ecs ${verb} on the same servers`;
  const names = request.targets.map((t) => t.name);
  const targets = request.targets.map(
    (t): Target =>
      t.name !== "" && names.indexOf(t.name) === names.lastIndexOf(t.name)
        ? { kind: "name", name: t.name }
        : { kind: "id", id: t.id },
  );
  return formatCommandLine(
    verb === "stop" ? { type: "ecs.stop", targets, hard: false } : { type: `ecs.${verb}`, targets },
  );
}

/** A refusal without a side change. */
export function refuse(code: RefusalCode, message: Notice): ApplyResult {
  return { ok: false, code, message };
}

/** A change: `next` over `request`, one version later, with its effects and the clicking user's notice. */
export function change(
  request: ApprovalRequest,
  next: Partial<ApprovalRequest>,
  effects: ApprovalEffect[],
  message: Notice,
): ApplyResult {
  return {
    ok: true,
    request: { ...request, ...next, version: request.version + 1 },
    changed: true,
    effects,
    message,
  };
}

/** An idempotent repeat: nothing changes, nothing is written. */
export function unchanged(request: ApprovalRequest, message: Notice): ApplyResult {
  return { ok: true, request, changed: false, effects: [], message };
}

/** Expires a pending request whose time is up (the click that noticed it is refused with `expired`). */
export function expiredByClick(request: ApprovalRequest, at: number): ApplyResult {
  const expired = { ...request, status: "expired" as const, expiredAt: at, version: request.version + 1 };
  return {
    ok: false,
    code: "expired",
    message: say`This request expired at ${iso(whenExpired(request))}; nothing was done.`,
    transition: { request: expired, effects: [{ type: "expired", at }] },
  };
}
