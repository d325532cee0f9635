import { describe, expect, it } from "vitest";
import { formatConfigErrors } from "../../src/config/load-yaml-config.js";
import { INTENT_ACTIONS } from "../../src/intents/index.js";
import { evaluatePolicy } from "../../src/policy/evaluate-policy.js";
import { loadPolicy, parsePolicy } from "../../src/policy/load-policy.js";

const fixture = (name: string) => `test/policy/fixtures/${name}`;

async function errorsOf(name: string): Promise<string> {
  const loaded = await loadPolicy(fixture(name));
  expect(loaded.ok).toBe(false);
  return loaded.ok ? "" : formatConfigErrors(loaded.errors);
}

describe("loadPolicy", () => {
  it("loads the shipped flows/policy.yml without errors", async () => {
    const loaded = await loadPolicy("flows/policy.yml");
    if (!loaded.ok) expect.fail(formatConfigErrors(loaded.errors));
    expect(loaded.policy.rules.map((r) => r.id)).toEqual([
      "reads-open",
      "audit-for-reviewers",
      "console-log-for-sre",
      "soft-power",
      "hard-power-needs-approval",
      "resize-needs-approval",
      "delete-needs-two-approvals",
      "os-change-needs-two-approvals",
      "migrate-needs-approval",
      "lock-and-attach",
      "unlock-and-detach-need-approval",
      "tag-changes",
      "policy-tag-change-needs-approval",
      "leaving-prod-needs-one-more",
      "prod-needs-one-more",
      "locked-servers",
      "schedules-need-approval",
      "schedule-changes-by-owners-and-approvers",
    ]);
    // Computed from the rules: the keys they match targets on.
    expect(loaded.policy.policyTagKeys).toEqual(["env", "lock"]);
    expect(loaded.policy.allowedChannels).toBeUndefined();
  });

  it.each([
    ["unknown-key.yml", "unknown-key.yml:8:9: unknown key `aprovers` (did you mean `approvers`?)"],
    ["bad-duration.yml", "bad-duration.yml:10:21: `expires_in: 30x` is not a duration; use e.g. 30m, 2h, 1d"],
    [
      "unknown-action.yml",
      "unknown-action.yml:7:9: action `ecs:server:get` matches no known action (did you mean `ecs:servers:get`?)",
    ],
    ["wrong-type.yml", "wrong-type.yml:10:24: `min_approvals: two` should be a number, not a string"],
    [
      "syntax-error.yml",
      "syntax-error.yml:6:5: YAML syntax error: Flow sequence in block collection must be sufficiently indented and end with a ]",
    ],
    [
      "duplicate-key.yml",
      "duplicate-key.yml:7:5: duplicate key `effect` (first defined at line 6); keep only one",
    ],
    ["min-approvals-zero.yml", "min-approvals-zero.yml:8:42: `min_approvals: 0` must be at least 1"],
    [
      "empty-approvers.yml",
      "empty-approvers.yml:7:20: list at least one user ID under `users` or one group handle under `groups`",
    ],
    [
      "no-approvers.yml",
      "no-approvers.yml:6:25: `require_approval` needs `approvers` (or set `defaults.approvers` for every rule)",
    ],
    [
      "duplicate-rule-id.yml",
      "duplicate-rule-id.yml:6:9: rule id `reads` is already used by rules[0]; ids must be unique",
    ],
    [
      "deny-without-message.yml",
      'deny-without-message.yml:5:13: `effect: deny` needs a message: write `effect: { deny: "why it is refused" }`',
    ],
    ["effect-typo.yml", "effect-typo.yml:5:13: `effect: alow` is not an effect (did you mean `allow`?)"],
    [
      "missing-description.yml",
      "missing-description.yml:2:5: missing required key `description` in `rules[0]`",
    ],
    [
      "user-name-not-id.yml",
      "user-name-not-id.yml:7:30: `alice` in `users` is not a Slack user ID (like U0123ABCD); list people by ID, or put a user-group handle under `groups`",
    ],
    [
      "unsatisfiable.yml",
      "unsatisfiable.yml:8:24: `min_approvals: 2` can never be met: only 1 approver is listed (users only, no group)",
    ],
    [
      "unsatisfiable-defaults.yml",
      "unsatisfiable-defaults.yml:11:24: `min_approvals: 3` can never be met: only 2 approvers are in `defaults.approvers` (users only, no group)",
    ],
    [
      "tz-abbreviation.yml",
      "tz-abbreviation.yml:13:56: `EST` is an abbreviation, not an IANA time zone (Area/Location): did you mean `America/New_York`? A region's name follows its daylight saving time",
    ],
  ])("refuses %s with file:line and what is wrong", async (name, expected) => {
    expect(await errorsOf(name)).toBe(`test/policy/fixtures/${expected}`);
  });

  it("bounds expires_in to 30 days wherever it is set, with file:line (a huge one used to break the card)", async () => {
    expect((await errorsOf("too-long-expiry.yml")).split("\n")).toEqual([
      "test/policy/fixtures/too-long-expiry.yml:4:15: `expires_in: 31d` must be between 1s and 30d; use e.g. 30m",
      "test/policy/fixtures/too-long-expiry.yml:11:21: `expires_in: 99999999d` must be between 1s and 30d; use e.g. 30m",
    ]);
  });

  it("gives each error its file, line, column and path", async () => {
    const loaded = await loadPolicy(fixture("bad-duration.yml"));
    expect(loaded).toEqual({
      ok: false,
      errors: [
        {
          file: "test/policy/fixtures/bad-duration.yml",
          line: 10,
          column: 21,
          path: "rules[0].effect.require_approval.expires_in",
          message: "`expires_in: 30x` is not a duration; use e.g. 30m, 2h, 1d",
        },
      ],
    });
  });

  it.each(["empty.yml", "zero-bytes.yml"])(
    "refuses %s (no rules: everything denied without a word) at line 1",
    async (name) => {
      expect(await errorsOf(name)).toBe(
        `test/policy/fixtures/${name}:1:1: the policy has no rules: every command would be denied; if that is meant, write \`rules: []\``,
      );
    },
  );

  it("refuses a file whose `rules` key is missing, and says so beside a misspelt one", () => {
    const loaded = parsePolicy("version: 1\nrule: []\n", "p.yml");
    expect(loaded.ok ? "" : formatConfigErrors(loaded.errors)).toContain(
      "the policy has no rules: every command would be denied",
    );
  });

  it("loads an explicit `rules: []` (or `rules:` with nothing after it) as an empty policy, which denies everything", async () => {
    expect(parsePolicy("rules:\n", "p.yml").ok).toBe(true);
    const loaded = await loadPolicy(fixture("explicit-no-rules.yml"));
    if (!loaded.ok) expect.fail(formatConfigErrors(loaded.errors));
    expect(loaded.policy.rules).toEqual([]);
    const decision = evaluatePolicy(loaded.policy, {
      action: "ops:help",
      requester: { userId: "U0A", groups: [] },
      channel: { id: "C0A" },
      targets: [],
      flags: {},
    });
    expect(decision.effect).toBe("deny");
  });

  it("reports every problem in one pass", () => {
    const loaded = parsePolicy(
      `rules:
  - id: a
    description: A.
    actions: [ecs:cloudServers:stopp]
    effect:
      require_approval: { approvers: { groups: [ops] }, min_approvals: 1, additional_approvals: 1 }
      max_targets: 0
  - id: b
    description: B.
    actions: ["ecs:*:list"]
    match: { target_count: { min: 3, max: 2 }, flags: { hardd: true } }
    effect: { deny: "no", allow: true }
`,
      "p.yml",
    );
    expect(loaded.ok ? "" : formatConfigErrors(loaded.errors)).toBe(
      [
        "p.yml:4:15: action `ecs:cloudServers:stopp` matches no known action (did you mean `ecs:cloudServers:stop`?)",
        "p.yml:6:97: use either `min_approvals` (this rule sets the requirement) or `additional_approvals` (this rule adds to the requirement other rules set), not both",
        "p.yml:7:20: `max_targets: 0` must be at least 1",
        "p.yml:11:35: `min: 3` is above `max: 2`",
        "p.yml:11:57: unknown key `hardd` (did you mean `hard`?)",
        "p.yml:12:21: `deny` stands alone; move the other parts to another rule",
      ].join("\n"),
    );
  });

  it("lists the known actions when a pattern is not close to any", () => {
    const loaded = parsePolicy(
      `rules:\n  - { id: a, description: A., actions: ["ecs:volumes:*", "rds:*"], effect: allow }\n`,
      "p.yml",
    );
    expect(loaded.ok ? "" : formatConfigErrors(loaded.errors)).toBe(
      [
        `p.yml:2:41: action \`ecs:volumes:*\` matches no known action; known ecs actions: ${INTENT_ACTIONS.filter((a) => a.startsWith("ecs:")).join(", ")}`,
        "p.yml:2:58: action `rds:*` matches no known action; known services: ecs, hss, ops",
      ].join("\n"),
    );
  });

  it("reports a missing policy file", async () => {
    expect(await errorsOf("does-not-exist.yml")).toBe(
      "test/policy/fixtures/does-not-exist.yml:1:1: file not found",
    );
  });
});
