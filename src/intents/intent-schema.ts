import { z } from "zod";

/**
 * Zod schemas and types for parsed slash-command intents.
 *
 * The parser (`parse-intent.ts`) validates every intent it builds against {@link IntentSchema} before
 * returning it, so consumers may rely on these invariants without re-checking.
 */

/** Hard cap on distinct targets in one command; beyond it the parser returns `too_many_targets`. */
export const MAX_TARGETS = 1000;
/** Slack caps slash-command text at 4000 characters; longer input is rejected with `input_too_long`. */
export const MAX_INPUT_CHARS = 4000;
/** Longest server name / filter value accepted by the parser (Huawei allows 128 for names; we are lenient). */
export const MAX_NAME_LENGTH = 255;
/** Tag key and value limits (Huawei: key ≤ 128, value ≤ 255). */
export const MAX_TAG_KEY_LENGTH = 128;
export const MAX_TAG_VALUE_LENGTH = 255;
/** Upper bound for `/ops audit … n`. */
export const MAX_AUDIT_ENTRIES = 100;

/** Server statuses accepted by the ECS `ListServersDetails` `status` filter. */
export const ECS_STATUSES = [
  "ACTIVE",
  "BUILD",
  "DELETED",
  "ERROR",
  "HARD_REBOOT",
  "MIGRATING",
  "REBOOT",
  "RESIZE",
  "REVERT_RESIZE",
  "SHELVED",
  "SHELVED_OFFLOADED",
  "SHUTOFF",
  "UNKNOWN",
  "VERIFY_RESIZE",
] as const;
export const EcsStatusSchema = z.enum(ECS_STATUSES);
export type EcsStatus = z.infer<typeof EcsStatusSchema>;

/** HSS `ListHostStatus` `agent_status` values. */
export const HSS_AGENT_STATUSES = [
  "online",
  "offline",
  "not_online",
  "not_installed",
  "installing",
  "install_failed",
] as const;
export const HssAgentStatusSchema = z.enum(HSS_AGENT_STATUSES);

/** HSS `ListHostStatus` `protect_status` values. */
export const HSS_PROTECT_STATUSES = ["opened", "closed", "protection_exception"] as const;
export const HssProtectStatusSchema = z.enum(HSS_PROTECT_STATUSES);

/** HSS `os_type` values (Huawei's capitalisation). */
export const HSS_OS_TYPES = ["Linux", "Windows"] as const;
export const HssOsTypeSchema = z.enum(HSS_OS_TYPES);

/** HSS protection editions (`version` filter). The parser also accepts the suffix alone, e.g. `enterprise`. */
export const HSS_VERSIONS = [
  "hss.version.null",
  "hss.version.basic",
  "hss.version.advanced",
  "hss.version.enterprise",
  "hss.version.premium",
  "hss.version.wtp",
  "hss.version.container.enterprise",
] as const;
export const HssVersionSchema = z.enum(HSS_VERSIONS);

/** HSS vulnerability-scan host statuses (`ListVulScanTaskHost` `scan_status`). */
export const HSS_SCAN_STATUSES = ["scanning", "success", "failed"] as const;
export const HssScanStatusSchema = z.enum(HSS_SCAN_STATUSES);

export const HSS_PORT_PROTOCOLS = ["tcp", "udp"] as const;
export const HssPortProtocolSchema = z.enum(HSS_PORT_PROTOCOLS);

export const COMMANDS = ["ecs", "hss", "ops"] as const;
export const CommandSchema = z.enum(COMMANDS);
export type Command = z.infer<typeof CommandSchema>;

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/**
 * Server names: letters, marks, digits (any script), `_`, `-`, `.`, and inner spaces. No quotes,
 * `:`, `=`, `&`, `<`, `>` or backticks, so a name can always be written back unambiguously.
 */
