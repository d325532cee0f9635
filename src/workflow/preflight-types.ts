/** What a preflight finds: its targets, their problems, the HSS posture and quota figures. */
import type { CallName, Operation, PreflightCheck } from "./flow-vocabulary.js";
import type { FlowParameters, FlowTarget } from "./types.js";

/** Everything a preflight can find wrong. Closed: views and tests branch on it. */
export const PREFLIGHT_PROBLEM_CODES = [
  "server_not_found",
  "server_unreadable",
  "task_in_progress",
  "status_not_allowed",
  "already_in_state",
  "left_out",
  "nothing_to_do",
  "flavor_missing",
  "unknown_flavor",
  "same_flavor",
  "flavor_not_sold",
  "flavors_unreadable",
  "dry_run_rejected",
  "dry_run_inconclusive",
  "dry_run_unavailable",
  "will_restart",
  "will_start",
  "data_disks_deleted",
  "eips_released",
  "attachments_unreadable",
  "hss_unavailable",
  "server_locked",
  "already_locked",
  "not_locked",
  "quota_exceeded",
  "quota_unreadable",
  "too_many_tags",
  "no_tag_change",
  "no_key_pair",
  "key_pair_not_found",
  "key_pair_unreadable",
  "image_not_found",
  "image_not_active",
  "image_unreadable",
  "migration_needs_host",
  "same_dedicated_host",
  "dedicated_host_unconfirmed",
  "no_system_disk",
  "system_disk_wiped",
  "volume_already_attached",
  "attach_rejected",
  "attach_dry_run_unavailable",
  "volume_not_attached",
  "system_disk_detach",
] as const;
export type PreflightProblemCode = (typeof PREFLIGHT_PROBLEM_CODES)[number];

/** `blocking`: the request must not be approved as it is; `warning`: the approver should know. */
export interface PreflightProblem {
  severity: "blocking" | "warning";
  code: PreflightProblemCode;
  /** The server concerned; absent for problems of the whole request (e.g. an unknown flavor). */
  serverId?: string;
  /** Plain text (may contain server names: escape when rendering). */
  message: string;
  /** The cloud's refusal behind the problem, if any: shown apart, as other cloud errors are (for support). */
  cloud?: { code: string; requestId?: string };
}

export interface FlavorInfo {
  id: string;
  vcpus?: number;
  ramMb?: number;
}

/** HSS view of a target. `unknown` when HSS could not be read: never a guess. */
export type HssPosture =
  | {
      state: "known";
      agentStatus?: string;
      protectStatus?: string;
      detectResult?: string;
      version?: string;
      vulnerability?: number;
      baseline?: number;
      intrusion?: number;
    }
  | { state: "not_registered" }
  | { state: "unknown"; reason: string };

export interface AttachedVolume {
  id: string;
  device?: string;
  /** The system disk always goes with the server (delete), or is replaced by a new one (reinstall). */
  system: boolean;
  fate: "deleted" | "kept" | "wiped";
}

export interface AttachedEip {
  address: string;
  fate: "released" | "kept";
}

export interface PreflightTarget {
  id: string;
  name: string;
  found: boolean;
  /** The server as read: `name` and `tags` (key → value) are what the policy decides on. */
  current?: {
    name: string;
    status: string;
    flavor: FlavorInfo;
    tags: Record<string, string>;
    taskState?: string;
    /** Locked: the cloud refuses changes to it (absent in preflights recorded before the lock was read). */
    locked?: boolean;
  };
  /** What the flow will do to it and the state it ends in if all goes well (absent when not found). */
  planned?: { calls: CallName[]; status: string; flavor: FlavorInfo };
  /** Resize of a running server: it is stopped, resized and started again. */
  restart: boolean;
  resize?: {
    from: FlavorInfo;
    to: FlavorInfo;
    dryRun: "passed" | "inconclusive" | "rejected" | "unavailable" | "not_run";
    dryRunMessage?: string;
    /**
     * The new flavor is sold in the server's AZ, but not plainly: in open beta (`obt`), or a status the bot
     * does not know (never refused). Absent when it is on sale, or was not checked.
     */
    sale?: { availabilityZone: string; status: string; sale: "open_beta" | "unknown" };
  };
  /** Delete: attached disks and EIPs and what happens to them; `unknown` when they could not be read. */
  attached?: { volumes: AttachedVolume[]; eips: AttachedEip[] } | { unknown: string };
  hss?: HssPosture;
  /** Tag / untag: the tags (`key=value`) this server gains and loses. */
  tagChange?: { added: string[]; removed: string[] };
  /** Attach / detach: the disk concerned, as read. */
  volume?: { id: string; device?: string; system?: boolean };
  problems: PreflightProblem[];
}

export interface Preflight {
  operation: Operation;
  parameters: FlowParameters;
  checkedAt: number;
  checks: PreflightCheck[];
  targets: PreflightTarget[];
  /** Resize: the vCPU and RAM quotas against the change, when read. */
  quota?: QuotaCheck;
  /** All problems, blocking first. */
  problems: PreflightProblem[];
  /** True if any problem is blocking: do not offer approval. */
  blocking: boolean;
  /**
   * The targets as they are now, for the approval's expected pre-state (`targets[]` of the approval): the
   * executor aborts if a server differs from this when it runs. Only servers that were found.
   */
  snapshot: FlowTarget[];
}

/** One quota against a change: what is used, the limit, and what the change adds. */
export interface QuotaFigure {
  used: number;
  max: number;
  delta: number;
}
export interface QuotaCheck {
  vcpus?: QuotaFigure;
  /** MiB. */
  ramMb?: QuotaFigure;
}
