import { normalizeGroup } from "./normalize-names.js";
import type { Policy, Principals } from "./types.js";

/** A user group the policy names, and where: a rule's source (`flows/policy.yml:42`) or a section. */
export interface PolicyGroupUse {
  /** Lower case, without `@`. */
  handle: string;
  /** Where the policy names it, for the admin reading the warning. */
  where: string;
}

/**
 * Every user group the policy names (approvers, stages, requesters, break-glass and its reviewers, default
 * approvers), each with the first place that names it. What start-up compares with the chat's groups: a
 * handle the chat does not have is a misspelling, or a group deleted since, which nobody can be in.
 */
export function listPolicyGroups(policy: Policy): PolicyGroupUse[] {
  const first = new Map<string, string>();
  const add = (principals: Principals | undefined, where: string) => {
    for (const group of principals?.groups ?? []) {
      const handle = normalizeGroup(group);
      if (!first.has(handle)) first.set(handle, where);
    }
  };
  add(policy.defaultApprovers, `${policy.source} (defaults.approvers)`);
  for (const rule of policy.rules) {
    const where = `${rule.source} (rule ${rule.id})`;
    add(rule.when.requesters, where);
    add(rule.effect.approval?.approvers, where);
    for (const stage of rule.effect.approval?.stages ?? []) add(stage.approvers, where);
  }
  if (policy.breakGlass !== undefined) {
    add({ users: [], groups: policy.breakGlass.groups }, `${policy.source} (break_glass.groups)`);
    add(policy.breakGlass.reviewers, `${policy.source} (break_glass.reviewers)`);
  }
  return [...first].map(([handle, where]) => ({ handle, where }));
}
