import type { MutationHandler } from "../commands/types.js";
import { formatCommandLine, type Target } from "../intents/index.js";
import type { Policy, PolicyDecision } from "../policy/types.js";

/**
 * For a denial by a `max_targets` cap: the command split into allowed chunks of the resolved servers (by
 * name when the names are distinct, else by ID, so every chunk names exactly the servers it should).
 */
export function splitDeniedCommand(
  policy: Policy,
  decision: Extract<PolicyDecision, { effect: "deny" }>,
  intent: Parameters<MutationHandler>[0],
  servers: readonly { id: string; name: string }[],
): { split?: { cap: number; commands: string[] } } {
  const caps = decision.rules
    .map((ref) => policy.rules.find((r) => r.id === ref.id)?.effect.maxTargets)
    .filter((n): n is number => n !== undefined);
  if (caps.length === 0 || servers.length === 0) return {};
  const cap = Math.min(...caps);
  const distinct = new Set(servers.map((s) => s.name)).size === servers.length;
  const refs: Target[] = servers.map((s) =>
    distinct ? { kind: "name", name: s.name } : { kind: "id", id: s.id },
  );
  const commands: string[] = [];
  for (let i = 0; i < refs.length; i += cap) {
    const chunk = refs.slice(i, i + cap);
    commands.push(formatCommandLine("targets" in intent ? { ...intent, targets: chunk } : intent));
  }
  return commands.length < 2 ? {} : { split: { cap, commands } };
}
