import { beforeAll, describe, expect, it } from "vitest";
import { formatConfigErrors } from "../../src/config/load-yaml-config.js";
import { evaluatePolicy } from "../../src/policy/evaluate-policy.js";
import { loadPolicy, parsePolicy } from "../../src/policy/load-policy.js";
import type { Policy, PolicyDecision, PolicyRequest, PolicyTarget } from "../../src/policy/types.js";

const REQUESTER = "U0REQUESTER";

function request(action: string, overrides: Partial<PolicyRequest> = {}): PolicyRequest {
  return {
    action,
    requester: { userId: REQUESTER, groups: [] },
    channel: { id: "C0OPS", name: "ops" },
    targets: [],
    flags: {},
    ...overrides,
  };
}

function server(name: string, tags: Record<string, string> = {}): PolicyTarget {
  return { id: `id-${name}`, name, tags };
}
const dev = (name = "web-1") => server(name, { env: "dev" });
const prod = (name = "web-9") => server(name, { env: "prod" });
const many = (n: number) => Array.from({ length: n }, (_, i) => dev(`web-${i}`));

function inline(yaml: string): Policy {
  const loaded = parsePolicy(yaml, "inline.yml");
  if (!loaded.ok) throw new Error(formatConfigErrors(loaded.errors));
  return loaded.policy;
}

/** What a case expects; only the fields given are checked. */
interface Expected {
  effect: PolicyDecision["effect"];
  rules?: string[];
  minApprovals?: number;
  reason?: string;
}

interface Case {
  name: string;
  policy: "shipped" | Policy;
  request: PolicyRequest;
  expected: Expected;
}

let shipped: Policy;
beforeAll(async () => {
  const loaded = await loadPolicy("flows/policy.yml");
  if (!loaded.ok) throw new Error(formatConfigErrors(loaded.errors));
  shipped = loaded.policy;
});

const stop = "ecs:cloudServers:stop";
const reboot = "ecs:cloudServers:reboot";
const del = "ecs:cloudServers:delete";
const resize = "ecs:cloudServers:resize";

