import { suggestClosest } from "../config/suggest-closest.js";
import { plural } from "../render/escape-mrkdwn.js";
import { normalizeGroup } from "./normalize-names.js";
import type { ApprovalRequirement, PolicyDecision } from "./types.js";

/** Members of user groups, by handle (lower case, without `@`), as read from the chat platform just now. */
export type GroupMembers = ReadonlyMap<string, readonly string[]>;

/**
 * The distinct people who could approve a request now: the listed users plus the current members of the
 * listed groups, without the requester unless self-approval is allowed. Sorted, for stable messages.
 */
export function eligibleApprovers(
  requirement: Pick<ApprovalRequirement, "approvers" | "allowSelfApproval">,
  requesterId: string,
  members: GroupMembers,
): string[] {
  const people = new Set(requirement.approvers.users);
  for (const group of requirement.approvers.groups) {
    for (const user of members.get(normalizeGroup(group)) ?? []) people.add(user);
  }
  if (!requirement.allowSelfApproval) people.delete(requesterId);
  return [...people].sort();
}

/**
 * How many of the stages' approvals distinct people can give, each person one stage: a maximum matching of
 * people to the stages' seats (a stage needing 2 approvals is 2 seats), by augmenting paths (Kuhn's
 * algorithm; the groups are small). `pools[i]` are the people who may approve stage `i`.
 */
function assignableApprovals(
  stages: readonly Pick<ApprovalRequirement, "minApprovals">[],
  pools: readonly (readonly string[])[],
): number {
  const seats = stages.flatMap((stage, index) => Array.from({ length: stage.minApprovals }, () => index));
  const seatOf = new Map<string, number>(); // person → the seat they fill
  const fill = (seat: number, visited: Set<string>): boolean => {
    for (const person of pools[seats[seat] ?? -1] ?? []) {
      if (visited.has(person)) continue;
      visited.add(person);
      const held = seatOf.get(person);
      // A free person, or one whose seat someone else can take.
      if (held === undefined || fill(held, visited)) {
        seatOf.set(person, seat);
        return true;
      }
    }
    return false;
  };
  let filled = 0;
  for (let seat = 0; seat < seats.length; seat++) if (fill(seat, new Set())) filled++;
  return filled;
}

/**
 * The approver groups of `approvers` that the chat platform does not have (`members` holds every group read,
 * empty ones included): a misspelt handle, or a group deleted since. Such a group has nobody in it, and no
 * Slack admin can add people to it: the policy's owners must fix its name.
 */
export function unknownApproverGroups(
  approvers: ApprovalRequirement["approvers"],
  members: GroupMembers,
): string[] {
  return approvers.groups.map(normalizeGroup).filter((group) => !members.has(group));
}

/** `: Slack has no user group @x (did you mean @y?) …`, or "" when every group exists. */
function unknownGroupsText(unknown: readonly string[], members: GroupMembers): string {
  if (unknown.length === 0) return "";
  const named = unknown.map((group) => {
    const guess = suggestClosest(group, members.keys());
    return `@${group}${guess !== undefined ? ` (did you mean @${guess}?)` : ""}`;
  });
  return `: Slack has no enabled user group ${named.join(" or ")}, so the policy's owners must fix the name`;
}

/**
 * One denial reason, the answer first: `nobody could approve it, and it needs 2 approvals from @ops-approvers (not
 * counting the requester)…` or `only 2 people could approve it, and it needs 3 approvals (…)`, then the rules
 * that asked for the approvals. `stage` names the stage short of approvers (`stage 2 (security)`).
 */
function shortageText(input: {
  stage?: string;
  needed: number;
  count: number;
  approvers: ApprovalRequirement["approvers"];
  allowSelfApproval: boolean;
  unknown: string;
  rules: PolicyDecision["rules"];
}): string {
  const who = [
    ...input.approvers.groups.map((g) => `@${g}`),
    ...(input.approvers.users.length > 0 ? ["the listed users"] : []),
  ].join(" and ");
  const from = `from ${who}${input.allowSelfApproval ? "" : ", not counting the requester"}`;
  const needs = plural(input.needed, "approval");
  const what = input.stage ?? "it";
  const answer =
    input.count === 0
      ? `nobody could approve ${what}, and it needs ${needs} (${from})`
      : `only ${plural(input.count, "person", "people")} could approve ${what}, and it needs ${needs} (${from})`;
  return `${answer}${input.unknown}${askedBy(input.rules)}`;
}

/** `; asked for by rule \`x\``: the rules that asked for the approvals, or "" for none. */
function askedBy(rules: PolicyDecision["rules"]): string {
  if (rules.length === 0) return "";
  return `; asked for by ${rules.length === 1 ? "rule" : "rules"} ${rules.map((r) => `\`${r.id}\``).join(", ")}`;
}

/**
 * A request that needs more approvals than there are people who could give them would only sit until it
 * expires: it is denied at once, saying how many are needed, how many could approve and which rules asked.
 * Other decisions are returned as they are; an approval decision gets `eligibleApprovers` (the count).
 */
export function requireEnoughApprovers(
  decision: PolicyDecision,
  requesterId: string,
  members: GroupMembers,
): PolicyDecision {
  if (decision.effect !== "needs_approval") return decision;
  const { approval } = decision;
  // Staged: each stage must be completable by its own approvers, and all of them together by different
  // people, as each person approves one stage only.
  const stages = approval.stages ?? [];
  const pools = stages.map((stage) => eligibleApprovers(stage, requesterId, members));
  for (const [index, stage] of stages.entries()) {
    const eligible = pools[index]?.length ?? 0;
    if (eligible >= stage.minApprovals) {
      const needed = stages.slice(0, index + 1).reduce((n, s) => n + s.minApprovals, 0);
      if (assignableApprovals(stages.slice(0, index + 1), pools) >= needed) continue;
      return {
        effect: "deny",
        cause: "too_few_approvers",
        rules: decision.rules,
        reasons: [
          `nobody is left to approve stage ${index + 1} (${stage.name}): it needs ${plural(stage.minApprovals, "approval")}, but its possible approvers are also needed for the stages before it, and each person approves one stage only${askedBy(decision.rules)}`,
        ],
      };
    }
    const unknown = unknownApproverGroups(stage.approvers, members);
    return {
      effect: "deny",
      cause: "too_few_approvers",
      rules: decision.rules,
      reasons: [
        shortageText({
          stage: `stage ${index + 1} (${stage.name})`,
          needed: stage.minApprovals,
          count: eligible,
          approvers: stage.approvers,
          allowSelfApproval: stage.allowSelfApproval,
          unknown: unknownGroupsText(unknown, members),
          rules: decision.rules,
        }),
      ],
      ...(unknown.length > 0 && { unknownApproverGroups: unknown }),
    };
  }
  const count = eligibleApprovers(approval, requesterId, members).length;
  if (count >= approval.minApprovals) return { ...decision, eligibleApprovers: count };
  const unknown = unknownApproverGroups(approval.approvers, members);
  return {
    effect: "deny",
    cause: "too_few_approvers",
    rules: decision.rules,
    reasons: [
      shortageText({
        needed: approval.minApprovals,
        count,
        approvers: approval.approvers,
        allowSelfApproval: approval.allowSelfApproval,
        unknown: unknownGroupsText(unknown, members),
        rules: decision.rules,
      }),
    ],
    ...(unknown.length > 0 && { unknownApproverGroups: unknown }),
  };
}
