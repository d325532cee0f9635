import { describe, expect, it } from "vitest";
import {
  actionForType,
  INTENT_ACTIONS,
  INTENT_TYPES,
  intentAction,
  isIntentAction,
  isMutation,
  parseIntent,
} from "../../src/intents/index.js";

function intentOf(command: string, text: string) {
  const result = parseIntent(command, text);
  if (!result.ok) throw new Error(result.error.message);
  return result.intent;
}

describe("intentAction", () => {
  it("maps intent types onto the action list one-to-one (help aside)", () => {
    const used = new Set(INTENT_TYPES.map(actionForType));
    expect([...used].sort()).toEqual([...INTENT_ACTIONS].sort());
  });

  it.each([
    ["/ecs", "start a", "ecs:cloudServers:start"],
    ["/ecs", "stop a", "ecs:cloudServers:stop"],
    ["/ecs", "reboot a", "ecs:cloudServers:reboot"],
    ["/ecs", "resize a s6.large.2", "ecs:cloudServers:resize"],
    ["/ecs", "delete a", "ecs:cloudServers:delete"],
    ["/ecs", "list", "ecs:servers:list"],
    ["/ecs", "show a", "ecs:servers:get"],
    ["/ecs", "flavors", "ecs:flavors:list"],
    ["/ecs", "job abc", "ecs:jobs:get"],
    ["/hss", "hosts", "hss:hosts:list"],
    ["/hss", "ports a", "hss:ports:list"],
    ["/hss", "scan t1", "hss:scanTasks:get"],
    ["/ops", "policy explain ecs delete a", "ops:policy:explain"],
    ["/ops", "jobs", "ops:jobs:list"],
    ["/ops", "approvals", "ops:approvals:list"],
    ["/ops", "audit", "ops:audit:list"],
    ["/ops", "audit verify", "ops:audit:verify"],
    ["/ops", "watch list", "ops:watch:list"],
    ["/ops", "help", "ops:help"],
    ["/ecs", "stop help", "ops:help"],
  ])("%s %s → %s", (command, text, action) => {
    expect(intentAction(intentOf(command, text))).toBe(action);
  });

  it("exposes the explained command's own action", () => {
    const intent = intentOf("/ops", "policy explain ecs delete a");
    expect(intent.type === "ops.policy.explain" && intentAction(intent.intent)).toBe(
      "ecs:cloudServers:delete",
    );
  });

  it("validates action names", () => {
    expect(isIntentAction("ecs:cloudServers:stop")).toBe(true);
    expect(isIntentAction("ecs:cloudServers:*")).toBe(false);
    expect(isIntentAction(42)).toBe(false);
  });
});

describe("isMutation", () => {
  it.each([
    ["/ecs", "start a", true],
    ["/ecs", "stop a --hard", true],
    ["/ecs", "reboot a", true],
    ["/ecs", "resize a s6.large.2", true],
    ["/ecs", "resize a s6.large.2 --dry-run", false],
    ["/ecs", "delete a", true],
    ["/ecs", "list", false],
    ["/ecs", "show a", false],
    ["/hss", "ports a", false],
    ["/ops", "policy explain ecs delete a", false],
    ["/ecs", "delete help", false],
  ])("%s %s → %s", (command, text, expected) => {
    expect(isMutation(intentOf(command, text))).toBe(expected);
  });
});