const shippedCases: Case[] = [
  {
    name: "anyone lists servers",
    policy: "shipped",
    request: request("ecs:servers:list"),
    expected: { effect: "allow", rules: ["reads-open"] },
  },
  {
    name: "anyone lists flavors (ecs:*:list)",
    policy: "shipped",
    request: request("ecs:flavors:list"),
    expected: { effect: "allow", rules: ["reads-open"] },
  },
  {
    name: "anyone gets a prod server: prod +1 is for changes only",
    policy: "shipped",
    request: request("ecs:servers:get", { targets: [prod()] }),
    expected: { effect: "allow", rules: ["reads-open"] },
  },
  {
    name: "anyone reads HSS scan tasks",
    policy: "shipped",
    request: request("hss:scanTasks:get"),
    expected: { effect: "allow" },
  },
  {
    name: "anyone asks for help",
    policy: "shipped",
    request: request("ops:help"),
    expected: { effect: "allow" },
  },
  {
    name: "anyone explains the policy",
    policy: "shipped",
    request: request("ops:policy:explain"),
    expected: { effect: "allow" },
  },
  {
    name: "start of a dev server is allowed",
    policy: "shipped",
    request: request("ecs:cloudServers:start", { targets: [dev()] }),
    expected: { effect: "allow", rules: ["soft-power"] },
  },
  {
    name: "soft stop of a dev server is allowed",
    policy: "shipped",
    request: request(stop, { targets: [dev()] }),
    expected: { effect: "allow", rules: ["soft-power"] },
  },
  {
    name: "soft stop of a prod server needs 1 (0 + prod 1)",
    policy: "shipped",
    request: request(stop, { targets: [prod()] }),
    expected: { effect: "needs_approval", minApprovals: 1, rules: ["soft-power", "prod-needs-one-more"] },
  },
  {
    name: "hard stop of a dev server needs 1",
    policy: "shipped",
    request: request(stop, { targets: [dev()], flags: { hard: true } }),
    expected: { effect: "needs_approval", minApprovals: 1, rules: ["hard-power-needs-approval"] },
  },
  {
    name: "hard reboot of a prod server needs 2",
    policy: "shipped",
    request: request(reboot, { targets: [prod()], flags: { hard: true } }),
    expected: {
      effect: "needs_approval",
      minApprovals: 2,
      rules: ["hard-power-needs-approval", "prod-needs-one-more"],
    },
  },
  {
    name: "resize of a dev server needs 1",
    policy: "shipped",
    request: request(resize, { targets: [dev()] }),
    expected: { effect: "needs_approval", minApprovals: 1, rules: ["resize-needs-approval"] },
  },
  {
    name: "resize of a prod server needs 2",
    policy: "shipped",
    request: request(resize, { targets: [prod()] }),
    expected: { effect: "needs_approval", minApprovals: 2 },
  },
  {
    name: "delete of a dev server needs 2",
    policy: "shipped",
    request: request(del, { targets: [dev()] }),
    expected: { effect: "needs_approval", minApprovals: 2, rules: ["delete-needs-two-approvals"] },
  },
  {
    name: "delete of a prod server needs 3",
    policy: "shipped",
    request: request(del, { targets: [prod()] }),
    expected: {
      effect: "needs_approval",
      minApprovals: 3,
      rules: ["delete-needs-two-approvals", "prod-needs-one-more"],
    },
  },
  {
    name: "delete of dev + prod needs 3: one prod target is enough",
    policy: "shipped",
    request: request(del, { targets: [dev(), prod()] }),
    expected: { effect: "needs_approval", minApprovals: 3 },
  },
  {
    name: "delete of exactly 10 servers is within the cap",
    policy: "shipped",
    request: request(del, { targets: many(10) }),
    expected: { effect: "needs_approval", minApprovals: 2 },
  },
  {
    name: "delete of 12 servers is denied with how to split",
    policy: "shipped",
    request: request(del, { targets: many(12) }),
    expected: {
      effect: "deny",
      rules: ["delete-needs-two-approvals"],
      reason: "12 targets; at most 10 per request: split it into 2 requests",
    },
  },
  {
    name: "delete of 25 servers: split into 3",
    policy: "shipped",
    request: request(del, { targets: many(25) }),
    expected: { effect: "deny", reason: "25 targets; at most 10 per request: split it into 3 requests" },
  },
  {
    name: "tags are case-sensitive: env=Prod is not env=prod",
    policy: "shipped",
    request: request(stop, { targets: [server("web-1", { env: "Prod" })] }),
    expected: { effect: "allow" },
  },
  {
    name: "an unknown action is denied even though wildcards exist",
    policy: "shipped",
    request: request("ecs:cloudServers:explode"),
    expected: { effect: "deny", rules: [], reason: "`ecs:cloudServers:explode` is not an action I know" },
  },
];

