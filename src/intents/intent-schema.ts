import { z } from "zod";
import {
  EcsActionsIntentSchema,
  EcsAttachIntentSchema,
  EcsChangeOsIntentSchema,
  EcsConsoleLogIntentSchema,
  EcsDeleteIntentSchema,
  EcsDetachIntentSchema,
  EcsFlavorsIntentSchema,
  EcsGroupIntentSchema,
  EcsGroupsIntentSchema,
  EcsJobIntentSchema,
  EcsListIntentSchema,
  EcsLockIntentSchema,
  EcsMigrateIntentSchema,
  EcsNicsIntentSchema,
  EcsQuotasIntentSchema,
  EcsRebootIntentSchema,
  EcsReinstallIntentSchema,
  EcsResizeIntentSchema,
  EcsSgIntentSchema,
  EcsShowIntentSchema,
  EcsStartIntentSchema,
  EcsStopIntentSchema,
  EcsTagAddIntentSchema,
  EcsTagRemoveIntentSchema,
  EcsTagsIntentSchema,
  EcsUnlockIntentSchema,
  ServerRefSchema,
} from "./ecs-intent-schemas.js";
import {
  CommandSchema,
  HssAgentStatusSchema,
  HssOsTypeSchema,
  HssPortProtocolSchema,
  HssProtectStatusSchema,
  HssScanStatusSchema,
  HssVersionSchema,
  JOB_ID_RE,
  MAX_AUDIT_ENTRIES,
  MAX_INPUT_CHARS,
  SLACK_USER_ID_RE,
  TAG_TEXT_RE,
} from "./intent-constants.js";

/**
 * Zod schemas and types for parsed slash-command intents.
 *
 * The parser (`parse-intent.ts`) validates every intent it builds against {@link IntentSchema} before
 * returning it, so consumers may rely on these invariants without re-checking. The shared limits and
 * character rules (`intent-constants.ts`) and the target and `/ecs` schemas (`ecs-intent-schemas.ts`)
 * live in their own modules and are re-exported here, so importers need only this one.
 */

export * from "./ecs-intent-schemas.js";
export * from "./intent-constants.js";

export const HelpTopicSchema = z.strictObject({
  command: CommandSchema,
  /** A verb of `command` (`stop`, `policy`, …); absent for the command overview. */
  verb: z.string().min(1).max(32).optional(),
  /** The whole reference of `command` (`/ecs help all`), not its first screen; only without `verb`. */
  all: z.literal(true).optional(),
});
export type HelpTopic = z.infer<typeof HelpTopicSchema>;

export const HelpIntentSchema = z.strictObject({ type: z.literal("help"), topic: HelpTopicSchema });

export const HssHostsIntentSchema = z.strictObject({
  type: z.literal("hss.hosts"),
  filters: z.strictObject({
    agent: HssAgentStatusSchema.optional(),
    protect: HssProtectStatusSchema.optional(),
    /** Only hosts with risks (`has_risk`). */
    risk: z.boolean(),
    os: HssOsTypeSchema.optional(),
    version: HssVersionSchema.optional(),
    /** Server group name (1–64 characters, hss-list-hosts `group_name`) or ID (a UUID). */
    group: z
      .string()
      .min(1)
      .max(64, "A server group name is 1 to 64 characters.")
      .regex(TAG_TEXT_RE)
      .optional(),
  }),
});
export const HssPortsIntentSchema = z.strictObject({
  type: z.literal("hss.ports"),
  server: ServerRefSchema,
  /** Only ports HSS flags as dangerous. */
  danger: z.boolean(),
  protocol: HssPortProtocolSchema.optional(),
});
export const HssScanIntentSchema = z.strictObject({
  type: z.literal("hss.scan"),
  /** Absent: the recent scan tasks. */
  taskId: z.string().regex(JOB_ID_RE).optional(),
  status: HssScanStatusSchema.optional(),
});

