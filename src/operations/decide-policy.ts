import type { ChatPort, ChatUserGroup } from "../app/ports.js";
import { groupHandlesOf } from "../app/read-groups-once.js";
import { parseServerTags } from "../cloud/parse-server-tags.js";
import { evaluatePolicy } from "../policy/evaluate-policy.js";
import { type GroupMembers, requireEnoughApprovers } from "../policy/require-enough-approvers.js";
import type { RequestWaves } from "../policy/require-waves.js";
import type { Policy, PolicyDecision, PolicyFlags, PolicyTarget, TagChange } from "../policy/types.js";
import type { GroupIds } from "./describe-request.js";

/** What a request is, for the policy: who asks what, where, on which servers (as the cloud describes them). */
export interface PolicyQuestion {
  action: string;
  requesterId: string;
  channel: { id: string; name?: string };
  /** Servers with their ECS tags (`key=value` strings), or targets already in the policy's form. */
  targets: readonly ({ id: string; name: string; tags: readonly string[] } | PolicyTarget)[];
  flags: PolicyFlags;
  /** Tag requests: the change (what the policy's `tag_change` conditions look at). */
  tagChange?: TagChange;
  /** The planned rolling waves (what `require_waves` rules look at); absent: one run. */
  waves?: RequestWaves;
  /** When it would run (epoch ms): what the calendar conditions (`during`, `outside`) look at. */
  at?: number;
}

/** The user groups as read for one decision: the requester's handles, every group's members and IDs. */
export interface GroupsSnapshot {
  groupsOf(userId: string): string[];
  members: GroupMembers;
  /** Group IDs by handle, for mentions. */
  ids: GroupIds;
}

/**
 * The chat platform's user groups as recently read (`recentUserGroups`), for every question a decision asks
 * about people. Who may approve a click is decided on a read made at the click, not on this.
 */
export async function readGroups(chat: ChatPort): Promise<GroupsSnapshot> {
  return snapshotOf(await chat.recentUserGroups());
}

export function snapshotOf(groups: readonly ChatUserGroup[]): GroupsSnapshot {
  return {
    groupsOf: (userId) => groupHandlesOf(groups, userId),
    members: new Map(groups.map((g) => [g.handle, g.users])),
    ids: Object.fromEntries(groups.map((g) => [g.handle, g.id])),
  };
}

/** A target in the policy's form: ECS tag strings become the key → value map the rules match on. */
export function toPolicyTarget(target: PolicyQuestion["targets"][number]): PolicyTarget {
  return {
    id: target.id,
    name: target.name,
    tags: Array.isArray(target.tags)
      ? parseServerTags(target.tags)
      : { ...(target.tags as Record<string, string>) },
  };
}

/**
 * The policy's decision on a new request, with the groups read now: the rules (`evaluatePolicy`), then, for
 * a request that needs approval, whether enough people could approve it (`requireEnoughApprovers`). Every
 * new request and `/ops policy explain` decide through here, so both say the same.
 */
export function decidePolicy(
  policy: Policy,
  question: PolicyQuestion,
  groups: GroupsSnapshot,
): PolicyDecision {
  const decision = evaluateQuestion(policy, question, groups.groupsOf(question.requesterId));
  return requireEnoughApprovers(decision, question.requesterId, groups.members);
}

/**
 * The rules' decision alone (`evaluatePolicy`), the requester in `requesterGroups`: without the check that
 * enough people could approve, which {@link decidePolicy} adds. Final as it is when it allows or denies.
 */
export function evaluateQuestion(
  policy: Policy,
  question: PolicyQuestion,
  requesterGroups: string[],
): PolicyDecision {
  return evaluatePolicy(policy, {
    action: question.action,
    requester: { userId: question.requesterId, groups: requesterGroups },
    channel: question.channel,
    targets: question.targets.map(toPolicyTarget),
    flags: question.flags,
    ...(question.tagChange !== undefined && { tagChange: question.tagChange }),
    ...(question.waves !== undefined && { waves: question.waves }),
    ...(question.at !== undefined && { at: question.at }),
  });
}
