import type { Intent, IntentType } from "./intent-schema.js";

/** Actions that change cloud state: each has a flow (`flows/<operation>.yml`), a preflight and an approval. */
export const MUTATING_ACTIONS = [
  "ecs:cloudServers:start",
  "ecs:cloudServers:stop",
  "ecs:cloudServers:reboot",
  "ecs:cloudServers:resize",
  "ecs:cloudServers:delete",
  "ecs:servers:addTags",
  "ecs:servers:deleteTags",
  "ecs:servers:lock",
  "ecs:servers:unlock",
  "ecs:cloudServers:rebuild",
  "ecs:cloudServers:changeOS",
  "ecs:cloudServers:attach",
  "ecs:cloudServers:detachVolume",
  "ecs:cloudServers:migrate",
] as const;

/**
 * Huawei IAM-style action names, one per kind of intent: the mutating ones, then the reads. The policy loader
 * validates rule actions against this list, so adding an intent means adding its action here (a mutating one
 * in {@link MUTATING_ACTIONS}).
 */
export const INTENT_ACTIONS = [
  ...MUTATING_ACTIONS,
  "ecs:servers:list",
  "ecs:servers:get",
  "ecs:flavors:list",
  "ecs:jobs:get",
  "ecs:serverTags:list",
  "ecs:servers:getConsoleOutput",
  "ecs:quotas:get",
  "ecs:serverInterfaces:list",
  "ecs:securityGroups:list",
  "ecs:serverGroups:list",
  "ecs:serverGroups:get",
  "ecs:instanceActions:list",
  "hss:hosts:list",
  "hss:ports:list",
  "hss:scanTasks:get",
  "ops:policy:explain",
  "ops:jobs:list",
  "ops:approvals:list",
  "ops:audit:list",
  "ops:audit:verify",
  "ops:audit:breakGlass",
  "ops:watch:list",
  "ops:calendar:list",
  "ops:schedule:create",
  "ops:schedule:list",
  "ops:schedule:update",
  "ops:help",
] as const;
export type IntentAction = (typeof INTENT_ACTIONS)[number];

/** Exhaustive by construction: adding an intent type without an action fails to compile. */
const ACTION_BY_TYPE: Readonly<Record<IntentType, IntentAction>> = {
  help: "ops:help",
  "ecs.list": "ecs:servers:list",
  "ecs.show": "ecs:servers:get",
  "ecs.flavors": "ecs:flavors:list",
  "ecs.job": "ecs:jobs:get",
  "ecs.start": "ecs:cloudServers:start",
  "ecs.stop": "ecs:cloudServers:stop",
  "ecs.reboot": "ecs:cloudServers:reboot",
  "ecs.resize": "ecs:cloudServers:resize",
  "ecs.delete": "ecs:cloudServers:delete",
  "ecs.tags": "ecs:serverTags:list",
  "ecs.tag.add": "ecs:servers:addTags",
  "ecs.tag.remove": "ecs:servers:deleteTags",
  "ecs.console-log": "ecs:servers:getConsoleOutput",
  "ecs.lock": "ecs:servers:lock",
  "ecs.unlock": "ecs:servers:unlock",
  "ecs.reinstall": "ecs:cloudServers:rebuild",
  "ecs.change-os": "ecs:cloudServers:changeOS",
  "ecs.attach": "ecs:cloudServers:attach",
  "ecs.detach": "ecs:cloudServers:detachVolume",
  "ecs.migrate": "ecs:cloudServers:migrate",
  "ecs.quotas": "ecs:quotas:get",
  "ecs.nics": "ecs:serverInterfaces:list",
  "ecs.sg": "ecs:securityGroups:list",
  "ecs.groups": "ecs:serverGroups:list",
  "ecs.group": "ecs:serverGroups:get",
  "ecs.actions": "ecs:instanceActions:list",
  "hss.hosts": "hss:hosts:list",
  "hss.ports": "hss:ports:list",
  "hss.scan": "hss:scanTasks:get",
  "ops.policy.explain": "ops:policy:explain",
  "ops.jobs": "ops:jobs:list",
  "ops.approvals": "ops:approvals:list",
  "ops.audit": "ops:audit:list",
  "ops.audit.verify": "ops:audit:verify",
  "ops.audit.break-glass": "ops:audit:breakGlass",
  "ops.watch.list": "ops:watch:list",
  "ops.calendar": "ops:calendar:list",
  "ops.schedule.add": "ops:schedule:create",
  "ops.schedule.list": "ops:schedule:list",
  "ops.schedule.pause": "ops:schedule:update",
  "ops.schedule.resume": "ops:schedule:update",
  "ops.schedule.delete": "ops:schedule:update",
};

/** True if `value` is one of {@link INTENT_ACTIONS} (for validating policy files). */
export function isIntentAction(value: unknown): value is IntentAction {
  return typeof value === "string" && (INTENT_ACTIONS as readonly string[]).includes(value);
}

/** The action an intent type maps to. */
export function actionForType(type: IntentType): IntentAction {
  return ACTION_BY_TYPE[type];
}

/**
 * The IAM-style action the policy layer authorises for this intent. `ops.policy.explain` maps to
 * `ops:policy:explain` (explaining is read-only); the explained command's own action is
 * `intentAction(intent.intent)`. Help for any command maps to `ops:help`.
 */
export function intentAction(intent: Intent): IntentAction {
  return ACTION_BY_TYPE[intent.type];
}

/**
 * True if executing the intent changes cloud state. A `resize --dry-run` only validates, so it is not a
 * mutation (its action is still `ecs:cloudServers:resize`, so policy rules apply to it as written).
 * Explaining a mutating command is not a mutation.
 */
export function isMutation(intent: Intent): boolean {
  if (intent.type === "ecs.resize") return !intent.dryRun;
  return (MUTATING_ACTIONS as readonly IntentAction[]).includes(ACTION_BY_TYPE[intent.type]);
}