export const OpsJobsIntentSchema = z.strictObject({ type: z.literal("ops.jobs") });
export const OpsApprovalsIntentSchema = z.strictObject({ type: z.literal("ops.approvals") });
export const OpsCalendarIntentSchema = z.strictObject({ type: z.literal("ops.calendar") });
export const AuditSubjectSchema = z.discriminatedUnion("kind", [
  z.strictObject({ kind: z.literal("server"), server: ServerRefSchema }),
  z.strictObject({ kind: z.literal("user"), userId: z.string().regex(SLACK_USER_ID_RE) }),
  /** One request's entries, by its ID (`apr_…`, as cards, the audit and `/ops approvals` show it). */
  z.strictObject({ kind: z.literal("request"), requestId: z.string().regex(/^apr_[A-Za-z0-9_-]{22,64}$/) }),
]);
export type AuditSubject = z.infer<typeof AuditSubjectSchema>;
export const OpsAuditIntentSchema = z.strictObject({
  type: z.literal("ops.audit"),
  subject: AuditSubjectSchema.optional(),
  limit: z.number().int().min(1).max(MAX_AUDIT_ENTRIES).optional(),
  /** `--before <seq>`: only entries older than this one (paging back through the log). */
  beforeSeq: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER).optional(),
});
/** `/ops audit verify`: walk the audit hash chain. */
export const OpsAuditVerifyIntentSchema = z.strictObject({ type: z.literal("ops.audit.verify") });
/** `/ops audit break-glass`: every break-glass use with its review state. */
export const OpsAuditBreakGlassIntentSchema = z.strictObject({ type: z.literal("ops.audit.break-glass") });
export const OpsWatchListIntentSchema = z.strictObject({ type: z.literal("ops.watch.list") });
/** A recurring schedule's ID as shown by `/ops schedule list`: `sch_` and lower-case letters and digits. */
export const SCHEDULE_ID_RE = /^sch_[a-z0-9]{6,32}$/;
/** `/ops schedule list`. */
export const OpsScheduleListIntentSchema = z.strictObject({ type: z.literal("ops.schedule.list") });
/** `/ops schedule pause|resume|delete <id>`. */
export const OpsScheduleManageIntentSchema = z.strictObject({
  type: z.enum(["ops.schedule.pause", "ops.schedule.resume", "ops.schedule.delete"]),
  scheduleId: z.string().regex(SCHEDULE_ID_RE),
});

const NON_EXPLAIN_INTENT_SCHEMAS = [
  HelpIntentSchema,
  EcsListIntentSchema,
  EcsShowIntentSchema,
  EcsFlavorsIntentSchema,
  EcsJobIntentSchema,
  EcsStartIntentSchema,
  EcsStopIntentSchema,
  EcsRebootIntentSchema,
  EcsResizeIntentSchema,
  EcsDeleteIntentSchema,
  EcsTagsIntentSchema,
  EcsTagAddIntentSchema,
  EcsTagRemoveIntentSchema,
  EcsConsoleLogIntentSchema,
  EcsLockIntentSchema,
  EcsUnlockIntentSchema,
  EcsReinstallIntentSchema,
  EcsChangeOsIntentSchema,
  EcsAttachIntentSchema,
  EcsDetachIntentSchema,
  EcsMigrateIntentSchema,
  EcsQuotasIntentSchema,
  EcsNicsIntentSchema,
  EcsSgIntentSchema,
  EcsGroupsIntentSchema,
  EcsGroupIntentSchema,
  EcsActionsIntentSchema,
  HssHostsIntentSchema,
  HssPortsIntentSchema,
  HssScanIntentSchema,
  OpsJobsIntentSchema,
  OpsApprovalsIntentSchema,
  OpsAuditIntentSchema,
  OpsAuditVerifyIntentSchema,
  OpsAuditBreakGlassIntentSchema,
  OpsWatchListIntentSchema,
  OpsCalendarIntentSchema,
  OpsScheduleListIntentSchema,
  OpsScheduleManageIntentSchema,
] as const;

/** Every intent except `ops.policy.explain` (which cannot nest). */
export const ExplainableIntentSchema = z.discriminatedUnion("type", [...NON_EXPLAIN_INTENT_SCHEMAS]);
export type ExplainableIntent = z.infer<typeof ExplainableIntentSchema>;

export const OpsPolicyExplainIntentSchema = z.strictObject({
  type: z.literal("ops.policy.explain"),
  /** The inner command line as typed, after Slack unescaping, e.g. `/ecs delete web-03`. */
  commandLine: z
    .string()
    .min(1)
    .max(MAX_INPUT_CHARS * 2),
  /** The inner command line parsed (one level only). */
  intent: ExplainableIntentSchema,
});

