/**
 * `--break-glass` is decided on exactly the facts the same request without it is decided on (the rules, the
 * planned waves, the time it runs, the tag change); only the approval is skipped. Pure, on a parsed policy and
 * a fixed time: a freeze next month, a window open now, a `require_waves` rule, a tag-change rule.
 */
import { describe, expect, it } from "vitest";
import { decideBreakGlass } from "../../src/operations/decide-break-glass.js";
import { decidePolicy, type PolicyQuestion, snapshotOf } from "../../src/operations/decide-policy.js";
import { applyBreakGlass, type BreakGlassVerdict } from "../../src/policy/apply-break-glass.js";
import { parsePolicy } from "../../src/policy/load-policy.js";

const NOW = Date.parse("2026-06-10T12:00:00Z");
const IN_FREEZE = Date.parse("2026-07-02T12:00:00Z");
const AFTER_WINDOW = Date.parse("2026-06-11T12:00:00Z");
const REASON = "web tier down, INC-4711 rollback";

const loaded = parsePolicy(
  `
version: 1
defaults:
  approvers: { groups: [ops-approvers] }
  expires_in: 30m
break_glass:
  groups: [sre]
  alert_channel: C_PROD
calendars:
  freeze:
    kind: freeze
    description: A freeze in July.
    events:
      - { start: "2026-07-01T00:00:00Z", end: "2026-07-08T00:00:00Z" }
  window:
    kind: window
    description: A window around noon on 2026-06-10.
    events:
      - { start: "2026-06-10T11:00:00Z", end: "2026-06-10T13:00:00Z" }
rules:
  - id: soft-power
    description: Soft power changes are routine.
    actions: [ecs:cloudServers:start, ecs:cloudServers:stop, ecs:cloudServers:reboot]
    match: { flags: { hard: false } }
    effect: allow
  - id: hard-power
    description: Hard power changes need one approval.
    actions: [ecs:cloudServers:stop, ecs:cloudServers:reboot]
    match: { flags: { hard: true } }
    effect: { require_approval: { min_approvals: 1 } }
  - id: prod-one-more
    description: Production needs one more approval.
    actions: [ecs:cloudServers:stop, ecs:cloudServers:reboot, ecs:cloudServers:resize, ecs:cloudServers:migrate]
    match: { targets: { tags: { env: prod } } }
    effect: { require_approval: { additional_approvals: 1 } }
  - id: resize-staged
    description: Resizes are approved by a lead, then security.
    actions: [ecs:cloudServers:resize]
    effect:
      require_approval:
        stages:
          - { name: lead, approvers: { groups: [leads] } }
          - { name: security, approvers: { groups: [security] } }
  - id: migrate-in-window
    description: Migrations in the window, with one approval.
    actions: [ecs:cloudServers:migrate]
    match: { during: [window] }
    effect: { require_approval: { min_approvals: 1 } }
  - id: freeze
    description: Nothing changes during the freeze.
    actions: [ecs:cloudServers:stop, ecs:cloudServers:reboot, ecs:cloudServers:resize]
    match: { during: [freeze] }
    effect: { deny: "Changes are frozen." }
  - id: big-in-waves
    description: Three or more servers go in waves.
    actions: [ecs:cloudServers:reboot, ecs:cloudServers:resize, ecs:cloudServers:stop]
    match: { target_count: { min: 3 } }
    effect: { require_waves: { min_waves: 3, max_failures: 1 } }
  - id: cap
    description: At most four stops at once.
    actions: [ecs:cloudServers:stop]
    effect: { max_targets: 4 }
  - id: tags-need-approval
    description: Tag changes need one approval.
    actions: [ecs:servers:deleteTags]
    effect: { require_approval: { min_approvals: 1 } }
  - id: owner-tag-stays
    description: The owner tag is never removed from chat.
    actions: [ecs:servers:deleteTags]
    match: { tag_change: { removes: { owner: "*" } } }
    effect: { deny: "The owner tag stays." }
`,
  "break-glass.yml",
);
if (!loaded.ok) throw new Error(JSON.stringify(loaded.errors));
const policy = loaded.policy;

const groups = snapshotOf([
  { id: "S1", handle: "ops-approvers", users: ["U_BOB", "U_CAROL", "U_DAVE"] },
  { id: "S2", handle: "leads", users: ["U_BOB"] },
  { id: "S3", handle: "security", users: ["U_CAROL", "U_DAVE"] },
  { id: "S4", handle: "sre", users: ["U_ALICE"] },
]);

const server = (i: number, env: string) => ({ id: `id-${i}`, name: `s-${i}`, tags: [`env=${env}`] });
const dev = (n: number) => Array.from({ length: n }, (_, i) => server(i + 1, "dev"));

function question(extra: Partial<PolicyQuestion> = {}): PolicyQuestion {
  return {
    action: "ecs:cloudServers:reboot",
    requesterId: "U_ALICE",
    channel: { id: "C_OPS", name: "ops" },
    targets: [server(1, "dev")],
    flags: { hard: true },
    at: NOW,
    ...extra,
  };
}

function verdictOf(v: BreakGlassVerdict): string {
  if (!v.ok) return `refused: ${v.reason}`;
  return v.decision.effect === "deny" ? `deny: ${v.decision.reasons.join("; ")}` : v.decision.effect;
}

