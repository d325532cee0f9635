import { visibleText } from "../render/escape-mrkdwn.js";
import { normalizeGroup } from "./normalize-names.js";
import type { Policy, PolicyDecision } from "./types.js";

/** The shortest break-glass reason the bot accepts, whatever the policy says. */
export const MIN_BREAK_GLASS_REASON = 15;

/**
 * A decision with `--break-glass`, or why break-glass is refused. `skipped`: approval was needed and is
 * skipped (the use must be reviewed).
 */
export type BreakGlassVerdict =
  | { ok: true; decision: PolicyDecision; skipped: boolean }
  | { ok: false; reason: string };

/**
 * Applies break-glass to a decision already made for the requester: refused unless the policy has
 * `break_glass:`, the requester belongs to one of its groups (as read now) and the reason is long enough.
 * Then a `needs_approval` decision becomes `allow` (its `max_targets` cap and `require_waves` requirement kept,
 * so the run and its re-decision are bound by them as an approved one is); `deny` — a deny rule, a cap, waves
 * missing, nobody allowing it — stays `deny`: break-glass skips approval, nothing else. Pure.
 */
export function applyBreakGlass(
  policy: Pick<Policy, "breakGlass">,
  decision: PolicyDecision,
  requester: { userId: string; groups: readonly string[] },
  reason: string,
): BreakGlassVerdict {
  const glass = policy.breakGlass;
  if (glass === undefined) {
    return {
      ok: false,
      reason: "break-glass is not set up in the policy (it has no `break_glass:` section)",
    };
  }
  const mine = new Set(requester.groups.map(normalizeGroup));
  if (!glass.groups.some((g) => mine.has(g))) {
    const groups = glass.groups.map((g) => `@${g}`).join(", ");
    return {
      ok: false,
      reason: `break-glass is only for members of ${groups}, and you are not one; ask for approval as usual (without --break-glass)`,
    };
  }
  const min = Math.max(MIN_BREAK_GLASS_REASON, glass.minReasonLength);
  // Counted as read: zero-width and control characters make no reason longer.
  const length = [...visibleText(reason)].length;
  if (length < min) {
    return {
      ok: false,
      reason: `a break-glass reason must say why in at least ${min} characters (yours has ${length}), e.g. \`--break-glass "web tier down, INC-4711"\``,
    };
  }
  if (decision.effect !== "needs_approval") return { ok: true, decision, skipped: false };
  return {
    ok: true,
    skipped: true,
    decision: {
      effect: "allow",
      rules: decision.rules,
      ...(decision.maxTargets !== undefined && { maxTargets: decision.maxTargets }),
      ...(decision.waves !== undefined && { waves: decision.waves }),
    },
  };
}