export const NAME_RE = /^(?! )[\p{L}\p{M}\p{N}_.\- ]+(?<! )$/u;
/** Tag keys/values: like names plus `:`, `=`, `+`, `@`, `/`. */
export const TAG_TEXT_RE = /^(?! )[\p{L}\p{M}\p{N}_.\-:=+@/ ]+(?<! )$/u;
/** ECS flavor IDs (`s6.large.2`), HSS/ECS job and task IDs, availability zones: conservative ASCII. */
export const FLAVOR_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
export const JOB_ID_RE = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;
export const AZ_RE = /^[a-z0-9][a-z0-9-]{0,63}$/;
/** Key pair names (letters, digits, `-`, `_`; the ECS key pair name rule). */
export const KEY_PAIR_RE = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;
/** Device names of an attach (`/dev/vdb`), as the ECS API accepts them. */
export const DEVICE_RE = /^\/dev\/(vd|sd|xvd)[a-z]{1,2}$/;
/** Tag keys the ECS tag API creates (5.9.3: at most 36 of A-Z a-z 0-9 - _ and CJK ideographs). */
export const NEW_TAG_KEY_RE = /^[A-Za-z0-9_\-\u4E00-\u9FFF]{1,36}$/u;
/** Tag values the ECS tag API creates (5.9.3: at most 43 of A-Z a-z 0-9 - _ . and CJK ideographs). */
export const NEW_TAG_VALUE_RE = /^[A-Za-z0-9_.\-\u4E00-\u9FFF]{1,43}$/u;
/**
 * Option and key names that carry a password (`--password`, `adminpass=`, `--root-pwd`…), in any case. A
 * command naming one is refused, so no intent has a tag key named like this either.
 */
export const PASSWORD_NAME_RE = /^(?:(?:admin|root)[-_]?)?(?:pass(?:word)?|passwd|pwd)$/i;
/** An ECS has at most 10 tags (5.9.3), so one command changes at most 10. */
export const MAX_TAG_CHANGES = 10;
/** `/ecs console-log` shows the last 50 lines unless told otherwise, and at most 200. */
export const DEFAULT_CONSOLE_LINES = 50;
export const MAX_CONSOLE_LINES = 200;
/** Slack user IDs (`U…`, or `W…` on Enterprise Grid). */
// Underscores are accepted for the readable IDs of the fake Slack (U_ALICE), as the renderer does.
export const SLACK_USER_ID_RE = /^[UW][A-Z0-9_]{2,30}$/;

const ServerNameSchema = z.string().min(1).max(MAX_NAME_LENGTH).regex(NAME_RE);
const TagKeySchema = z.string().min(1).max(MAX_TAG_KEY_LENGTH).regex(TAG_TEXT_RE);
const TagValueSchema = z.string().min(1).max(MAX_TAG_VALUE_LENGTH).regex(TAG_TEXT_RE);

export const IdTargetSchema = z.strictObject({ kind: z.literal("id"), id: z.string().regex(UUID_RE) });
export const NameTargetSchema = z.strictObject({ kind: z.literal("name"), name: ServerNameSchema });
export const IpTargetSchema = z.strictObject({
  kind: z.literal("ip"),
  ip: z.string().min(2).max(45),
  version: z.union([z.literal(4), z.literal(6)]),
});
export const TagTargetSchema = z.strictObject({
  kind: z.literal("tag"),
  key: TagKeySchema,
  value: TagValueSchema,
});

/** One server reference: exactly one server (by ID, name or IP). Resolution to an ID happens elsewhere. */
export const ServerRefSchema = z.discriminatedUnion("kind", [
  IdTargetSchema,
  NameTargetSchema,
  IpTargetSchema,
]);
export type ServerRef = z.infer<typeof ServerRefSchema>;

/** A target of a bulk action: a server reference or a `tag:key=value` selector (may match many). */
export const TargetSchema = z.discriminatedUnion("kind", [
  IdTargetSchema,
  NameTargetSchema,
  IpTargetSchema,
  TagTargetSchema,
]);
export type Target = z.infer<typeof TargetSchema>;
export type TagTarget = z.infer<typeof TagTargetSchema>;

const TargetsSchema = z.array(TargetSchema).min(1).max(MAX_TARGETS);
const UuidSchema = z.string().regex(UUID_RE);
const KeyPairSchema = z.string().regex(KEY_PAIR_RE);
const TagPairSchema = z.strictObject({ key: TagKeySchema, value: TagValueSchema });
export type TagPair = z.infer<typeof TagPairSchema>;

export const HelpTopicSchema = z.strictObject({
  command: CommandSchema,
  /** A verb of `command` (`stop`, `policy`, …); absent for the command overview. */
  verb: z.string().min(1).max(32).optional(),
});
export type HelpTopic = z.infer<typeof HelpTopicSchema>;

export const HelpIntentSchema = z.strictObject({ type: z.literal("help"), topic: HelpTopicSchema });

