import type { ChatPort } from "../app/ports.js";
import type { ApprovalRequest } from "../approvals/approval-request.js";
import { requesterGroupsMatter } from "../policy/evaluate-policy.js";
import type { Policy, PolicyTarget, Principals } from "../policy/types.js";
import { boundPolicyFacts } from "./bound-policy-facts.js";
import { evaluateQuestion } from "./decide-policy.js";
import type { RequestDetailsStore } from "./request-details.js";

/** Nobody: a policy that names no approvers at all (no `defaults.approvers`, and no rule asking for any). */
const NOBODY: Principals = { users: [], groups: [] };

/** What the policy is asked about a scheduled change, beyond the policy itself (read at the click). */
export interface CancelQuestion {
  /** The requester's user-group handles now; read only when a rule on the action names requester groups. */
  requesterGroups: () => Promise<string[]>;
  /** The channel's name as recorded with the request, for rules matching channel names. */
  channelName?: string;
}

/**
 * Besides its requester, who may call off a scheduled change that is waiting for its time: the people the
 * policy as it is now would accept as approvers of that action on those servers. The request is decided again
 * (same action, bound servers with their recorded names and tags, flags, tag change and waves, requester,
 * channel, as of its start time); when that decision asks for approval, its approvers (every stage's, for a
 * staged one); when it allows (or denies) it outright, it names no approvers of its own, so the policy's
 * default approvers (`defaults.approvers`: the approvers of every approval rule that names none, the on-call
 * approvers) are taken. The result is a list of users and groups: whether the clicking user is among them is
 * the approval clicks' own check (`isListedApprover`), with their groups read at the click.
 */
export async function cancelApproversOf(
  policy: Policy,
  request: Pick<ApprovalRequest, "action" | "requester" | "channel" | "targets" | "parameters" | "schedule">,
  question: CancelQuestion,
): Promise<Principals> {
  const groups = requesterGroupsMatter(policy, request.action) ? await question.requesterGroups() : [];
  const targets: PolicyTarget[] = request.targets.map((t) => ({
    id: t.id,
    name: t.name,
    tags: { ...t.tags },
  }));
  const decision = evaluateQuestion(
    policy,
    {
      action: request.action,
      requesterId: request.requester.userId,
      channel: {
        id: request.channel,
        ...(question.channelName !== undefined && { name: question.channelName }),
      },
      targets,
      ...boundPolicyFacts(request),
      ...(request.schedule !== undefined && { at: request.schedule.runAt }),
    },
    groups,
  );
  if (decision.effect === "needs_approval") return decision.approval.approvers;
  return policy.defaultApprovers ?? NOBODY;
}

/** Who may cancel a scheduled request besides its requester, judged as {@link cancelApproversOf} judges it. */
export type CancellersOf = (request: ApprovalRequest) => Promise<Principals>;

/**
 * {@link cancelApproversOf} with what it needs read now: the policy as it is, the channel's name kept with the
 * request, the requester's groups from the chat (only when a rule looks at them). The Cancel click and the
 * lists that offer it (`/ops approvals`, the Home tab) share it, so a list offers Cancel to exactly the people
 * the click accepts.
 */
export function createCancellersOf(
  policy: () => Policy,
  details: Pick<RequestDetailsStore, "get">,
  chat: Pick<ChatPort, "userGroupsOf">,
): CancellersOf {
  return async (request) => {
    const channelName = (await details.get(request.id))?.channelName;
    return cancelApproversOf(policy(), request, {
      requesterGroups: () => chat.userGroupsOf(request.requester.userId),
      ...(channelName !== undefined && { channelName }),
    });
  };
}
