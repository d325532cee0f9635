import type { Calendar } from "../calendars/calendar-types.js";
import type { RequestWaves, WaveRequirement, WaveRule } from "./require-waves.js";

/** Slack people who may do something: user IDs (`U…`/`W…`) and user-group handles (lower case, no `@`). */
export interface Principals {
  users: string[];
  groups: string[];
}

/** A server the request would act on, as the cloud describes it. */
export interface PolicyTarget {
  id: string;
  name: string;
  tags: Record<string, string>;
}

export interface PolicyFlags {
  hard?: boolean;
  deleteVolume?: boolean;
  deleteEip?: boolean;
  dryRun?: boolean;
}

/**
 * The tags a request writes and removes (`/ecs tag … add|remove`), the same for every target. What each
 * target loses depends on its tags (see `tagsRemovedFrom`).
 */
export interface TagChange {
  add: { key: string; value: string }[];
  /** By key, and only with this value when one is given. */
  remove: { key: string; value?: string }[];
}

/** What the policy is asked about. */
export interface PolicyRequest {
  /** A known action such as `ecs:cloudServers:stop`. */
  action: string;
  /** `groups`: handles of the user groups the requester belongs to (resolved by the caller). */
  requester: { userId: string; groups: string[] };
  channel: { id: string; name?: string };
  targets: PolicyTarget[];
  flags: PolicyFlags;
  /** Tag requests only: the change asked for. */
  tagChange?: TagChange;
  /** The request's planned rolling waves (absent: one run); what `require_waves` rules look at. */
  waves?: RequestWaves;
  /**
   * When the request would run (epoch ms, from the injected clock): what `during`/`outside` calendar conditions
   * look at. Absent: unknown, so they fail closed (restricting parts apply, granting parts do not).
   */
  at?: number;
}

/** A rule that produced a decision. */
export interface RuleRef {
  id: string;
  description: string;
  /** Where the rule is written, e.g. `flows/policy.yml:42`. */
  source: string;
}

/** What must happen before a request that needs approval may run. */
export interface ApprovalRequirement {
  /** Who may approve: anyone listed in `users` or belonging to one of `groups`. */
  approvers: Principals;
  /** How many distinct people must approve. */
  minApprovals: number;
  allowSelfApproval: boolean;
  expiresInMs: number;
  /** Whether rejecting needs a reason. */
  reasonRequired: boolean;
  /**
   * How the approvers are told: mentioned on the card (`mention`), sent a direct message with a link to it
   * (`dm`), both when the rules ask for both; empty: neither. Absent on requests recorded before it existed.
   */
  notify?: ("mention" | "dm")[];
  /**
   * Staged approvals: the stages in order, each completed before the next counts. Absent: one k-of-N step.
   * When present, `approvers` is every stage's approvers together (who may see and reject the request),
   * `minApprovals` the sum, `expiresInMs` the first stage's, `reasonRequired` whether any stage requires it.
   */
  stages?: ApprovalStage[];
}

/** One stage of a staged approval: its own approvers, count, self-approval, expiry and reason rule. */
export interface ApprovalStage {
  /** As written in the policy (`team lead`); unique within a requirement, compared case-insensitively. */
  name: string;
  approvers: Principals;
  minApprovals: number;
  allowSelfApproval: boolean;
  /** How long the stage stays open once it is reached (the request's expiry moves on with each stage). */
  expiresInMs: number;
  reasonRequired: boolean;
}

/**
 * Break-glass (`--break-glass "<reason>"`): members of `groups` may skip approval, never a deny rule or a
 * `max_targets` cap. Each use is announced in `alertChannel` at once and reviewed there (Acknowledge, by
 * `reviewers`), with a reminder every `remindEveryMs` until it is.
 */
export interface BreakGlassPolicy {
  groups: string[];
  /** A channel ID (`C…`). */
  alertChannel: string;
  remindEveryMs: number;
  /** Who may acknowledge a use (default: `defaults.approvers`). */
  reviewers: Principals;
  /** Shortest reason accepted (characters, trimmed). */
  minReasonLength: number;
}

/**
 * The decision on a request. `allow` and `needs_approval` carry `maxTargets`, the tightest `max_targets` cap
 * that applies to the request without being exceeded (absent: none applies), so a later re-decision can tell
 * whether a cap was lowered.
 */
