import { findActiveOccurrence } from "../calendars/find-calendar-occurrences.js";
import { isKnownAction } from "./actions.js";
import { matchGlob } from "./match-glob.js";
import { mergeStages, unionOfStages } from "./merge-stages.js";
import { normalizeChannelName, normalizeGroup } from "./normalize-names.js";
import { combineWaveRules, wavesShortfall } from "./require-waves.js";
import type {
  ChannelSet,
  Policy,
  PolicyDecision,
  PolicyFlags,
  PolicyRequest,
  PolicyRule,
  PolicyTarget,
  Principals,
  RuleConditions,
  RuleRef,
  TagChange,
  TagChangeCondition,
} from "./types.js";

/**
 * How a rule's target conditions apply to a request with several targets. Parts that grant (`allow`, an
 * approval base) need every target to qualify, so "allow stopping dev-*" never lets a prod server ride along;
 * parts that restrict (`deny`, `additional_approvals`, `max_targets`) apply when any target qualifies.
 */
type Quantifier = "all" | "any";

/** The rules whose `actions` name `action` (exactly or by pattern): the only ones that can decide it. */
function rulesFor(policy: Policy, action: string): PolicyRule[] {
  return policy.rules.filter((rule) => rule.actions.some((pattern) => matchGlob(pattern, action)));
}

/**
 * Whether the requester's user groups can change the decision on `action` (on any action when it is left
 * out): some rule for it names requester groups. When none does, the decision is the same whatever groups are
 * passed, so a caller need not read them (one chat-platform call less; Slack allows about 20 group listings a
 * minute).
 */
export function requesterGroupsMatter(policy: Policy, action?: string): boolean {
  return (action === undefined ? policy.rules : rulesFor(policy, action)).some(
    (rule) => (rule.when.requesters?.groups.length ?? 0) > 0,
  );
}

/**
 * The rules on `action` that single out servers by their tags or names (`match.targets`): a decision made
 * without servers does not show what they decide (one more approval on `env=prod`, a deny on `lock=true`).
 */
export function serverRulesFor(policy: Policy, action: string): string[] {
  return rulesFor(policy, action)
    .filter((rule) => rule.when.targets !== undefined)
    .map((rule) => rule.id);
}

/**
 * Decides a request against the policy. Deny by default; when several rules match, the most restrictive wins:
 * deny > too many targets > approval (highest requirement, plus every `additional_approvals`) > allow.
 * The decision names the rules that produced it. See `flows/policy.yml` for the format and the reasoning.
 */