export const EcsListIntentSchema = z.strictObject({
  type: z.literal("ecs.list"),
  filters: z.strictObject({
    /** Fuzzy name match (the ECS API matches substrings). */
    name: z.string().min(1).max(MAX_NAME_LENGTH).regex(NAME_RE).optional(),
    status: EcsStatusSchema.optional(),
    flavor: z.string().regex(FLAVOR_RE).optional(),
    /** Full or partial IP (the ECS API matches prefixes). */
    ip: z
      .string()
      .regex(/^[0-9a-fA-F:.]{1,45}$/)
      .optional(),
    /** All must match (AND). */
    tags: z.array(TagPairSchema).max(MAX_TARGETS),
  }),
});
export const EcsShowIntentSchema = z.strictObject({ type: z.literal("ecs.show"), server: ServerRefSchema });
export const EcsFlavorsIntentSchema = z.strictObject({
  type: z.literal("ecs.flavors"),
  az: z.string().regex(AZ_RE).optional(),
  minVcpus: z.number().int().min(1).max(1024).optional(),
  minRamMiB: z
    .number()
    .int()
    .min(1)
    .max(64 * 1024 * 1024)
    .optional(),
});
export const EcsJobIntentSchema = z.strictObject({
  type: z.literal("ecs.job"),
  jobId: z.string().regex(JOB_ID_RE),
});
export const EcsStartIntentSchema = z.strictObject({ type: z.literal("ecs.start"), targets: TargetsSchema });
export const EcsStopIntentSchema = z.strictObject({
  type: z.literal("ecs.stop"),
  targets: TargetsSchema,
  /** Force power-off (`--hard`, Huawei `type: HARD`). */
  hard: z.boolean(),
});
export const EcsRebootIntentSchema = z.strictObject({
  type: z.literal("ecs.reboot"),
  targets: TargetsSchema,
  hard: z.boolean(),
});
export const EcsResizeIntentSchema = z.strictObject({
  type: z.literal("ecs.resize"),
  server: ServerRefSchema,
  flavor: z.string().regex(FLAVOR_RE),
  /** Validate only (Huawei `dry_run: true`); {@link isMutation} is false for a dry run. */
  dryRun: z.boolean(),
});
export const EcsDeleteIntentSchema = z.strictObject({
  type: z.literal("ecs.delete"),
  targets: TargetsSchema,
  deleteVolume: z.boolean(),
  deleteEip: z.boolean(),
});

/** `/ecs tags [<server>]`: one server's tags, or every tag key of the project with its values. */
export const EcsTagsIntentSchema = z.strictObject({
  type: z.literal("ecs.tags"),
  server: ServerRefSchema.optional(),
});
/** `/ecs tag <targets…> add k=v …`: tags written as the ECS tag API creates them (a key at most once). */
export const EcsTagAddIntentSchema = z.strictObject({
  type: z.literal("ecs.tag.add"),
  targets: TargetsSchema,
  tags: z
    .array(
      z.strictObject({ key: z.string().regex(NEW_TAG_KEY_RE), value: z.string().regex(NEW_TAG_VALUE_RE) }),
    )
    .min(1)
    .max(MAX_TAG_CHANGES)
    .refine((tags) => new Set(tags.map((t) => t.key)).size === tags.length, "a key at most once"),
});
/** A tag to remove: its key, and only with this value when one is given. */
const TagRefSchema = z.strictObject({
  // The first `=` of `key=value` ends the key, so a key never contains one.
  key: TagKeySchema.refine(
    (k) => !k.includes("=") && !PASSWORD_NAME_RE.test(k),
    "no `=`, not a password name",
  ),
  value: TagValueSchema.optional(),
});
export type TagRef = z.infer<typeof TagRefSchema>;
/** `/ecs tag <targets…> remove k[=v] …`. */
export const EcsTagRemoveIntentSchema = z.strictObject({
  type: z.literal("ecs.tag.remove"),
  targets: TargetsSchema,
  tags: z
    .array(TagRefSchema)
    .min(1)
    .max(MAX_TAG_CHANGES)
    .refine((tags) => new Set(tags.map((t) => t.key)).size === tags.length, "a key at most once"),
});
/** `/ecs console-log <server> [lines]`: the last lines of the console log (may reveal secrets). */
export const EcsConsoleLogIntentSchema = z.strictObject({
  type: z.literal("ecs.console-log"),
  server: ServerRefSchema,
  lines: z.number().int().min(1).max(MAX_CONSOLE_LINES),
});
export const EcsLockIntentSchema = z.strictObject({ type: z.literal("ecs.lock"), targets: TargetsSchema });
export const EcsUnlockIntentSchema = z.strictObject({
  type: z.literal("ecs.unlock"),
  targets: TargetsSchema,
});
/**
 * `/ecs reinstall <server> [--keypair <name>]`: a new system disk from the current image. Never a password:
 * the key pair named, or the server's own key pair when none is named.
 */
