import { z } from "zod";

/** Every kind of audit record. Closed: a new kind is a schema change, reviewed like one. */
export const AUDIT_ENTRY_TYPES = [
  /** A command was turned into an approval request. */
  "request.created",
  /**
   * The policy decided allow / needs_approval / deny for a command. `requestId`: the request it is asked for
   * (its ID is taken before this entry is written, so `/ops audit apr_…` starts here); none for a denial or a
   * dry run, which never become requests, nor in entries written before (`detail.reference` ties those to
   * their `request.created`). An ID whose request was then refused or not recorded ends here (or at its
   * `request.refused`).
   */
  "policy.decided",
  /**
   * A command the policy did not deny was not turned into a request: its preflight or its wave plan refused
   * it, or its card could not be posted (`detail.why`, `detail.reference` as in its `policy.decided`).
   */
  "request.refused",
  /** One approver's approval was counted. */
  "approval.recorded",
  /** A click (approve/reject/cancel) was refused: not an approver, self approval, too late… */
  "click.refused",
  /** Enough distinct approvals: the request is approved. */
  "request.approved",
  "request.rejected",
  "request.cancelled",
  "request.expired",
  /** The policy, decided again just before execution, was stricter: the approved request did not run. */
  "request.revoked",
  /** The policy was decided again just before execution (whether or not it was stricter). */
  "policy.redecided",
  /** An executor claimed the approved request (exactly one per request). */
  "execution.started",
  /** One step of a flow (e.g. re-check pre-state, call the API). */
  "execution.step",
  /** The cloud accepted a call and returned a job ID. */
  "execution.job",
  "execution.finished",
  /** `--break-glass` skipped approval: who, what, why (`detail.reason`); the use awaits review. */
  "break_glass.used",
  /** A reviewer acknowledged a break-glass use. */
  "break_glass.acknowledged",
  /** Entries up to `detail.throughSeq` were removed from the store (after an export), by `npm run audit -- prune`. */
  "audit.pruned",
  /** A recurring schedule's creation was approved (or allowed): it runs from now on. */
  "schedule.activated",
  /** Paused, resumed or deleted by its owner or one of its approvers. */
  "schedule.paused",
  "schedule.resumed",
  "schedule.deleted",
  /** One slot of a schedule started a run (`requestId`: the run's request). */
  "schedule.run",
  /** One slot of a schedule did not run: skipped (the policy, too many servers…) or missed (the bot was down). */
  "schedule.skipped",
  /**
   * A server's console log was asked for (`/ecs console-log`, or a page of it): it may show secrets, so every
   * attempt is recorded, allowed or not. `decision` is the policy's; `detail.allowed` whether it was shown,
   * `detail.reasons` why not, `detail.servers` the servers' names.
   */
  "console_log.read",
  /**
   * The audit log was read: viewed in Slack (`/ops audit`, its pages, `verify`, `break-glass`) or exported from
   * the command line (`npm run audit -- export`), or refused by the policy. `action` is what was read (the policy
   * action, or `audit:export`); `detail.via` (`view` or `export`), `detail.allowed`, `detail.filters` as asked,
   * `detail.entries` how many were shown or exported, `detail.reasons` why it was refused. See `recordAuditRead`.
   */
  "audit.read",
] as const;
export type AuditEntryType = (typeof AUDIT_ENTRY_TYPES)[number];

/** The actor of what the bot does itself for an approved request: its runs' steps, calls and jobs. */
export const EXECUTOR_ACTOR = "system:executor";

