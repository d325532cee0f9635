/**
 * A policy rule whose conditions can never hold for its own actions stops the bot at start with file:line:column
 * (a `deny` that protects nothing is a mistake in a safety file). Hostile fixture beside a valid one; the table
 * of which actions carry which flag is held to the code that sets the flags.
 */
import { describe, expect, it } from "vitest";
import { loadStartupConfig } from "../../src/app/load-startup-config.js";
import { formatConfigErrors } from "../../src/config/load-yaml-config.js";
import {
  ACTIONS_TAKING_FLAG,
  POLICY_FLAG_KEYS,
  TAG_CHANGE_ACTIONS,
  TAG_WRITING_ACTIONS,
} from "../../src/policy/check-rule-conditions.js";
import { loadPolicy, parsePolicy } from "../../src/policy/load-policy.js";

const fixture = (name: string) => `test/policy/fixtures/${name}`;

describe("rules that can never match", () => {
  it("are refused at load with file, line, column and what to change", async () => {
    const loaded = await loadPolicy(fixture("never-matching.yml"));
    expect(loaded.ok).toBe(false);
    const lines = loaded.ok ? [] : formatConfigErrors(loaded.errors).split("\n");
    const at = (line: string) => `test/policy/fixtures/never-matching.yml:${line}`;
    expect(lines).toEqual([
      at(
        "23:29: `hard: true` never holds: only ecs:cloudServers:stop and ecs:cloudServers:reboot take `--hard`, and this rule's actions (ecs:cloudServers:start) do not, so rule `no-hard-start` can never match; fix `actions` or remove the flag",
      ),
      at(
        "28:38: `delete_volume: true` never holds: only ecs:cloudServers:delete takes `--delete-volume`, and this rule's actions (ecs:cloudServers:stop) do not, so rule `keep-volumes` can never match; fix `actions` or remove the flag",
      ),
      at(
        "33:29: `hard: false` always holds: only ecs:cloudServers:stop and ecs:cloudServers:reboot take `--hard`, and this rule's actions (ecs:cloudServers:start) do not; remove the flag, or fix `actions`",
      ),
      at(
        "38:26: `tag_change` never holds: only ecs:servers:addTags and ecs:servers:deleteTags requests change tags, and this rule's actions (ecs:cloudServers:delete) are none of them, so rule `delete-tag-change` can never match; fix `actions` or remove `tag_change`",
      ),
      at(
        "43:34: `tag_change.adds` never holds: only ecs:servers:addTags writes tags, and this rule's actions (ecs:servers:deleteTags) only remove them, so rule `untag-adds` can never match; use `removes`, or fix `actions`",
      ),
      at(
        "48:41: calendar `maint` is under both `during` and `outside`: no moment is both in and outside it, so rule `in-and-out` can never match; keep it under one",
      ),
      at(
        "53:49: calendar `maint` is under both `during` and `outside`: under `during` it can never count; keep it under one",
      ),
      at(
        "58:35: `max: 0` never holds: every request for ecs:cloudServers:* (10 actions) has at least one target, so rule `empty-count` can never match; use `max: 1` or more",
      ),
      at(
        "63:23: `targets` never holds: requests for ecs:servers:list, ecs:flavors:list have no target servers (list commands are not filtered by targets: the policy allows or denies the whole list), so rule `hide-prod-from-lists` can never match; remove `targets`: to keep a server from being shown, match `targets` in a rule on the reads of one server (ecs:servers:get, ecs:servers:getConsoleOutput, …); to limit who may list, match `requesters` or `channels`",
      ),
      at(
        "68:28: `target_count` never holds: requests for ops:*:list (6 actions) have no target servers (list commands are not filtered by targets: the policy allows or denies the whole list), so rule `big-lists` can never match; remove `target_count`: to keep a server from being shown, match `targets` in a rule on the reads of one server (ecs:servers:get, ecs:servers:getConsoleOutput, …); to limit who may list, match `requesters` or `channels`",
      ),
      at(
        "73:28: `target_count` always holds: requests for ops:jobs:list have no target servers (list commands are not filtered by targets: the policy allows or denies the whole list); remove `target_count`: to keep a server from being shown, match `targets` in a rule on the reads of one server (ecs:servers:get, ecs:servers:getConsoleOutput, …); to limit who may list, match `requesters` or `channels`",
      ),
    ]);
  });

  it("stop the start, in the same report as every other problem", async () => {
    const result = await loadStartupConfig(
      {
        POLICY_FILE: fixture("never-matching.yml"),
        NOTIFICATIONS_FILE: "flows/notifications.yml",
        FLOWS_DIR: "flows",
        STORE_URL: "memory://",
      },
      { playground: true },
    );
    expect(result.ok).toBe(false);
    expect(result.ok ? [] : result.problems).toHaveLength(11);
  });

  it("load when each condition can hold for one of the rule's actions", async () => {
    for (const file of [fixture("conditions-that-match.yml"), "flows/policy.yml"]) {
      const loaded = await loadPolicy(file);
      if (!loaded.ok) expect.fail(formatConfigErrors(loaded.errors));
    }
  });

  it("are left to parsePolicy's callers unless asked (tests probe the evaluator with them)", () => {
    const text = `
rules:
  - { id: odd, description: O., actions: [ecs:cloudServers:start], match: { flags: { hard: true } }, effect: { deny: "x" } }
`;
    expect(parsePolicy(text).ok).toBe(true);
    const checked = parsePolicy(text, "p.yml", { checkRules: true });
    expect(checked.ok ? "" : formatConfigErrors(checked.errors)).toMatch(
      /^p\.yml:3:92: `hard: true` never holds/,
    );
  });
});

describe("which actions carry which condition", () => {
  it("is read from what the requests carry (to-operation-request.ts)", () => {
    expect(ACTIONS_TAKING_FLAG).toEqual({
      hard: ["ecs:cloudServers:stop", "ecs:cloudServers:reboot"],
      delete_volume: ["ecs:cloudServers:delete"],
      delete_eip: ["ecs:cloudServers:delete"],
      dry_run: ["ecs:cloudServers:resize"],
    });
    expect(TAG_CHANGE_ACTIONS).toEqual(["ecs:servers:addTags", "ecs:servers:deleteTags"]);
    expect(TAG_WRITING_ACTIONS).toEqual(["ecs:servers:addTags"]);
    // Every flag the file can name is carried by some action.
    for (const key of POLICY_FLAG_KEYS) expect(ACTIONS_TAKING_FLAG[key].length, key).toBeGreaterThan(0);
  });
});
