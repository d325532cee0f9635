/**
 * Limits, accepted enumeration values and character rules of the intent grammar: what the parser checks
 * raw words against and the intent schemas validate with. Re-exported by `intent-schema.ts`.
 */
import { z } from "zod";

/** Hard cap on distinct targets in one command; beyond it the parser returns `too_many_targets`. */
export const MAX_TARGETS = 1000;
/** Slack caps slash-command text at 4000 characters; longer input is rejected with `input_too_long`. */
export const MAX_INPUT_CHARS = 4000;
/** Longest server name / filter value accepted by the parser (Huawei allows 128 for names; we are lenient). */
export const MAX_NAME_LENGTH = 255;
/** Tag key and value limits of the tags ECS keeps and filters by (5.9.2 Table 5-69, 5.9.4 Table 5-79: key ≤ 127, value ≤ 255). */
export const MAX_TAG_KEY_LENGTH = 127;
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
/** The names of a password (`password`, `adminpass`, `root_pwd`…) as a regular expression's source. */
export const PASSWORD_NAME = "(?:(?:admin|root)[-_]?)?(?:pass(?:word)?|passwd|pwd)";

/**
 * Option and key names that carry a password (`--password`, `adminpass=`, `--root-pwd`…), in any case. A
 * command naming one is refused, so no intent has a tag key named like this either.
 */
export const PASSWORD_NAME_RE = new RegExp(`^${PASSWORD_NAME}$`, "i");
/** An ECS has at most 10 tags (5.9.3), so one command changes at most 10. */
export const MAX_TAG_CHANGES = 10;
/** `/ecs console-log` shows the last 50 lines unless told otherwise, and at most 200. */
export const DEFAULT_CONSOLE_LINES = 50;
export const MAX_CONSOLE_LINES = 200;
/** Slack user IDs (`U…`, or `W…` on Enterprise Grid). */
// Underscores are accepted for the readable IDs of the fake Slack (U_ALICE), as the renderer does.
export const SLACK_USER_ID_RE = /^[UW][A-Z0-9_]{2,30}$/;
