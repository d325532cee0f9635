import type { ApprovalRule, ApprovalStage, Principals } from "./types.js";

/** The stage a plain (`min_approvals`) requirement becomes when it meets staged rules. */
export const PLAIN_STAGE_NAME = "approval";

/** Stages merged from the matching rules, or why nobody could complete them. */
export type MergedStages = { ok: true; stages: ApprovalStage[] } | { ok: false; reason: string };

/**
 * Combines the approval terms of every matching rule when at least one of them has `stages` (see the
 * header of `flows/policy.yml`):
 * - plain bases (`min_approvals`) combine as they always do (highest count, intersected approvers…) into
 *   one first stage named `approval`;
 * - then each staged rule's stages, in file order; stages of the same name (case-insensitive) from
 *   several rules become one: the highest count, intersected approvers, the shortest expiry, self-approval
 *   only if all allow it, a reason if any requires one;
 * - every `additional_approvals` adds to the last stage (and its approvers, if named, narrow that stage).
 * A stage nobody could approve (empty intersection, or fewer listed users than its count) fails closed. Pure.
 */
export function mergeStages(terms: readonly ApprovalRule[], defaults: Principals | undefined): MergedStages {
  const stages: ApprovalStage[] = [];
  const plain = terms.filter((t) => t.stages === undefined && t.minApprovals !== undefined);
  if (plain.length > 0) {
    const approvers = narrowAll(plain.map((t) => t.approvers).filter((p) => p !== undefined)) ?? defaults;
    if (approvers === undefined) return { ok: false, reason: "the approval rules name no approvers" };
    stages.push({
      name: PLAIN_STAGE_NAME,
      approvers,
      minApprovals: Math.max(...plain.map((t) => t.minApprovals ?? 1)),
      allowSelfApproval: plain.every((t) => t.allowSelfApproval),
      expiresInMs: Math.min(...plain.map((t) => t.expiresInMs)),
      reasonRequired: plain.some((t) => t.reasonRequired),
    });
  }
  for (const term of terms) {
    for (const st of term.stages ?? []) {
      const approvers = st.approvers ?? defaults;
      if (approvers === undefined) return { ok: false, reason: `stage \`${st.name}\` names no approvers` };
      const same = stages.findIndex((s) => s.name.toLowerCase() === st.name.toLowerCase());
      const existing = stages[same];
      if (existing === undefined) {
        stages.push({ ...st, approvers });
        continue;
      }
      stages[same] = {
        name: existing.name,
        approvers: intersect(existing.approvers, approvers),
        minApprovals: Math.max(existing.minApprovals, st.minApprovals),
        allowSelfApproval: existing.allowSelfApproval && st.allowSelfApproval,
        expiresInMs: Math.min(existing.expiresInMs, st.expiresInMs),
        reasonRequired: existing.reasonRequired || st.reasonRequired,
      };
    }
  }
  const additions = terms.filter((t) => t.additionalApprovals !== undefined);
  const last = stages.at(-1);
  if (last !== undefined && additions.length > 0) {
    const named = additions.map((t) => t.approvers).filter((p) => p !== undefined);
    stages[stages.length - 1] = {
      ...last,
      approvers: named.reduce(intersect, last.approvers),
      minApprovals: last.minApprovals + additions.reduce((n, t) => n + (t.additionalApprovals ?? 0), 0),
      allowSelfApproval: last.allowSelfApproval && additions.every((t) => t.allowSelfApproval),
      expiresInMs: Math.min(last.expiresInMs, ...additions.map((t) => t.expiresInMs)),
      reasonRequired: last.reasonRequired || additions.some((t) => t.reasonRequired),
    };
  }
  for (const st of stages) {
    const { users, groups } = st.approvers;
    if (users.length + groups.length === 0) {
      return {
        ok: false,
        reason: `the rules name different approvers for stage \`${st.name}\` and nobody is on every list, so nobody could approve it; the policy must name a common approver`,
      };
    }
    if (groups.length === 0 && users.length < st.minApprovals) {
      return {
        ok: false,
        reason: `stage \`${st.name}\` needs ${st.minApprovals} approvals but only ${users.length} listed users could give them; the policy must list more approvers`,
      };
    }
  }
  return { ok: true, stages };
}

/** Every stage's approvers together: who may see, and reject, a staged request. */
export function unionOfStages(stages: readonly ApprovalStage[]): Principals {
  return {
    users: [...new Set(stages.flatMap((s) => s.approvers.users))],
    groups: [...new Set(stages.flatMap((s) => s.approvers.groups))],
  };
}

function narrowAll(lists: readonly Principals[]): Principals | undefined {
  return lists.length === 0 ? undefined : lists.reduce(intersect);
}

function intersect(a: Principals, b: Principals): Principals {
  return {
    users: a.users.filter((u) => b.users.includes(u)),
    groups: a.groups.filter((g) => b.groups.includes(g)),
  };
}