/**
 * `/ops schedule add "<cron>" [tz=<zone>] <command line>`: the cron expression and zone as typed (checked by
 * the schedules, which own cron), and the command it would run, parsed (one level, a command that changes
 * servers).
 */
export const OpsScheduleAddIntentSchema = z.strictObject({
  type: z.literal("ops.schedule.add"),
  cron: z.string().min(1).max(200),
  timeZone: z.string().min(1).max(100).optional(),
  /** The scheduled command line as typed, after Slack unescaping, e.g. `/ecs stop tag:env=dev`. */
  commandLine: z
    .string()
    .min(1)
    .max(MAX_INPUT_CHARS * 2),
  intent: ExplainableIntentSchema,
});

/** The parsed slash command. Discriminated on `type`. */
export const IntentSchema = z.discriminatedUnion("type", [
  ...NON_EXPLAIN_INTENT_SCHEMAS,
  OpsPolicyExplainIntentSchema,
  OpsScheduleAddIntentSchema,
]);
export type Intent = z.infer<typeof IntentSchema>;
export type IntentType = Intent["type"];
export type IntentOf<T extends IntentType> = Extract<Intent, { type: T }>;

/** Every `Intent["type"]`, for exhaustive tables. */
export const INTENT_TYPES = [
  "help",
  "ecs.list",
  "ecs.show",
  "ecs.flavors",
  "ecs.job",
  "ecs.start",
  "ecs.stop",
  "ecs.reboot",
  "ecs.resize",
  "ecs.delete",
  "ecs.tags",
  "ecs.tag.add",
  "ecs.tag.remove",
  "ecs.console-log",
  "ecs.lock",
  "ecs.unlock",
  "ecs.reinstall",
  "ecs.change-os",
  "ecs.attach",
  "ecs.detach",
  "ecs.migrate",
  "ecs.quotas",
  "ecs.nics",
  "ecs.sg",
  "ecs.groups",
  "ecs.group",
  "ecs.actions",
  "hss.hosts",
  "hss.ports",
  "hss.scan",
  "ops.policy.explain",
  "ops.jobs",
  "ops.approvals",
  "ops.audit",
  "ops.audit.verify",
  "ops.audit.break-glass",
  "ops.watch.list",
  "ops.calendar",
  "ops.schedule.add",
  "ops.schedule.list",
  "ops.schedule.pause",
  "ops.schedule.resume",
  "ops.schedule.delete",
] as const satisfies readonly IntentType[];

/**
 * A parse error. `message` is plain text meant for the requester; user-supplied fragments in it are
 * truncated and stripped of backticks and control characters, but the Slack renderer must still escape
 * `&`, `<` and `>` as for any text.
 */
export interface IntentError {
  /** Stable machine-readable code (see `INTENT_ERROR_CODES`). */
  code: IntentErrorCode;
  message: string;
  /** The usage line(s) of the command or verb concerned, newline-separated. */
  usage?: string;
  /** A corrected word ("did you mean"), never applied automatically. */
  suggestion?: string;
  /** The whole command as typed with `suggestion` put in, ready to copy (an unknown verb); never run. */
  correctedCommand?: string;
  /** One line said under the message (plain text, inline code in backticks): where to read more. */
  note?: string;
  /** For `unknown_flag` / `unknown_filter`: what is accepted here (may be empty). */
  validFlags?: string[];
}

export const INTENT_ERROR_CODES = [
  "unknown_command",
  "input_too_long",
  "invalid_character",
  "unterminated_quote",
  "unknown_verb",
  "missing_argument",
  "unexpected_argument",
  "unknown_flag",
  "invalid_flag",
  "unknown_filter",
  "duplicate_filter",
  "invalid_value",
  "invalid_target",
  "empty_tag_selector",
  "mention_not_allowed",
  "too_many_targets",
  "nested_explain",
  "password_not_allowed",
  "internal_error",
] as const;
export type IntentErrorCode = (typeof INTENT_ERROR_CODES)[number];

export type ParseResult = { ok: true; intent: Intent } | { ok: false; error: IntentError };
