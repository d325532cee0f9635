import { z } from "zod";
import { APPROVAL_STATUSES, EXECUTION_OUTCOMES } from "./approval-statuses.js";

/** Slack IDs and our own IDs: non-empty, no whitespace. */
const IdSchema = z.string().regex(/^\S+$/, "must be a non-empty ID without whitespace");
/** Epoch milliseconds (the injected clock's unit). */
const TimestampSchema = z.number().int().nonnegative();

/**
 * Who must approve, as produced by the policy engine for a `needs_approval` decision and stored with the
 * request, so later clicks are judged against the rule as it was when the request was made.
 */
export const ApprovalRequirementSchema = z.strictObject({
  approvers: z.strictObject({ users: z.array(IdSchema), groups: z.array(IdSchema) }),
  /** Distinct approvals needed (k of N). */
  minApprovals: z.number().int().min(1),
  /** Whether the requester's own approval counts. */
  allowSelfApproval: z.boolean(),
  /** How long the request stays actionable after creation. */
  expiresInMs: z.number().int().positive(),
  /** Whether a rejection must carry a reason. */
  reasonRequired: z.boolean(),
  /** How the approvers are told (see `ApprovalRequirement` in src/policy/types.ts). */
  notify: z.array(z.enum(["mention", "dm"])).optional(),
  /** Staged approvals, in order (see `ApprovalStage` in src/policy/types.ts). */
  stages: z
    .array(
      z.strictObject({
        name: z.string().min(1),
        approvers: z.strictObject({ users: z.array(IdSchema), groups: z.array(IdSchema) }),
        minApprovals: z.number().int().min(1),
        allowSelfApproval: z.boolean(),
        expiresInMs: z.number().int().positive(),
        reasonRequired: z.boolean(),
      }),
    )
    .min(1)
    .optional(),
});
export type ApprovalRequirement = z.infer<typeof ApprovalRequirementSchema>;

/**
 * One resolved target with the state it was in when the request was made (the expected pre-state): its
 * status and flavor, and the facts the policy decided on (its name and tags). `selectedBy`: the tag selectors
 * (`key=value`) of the command that selected it. Requests recorded before tags were bound lack both.
 */
export const ApprovalTargetSchema = z.strictObject({
  id: IdSchema,
  name: z.string(),
  status: z.string().min(1),
  flavor: z.string().min(1),
  tags: z.record(z.string(), z.string()).optional(),
  selectedBy: z.array(z.string()).optional(),
  /** Locked when the request was made (absent in requests recorded before the lock was bound). */
  locked: z.boolean().optional(),
});
export type ApprovalTarget = z.infer<typeof ApprovalTargetSchema>;

export const MessageRefSchema = z.strictObject({
  channel: IdSchema,
  ts: z.string().min(1),
  threadTs: z.string().min(1).optional(),
});
export type MessageRef = z.infer<typeof MessageRefSchema>;

/** What the policy decided when the request was made (see `ApprovedTerms` in src/policy/compare-decisions.ts). */
export const ApprovedTermsSchema = z.strictObject({
  effect: z.enum(["allow", "needs_approval"]),
  minApprovals: z.number().int().min(0),
  approvalRuleIds: z.array(z.string()),
  maxTargets: z.number().int().positive().optional(),
  stages: z.array(z.strictObject({ name: z.string(), minApprovals: z.number().int().min(1) })).optional(),
  breakGlass: z.boolean().optional(),
});

export type ApprovedTerms = z.infer<typeof ApprovedTermsSchema>;

/**
 * When a scheduled change (`--at`, `--window`) may start: not before `runAt`, never at or after `startBy` (the
 * window's close, or a short grace after an `--at` time). Approval must be complete before `runAt`.
 */
export const RequestScheduleSchema = z.strictObject({
  runAt: TimestampSchema,
  startBy: TimestampSchema,
  /** `--window <name>`: the maintenance window whose opening it runs in. */
  window: z.string().min(1).optional(),
  /**
   * `--window` asked while the window was open: `runAt` is that opening, and the change starts once approved,
   * approval complete before `startBy` (see `approvalDeadline`).
   */
  openWhenAsked: z.literal(true).optional(),
});
export type RequestSchedule = z.infer<typeof RequestScheduleSchema>;

/** IAM-style action name, e.g. `ecs:cloudServers:delete`. */
export const ActionNameSchema = z
  .string()
  .regex(/^[a-z][a-z0-9]*(:[A-Za-z][A-Za-z0-9]*){2}$/, "IAM-style action");

/** Action parameters: JSON only (they are hashed into the binding). */
export const ActionParametersSchema = z.record(z.string(), z.json());