const empty = () => inline("rules: []");
const star = () =>
  inline(`
rules:
  - { id: all, description: Everything., actions: ["*"], effect: allow }
`);
const lists = () =>
  inline(`
rules:
  - { id: ecs-lists, description: ECS lists., actions: ["ecs:*:list"], effect: allow }
`);
const denyWins = () =>
  inline(`
rules:
  - { id: all, description: Everything., actions: ["*"], effect: allow }
  - id: locked
    description: Locked servers are never deleted.
    actions: [ecs:cloudServers:delete]
    match: { targets: { tags: { lock: "true" } } }
    effect: { deny: "This server is locked." }
`);
const webOnly = () =>
  inline(`
rules:
  - id: web-stop
    description: Web servers may be stopped.
    actions: [ecs:cloudServers:stop]
    match: { targets: { names: ["web-*"] } }
    effect: allow
  - id: web-digit-reboot
    description: Single-digit web servers may be rebooted.
    actions: [ecs:cloudServers:reboot]
    match: { targets: { names: ["web-?"] } }
    effect: allow
  - id: eu-prod-resize
    description: Resizing prod servers in any EU region is allowed.
    actions: [ecs:cloudServers:resize]
    match: { targets: { tags: { env: "prod-eu*" } } }
    effect: allow
`);
const approvals = () =>
  inline(`
defaults:
  approvers: { groups: [ops-approvers] }
rules:
  - id: one
    description: One approval, an hour, no reason needed, self-approval allowed.
    actions: [ecs:cloudServers:resize]
    effect:
      require_approval: { min_approvals: 1, expires_in: 1h, allow_self_approval: true, reason_required: false }
  - id: three
    description: Three approvals, ten minutes, reasons required.
    actions: ["ecs:cloudServers:*"]
    match: { target_count: { min: 2 } }
    effect:
      require_approval: { min_approvals: 3, expires_in: 10m, reason_required: true }
  - id: plus-volume
    description: Deleting volumes too adds one.
    actions: [ecs:cloudServers:delete]
    match: { flags: { delete_volume: true } }
    effect: { require_approval: { additional_approvals: 1 } }
  - id: plus-eip
    description: Releasing the EIP too adds one.
    actions: [ecs:cloudServers:delete]
    match: { flags: { delete_eip: true } }
    effect: { require_approval: { additional_approvals: 1 } }
  - id: delete-base
    description: Deleting needs one approval.
    actions: [ecs:cloudServers:delete]
    match: { flags: { dry_run: false } }
    effect: { require_approval: { min_approvals: 1 } }
  - id: dry-runs
    description: A dry run changes nothing.
    actions: [ecs:cloudServers:delete]
    match: { flags: { dry_run: true } }
    effect: allow
`);
const approverSets = () =>
  inline(`
defaults:
  approvers: { groups: [everyone] }
rules:
  - id: dba-or-ops
    description: Database or ops people approve resizes.
    actions: [ecs:cloudServers:resize]
    effect: { require_approval: { approvers: { groups: [dba, ops] } } }
  - id: ops-for-prod
    description: Only ops approves prod.
    actions: [ecs:cloudServers:resize]
    match: { targets: { tags: { env: prod } } }
    effect: { require_approval: { additional_approvals: 1, approvers: { groups: [ops] } } }
  - id: sre-for-pci
    description: Only SRE approves PCI.
    actions: [ecs:cloudServers:resize]
    match: { targets: { tags: { pci: "yes" } } }
    effect: { require_approval: { additional_approvals: 1, approvers: { groups: [sre] } } }
  - id: stop-by-anyone-listed
    description: Stops use the default approvers.
    actions: [ecs:cloudServers:stop]
    effect: { require_approval: { min_approvals: 1 } }
  - id: pairs
    description: Two of two named people approve reboots.
    actions: [ecs:cloudServers:reboot]
    effect: { require_approval: { min_approvals: 2, approvers: { users: [U0REQUESTER, U0OTHER] } } }
  - id: unrelated-modifier
    description: A modifier alone grants nothing.
    actions: [ecs:cloudServers:delete]
    effect: { require_approval: { additional_approvals: 1 } }
`);
const namelessAndNamed = () =>
  inline(`
defaults:
  approvers: { groups: [everyone] }
rules:
  - id: resize-base
    description: Resizes need one approval from the default approvers.
    actions: [ecs:cloudServers:resize]
    effect: { require_approval: { min_approvals: 1 } }
  - id: dba-for-prod
    description: Only DBAs approve prod.
    actions: [ecs:cloudServers:resize]
    match: { targets: { tags: { env: prod } } }
    effect: { require_approval: { additional_approvals: 1, approvers: { groups: [dba] } } }
  - id: sre-for-pci
    description: Only SRE approves PCI.
    actions: [ecs:cloudServers:resize]
    match: { targets: { tags: { pci: "yes" } } }
    effect: { require_approval: { additional_approvals: 1, approvers: { groups: [sre] } } }
`);
const who = () =>
  inline(`
allowed_channels: { names: ["#Ops", ops-prod], ids: [C0WAR] }
rules:
  - id: leads-by-id
    description: U0LEAD may resize.
    actions: [ecs:cloudServers:resize]
    match: { requesters: { users: [U0LEAD] } }
    effect: allow
  - id: sre-group
    description: SRE members may stop.
    actions: [ecs:cloudServers:stop]
    match: { requesters: { groups: ["@SRE"] } }
    effect: allow
  - id: prod-channel
    description: Reboots only from the prod channel or the war room.
    actions: [ecs:cloudServers:reboot]
    match: { channels: { names: [ops-prod], ids: [C0WAR] } }
    effect: allow
  - id: small-batches
    description: Starts of 2 to 3 servers.
    actions: [ecs:cloudServers:start]
    match: { target_count: { min: 2, max: 3 } }
    effect: allow
  - id: cap-five
    description: At most five reads of anything.
    actions: ["ecs:*:get"]
    effect: { allow: true, max_targets: 5 }
  - id: cap-three
    description: At most three reads in the war room.
    actions: ["ecs:*:get"]
    match: { channels: { ids: [C0WAR] } }
    effect: { max_targets: 3 }
`);