/** Fields an entry of a given type must carry beyond the common ones. */
const REQUIRED_BY_TYPE: Partial<Record<AuditEntryType, readonly (keyof AuditEntry)[]>> = {
  "request.created": ["requestId", "action", "bindingHash"],
  "policy.decided": ["decision", "action"],
  "request.refused": ["action", "detail"],
  "approval.recorded": ["requestId", "bindingHash"],
  "click.refused": ["requestId"],
  "request.approved": ["requestId", "bindingHash"],
  "request.rejected": ["requestId"],
  "request.cancelled": ["requestId"],
  "request.expired": ["requestId"],
  "request.revoked": ["requestId", "bindingHash"],
  "policy.redecided": ["requestId", "decision", "action"],
  "execution.started": ["requestId", "executionId", "bindingHash"],
  "execution.step": ["executionId"],
  "execution.job": ["executionId", "jobId"],
  "execution.finished": ["executionId", "outcome"],
  "audit.pruned": ["detail"],
  "console_log.read": ["action", "decision", "detail"],
  "audit.read": ["action", "decision", "detail"],
};

/** One audit record. Times are epoch milliseconds. */
export const AuditEntrySchema = z
  .strictObject({
    /** Random UUID: lets a shipped copy be de-duplicated. */
    id: z.uuid(),
    type: z.enum(AUDIT_ENTRY_TYPES),
    at: z.number().int().nonnegative(),
    /** Who caused it: a Slack user ID, or `system:<component>` (e.g. `system:expiry`, `system:executor`). */
    actorId: z.string().min(1),
    teamId: z.string().min(1).optional(),
    requestId: z.string().min(1).optional(),
    /** The user who asked for the action (so a user's history includes requests others acted on). */
    requesterId: z.string().min(1).optional(),
    /** IAM-style action, e.g. `ecs:cloudServers:delete`. */
    action: z.string().min(1).optional(),
    serverIds: z.array(z.string().min(1)).default([]),
    /**
     * Each server's name when the entry was written, by ID (some or all of `serverIds`), so that an export
     * alone names a server deleted since. Entries written before it have none: read them by ID.
     */
    serverNames: z.record(z.string().min(1), z.string()).optional(),
    /** Policy rules behind the decision. */
    ruleIds: z.array(z.string().min(1)).default([]),
    /** The approval's binding hash: ties the record to exactly what was approved. */
    bindingHash: z
      .string()
      .regex(/^[0-9a-f]{64}$/)
      .optional(),
    decision: z.enum(["allow", "needs_approval", "deny"]).optional(),
    executionId: z.string().min(1).optional(),
    jobId: z.string().min(1).optional(),
    outcome: z.enum(["succeeded", "failed", "outcome_unknown"]).optional(),
    /** Human-readable summary. */
    message: z.string().optional(),
    /** Type-specific extras (refusal code, rejection reason, step name…). Never secrets. */
    detail: z.record(z.string(), z.json()).optional(),
  })
  .superRefine((entry, ctx) => {
    for (const field of REQUIRED_BY_TYPE[entry.type] ?? []) {
      if (entry[field] === undefined) {
        ctx.addIssue({ code: "custom", path: [field], message: `${entry.type} entries need ${field}` });
      }
    }
  });
export type AuditEntry = z.output<typeof AuditEntrySchema>;

/** What callers pass to `record`/`prepare`: `id` is generated; `at` defaults to the audit log's clock. */
export type AuditEntryInput = Omit<z.input<typeof AuditEntrySchema>, "id" | "at"> & { at?: number };

/** An entry as stored, with its position in the audit stream. */
export type AuditRecord = AuditEntry & { seq: number };