export function evaluatePolicy(policy: Policy, request: PolicyRequest): PolicyDecision {
  const { action } = request;
  if (!isKnownAction(action)) return deny([], [`\`${action}\` is not an action I know`]);

  const requester = {
    userId: request.requester.userId,
    groups: request.requester.groups.map(normalizeGroup),
  };
  const channel = {
    id: request.channel.id,
    name: request.channel.name && normalizeChannelName(request.channel.name),
  };
  if (policy.allowedChannels && !inChannelSet(policy.allowedChannels, channel)) {
    const where = [...policy.allowedChannels.names.map((n) => `#${n}`), ...policy.allowedChannels.ids].join(
      ", ",
    );
    return deny([], [`I only act in ${where}; this channel is not on the policy's allow-list`]);
  }

  const subject: Subject = {
    requester,
    channel,
    targets: request.targets,
    flags: request.flags,
    tagChange: request.tagChange,
    policyTagKeys: policy.policyTagKeys,
    at: request.at,
    inForce: (name) => {
      const calendar = policy.calendars?.find((c) => c.name === name);
      // Load-time validation rejects unknown names; one missing anyway is never in force.
      return (
        calendar !== undefined &&
        request.at !== undefined &&
        findActiveOccurrence(calendar, request.at) !== undefined
      );
    },
  };
  const applies = (rule: PolicyRule, quantifier: Quantifier) =>
    conditionsHold(rule.when, subject, quantifier);
  const candidates = rulesFor(policy, action);

  const denials = candidates.filter((r) => r.effect.deny !== undefined && applies(r, "any"));
  if (denials.length > 0)
    return deny(
      denials,
      denials.map((r) => r.effect.deny ?? ""),
    );

  const n = request.targets.length;
  const capping = candidates.filter((r) => r.effect.maxTargets !== undefined && applies(r, "any"));
  const caps = capping.filter((r) => n > (r.effect.maxTargets ?? n));
  if (caps.length > 0) {
    const cap = Math.min(...caps.map((r) => r.effect.maxTargets ?? n));
    const parts = Math.ceil(n / cap);
    return deny(caps, [`${n} targets; at most ${cap} per request: split it into ${parts} requests`]);
  }
  const wavesRequired = combineWaveRules(
    candidates.flatMap((r) =>
      r.effect.requireWaves !== undefined && applies(r, "any")
        ? [{ id: r.id, rule: r.effect.requireWaves }]
        : [],
    ),
    n,
  );
  if (wavesRequired !== undefined) {
    const shortfall = wavesShortfall(wavesRequired, request.waves);
    if (shortfall !== undefined)
      return deny(
        policy.rules.filter((r) => wavesRequired.ruleIds.includes(r.id)),
        [shortfall],
      );
  }
  const limit = {
    ...(capping.length > 0 && { maxTargets: Math.min(...capping.map((r) => r.effect.maxTargets ?? n)) }),
    ...(wavesRequired !== undefined && { waves: wavesRequired }),
  };

  const grants = candidates.filter((r) => (r.effect.allow || isApprovalBase(r)) && applies(r, "all"));
  if (grants.length === 0)
    return deny([], [noGrantReason(candidates.filter((r) => r.effect.allow || isApprovalBase(r)))]);

  const bases = grants.filter(isApprovalBase);
  const additions = candidates.filter(
    (r) => r.effect.approval?.additionalApprovals !== undefined && applies(r, "any"),
  );
  if (bases.length === 0 && additions.length === 0)
    return { effect: "allow", rules: grants.map(refOf), ...limit };

  const contributing = policy.rules.filter((r) => bases.includes(r) || additions.includes(r));
  // Named in the decision: the approval rules, or, when only additions apply, the rules they add to.
  const producing =
    bases.length > 0 ? contributing : policy.rules.filter((r) => grants.includes(r) || additions.includes(r));
  const terms = contributing.map((r) => r.effect.approval).filter((a) => a !== undefined);
  if (terms.some((a) => a.stages !== undefined)) {
    const merged = mergeStages(terms, policy.defaultApprovers);
    if (!merged.ok) return deny(producing, [merged.reason]);
    const { stages } = merged;
    const [first] = stages;
    return {
      effect: "needs_approval",
      rules: producing.map(refOf),
      approvalRuleIds: contributing.map((r) => r.id),
      ...limit,
      approval: {
        approvers: unionOfStages(stages),
        minApprovals: stages.reduce((n, s) => n + s.minApprovals, 0),
        allowSelfApproval: stages.every((s) => s.allowSelfApproval),
        expiresInMs: first?.expiresInMs ?? Math.min(...terms.map((a) => a.expiresInMs)),
        reasonRequired: stages.some((s) => s.reasonRequired),
        notify: (["mention", "dm"] as const).filter((mode) => terms.some((a) => a.notifyApprovers === mode)),
        stages,
      },
    };
  }
  const minApprovals =
    Math.max(0, ...terms.map((a) => a.minApprovals ?? 0)) +
    terms.reduce((sum, a) => sum + (a.additionalApprovals ?? 0), 0);
  const named = terms.map((a) => a.approvers).filter((p) => p !== undefined);
  const approvers = named.length > 0 ? named.reduce(intersect) : policy.defaultApprovers;
  const allowSelfApproval = terms.every((a) => a.allowSelfApproval);

  if (approvers === undefined) {
    // Load-time validation rejects approval rules without approvers when there are no defaults.
    return deny(producing, ["the approval rules name no approvers; the policy must set `approvers`"]);
  }
  if (approvers.users.length + approvers.groups.length === 0) {
    // Only the rules that name approvers conflict: one that names none defers to them.
    const ids = contributing
      .filter((r) => r.effect.approval?.approvers !== undefined)
      .map((r) => `\`${r.id}\``)
      .join(", ");
    return deny(producing, [
      `rules ${ids} name different approvers and nobody is on every list, so nobody could approve; the policy must name a common approver`,
    ]);
  }
  if (approvers.groups.length === 0) {
    const eligible = approvers.users.filter((u) => allowSelfApproval || u !== requester.userId).length;
    if (eligible < minApprovals) {
      return deny(producing, [
        `needs ${minApprovals} ${minApprovals === 1 ? "approval" : "approvals"} but only ${eligible} listed ${eligible === 1 ? "approver" : "approvers"} could give one; the policy must list more approvers`,
      ]);
    }
  }

  return {
    effect: "needs_approval",
    rules: producing.map(refOf),
    approvalRuleIds: contributing.map((r) => r.id),
    ...limit,
    approval: {
      approvers,
      minApprovals,
      allowSelfApproval,
      expiresInMs: Math.min(...terms.map((a) => a.expiresInMs)),
      reasonRequired: terms.some((a) => a.reasonRequired),
      // Every way a contributing rule asks for is used: a rule asking for direct messages gets them.
      notify: (["mention", "dm"] as const).filter((mode) => terms.some((a) => a.notifyApprovers === mode)),
    },
  };
}