const inlineCases = (): Case[] => [
  {
    name: "an empty policy denies everything",
    policy: empty(),
    request: request("ops:help"),
    expected: {
      effect: "deny",
      rules: [],
      reason:
        "no rule of the policy allows it (anything not allowed is denied); ask the policy's owners if you need it",
    },
  },
  {
    name: "a rule that would allow it, for others: the denial names it and says why in its words",
    policy: inline(`version: 1
rules:
  - id: console-log-for-sre
    description: A console log can reveal secrets, so only members of @sre may read it.
    actions: [ecs:servers:getConsoleOutput]
    match: { requesters: { groups: [sre] } }
    effect: allow
`),
    request: request("ecs:servers:getConsoleOutput"),
    expected: {
      effect: "deny",
      rules: [],
      reason:
        "the only rule for this action, `console-log-for-sre` (A console log can reveal secrets, so only members of @sre may read it), does not cover this request; ask the policy's owners if you need it",
    },
  },
  {
    name: "an empty rules list denies everything",
    policy: inline("rules: []\n"),
    request: request("ecs:servers:list"),
    expected: { effect: "deny", rules: [] },
  },
  {
    name: "`*` matches every known action",
    policy: star(),
    request: request(del, { targets: [prod()] }),
    expected: { effect: "allow", rules: ["all"] },
  },
  {
    name: "`ecs:*:list` matches ecs:flavors:list",
    policy: lists(),
    request: request("ecs:flavors:list"),
    expected: { effect: "allow" },
  },
  {
    name: "`ecs:*:list` does not match ops:jobs:list",
    policy: lists(),
    request: request("ops:jobs:list"),
    expected: { effect: "deny" },
  },
  {
    name: "`ecs:*:list` does not match ecs:servers:get",
    policy: lists(),
    request: request("ecs:servers:get"),
    expected: { effect: "deny" },
  },
  {
    name: "deny wins over allow",
    policy: denyWins(),
    request: request(del, { targets: [server("db-1", { lock: "true" })] }),
    expected: { effect: "deny", rules: ["locked"], reason: "This server is locked." },
  },
  {
    name: "deny applies when any one target matches",
    policy: denyWins(),
    request: request(del, { targets: [dev(), server("db-1", { lock: "true" })] }),
    expected: { effect: "deny", rules: ["locked"] },
  },
  {
    name: "a deny with target conditions does not match zero targets",
    policy: denyWins(),
    request: request(del),
    expected: { effect: "allow" },
  },
  {
    name: "name glob web-* allows web-12",
    policy: webOnly(),
    request: request(stop, { targets: [server("web-12")] }),
    expected: { effect: "allow", rules: ["web-stop"] },
  },
  {
    name: "name glob web-* does not allow db-1",
    policy: webOnly(),
    request: request(stop, { targets: [server("db-1")] }),
    expected: { effect: "deny" },
  },
  {
    name: "a grant needs every target to qualify: web-1 + db-1 denied",
    policy: webOnly(),
    request: request(stop, { targets: [server("web-1"), server("db-1")] }),
    expected: { effect: "deny" },
  },
  {
    name: "a grant with target conditions does not match zero targets",
    policy: webOnly(),
    request: request(stop),
    expected: { effect: "deny" },
  },
  {
    name: "name glob web-? matches web-1",
    policy: webOnly(),
    request: request(reboot, { targets: [server("web-1")] }),
    expected: { effect: "allow" },
  },
  {
    name: "name glob web-? does not match web-10",
    policy: webOnly(),
    request: request(reboot, { targets: [server("web-10")] }),
    expected: { effect: "deny" },
  },
  {
    name: "tag value glob prod-eu* matches prod-eu-west",
    policy: webOnly(),
    request: request(resize, { targets: [server("x", { env: "prod-eu-west" })] }),
    expected: { effect: "allow" },
  },
  {
    name: "most restrictive approval wins: 3 over 1",
    policy: approvals(),
    request: request(resize, { targets: [dev("a"), dev("b")] }),
    expected: { effect: "needs_approval", minApprovals: 3, rules: ["one", "three"] },
  },
  {
    name: "flag delete_volume adds one to the base",
    policy: approvals(),
    request: request(del, { targets: [dev()], flags: { deleteVolume: true } }),
    expected: { effect: "needs_approval", minApprovals: 2, rules: ["plus-volume", "delete-base"] },
  },
  {
    name: "additions add up: volume + eip on 3 = 5",
    policy: approvals(),
    request: request(del, { targets: [dev("a"), dev("b")], flags: { deleteVolume: true, deleteEip: true } }),
    expected: {
      effect: "needs_approval",
      minApprovals: 5,
      rules: ["three", "plus-volume", "plus-eip", "delete-base"],
    },
  },
  {
    name: "flag condition false matches an absent flag",
    policy: approvals(),
    request: request(del, { targets: [dev()] }),
    expected: { effect: "needs_approval", minApprovals: 1, rules: ["delete-base"] },
  },
  {
    name: "a dry run is allowed where the real thing needs approval",
    policy: approvals(),
    request: request(del, { targets: [dev()], flags: { dryRun: true } }),
    expected: { effect: "allow", rules: ["dry-runs"] },
  },
  {
    name: "an addition alone grants nothing",
    policy: approverSets(),
    request: request(del, { targets: [dev()] }),
    expected: { effect: "deny", rules: [] },
  },
  {
    name: "approvers from several rules are intersected",
    policy: approverSets(),
    request: request(resize, { targets: [prod()] }),
    expected: { effect: "needs_approval", minApprovals: 2, rules: ["dba-or-ops", "ops-for-prod"] },
  },
  {
    name: "disjoint approver lists fail closed",
    policy: approverSets(),
    request: request(resize, { targets: [server("x", { env: "prod", pci: "yes" })] }),
    expected: {
      effect: "deny",
      rules: ["dba-or-ops", "ops-for-prod", "sre-for-pci"],
      reason:
        "rules `dba-or-ops`, `ops-for-prod`, `sre-for-pci` name different approvers and nobody is on every list",
    },
  },
  {
    name: "disjoint approver lists blame only the rules that name approvers",
    policy: namelessAndNamed(),
    request: request(resize, { targets: [server("x", { env: "prod", pci: "yes" })] }),
    expected: {
      effect: "deny",
      rules: ["resize-base", "dba-for-prod", "sre-for-pci"],
      reason: "rules `dba-for-prod`, `sre-for-pci` name different approvers and nobody is on every list",
    },
  },
  {
    name: "too few listed approvers besides the requester: denied",
    policy: approverSets(),
    request: request(reboot, { targets: [dev()] }),
    expected: {
      effect: "deny",
      rules: ["pairs"],
      reason: "needs 2 approvals but only 1 listed approver could give one",
    },
  },
  {
    name: "requester matched by user ID",
    policy: who(),
    request: request(resize, { requester: { userId: "U0LEAD", groups: [] }, targets: [dev()] }),
    expected: { effect: "allow", rules: ["leads-by-id"] },
  },
  {
    name: "requester not listed is denied",
    policy: who(),
    request: request(resize, { targets: [dev()] }),
    expected: { effect: "deny" },
  },
  {
    name: "requester matched by group, handles compared without @ and case",
    policy: who(),
    request: request(stop, { requester: { userId: REQUESTER, groups: ["sre"] }, targets: [dev()] }),
    expected: { effect: "allow", rules: ["sre-group"] },
  },
  {
    name: "channel matched by name",
    policy: who(),
    request: request(reboot, { channel: { id: "C0PROD", name: "ops-prod" }, targets: [dev()] }),
    expected: { effect: "allow" },
  },
  {
    name: "channel matched by ID",
    policy: who(),
    request: request(reboot, { channel: { id: "C0WAR" }, targets: [dev()] }),
    expected: { effect: "allow" },
  },
  {
    name: "channel condition not met",
    policy: who(),
    request: request(reboot, { targets: [dev()] }),
    expected: { effect: "deny" },
  },
  {
    name: "allowed_channels: a channel off the list is denied outright",
    policy: who(),
    request: request("ecs:servers:get", { channel: { id: "C0RANDOM", name: "random" } }),
    expected: {
      effect: "deny",
      rules: [],
      reason: "I only act in #ops, #ops-prod, C0WAR; this channel is not on the policy's allow-list",
    },
  },
  {
    name: "allowed_channels: names compare without # and case",
    policy: who(),
    request: request("ecs:servers:get", { channel: { id: "C0OPS", name: "#OPS" }, targets: [dev()] }),
    expected: { effect: "allow", rules: ["cap-five"] },
  },
  {
    name: "target_count below min",
    policy: who(),
    request: request("ecs:cloudServers:start", { targets: many(1) }),
    expected: { effect: "deny" },
  },
  {
    name: "target_count within range",
    policy: who(),
    request: request("ecs:cloudServers:start", { targets: many(3) }),
    expected: { effect: "allow" },
  },
  {
    name: "target_count above max",
    policy: who(),
    request: request("ecs:cloudServers:start", { targets: many(4) }),
    expected: { effect: "deny" },
  },
  {
    name: "max_targets at the cap is fine",
    policy: who(),
    request: request("ecs:servers:get", { targets: many(5) }),
    expected: { effect: "allow" },
  },
  {
    name: "the smallest matching cap applies",
    policy: who(),
    request: request("ecs:servers:get", { channel: { id: "C0WAR" }, targets: many(7) }),
    expected: {
      effect: "deny",
      rules: ["cap-five", "cap-three"],
      reason: "7 targets; at most 3 per request: split it into 3 requests",
    },
  },
];

