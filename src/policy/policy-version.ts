import type { Policy } from "./types.js";

/**
 * The version of the policy a decision was made under, as the audit entry of that decision carries it
 * (`detail.policySha256`): an auditor can tell which text of a rule allowed a change.
 */
export function policyVersion(policy: Pick<Policy, "sha256">): { policySha256?: string } {
  return policy.sha256 !== undefined ? { policySha256: policy.sha256 } : {};
}
