/**
 * Which actions' requests carry target servers (`ACTIONS_WITH_TARGETS`, read by the start-up check that refuses
 * `match.targets` on rules whose actions never have any) is held to the intents themselves: every example of
 * every help page is parsed, and its action must be listed exactly when the intent names servers.
 */
import { describe, expect, it } from "vitest";
import { helpFor, verbsOf } from "../../src/intents/help.js";
import { COMMANDS, intentAction, parseIntent } from "../../src/intents/index.js";
import { MUTATING_ACTIONS } from "../../src/intents/intent-action.js";
import { ACTIONS_WITH_TARGETS } from "../../src/policy/check-rule-conditions.js";
import { targetsOf } from "../../src/targets/replace-target.js";

/** Its request has the servers of the scheduled command (`handle-schedule-command.ts`), not its own intent's. */
const TARGETS_FROM_ELSEWHERE = ["ops:schedule:create"];

describe("ACTIONS_WITH_TARGETS", () => {
  it("lists exactly the actions whose commands name servers, over every help example", () => {
    const withTargets = new Set<string>();
    const without = new Set<string>();
    for (const command of COMMANDS) {
      for (const verb of verbsOf(command)) {
        for (const example of helpFor({ command, verb }).examples) {
          const [slash = "", ...words] = example.split(" ");
          const parsed = parseIntent(slash.replace(/^\//, ""), words.join(" "));
          if (!parsed.ok) continue;
          const action = intentAction(parsed.intent);
          (targetsOf(parsed.intent).length > 0 ? withTargets : without).add(action);
        }
      }
    }
    for (const action of withTargets) expect(ACTIONS_WITH_TARGETS, action).toContain(action);
    // A change always names its servers (its intent requires them); a read is listed only if one names some.
    for (const action of ACTIONS_WITH_TARGETS) {
      if (TARGETS_FROM_ELSEWHERE.includes(action) || (MUTATING_ACTIONS as readonly string[]).includes(action))
        continue;
      expect(withTargets.has(action), `${action} has no help example with a server`).toBe(true);
    }
    // The lists the admin filters in vain are among the actions without targets.
    expect([...without]).toEqual(expect.arrayContaining(["ecs:servers:list", "ecs:flavors:list"]));
  });
});
