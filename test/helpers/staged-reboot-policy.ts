/**
 * The staged policy the approver tests share: a forced reboot is approved by a team lead (@ops-approvers),
 * then by security (@sre, whose stage lasts 10 minutes once reached). `rules` are added after it (e.g. a
 * rule allowing the rest), in YAML list items indented as the policy's rules are.
 */
export function stagedRebootPolicy(notify: "mention" | "dm", rules = ""): string {
  return `
version: 1
defaults:
  approvers: { groups: [ops-approvers] }
  expires_in: 30m
  reason_required: false
  notify_approvers: ${notify}
rules:
  - id: hard-reboot-in-stages
    description: A forced reboot is approved by a team lead, then by security.
    actions: [ecs:cloudServers:reboot]
    match: { flags: { hard: true } }
    effect:
      require_approval:
        stages:
          - { name: team lead, approvers: { groups: [ops-approvers] }, min_approvals: 1 }
          - { name: security, approvers: { groups: [sre] }, min_approvals: 1, expires_in: 10m }
${rules}`;
}

/** A rule allowing graceful power operations, as the shipped policy's `soft-power`. */
export const SOFT_POWER_RULE = `  - id: soft-power
    description: Graceful power operations need no approval.
    actions: [ecs:cloudServers:start, ecs:cloudServers:stop, ecs:cloudServers:reboot]
    match: { flags: { hard: false } }
    effect: allow
`;
