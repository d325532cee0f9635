/**
 * Who besides its requester may call off a scheduled change: the people the policy as it is now accepts as
 * approvers of that action on those servers. Decided with the real policy evaluator on the shipped policy and
 * small policies written for each case; the clicking user is judged with the approval clicks' own check.
 */
import { beforeAll, describe, expect, it } from "vitest";
import type { ApprovalRequest } from "../../src/approvals/approval-request.js";
import { cancelApproversOf } from "../../src/operations/cancel-approvers-of.js";
import { isListedApprover } from "../../src/operations/is-listed-approver.js";
import { loadPolicy, parsePolicy } from "../../src/policy/load-policy.js";
import type { Policy } from "../../src/policy/types.js";

const HOUR = 3_600_000;
const RUN_AT = Date.parse("2026-12-08T21:00:00Z");

type Scheduled = Pick<
  ApprovalRequest,
  "action" | "requester" | "channel" | "targets" | "parameters" | "schedule"
>;

function stopRequest(overrides: Partial<Scheduled> = {}): Scheduled {
  return {
    action: "ecs:cloudServers:stop",
    requester: { userId: "U_ALICE", teamId: "T1" },
    channel: "C_OPS",
    targets: [
      { id: "srv-3", name: "web-03", status: "ACTIVE", flavor: "s6.small.1", tags: { env: "staging" } },
    ],
    parameters: { hard: false },
    schedule: { runAt: RUN_AT, startBy: RUN_AT + HOUR / 4 },
    ...overrides,
  };
}

function policyOf(yaml: string): Policy {
  const loaded = parsePolicy(yaml);
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.errors));
  return loaded.policy;
}

const noGroups = { requesterGroups: async () => [] };

let shipped: Policy;
beforeAll(async () => {
  const loaded = await loadPolicy("flows/policy.yml");
  if (!loaded.ok) throw new Error("shipped policy invalid");
  shipped = loaded.policy;
});

describe("cancelApproversOf", () => {
  it("a change the shipped policy allows outright: its default approvers (@ops-approvers)", async () => {
    expect(await cancelApproversOf(shipped, stopRequest(), noGroups)).toEqual({
      users: [],
      groups: ["ops-approvers"],
    });
  });

  it("a change that needs approval: the approvers the decision names now", async () => {
    const policy = policyOf(`
version: 1
defaults: { approvers: { groups: [ops-approvers] } }
rules:
  - id: soft
    description: Soft power is free.
    actions: [ecs:cloudServers:stop]
    match: { flags: { hard: false } }
    effect: allow
  - id: hard
    description: Hard stops by SRE only.
    actions: [ecs:cloudServers:stop]
    match: { flags: { hard: true } }
    effect: { require_approval: { min_approvals: 1, approvers: { groups: [sre], users: [U_ERIN] } } }
`);
    expect(await cancelApproversOf(policy, stopRequest({ parameters: { hard: true } }), noGroups)).toEqual({
      users: ["U_ERIN"],
      groups: ["sre"],
    });
    // The same servers, soft: allowed outright, so the defaults.
    expect(await cancelApproversOf(policy, stopRequest(), noGroups)).toEqual({
      users: [],
      groups: ["ops-approvers"],
    });
  });

  it("on those servers: a rule on the servers' tags decides whose approval it would be", async () => {
    const policy = policyOf(`
version: 1
defaults: { approvers: { groups: [ops-approvers] } }
rules:
  - id: soft
    description: Soft power is free.
    actions: [ecs:cloudServers:stop]
    effect: allow
  - id: payments
    description: Payments servers are approved by their team.
    actions: [ecs:cloudServers:stop]
    match: { targets: { tags: { team: payments } } }
    effect: { require_approval: { additional_approvals: 1, approvers: { groups: [payments-oncall] } } }
`);
    const payments = stopRequest({
      targets: [
        { id: "srv-9", name: "pay-01", status: "ACTIVE", flavor: "s6.small.1", tags: { team: "payments" } },
      ],
    });
    expect(await cancelApproversOf(policy, payments, noGroups)).toEqual({
      users: [],
      groups: ["payments-oncall"],
    });
    expect((await cancelApproversOf(policy, stopRequest(), noGroups)).groups).toEqual(["ops-approvers"]);
  });

  it("staged approval: every stage's approvers", async () => {
    const policy = policyOf(`
version: 1
rules:
  - id: staged
    description: Two stages.
    actions: [ecs:cloudServers:stop]
    effect:
      require_approval:
        stages:
          - { name: lead, approvers: { groups: [leads] } }
          - { name: security, approvers: { users: [U_SEC] } }
`);
    expect(await cancelApproversOf(policy, stopRequest(), noGroups)).toEqual({
      users: ["U_SEC"],
      groups: ["leads"],
    });
  });

  it("a policy naming no approvers at all: nobody but the requester", async () => {
    const policy = policyOf(`
version: 1
rules:
  - id: soft
    description: Soft power is free.
    actions: [ecs:cloudServers:stop]
    effect: allow
`);
    expect(await cancelApproversOf(policy, stopRequest(), noGroups)).toEqual({ users: [], groups: [] });
  });

  it("the requester's groups are read only when a rule on the action looks at them", async () => {
    let reads = 0;
    const counting = {
      requesterGroups: async () => {
        reads++;
        return ["sre"];
      },
    };
    await cancelApproversOf(shipped, stopRequest(), counting);
    expect(reads).toBe(0);
    const policy = policyOf(`
version: 1
defaults: { approvers: { groups: [ops-approvers] } }
rules:
  - id: sre-free
    description: SRE may stop without approval.
    actions: [ecs:cloudServers:stop]
    match: { requesters: { groups: [sre] } }
    effect: allow
  - id: others
    description: Others need approval from the leads.
    actions: [ecs:cloudServers:stop]
    effect: { require_approval: { min_approvals: 1, approvers: { groups: [leads] } } }
`);
    // Allowed for @sre by the first rule, but the second still asks the leads: they are the approvers.
    expect(await cancelApproversOf(policy, stopRequest(), counting)).toEqual({
      users: [],
      groups: ["leads"],
    });
    expect(reads).toBe(1);
  });

  it("judged with the approval clicks' check: by user ID or a group held now, same team only", async () => {
    const approvers = await cancelApproversOf(shipped, stopRequest(), noGroups);
    const requester = { userId: "U_ALICE", teamId: "T1" };
    const bob = { userId: "U_BOB", teamId: "T1", groups: ["ops-approvers"] };
    expect(isListedApprover({ approvers }, bob, requester)).toBe(true);
    expect(isListedApprover({ approvers }, { ...bob, groups: [] }, requester)).toBe(false);
    expect(isListedApprover({ approvers }, { ...bob, teamId: "T2" }, requester)).toBe(false);
  });
});
