import type * as z from "zod";
import { valueIssue } from "../config/value-issue.js";
import { MUTATING_ACTIONS } from "../intents/intent-action.js";
import { joinWords } from "../render/escape-mrkdwn.js";
import { KNOWN_ACTIONS } from "./actions.js";
import { matchGlob } from "./match-glob.js";
import { policyFlagsOf, tagChangeOf } from "./policy-facts-of.js";
import type { PolicyFlags } from "./types.js";

/**
 * Which requests carry which of the policy's request conditions, and the check that refuses a rule whose
 * conditions can never hold for its own actions (a `deny` that protects nothing is a mistake in a safety file,
 * so the bot does not start with it; the loader reports it with file and line).
 */

/** The `match.flags` keys of the policy file. */
export const POLICY_FLAG_KEYS = ["hard", "delete_volume", "delete_eip", "dry_run"] as const;
export type PolicyFlagKey = (typeof POLICY_FLAG_KEYS)[number];

/** The command-line flag each policy flag stands for. */
export const COMMAND_FLAG_OF: Readonly<Record<PolicyFlagKey, string>> = {
  hard: "--hard",
  delete_volume: "--delete-volume",
  delete_eip: "--delete-eip",
  dry_run: "--dry-run",
};

/** The field of `PolicyFlags` each file key sets. */
const FLAG_FIELD = {
  hard: "hard",
  delete_volume: "deleteVolume",
  delete_eip: "deleteEip",
  dry_run: "dryRun",
} as const satisfies Record<PolicyFlagKey, keyof PolicyFlags>;

/**
 * The actions whose requests carry each flag. Read from the one place that sets them, the requests' own
 * mapping (`policyFlagsOf` in `policy-facts-of.ts`): a new flag on an action counts here
 * at once. Any other action's request has the flag false.
 */
export const ACTIONS_TAKING_FLAG: Readonly<Record<PolicyFlagKey, readonly string[]>> = {
  hard: actionsCarrying("hard"),
  delete_volume: actionsCarrying("delete_volume"),
  delete_eip: actionsCarrying("delete_eip"),
  dry_run: actionsCarrying("dry_run"),
};

function actionsCarrying(key: PolicyFlagKey): string[] {
  return MUTATING_ACTIONS.filter((action) => FLAG_FIELD[key] in policyFlagsOf(action, {}));
}

/** The actions whose requests carry a tag change (what `match.tag_change` looks at), from `tagChangeOf`. */
export const TAG_CHANGE_ACTIONS: readonly string[] = MUTATING_ACTIONS.filter(
  (action) => tagChangeOf(action, {}) !== undefined,
);

/** Of {@link TAG_CHANGE_ACTIONS}, those whose changes write tags (what `tag_change.adds` looks at). */
export const TAG_WRITING_ACTIONS: readonly string[] = TAG_CHANGE_ACTIONS.filter(
  (action) => (tagChangeOf(action, { addTags: [{ key: "k", value: "v" }] })?.add.length ?? 0) > 0,
);

/**
 * The actions whose requests can carry target servers (what `match.targets` and `match.target_count` look at):
 * every change, the reads of one server (`/ecs show web-1`, `/ecs console-log web-1`, `/hss ports web-1`, …)
 * and a schedule's creation (the servers of its command). Every other action's request has no targets: a list
 * (`/ecs list`, `/ecs flavors`) is allowed or denied as a whole, never filtered server by server. Held to the
 * intents' own targets (`targetsOf` in `replace-target.ts`) by a test over every help example.
 */
export const ACTIONS_WITH_TARGETS: readonly string[] = [
  ...MUTATING_ACTIONS,
  "ecs:servers:get",
  "ecs:serverTags:list",
  "ecs:servers:getConsoleOutput",
  "ecs:serverInterfaces:list",
  "ecs:securityGroups:list",
  "ecs:instanceActions:list",
  "hss:ports:list",
  "ops:schedule:create",
];

/** The known actions a rule's patterns cover. */
export function actionsOfPatterns(patterns: readonly string[]): string[] {
  return KNOWN_ACTIONS.filter((action) => patterns.some((pattern) => matchGlob(pattern, action)));
}

/** The part of a parsed rule the check reads. */
export interface RuleToCheck {
  id: string;
  actions: readonly string[];
  match?:
    | {
        flags?: Partial<Record<PolicyFlagKey, boolean | undefined>> | undefined;
        tag_change?: { adds?: Record<string, string> | undefined } | undefined;
        targets?: unknown;
        target_count?: { min?: number | undefined; max?: number | undefined } | undefined;
        during?: readonly string[] | undefined;
        outside?: readonly string[] | undefined;
      }
    | undefined;
}

/** A problem of one rule: where below the rule (`["match", "flags", "hard"]`) and the zod issue to add there. */
export interface RuleConditionIssue {
  path: (string | number)[];
  issue: ReturnType<typeof valueIssue> | { code: "custom"; message: string };
}

const MUTATING = new Set<string>(MUTATING_ACTIONS);
const WITH_TARGETS = new Set<string>(ACTIONS_WITH_TARGETS);

/** The rule's actions as written, for messages: the patterns, and what a wildcard covers. */
function describeActions(rule: RuleToCheck, covered: readonly string[]): string {
  const written = rule.actions.join(", ");
  return rule.actions.some((a) => a.includes("*") || a.includes("?"))
    ? `${written} (${covered.length} actions)`
    : written;
}