/** A rule part that sets an approval requirement (a count, or stages) rather than adding to one. */
function isApprovalBase(rule: PolicyRule): boolean {
  return rule.effect.approval?.minApprovals !== undefined || rule.effect.approval?.stages !== undefined;
}

function deny(rules: readonly PolicyRule[], reasons: string[]): PolicyDecision {
  return { effect: "deny", rules: rules.map(refOf), reasons };
}

/**
 * Why nothing allows a request, the answer first and a next step last: no rule at all, or the rules that would,
 * whose conditions this request does not meet, with their descriptions, so the requester learns who may (`only
 * members of @sre`) instead of a permission name, and never reads a rule for something else as the reason.
 */
function noGrantReason(wouldAllow: readonly PolicyRule[]): string {
  const ask = "ask the policy's owners if you need it";
  if (wouldAllow.length === 0)
    return `no rule of the policy allows it (anything not allowed is denied); ${ask}`;
  const shown = wouldAllow.slice(0, 3).map((r) => `\`${r.id}\` (${r.description.replace(/\.\s*$/, "")})`);
  const more = wouldAllow.length > shown.length ? ` and ${wouldAllow.length - shown.length} more` : "";
  return wouldAllow.length === 1
    ? `the only rule for this action, ${shown[0]}, does not cover this request; ${ask}`
    : `the rules for this action, ${shown.join(", ")}${more}, do not cover this request; ${ask}`;
}

function refOf(rule: PolicyRule): RuleRef {
  return { id: rule.id, description: rule.description, source: rule.source };
}

/**
 * Someone may approve only if every rule that names approvers would accept them. A single set cannot express
 * "in group A and in group B", so this keeps what both lists name literally; an empty result fails closed.
 */
function intersect(a: Principals, b: Principals): Principals {
  return {
    users: a.users.filter((u) => b.users.includes(u)),
    groups: a.groups.filter((g) => b.groups.includes(g)),
  };
}

interface Subject {
  requester: { userId: string; groups: string[] };
  channel: { id: string; name: string | undefined };
  targets: PolicyTarget[];
  flags: PolicyFlags;
  tagChange: TagChange | undefined;
  policyTagKeys: readonly string[];
  at: number | undefined;
  /** Whether the named calendar has an event in force at `at`. */
  inForce: (calendar: string) => boolean;
}

/**
 * The tags a target loses to a change (`key → value` it had): a removal by key (or key and value) of a tag it
 * has, and an addition that overwrites one of its tags with another value. Pure.
 */