export const EcsReinstallIntentSchema = z.strictObject({
  type: z.literal("ecs.reinstall"),
  server: ServerRefSchema,
  keyPair: KeyPairSchema.optional(),
});
/** `/ecs change-os <server> <image_id> [--keypair <name>]`: a new system disk from another image. */
export const EcsChangeOsIntentSchema = z.strictObject({
  type: z.literal("ecs.change-os"),
  server: ServerRefSchema,
  imageId: UuidSchema,
  keyPair: KeyPairSchema.optional(),
});
/** `/ecs attach <server> <volume_id> [device]`. */
export const EcsAttachIntentSchema = z.strictObject({
  type: z.literal("ecs.attach"),
  server: ServerRefSchema,
  volumeId: UuidSchema,
  device: z.string().regex(DEVICE_RE).optional(),
});
/** `/ecs detach <server> <volume_id>`. */
export const EcsDetachIntentSchema = z.strictObject({
  type: z.literal("ecs.detach"),
  server: ServerRefSchema,
  volumeId: UuidSchema,
});
/** `/ecs migrate <server> [--dedicated-host <id>]`: cold migration to a DeH, or back to the public pool. */
export const EcsMigrateIntentSchema = z.strictObject({
  type: z.literal("ecs.migrate"),
  server: ServerRefSchema,
  dedicatedHostId: UuidSchema.optional(),
});
export const EcsQuotasIntentSchema = z.strictObject({ type: z.literal("ecs.quotas") });
export const EcsNicsIntentSchema = z.strictObject({ type: z.literal("ecs.nics"), server: ServerRefSchema });
export const EcsSgIntentSchema = z.strictObject({ type: z.literal("ecs.sg"), server: ServerRefSchema });
export const EcsGroupsIntentSchema = z.strictObject({ type: z.literal("ecs.groups") });
export const EcsGroupIntentSchema = z.strictObject({ type: z.literal("ecs.group"), groupId: UuidSchema });
export const EcsActionsIntentSchema = z.strictObject({
  type: z.literal("ecs.actions"),
  server: ServerRefSchema,
});

export const HssHostsIntentSchema = z.strictObject({
  type: z.literal("hss.hosts"),
  filters: z.strictObject({
    agent: HssAgentStatusSchema.optional(),
    protect: HssProtectStatusSchema.optional(),
    /** Only hosts with risks (`has_risk`). */
    risk: z.boolean(),
    os: HssOsTypeSchema.optional(),
    version: HssVersionSchema.optional(),
    /** Server group name or ID. */
    group: z.string().min(1).max(128).regex(TAG_TEXT_RE).optional(),
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
export const AuditSubjectSchema = z.discriminatedUnion("kind", [
  z.strictObject({ kind: z.literal("server"), server: ServerRefSchema }),
  z.strictObject({ kind: z.literal("user"), userId: z.string().regex(SLACK_USER_ID_RE) }),
]);
export type AuditSubject = z.infer<typeof AuditSubjectSchema>;
export const OpsAuditIntentSchema = z.strictObject({
  type: z.literal("ops.audit"),
  subject: AuditSubjectSchema.optional(),
  limit: z.number().int().min(1).max(MAX_AUDIT_ENTRIES).optional(),
});
/** `/ops audit verify`: walk the audit hash chain. */
export const OpsAuditVerifyIntentSchema = z.strictObject({ type: z.literal("ops.audit.verify") });
export const OpsWatchListIntentSchema = z.strictObject({ type: z.literal("ops.watch.list") });

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
  OpsWatchListIntentSchema,
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

/** The parsed slash command. Discriminated on `type`. */
export const IntentSchema = z.discriminatedUnion("type", [
  ...NON_EXPLAIN_INTENT_SCHEMAS,
  OpsPolicyExplainIntentSchema,
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
  "ops.watch.list",
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