/**
 * Conditions of `rule` that never hold (or, for a flag set to false, always hold) for the actions it names:
 * - a flag none of its actions take (`hard` on `ecs:cloudServers:start`);
 * - `tag_change` when none of its actions changes tags, `tag_change.adds` when none writes tags;
 * - a calendar under both `during` and `outside`;
 * - `targets` or `target_count` when none of its actions' requests has targets (a list: see
 *   {@link ACTIONS_WITH_TARGETS});
 * - `target_count.max: 0` when every action it names is a change (a change always has a target).
 */
export function checkRuleConditions(rule: RuleToCheck): RuleConditionIssue[] {
  const match = rule.match;
  if (match === undefined) return [];
  const covered = actionsOfPatterns(rule.actions);
  const actions = describeActions(rule, covered);
  const never = `so rule \`${rule.id}\` can never match`;
  const found: RuleConditionIssue[] = [];

  for (const key of POLICY_FLAG_KEYS) {
    const wanted = match.flags?.[key];
    if (wanted === undefined) continue;
    const takers = ACTIONS_TAKING_FLAG[key];
    if (covered.some((a) => takers.includes(a))) continue;
    const flag = COMMAND_FLAG_OF[key];
    const who = `only ${joinWords(takers)} ${takers.length === 1 ? "takes" : "take"} \`${flag}\`, and this rule's actions (${actions}) do not`;
    found.push({
      path: ["match", "flags", key],
      issue: valueIssue(
        wanted,
        wanted
          ? `never holds: ${who}, ${never}; fix \`actions\` or remove the flag`
          : `always holds: ${who}; remove the flag, or fix \`actions\``,
      ),
    });
  }

  if (match.tag_change !== undefined) {
    const tagActions = covered.filter((a) => TAG_CHANGE_ACTIONS.includes(a));
    if (tagActions.length === 0) {
      found.push({
        path: ["match", "tag_change"],
        issue: {
          code: "custom",
          message: `\`tag_change\` never holds: only ${joinWords(TAG_CHANGE_ACTIONS)} requests change tags, and this rule's actions (${actions}) are none of them, ${never}; fix \`actions\` or remove \`tag_change\``,
        },
      });
    } else if (
      match.tag_change.adds !== undefined &&
      !tagActions.some((a) => TAG_WRITING_ACTIONS.includes(a))
    ) {
      found.push({
        path: ["match", "tag_change", "adds"],
        issue: {
          code: "custom",
          message: `\`tag_change.adds\` never holds: only ${joinWords(TAG_WRITING_ACTIONS)} writes tags, and this rule's actions (${actions}) only remove them, ${never}; use \`removes\`, or fix \`actions\``,
        },
      });
    }
  }

  const during = match.during ?? [];
  const outside = match.outside ?? [];
  const both = during.filter((name) => outside.includes(name));
  if (both.length > 0) {
    const everyDuring = during.every((name) => outside.includes(name));
    outside.forEach((name, index) => {
      if (!both.includes(name)) return;
      found.push({
        path: ["match", "outside", index],
        issue: {
          code: "custom",
          message: everyDuring
            ? `calendar \`${name}\` is under both \`during\` and \`outside\`: no moment is both in and outside it, ${never}; keep it under one`
            : `calendar \`${name}\` is under both \`during\` and \`outside\`: under \`during\` it can never count; keep it under one`,
        },
      });
    });
  }

  if (covered.length > 0 && !covered.some((a) => WITH_TARGETS.has(a))) {
    const none = `requests for ${actions} have no target servers (list commands are not filtered by targets: the policy allows or denies the whole list)`;
    const instead =
      "to keep a server from being shown, match `targets` in a rule on the reads of one server (ecs:servers:get, ecs:servers:getConsoleOutput, …); to limit who may list, match `requesters` or `channels`";
    for (const key of ["targets", "target_count"] as const) {
      if (match[key] === undefined) continue;
      // No targets: a count of 0, which `target_count` without a `min` (or with `min: 0`) lets through.
      const always = key === "target_count" && (match.target_count?.min ?? 0) === 0;
      found.push({
        path: ["match", key],
        issue: {
          code: "custom",
          message: always
            ? `\`${key}\` always holds: ${none}; remove \`${key}\`: ${instead}`
            : `\`${key}\` never holds: ${none}, ${never}; remove \`${key}\`: ${instead}`,
        },
      });
    }
  } else if (match.target_count?.max === 0 && covered.length > 0 && covered.every((a) => MUTATING.has(a))) {
    found.push({
      path: ["match", "target_count", "max"],
      issue: valueIssue(
        0,
        `never holds: every request for ${actions} has at least one target, ${never}; use \`max: 1\` or more`,
      ),
    });
  }
  return found;
}

/**
 * Adds an issue at each condition of `file.rules` that {@link checkRuleConditions} finds, so the loader reports
 * it with file, line and column: `policyFileSchema.superRefine(refuseNeverMatchingRules)`.
 */
export function refuseNeverMatchingRules(
  file: { rules: readonly RuleToCheck[] },
  ctx: z.RefinementCtx,
): void {
  file.rules.forEach((rule, index) => {
    for (const { path, issue } of checkRuleConditions(rule))
      ctx.addIssue({ ...issue, path: ["rules", index, ...path] });
  });
}