export function tagsRemovedFrom(target: PolicyTarget, change: TagChange): Record<string, string> {
  const lost: Record<string, string> = {};
  const has = (key: string) => (Object.hasOwn(target.tags, key) ? target.tags[key] : undefined);
  for (const ref of change.remove) {
    const value = has(ref.key);
    if (value !== undefined && (ref.value === undefined || ref.value === value)) lost[ref.key] = value;
  }
  for (const pair of change.add) {
    const value = has(pair.key);
    if (value !== undefined && value !== pair.value) lost[pair.key] = value;
  }
  return lost;
}

/** Whether every `key: pattern` holds in `tags` (values matched as globs). */
function tagsMatch(
  patterns: Readonly<Record<string, string>>,
  tags: Readonly<Record<string, string>>,
): boolean {
  return Object.entries(patterns).every(([key, pattern]) => {
    const value = Object.hasOwn(tags, key) ? tags[key] : undefined;
    return value !== undefined && matchGlob(pattern, value);
  });
}

/** The request-wide part of a tag-change condition: the keys it touches and the tags it writes. */
function tagChangeHolds(when: TagChangeCondition, subject: Subject): boolean {
  const change = subject.tagChange;
  if (change === undefined) return false;
  if (when.touchesPolicyTags !== undefined) {
    const keys = [...change.add, ...change.remove].map((t) => t.key);
    const touches = keys.some((k) => subject.policyTagKeys.includes(k));
    if (touches !== when.touchesPolicyTags) return false;
  }
  if (when.adds !== undefined) {
    const written = Object.fromEntries(change.add.map((t) => [t.key, t.value]));
    if (!tagsMatch(when.adds, written)) return false;
  }
  return true;
}

function conditionsHold(when: RuleConditions, subject: Subject, quantifier: Quantifier): boolean {
  const { requesters, channels, targets, targetCount, flags, tagChange } = when;
  if (requesters) {
    const { userId, groups } = subject.requester;
    if (!requesters.users.includes(userId) && !groups.some((g) => requesters.groups.includes(g)))
      return false;
  }
  if (channels && !inChannelSet(channels, subject.channel)) return false;
  const n = subject.targets.length;
  if (targetCount?.min !== undefined && n < targetCount.min) return false;
  if (targetCount?.max !== undefined && n > targetCount.max) return false;
  for (const key of ["hard", "deleteVolume", "deleteEip", "dryRun"] as const) {
    const wanted = flags[key];
    if (wanted !== undefined && (subject.flags[key] === true) !== wanted) return false;
  }
  if (tagChange && !tagChangeHolds(tagChange, subject)) return false;
  if (when.during !== undefined || when.outside !== undefined) {
    // Without a time the calendars cannot be judged: fail closed, so restricting parts (a freeze's deny) apply
    // and granting parts (a window's allow) do not.
    if (subject.at === undefined) {
      if (quantifier === "all") return false;
    } else {
      if (when.during !== undefined && !when.during.some(subject.inForce)) return false;
      if (when.outside?.some(subject.inForce)) return false;
    }
  }
  const perTarget: ((t: PolicyTarget) => boolean)[] = [];
  if (targets) {
    perTarget.push(
      (t) =>
        tagsMatch(targets.tags, t.tags) &&
        (targets.names.length === 0 || targets.names.some((pattern) => matchGlob(pattern, t.name))),
    );
  }
  const removes = tagChange?.removes;
  const change = subject.tagChange;
  if (removes !== undefined && change !== undefined) {
    perTarget.push((t) => tagsMatch(removes, tagsRemovedFrom(t, change)));
  }
  if (perTarget.length > 0) {
    const qualifies = (t: PolicyTarget) => perTarget.every((holds) => holds(t));
    // Target conditions never match a request without targets, whichever the quantifier.
    if (n === 0) return false;
    if (quantifier === "all" ? !subject.targets.every(qualifies) : !subject.targets.some(qualifies))
      return false;
  }
  return true;
}

function inChannelSet(set: ChannelSet, channel: { id: string; name: string | undefined }): boolean {
  return set.ids.includes(channel.id) || (channel.name !== undefined && set.names.includes(channel.name));
}