function check(decision: PolicyDecision, expected: Expected): void {
  expect(decision.effect).toBe(expected.effect);
  if (expected.rules !== undefined) expect(decision.rules.map((r) => r.id)).toEqual(expected.rules);
  if (expected.minApprovals !== undefined) {
    expect(decision.effect === "needs_approval" && decision.approval.minApprovals).toBe(
      expected.minApprovals,
    );
  }
  if (expected.reason !== undefined) {
    expect(decision.effect === "deny" ? decision.reasons.join("\n") : "").toContain(expected.reason);
  }
}

describe("evaluatePolicy against flows/policy.yml", () => {
  it.each(shippedCases)("$name", ({ request: req, expected }) => {
    check(evaluatePolicy(shipped, req), expected);
  });

  it("uses the shipped defaults for approval terms", () => {
    const decision = evaluatePolicy(shipped, request(del, { targets: [prod()] }));
    expect(decision).toMatchObject({
      effect: "needs_approval",
      approval: {
        approvers: { users: [], groups: ["ops-approvers"] },
        minApprovals: 3,
        allowSelfApproval: false,
        expiresInMs: 30 * 60_000,
        reasonRequired: true,
      },
    });
  });

  it("names each rule with its description and file:line", () => {
    const decision = evaluatePolicy(shipped, request("ecs:servers:list"));
    expect(decision.rules).toEqual([
      {
        id: "reads-open",
        description:
          "Anyone may list and inspect servers, flavors, jobs, HSS findings and the bot's own state.",
        source: expect.stringMatching(/^flows\/policy\.yml:\d+$/),
      },
    ]);
  });
});

