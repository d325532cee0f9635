import type { Message } from "../../render/message-model.js";
import type { ReadIntent } from "../types.js";
import { readEcsFlavors } from "./read-ecs-flavors.js";
import { readEcsJob } from "./read-ecs-job.js";
import { readEcsList } from "./read-ecs-list.js";
import {
  readEcsActions,
  readEcsConsoleLog,
  readEcsGroup,
  readEcsGroups,
  readEcsNics,
  readEcsQuotas,
  readEcsSecurityGroups,
  readEcsTags,
} from "./read-ecs-operations.js";
import { readEcsShow } from "./read-ecs-show.js";
import { readHssHosts } from "./read-hss-hosts.js";
import { readHssPorts } from "./read-hss-ports.js";
import { readHssScan } from "./read-hss-scan.js";
import type { ReadDeps, ReadOptions } from "./read-options.js";

/**
 * Runs a read-only query against the live APIs and builds its message. Server references must already be
 * resolved to IDs. Cloud failures throw (`CloudError`); the caller explains them.
 */
export function runReadQuery(intent: ReadIntent, options: ReadOptions, deps: ReadDeps): Promise<Message> {
  switch (intent.type) {
    case "ecs.list":
      return readEcsList(intent, options, deps);
    case "ecs.show":
      return readEcsShow(intent, options, deps);
    case "ecs.flavors":
      return readEcsFlavors(intent, options, deps);
    case "ecs.job":
      return readEcsJob(intent, options, deps);
    case "hss.hosts":
      return readHssHosts(intent, options, deps);
    case "hss.ports":
      return readHssPorts(intent, options, deps);
    case "hss.scan":
      return readHssScan(intent, options, deps);
    case "ecs.tags":
      return readEcsTags(intent, options, deps);
    case "ecs.console-log":
      return readEcsConsoleLog(intent, options, deps);
    case "ecs.quotas":
      return readEcsQuotas(options, deps);
    case "ecs.nics":
      return readEcsNics(intent, options, deps);
    case "ecs.sg":
      return readEcsSecurityGroups(intent, options, deps);
    case "ecs.groups":
      return readEcsGroups(options, deps);
    case "ecs.group":
      return readEcsGroup(intent, options, deps);
    case "ecs.actions":
      return readEcsActions(intent, options, deps);
  }
}

const READ_TYPES: ReadonlySet<string> = new Set([
  "ecs.list",
  "ecs.show",
  "ecs.flavors",
  "ecs.job",
  "hss.hosts",
  "hss.ports",
  "hss.scan",
  "ecs.tags",
  "ecs.console-log",
  "ecs.quotas",
  "ecs.nics",
  "ecs.sg",
  "ecs.groups",
  "ecs.group",
  "ecs.actions",
]);

/**
 * Reads whose answer must stay with the requester: no paging or share buttons, no stored query behind them.
 * A console log may show secrets.
 */
const PRIVATE_TYPES: ReadonlySet<string> = new Set(["ecs.console-log"]);

/** Whether a read's answer may be shared in the channel (and paged through buttons). */
export function isShareable(intent: { type: string }): boolean {
  return !PRIVATE_TYPES.has(intent.type);
}

/** True for the read-only query intents this module runs. */
export function isReadIntent(intent: { type: string }): intent is ReadIntent {
  return READ_TYPES.has(intent.type);
}
