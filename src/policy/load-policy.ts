import { compileCalendars } from "../calendars/compile-calendars.js";
import type { ConfigError } from "../config/format-config-errors.js";
import { loadYamlConfig, parseYamlConfig, type YamlConfigResult } from "../config/load-yaml-config.js";
import { refuseNeverMatchingRules } from "./check-rule-conditions.js";
import { normalizeChannelName, normalizeGroup } from "./normalize-names.js";
import { type PolicyFile, policyFileSchema } from "./policy-file-schema.js";
import type { ChannelSet, Policy, PolicyFlags, PolicyRule, Principals, RuleConditions } from "./types.js";

export type PolicyLoadResult = { ok: true; policy: Policy } | { ok: false; errors: ConfigError[] };

/** Approvals that name no expiry, here or in `defaults`, expire after this long. */
export const DEFAULT_APPROVAL_EXPIRY_MS = 30 * 60_000;

/** A break-glass use nobody acknowledged is brought up again this often, unless `remind_every` says otherwise. */
export const DEFAULT_BREAK_GLASS_REMIND_MS = 60 * 60_000;

/**
 * The policy file as the bot starts with it: well formed, and no rule with a condition that can never hold for
 * its own actions (a `deny` on `start` with `flags: { hard: true }` protects nothing, and its author believes it
 * does; see `check-rule-conditions.ts`).
 */
const checkedPolicyFileSchema = policyFileSchema.superRefine(refuseNeverMatchingRules);

/**
 * Reads and validates a policy file (normally `flows/policy.yml`), as the bot does at start: a malformed file,
 * or a rule that can never match, comes back as errors naming the file, line and column; render them with
 * `formatConfigErrors`. Pass `text` to validate content not on disk.
 */
export async function loadPolicy(
  filePath: string,
  options: { text?: string } = {},
): Promise<PolicyLoadResult> {
  return compile(filePath, await loadYamlConfig(filePath, checkedPolicyFileSchema, options));
}

/**
 * {@link loadPolicy} for policy text in hand (tests); `file` labels errors and rule sources. It checks the form
 * only, so a test can build a rule that never matches to probe the evaluator; `{ checkRules: true }` also
 * refuses such rules, as {@link loadPolicy} does.
 */
export function parsePolicy(
  text: string,
  file = "policy.yml",
  options: { checkRules?: boolean } = {},
): PolicyLoadResult {
  return compile(
    file,
    parseYamlConfig(file, text, options.checkRules === true ? checkedPolicyFileSchema : policyFileSchema),
  );
}