export type PolicyDecision =
  | { effect: "allow"; rules: RuleRef[]; maxTargets?: number; waves?: WaveRequirement }
  | {
      effect: "needs_approval";
      rules: RuleRef[];
      approval: ApprovalRequirement;
      /** The rules whose approval terms (a base or an addition) make up `approval`. */
      approvalRuleIds: string[];
      maxTargets?: number;
      /** How many people could approve it now, when counted (see `requireEnoughApprovers`). */
      eligibleApprovers?: number;
      /** The rolling waves `require_waves` rules ask for (met by the request, or it would be denied). */
      waves?: WaveRequirement;
    }
  | {
      effect: "deny";
      rules: RuleRef[];
      reasons: string[];
      /**
       * `too_few_approvers`: the rules would allow it with approvals, but fewer people could give them than
       * it needs (`requireEnoughApprovers`): no rewording of the command helps, only more approvers.
       */
      cause?: "too_few_approvers";
      /**
       * With `too_few_approvers`: approver groups (handles) the chat platform does not have, so nobody is in
       * them and only the policy's owners can fix it (a misspelt name), not a Slack admin adding people.
       */
      unknownApproverGroups?: string[];
    };

/** A loaded, validated policy; build it with `loadPolicy` / `parsePolicy`. */
export interface Policy {
  /** The file it came from. */
  source: string;
  /**
   * SHA-256 (hex) of the policy's text: the version each decision is recorded with in the audit log (for a
   * file without a byte-order mark, what `sha256sum` prints; its first 12 digits are in the start-up log).
   */
  sha256?: string;
  /** When set, requests from any other channel are denied before rules are considered. */
  allowedChannels: ChannelSet | undefined;
  /** Approvers for approval rules that name none (`defaults.approvers`). */
  defaultApprovers: Principals | undefined;
  rules: PolicyRule[];
  /**
   * The tag keys some rule matches targets on (`match.targets.tags`), computed from the rules when the
   * policy is loaded: what `tag_change: { touches_policy_tags: … }` looks at.
   */
  policyTagKeys: string[];
  /** `break_glass:`; absent: nobody may use `--break-glass`. */
  breakGlass?: BreakGlassPolicy;
  /** The named freezes and maintenance windows (`calendars:`); absent or empty: none. */
  calendars?: Calendar[];
}

export interface ChannelSet {
  ids: string[];
  /** Lower case, without `#`. */
  names: string[];
}

export interface PolicyRule {
  id: string;
  description: string;
  source: string;
  /** IAM-style patterns with `*` wildcards, each matching at least one known action. */
  actions: string[];
  when: RuleConditions;
  effect: RuleEffect;
}

/** All present conditions must hold. Absent ones always hold. */
export interface RuleConditions {
  requesters?: Principals;
  channels?: ChannelSet;
  /** A target qualifies when it has every tag (values may use globs) and its name matches one of `names`. */
  targets?: { tags: Record<string, string>; names: string[] };
  targetCount?: { min?: number; max?: number };
  flags: PolicyFlags;
  /** Tag requests only; a rule with it never matches a request that changes no tags. */
  tagChange?: TagChangeCondition;
  /** Holds while one of these calendars (by name) has an event in force. */
  during?: string[];
  /** Holds while none of these calendars has an event in force. */
  outside?: string[];
}

/** Conditions on a tag change. All present must hold. */
export interface TagChangeCondition {
  /** The change adds, overwrites or removes (true) / touches none of (false) the policy's tag keys. */
  touchesPolicyTags?: boolean;
  /** The change writes each of these tags (values may use globs). */
  adds?: Record<string, string>;
  /** A target loses each of these tags (values may use globs): removed, or overwritten with another value. */
  removes?: Record<string, string>;
}

/**
 * One rule can carry several parts: `allow`, or an approval requirement, plus a `maxTargets` cap; `deny`
 * stands alone. Approval parts either set a base (`minApprovals`) or add to it (`additionalApprovals`).
 */
export interface RuleEffect {
  allow: boolean;
  deny?: string;
  approval?: ApprovalRule;
  maxTargets?: number;
  /** `require_waves`: a restriction, applied when any target qualifies. */
  requireWaves?: WaveRule;
}

export interface ApprovalRule {
  /** Absent: this rule does not restrict who approves (the policy's default approvers apply if nobody else does). */
  approvers?: Principals;
  minApprovals?: number;
  additionalApprovals?: number;
  allowSelfApproval: boolean;
  expiresInMs: number;
  reasonRequired: boolean;
  notifyApprovers: "mention" | "dm" | "none";
  /** `require_approval: { stages: [...] }`: this rule asks for these stages (then neither count is set). */
  stages?: ApprovalStageRule[];
}

/** A stage as one rule writes it; `approvers` absent: the policy's default approvers. */
export interface ApprovalStageRule {
  name: string;
  approvers?: Principals;
  minApprovals: number;
  allowSelfApproval: boolean;
  expiresInMs: number;
  reasonRequired: boolean;
}
