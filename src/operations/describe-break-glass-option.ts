import { MIN_BREAK_GLASS_REASON } from "../policy/apply-break-glass.js";
import type { Policy, PolicyDecision } from "../policy/types.js";
import { decideBreakGlass } from "./decide-break-glass.js";
import type { GroupsSnapshot, PolicyQuestion } from "./decide-policy.js";

/**
 * For a denial of a command typed without `--break-glass`: whether the policy's break-glass would let this
 * requester run it now, decided as {@link decideBreakGlass} decides it (with a reason long enough: the reason
 * is the requester's to give). `{ breakGlassAllowed }` for the denial view, or nothing.
 */
export function breakGlassAllows(
  policy: Policy,
  question: PolicyQuestion,
  groups: GroupsSnapshot,
): { breakGlassAllowed: { alertChannel: string } } | Record<string, never> {
  const glass = policy.breakGlass;
  if (glass === undefined) return {};
  const anyReason = "x".repeat(Math.max(MIN_BREAK_GLASS_REASON, glass.minReasonLength));
  const verdict = decideBreakGlass(policy, question, groups, anyReason);
  return verdict.ok && verdict.decision.effect !== "deny"
    ? { breakGlassAllowed: { alertChannel: glass.alertChannel } }
    : {};
}

/** What the same command without `--break-glass` gets, for the hint of a refused break-glass. */
export function withoutGlassOf(
  decision: PolicyDecision,
): { effect: "allow" } | { effect: "needs_approval" } | { effect: "deny"; reason?: string } {
  if (decision.effect !== "deny") return { effect: decision.effect };
  const reason = decision.reasons[0];
  return reason !== undefined ? { effect: "deny", reason } : { effect: "deny" };
}