describe("evaluatePolicy against inline policies", () => {
  const cases = inlineCases();

  it.each(cases)("$name", ({ policy, request: req, expected }) => {
    check(evaluatePolicy(policy as Policy, req), expected);
  });

  it("merges approval terms: shortest expiry, any reason requirement, self-approval only if all allow it", () => {
    const decision = evaluatePolicy(approvals(), request(resize, { targets: [dev("a"), dev("b")] }));
    expect(decision).toMatchObject({
      effect: "needs_approval",
      approval: { minApprovals: 3, expiresInMs: 10 * 60_000, reasonRequired: true, allowSelfApproval: false },
    });
    const single = evaluatePolicy(approvals(), request(resize, { targets: [dev("a")] }));
    expect(single).toMatchObject({
      effect: "needs_approval",
      approval: { minApprovals: 1, expiresInMs: 60 * 60_000, reasonRequired: false, allowSelfApproval: true },
    });
  });

  it("intersects approver lists and defers to named approvers over the defaults", () => {
    const both = evaluatePolicy(approverSets(), request(resize, { targets: [prod()] }));
    expect(both.effect === "needs_approval" && both.approval.approvers).toEqual({
      users: [],
      groups: ["ops"],
    });
    const defaults = evaluatePolicy(approverSets(), request(stop, { targets: [dev()] }));
    expect(defaults.effect === "needs_approval" && defaults.approval.approvers).toEqual({
      users: [],
      groups: ["everyone"],
    });
  });

  it("has at least 30 table cases in all", () => {
    expect(shippedCases.length + cases.length).toBeGreaterThanOrEqual(30);
  });
});
