import type { CountOrShare } from "../waves/plan-waves.js";
import { formatCountOrShare, resolveCountOrShare } from "../waves/plan-waves.js";

/** `effect: { require_waves: { min_waves, max_failures } }`: the request must run in rolling waves. */
export interface WaveRule {
  minWaves: number;
  /** The highest failure threshold allowed (`10%` of the targets, or a count). */
  maxFailures: CountOrShare;
}

/** A request's planned waves, as the policy sees them. */
export interface RequestWaves {
  count: number;
  /** The run's failure threshold, in servers. */
  maxFailures: number;
}

/** What the rules that require waves ask of a request, combined (the strictest of each). */
export interface WaveRequirement {
  minWaves: number;
  /** In servers, for this request's target count. */
  maxFailures: number;
  /** As the policy writes it, for messages (`10%`). */
  maxFailuresText: string;
  ruleIds: string[];
}

/** The strictest combination of the rules' wave requirements for `targetCount` targets. */
export function combineWaveRules(
  rules: readonly { id: string; rule: WaveRule }[],
  targetCount: number,
): WaveRequirement | undefined {
  if (rules.length === 0) return undefined;
  let strictest = rules[0]!;
  for (const r of rules)
    if (
      resolveCountOrShare(r.rule.maxFailures, targetCount) <
      resolveCountOrShare(strictest.rule.maxFailures, targetCount)
    )
      strictest = r;
  return {
    minWaves: Math.max(...rules.map((r) => r.rule.minWaves)),
    maxFailures: resolveCountOrShare(strictest.rule.maxFailures, targetCount),
    maxFailuresText: formatCountOrShare(strictest.rule.maxFailures),
    ruleIds: rules.map((r) => r.id),
  };
}

/** Why the request's waves do not meet the requirement, with the flags to add; undefined when they do. */
export function wavesShortfall(
  required: WaveRequirement,
  waves: RequestWaves | undefined,
): string | undefined {
  const add = `add \`--waves ${required.minWaves} --max-failures ${required.maxFailuresText}\` (or fewer failures)`;
  if (waves === undefined)
    return `this request must run in at least ${required.minWaves} waves stopping at ${required.maxFailuresText} failed servers: ${add}`;
  const problems: string[] = [];
  if (waves.count < required.minWaves)
    problems.push(`${waves.count} waves planned, at least ${required.minWaves} needed`);
  if (waves.maxFailures > required.maxFailures)
    problems.push(
      `it would stop only after ${waves.maxFailures} failed servers, at most ${required.maxFailures} (${required.maxFailuresText}) allowed`,
    );
  return problems.length === 0 ? undefined : `${problems.join("; ")}: ${add}`;
}
