import { applyBreakGlass, type BreakGlassVerdict } from "../policy/apply-break-glass.js";
import { evaluatePolicy } from "../policy/evaluate-policy.js";
import type { Policy } from "../policy/types.js";
import { type GroupsSnapshot, type PolicyQuestion, toPolicyTarget } from "./decide-policy.js";

/**
 * The policy's decision on a new request with `--break-glass`: the rules as for any request, then break-glass
 * applied (`applyBreakGlass`). "Not enough people could approve" is not asked: approval is what is skipped.
 */
export function decideBreakGlass(
  policy: Policy,
  question: PolicyQuestion,
  groups: GroupsSnapshot,
  reason: string,
): BreakGlassVerdict {
  const requester = { userId: question.requesterId, groups: groups.groupsOf(question.requesterId) };
  const decision = evaluatePolicy(policy, {
    action: question.action,
    requester,
    channel: question.channel,
    targets: question.targets.map(toPolicyTarget),
    flags: question.flags,
    ...(question.tagChange !== undefined && { tagChange: question.tagChange }),
  });
  return applyBreakGlass(policy, decision, requester, reason);
}
