import { applyBreakGlass, type BreakGlassVerdict } from "../policy/apply-break-glass.js";
import type { Policy } from "../policy/types.js";
import { evaluateQuestion, type GroupsSnapshot, type PolicyQuestion } from "./decide-policy.js";

/**
 * The policy's decision on a new request with `--break-glass`: the rules on exactly the facts the same request
 * without it is decided on (`evaluateQuestion`: targets, flags, tag change, planned waves, the time it runs),
 * then break-glass applied (`applyBreakGlass`). "Not enough people could approve" is not asked: approval is
 * what is skipped.
 */
export function decideBreakGlass(
  policy: Policy,
  question: PolicyQuestion,
  groups: GroupsSnapshot,
  reason: string,
): BreakGlassVerdict {
  const requesterGroups = groups.groupsOf(question.requesterId);
  const decision = evaluateQuestion(policy, question, requesterGroups);
  return applyBreakGlass(policy, decision, { userId: question.requesterId, groups: requesterGroups }, reason);
}
