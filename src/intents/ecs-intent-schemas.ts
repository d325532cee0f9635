/**
 * The server references and `tag:` selectors commands target, and the `/ecs` intent schemas built on
 * them. Re-exported by `intent-schema.ts`, which joins them into the intent union.
 */
import { z } from "zod";
import {
  AZ_RE,
  DEVICE_RE,
  EcsStatusSchema,
  FLAVOR_RE,
  JOB_ID_RE,
  KEY_PAIR_RE,
  MAX_CONSOLE_LINES,
  MAX_NAME_LENGTH,
  MAX_TAG_CHANGES,
  MAX_TAG_KEY_LENGTH,
  MAX_TAG_VALUE_LENGTH,
  MAX_TARGETS,
  NAME_RE,
  NEW_TAG_KEY_RE,
  NEW_TAG_VALUE_RE,
  PASSWORD_NAME_RE,
  TAG_TEXT_RE,
} from "./intent-constants.js";
import { WaveOptionsSchema } from "./wave-options-schema.js";

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
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
export const EcsStartIntentSchema = z.strictObject({
  type: z.literal("ecs.start"),
  targets: TargetsSchema,
  /** Rolling waves (`--waves`, `--wave-size`, `--pause`, `--max-failures`); absent: one run. */
  waves: WaveOptionsSchema.optional(),
});
export const EcsStopIntentSchema = z.strictObject({
  type: z.literal("ecs.stop"),
  targets: TargetsSchema,
  waves: WaveOptionsSchema.optional(),
  /** Force power-off (`--hard`, Huawei `type: HARD`). */
  hard: z.boolean(),
});
export const EcsRebootIntentSchema = z.strictObject({
  type: z.literal("ecs.reboot"),
  targets: TargetsSchema,
  waves: WaveOptionsSchema.optional(),
  hard: z.boolean(),
});
export const EcsResizeIntentSchema = z.strictObject({
  type: z.literal("ecs.resize"),
  server: ServerRefSchema,
  waves: WaveOptionsSchema.optional(),
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
  waves: WaveOptionsSchema.optional(),
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