function compile(file: string, loaded: YamlConfigResult<PolicyFile>): PolicyLoadResult {
  if (!loaded.ok) return loaded;
  const { value, locate } = loaded;
  const defaults = value.defaults ?? {};
  const rules = value.rules.map((rule, index): PolicyRule => {
    const approval = rule.effect.require_approval;
    return {
      id: rule.id,
      description: rule.description.trim(),
      source: `${file}:${locate(["rules", index]).line}`,
      actions: rule.actions,
      when: compileConditions(rule.match),
      effect: {
        allow: rule.effect.allow === true,
        ...(rule.effect.deny !== undefined && { deny: rule.effect.deny.trim() }),
        ...(rule.effect.max_targets !== undefined && { maxTargets: rule.effect.max_targets }),
        ...(rule.effect.require_waves !== undefined && {
          requireWaves: {
            minWaves: rule.effect.require_waves.min_waves,
            maxFailures: rule.effect.require_waves.max_failures,
          },
        }),
        ...(approval !== undefined && {
          approval: {
            ...(approval.approvers !== undefined && { approvers: normalizePrincipals(approval.approvers) }),
            // A rule that neither adds nor sets a number still means "needs approval": one. A staged rule
            // sets its stages instead.
            ...(approval.stages !== undefined
              ? {
                  stages: approval.stages.map((st) => ({
                    name: st.name.trim(),
                    ...(st.approvers !== undefined && { approvers: normalizePrincipals(st.approvers) }),
                    minApprovals: st.min_approvals ?? 1,
                    allowSelfApproval: st.allow_self_approval ?? defaults.allow_self_approval ?? false,
                    expiresInMs:
                      st.expires_in ??
                      approval.expires_in ??
                      defaults.expires_in ??
                      DEFAULT_APPROVAL_EXPIRY_MS,
                    reasonRequired:
                      st.reason_required ?? approval.reason_required ?? defaults.reason_required ?? false,
                  })),
                }
              : approval.additional_approvals !== undefined
                ? { additionalApprovals: approval.additional_approvals }
                : { minApprovals: approval.min_approvals ?? 1 }),
            allowSelfApproval: approval.allow_self_approval ?? defaults.allow_self_approval ?? false,
            expiresInMs: approval.expires_in ?? defaults.expires_in ?? DEFAULT_APPROVAL_EXPIRY_MS,
            reasonRequired: approval.reason_required ?? defaults.reason_required ?? false,
            notifyApprovers: approval.notify_approvers ?? defaults.notify_approvers ?? "mention",
          },
        }),
      },
    };
  });
  return {
    ok: true,
    policy: {
      source: file,
      sha256: loaded.sha256,
      allowedChannels: value.allowed_channels && normalizeChannels(value.allowed_channels),
      defaultApprovers: defaults.approvers && normalizePrincipals(defaults.approvers),
      rules,
      policyTagKeys: [...new Set(rules.flatMap((r) => Object.keys(r.when.targets?.tags ?? {})))].sort(),
      ...(value.break_glass !== undefined && {
        breakGlass: {
          groups: [...new Set(value.break_glass.groups.map(normalizeGroup))],
          alertChannel: value.break_glass.alert_channel,
          remindEveryMs: value.break_glass.remind_every ?? DEFAULT_BREAK_GLASS_REMIND_MS,
          // Validation guarantees one of them.
          reviewers: normalizePrincipals(
            value.break_glass.reviewers ?? defaults.approvers ?? { users: [], groups: [] },
          ),
          minReasonLength: value.break_glass.min_reason_length ?? 15,
        },
      }),
      calendars: compileCalendars(value.calendars, (name) => `${file}:${locate(["calendars", name]).line}`),
    },
  };
}

function compileConditions(match: PolicyFile["rules"][number]["match"]): RuleConditions {
  const flags: PolicyFlags = {};
  if (match?.flags?.hard !== undefined) flags.hard = match.flags.hard;
  if (match?.flags?.delete_volume !== undefined) flags.deleteVolume = match.flags.delete_volume;
  if (match?.flags?.delete_eip !== undefined) flags.deleteEip = match.flags.delete_eip;
  if (match?.flags?.dry_run !== undefined) flags.dryRun = match.flags.dry_run;
  return {
    ...(match?.requesters && { requesters: normalizePrincipals(match.requesters) }),
    ...(match?.channels && { channels: normalizeChannels(match.channels) }),
    ...(match?.targets && { targets: { tags: match.targets.tags, names: match.targets.names } }),
    ...(match?.target_count && { targetCount: match.target_count }),
    ...(match?.during && { during: match.during }),
    ...(match?.outside && { outside: match.outside }),
    ...(match?.tag_change && {
      tagChange: {
        ...(match.tag_change.touches_policy_tags !== undefined && {
          touchesPolicyTags: match.tag_change.touches_policy_tags,
        }),
        ...(match.tag_change.adds !== undefined && { adds: match.tag_change.adds }),
        ...(match.tag_change.removes !== undefined && { removes: match.tag_change.removes }),
      },
    }),
    flags,
  };
}

function normalizePrincipals(p: Principals): Principals {
  return { users: [...new Set(p.users)], groups: [...new Set(p.groups.map(normalizeGroup))] };
}

function normalizeChannels(c: ChannelSet): ChannelSet {
  return { ids: c.ids, names: c.names.map(normalizeChannelName) };
}