const ENTRY_TYPES: ReadonlySet<string> = new Set(AUDIT_ENTRY_TYPES);
/** The schema's fields in its order (its output's order), and what each takes; see {@link readAuditEntry}. */
const FIELD_CHECKS: Readonly<Record<keyof AuditEntry, (v: unknown) => boolean>> = {
  id: (v) =>
    typeof v === "string" && /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/.test(v),
  type: (v) => typeof v === "string" && ENTRY_TYPES.has(v),
  at: (v) => Number.isSafeInteger(v) && (v as number) >= 0,
  actorId: isText,
  teamId: optionalText,
  requestId: optionalText,
  requesterId: optionalText,
  action: optionalText,
  serverIds: (v) => v === undefined || everyItem(v, isText),
  serverNames: (v) =>
    v === undefined ||
    (isPlainRecord(v) && Object.entries(v).every(([id, name]) => id !== "" && typeof name === "string")),
  ruleIds: (v) => v === undefined || everyItem(v, isText),
  bindingHash: (v) => v === undefined || (typeof v === "string" && /^[0-9a-f]{64}$/.test(v)),
  decision: (v) => v === undefined || v === "allow" || v === "needs_approval" || v === "deny",
  executionId: optionalText,
  jobId: optionalText,
  outcome: (v) => v === undefined || v === "succeeded" || v === "failed" || v === "outcome_unknown",
  message: (v) => v === undefined || typeof v === "string",
  detail: (v) => v === undefined || (isPlainRecord(v) && Object.values(v).every((item) => isJson(item))),
};
const FIELDS = Object.keys(FIELD_CHECKS) as (keyof AuditEntry)[];
const LISTS_WITH_DEFAULT: ReadonlySet<string> = new Set(["serverIds", "ruleIds"]);

/** Whether `v` is an array whose every index (holes included, as the schema reads them) passes `test`. */
function everyItem(v: unknown, test: (item: unknown) => boolean): boolean {
  if (!Array.isArray(v)) return false;
  for (let i = 0; i < v.length; i++) if (!test(v[i])) return false;
  return true;
}
function isText(v: unknown): boolean {
  return typeof v === "string" && v !== "";
}
function optionalText(v: unknown): boolean {
  return v === undefined || isText(v);
}
function isPlainRecord(v: unknown): v is Record<string, unknown> {
  if (typeof v !== "object" || v === null || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  // An own `__proto__` key (from parsed JSON) would set the copy's prototype instead: the schema decides.
  return (proto === Object.prototype || proto === null) && !Object.hasOwn(v, "__proto__");
}
/** JSON as `z.json()` takes it, only as deep as a detail plausibly goes (deeper: the schema decides). */
function isJson(v: unknown, depth = 0): boolean {
  if (depth > 8) return false;
  if (v === null || typeof v === "string" || typeof v === "boolean") return true;
  if (typeof v === "number") return Number.isFinite(v);
  if (Array.isArray(v)) return everyItem(v, (item) => isJson(item, depth + 1));
  return isPlainRecord(v) && Object.values(v).every((item) => isJson(item, depth + 1));
}
/** A copy of JSON data, as the schema's parse returns one. */
function copyJson(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(copyJson);
  if (typeof v !== "object" || v === null) return v;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(v)) out[key] = copyJson((v as Record<string, unknown>)[key]);
  return out;
}

/**
 * `AuditEntrySchema.parse(candidate)` for the entries the bot writes every command, without zod's per-field
 * machinery (in the bot, where every schema shares zod's code, it cost a tenth of a stop's handling): the
 * same entry, or `undefined` where it is not sure, and then the schema decides (and names what is wrong).
 * Returns an entry only for a candidate the schema accepts.
 */
export function readAuditEntry(candidate: Record<string, unknown>): AuditEntry | undefined {
  for (const key of Object.keys(candidate)) if (!Object.hasOwn(FIELD_CHECKS, key)) return undefined;
  const entry: Record<string, unknown> = {};
  for (const field of FIELDS) {
    const present = Object.hasOwn(candidate, field);
    const value = candidate[field];
    if (present && !FIELD_CHECKS[field](value)) return undefined;
    // The schema's `.default([])` for the two lists, absent or undefined alike.
    if (value === undefined && LISTS_WITH_DEFAULT.has(field)) entry[field] = [];
    else if (present) entry[field] = copyJson(value);
  }
  for (const field of REQUIRED_BY_TYPE[entry.type as AuditEntryType] ?? []) {
    if (entry[field] === undefined) return undefined;
  }
  return entry as AuditEntry;
}