describe("decideBreakGlass", () => {
  it("a freeze a month away does not refuse it; inside the freeze it is refused", () => {
    expect(decideBreakGlass(policy, question(), groups, REASON)).toMatchObject({
      ok: true,
      skipped: true,
      decision: { effect: "allow", rules: [{ id: "hard-power" }] },
    });
    expect(decideBreakGlass(policy, question({ at: IN_FREEZE }), groups, REASON)).toMatchObject({
      ok: true,
      skipped: false,
      decision: { effect: "deny", reasons: ["Changes are frozen."] },
    });
  });

  it("a rule granting only in a window grants it while the window is open, not after", () => {
    const migrate = { action: "ecs:cloudServers:migrate", flags: {} };
    expect(decideBreakGlass(policy, question(migrate), groups, REASON)).toMatchObject({
      ok: true,
      skipped: true,
      decision: { effect: "allow", rules: [{ id: "migrate-in-window" }] },
    });
    expect(
      decideBreakGlass(policy, question({ ...migrate, at: AFTER_WINDOW }), groups, REASON),
    ).toMatchObject({ ok: true, decision: { effect: "deny" } });
  });

  it("compliant planned waves are kept in the decision; missing or too few waves still refuse", () => {
    const three = { targets: dev(3) };
    const verdict = decideBreakGlass(
      policy,
      question({ ...three, waves: { count: 3, maxFailures: 1 } }),
      groups,
      REASON,
    );
    expect(verdict).toMatchObject({
      ok: true,
      skipped: true,
      decision: { effect: "allow", waves: { minWaves: 3, maxFailures: 1, ruleIds: ["big-in-waves"] } },
    });
    expect(decideBreakGlass(policy, question(three), groups, REASON)).toMatchObject({
      ok: true,
      decision: { effect: "deny", reasons: [expect.stringContaining("at least 3 waves")] },
    });
    expect(
      decideBreakGlass(policy, question({ ...three, waves: { count: 2, maxFailures: 1 } }), groups, REASON),
    ).toMatchObject({ ok: true, decision: { effect: "deny" } });
  });

  it("the tag change is decided on: removing the owner tag stays denied, another change skips approval", () => {
    const tag = {
      action: "ecs:servers:deleteTags",
      flags: {},
      targets: [{ ...server(1, "dev"), tags: ["owner=ana", "team=web"] }],
    };
    expect(
      decideBreakGlass(
        policy,
        question({ ...tag, tagChange: { add: [], remove: [{ key: "owner" }] } }),
        groups,
        REASON,
      ),
    ).toMatchObject({ ok: true, decision: { effect: "deny", reasons: ["The owner tag stays."] } });
    expect(
      decideBreakGlass(
        policy,
        question({ ...tag, tagChange: { add: [], remove: [{ key: "team" }] } }),
        groups,
        REASON,
      ),
    ).toMatchObject({ ok: true, skipped: true, decision: { effect: "allow" } });
  });

  it("does not ask whether enough people could approve: approval is what is skipped", () => {
    const nobodyElse = snapshotOf([
      { id: "S2", handle: "leads", users: ["U_ALICE"] },
      { id: "S3", handle: "security", users: ["U_CAROL"] },
      { id: "S4", handle: "sre", users: ["U_ALICE"] },
    ]);
    const resize = question({ action: "ecs:cloudServers:resize", flags: {} });
    expect(decidePolicy(policy, resize, nobodyElse)).toMatchObject({ effect: "deny" });
    expect(decideBreakGlass(policy, resize, nobodyElse, REASON)).toMatchObject({
      ok: true,
      skipped: true,
      decision: { effect: "allow", rules: [{ id: "resize-staged" }] },
    });
  });

  it("is the same request's decision with approval skipped, over many requests, times and waves", () => {
    const actions = ["stop", "reboot", "resize", "migrate", "start"].map((a) => `ecs:cloudServers:${a}`);
    const serverSets = [
      [server(1, "dev")],
      [server(1, "prod")],
      dev(3),
      [server(1, "dev"), server(2, "prod"), server(3, "dev")],
      dev(5),
    ];
    const mismatches: string[] = [];
    let compared = 0;
    for (const action of actions)
      for (const flags of [{}, { hard: true }, { hard: false }])
        for (const targets of serverSets)
          for (const waves of [undefined, { count: 3, maxFailures: 1 }, { count: 2, maxFailures: 1 }])
            for (const at of [NOW, IN_FREEZE, AFTER_WINDOW])
              for (const requesterId of ["U_ALICE", "U_BOB", "U_ERIN"]) {
                const q = question({ action, flags, targets, at, requesterId, ...(waves && { waves }) });
                const requester = { userId: requesterId, groups: groups.groupsOf(requesterId) };
                const glass = decideBreakGlass(policy, q, groups, REASON);
                const plain = applyBreakGlass(policy, decidePolicy(policy, q, groups), requester, REASON);
                compared += 1;
                if (JSON.stringify(glass) !== JSON.stringify(plain))
                  mismatches.push(
                    `${JSON.stringify(q)}: break-glass ${verdictOf(glass)}, request ${verdictOf(plain)}`,
                  );
              }
    expect(compared).toBe(5 * 3 * 5 * 3 * 3 * 3);
    expect(mismatches).toEqual([]);
  });
});