/** Opaque and unguessable: `apr_` + 128 random bits, base64url. */
export const ApprovalIdSchema = z.string().regex(/^apr_[A-Za-z0-9_-]{22,}$/);

/**
 * A request for approval: what was asked, exactly what would run (targets + parameters, pinned by
 * `bindingHash`), who may approve, and everything that happened to it. Stored as one JSON document;
 * every change goes through `applyEvent` and a store CAS.
 */
export const ApprovalRequestSchema = z.strictObject({
  id: ApprovalIdSchema,
  status: z.enum(APPROVAL_STATUSES),
  createdAt: TimestampSchema,
  expiresAt: TimestampSchema,
  requester: z.strictObject({ userId: IdSchema, teamId: IdSchema }),
  /** Channel the command was typed in. */
  channel: IdSchema,
  action: ActionNameSchema,
  /** The command as typed, for display and audit. */
  commandText: z.string(),
  /** Exactly the servers that would be acted on, with their expected pre-state. */
  targets: z.array(ApprovalTargetSchema),
  /** Action parameters (flags, new flavor for a resize, …). Bound by the hash. */
  parameters: ActionParametersSchema,
  /** Policy rules that produced the decision. */
  ruleIds: z.array(z.string()),
  requirement: ApprovalRequirementSchema,
  /** The policy's decision when the request was made, to compare with the decision at execution. */
  terms: ApprovedTermsSchema.optional(),
  /** Distinct approvers, in click order; `stage`: the stage a staged approval counted for. */
  approvals: z.array(z.strictObject({ userId: IdSchema, at: TimestampSchema, stage: z.string().optional() })),
  /**
   * Approvals that stopped counting: the click that would have completed the approvals (or a stage) judged every
   * counted approval again, as a click of its approver would be judged then (their groups read at that click),
   * and these no longer qualified (`reason`: the state machine's refusal code). They count for nothing; the card
   * shows them. `at`/`stage`: as the approval was given; `lapsedAt`: when it was judged again.
   */
  lapsedApprovals: z
    .array(
      z.strictObject({
        userId: IdSchema,
        at: TimestampSchema,
        stage: z.string().optional(),
        lapsedAt: TimestampSchema,
        reason: z.enum(["not_an_approver", "self_approval"]),
      }),
    )
    .optional(),
  /** Run with `--break-glass`: approval skipped for this reason (the use is reviewed in the alert channel). */
  breakGlass: z.strictObject({ reason: z.string().min(1) }).optional(),
  /** `--reason`: why the change is asked for, as the requester put it. Not bound by the hash: it runs nothing. */
  why: z.string().min(1).max(2000).optional(),
  rejection: z
    .strictObject({ userId: IdSchema, reason: z.string().optional(), at: TimestampSchema })
    .optional(),
  /**
   * Who cancelled it, when, and (`supersededBy`) whether it was closed because its requester ran the same change
   * with break-glass: that request's ID and, when Slack gave one, a link to its message. Nothing ran from this
   * request, but the change did run (or runs) from the other: its card and its approvers say "superseded", not
   * "cancelled".
   */
  cancellation: z
    .strictObject({
      userId: IdSchema,
      at: TimestampSchema,
      supersededBy: z
        .strictObject({ requestId: ApprovalIdSchema, link: z.string().min(1).optional() })
        .optional(),
    })
    .optional(),
  expiredAt: TimestampSchema.optional(),
  /**
   * Why an approved request was not run: the policy decided again before execution and is now stricter, or
   * (`lapsed`) a scheduled change could not start before its window closed.
   */
  revocation: z
    .strictObject({
      at: TimestampSchema,
      reasons: z.array(z.string()).min(1),
      lapsed: z.literal(true).optional(),
    })
    .optional(),
  /** A scheduled change (`--at`, `--window`): it runs at its time, not when approved. */
  schedule: RequestScheduleSchema.optional(),
  execution: z
    .strictObject({
      executionId: IdSchema,
      startedAt: TimestampSchema,
      finishedAt: TimestampSchema.optional(),
      outcome: z.enum(EXECUTION_OUTCOMES).optional(),
      error: z.string().optional(),
    })
    .optional(),
  /** The approval card, once posted. */
  message: MessageRefSchema.optional(),
  /** SHA-256 (hex) of what was approved; see `computeBindingHash`. */
  bindingHash: z.string().regex(/^[0-9a-f]{64}$/),
  /** 1 at creation, +1 on every change. */
  version: z.number().int().positive(),
});
export type ApprovalRequest = z.infer<typeof ApprovalRequestSchema>;
