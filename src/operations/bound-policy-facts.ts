import type { ApprovalRequest } from "../approvals/approval-request.js";
import { policyFlagsOf, tagChangeOf } from "../policy/policy-facts-of.js";
import type { PolicyFlags, PolicyRequest } from "../policy/types.js";
import { policyWavesOf, wavePlanOf } from "../waves/plan-waves.js";

/**
 * What a request's bound parameters tell the policy when it is decided again (before it runs, or to judge who
 * may cancel it): its flags, its tag change (tag requests) and its wave plan (`require_waves`).
 */
export function boundPolicyFacts(
  request: Pick<ApprovalRequest, "action" | "parameters">,
): { flags: PolicyFlags } & Pick<PolicyRequest, "tagChange" | "waves"> {
  const tagChange = tagChangeOf(request.action, request.parameters);
  const plan = wavePlanOf(request.parameters);
  return {
    flags: policyFlagsOf(request.action, request.parameters),
    ...(tagChange !== undefined && { tagChange }),
    ...(plan !== undefined && { waves: policyWavesOf(plan) }),
  };
}
