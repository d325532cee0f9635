import type { PolicyDecision } from "../policy/types.js";
import { code, type Message, md } from "../render/message-model.js";
import { buildNoticeView } from "../views/build-notice-view.js";
import { withInlineCode } from "../views/format-values.js";

/**
 * Why the policy refuses something that cannot wait for approval (a read, an `/ops` command, a schedule's
 * pause): its deny reasons, or that `what` cannot wait for approval. Undefined when it is allowed.
 */
export function refusalReasonOf(decision: PolicyDecision, what = "reads"): string | undefined {
  if (decision.effect === "allow") return undefined;
  return decision.effect === "deny" ? decision.reasons.join("; ") : `${what} cannot wait for approval`;
}

/**
 * "Not allowed by the policy", with why and the rules that decided: the answer to a read or an `/ops` command
 * the policy refuses (`what`: what cannot wait for approval). Undefined when the decision allows it.
 */
export function buildPolicyRefusalView(decision: PolicyDecision, what = "reads"): Message | undefined {
  const why = refusalReasonOf(decision, what);
  if (why === undefined) return undefined;
  const rules = decision.rules.map((r) => r.id);
  return buildNoticeView(
    ":no_entry:",
    md`Not allowed by the policy: ${withInlineCode(why)}${rules.length > 0 ? md` (${code(rules.join(", "))})` : md``}.`,
  );
}
