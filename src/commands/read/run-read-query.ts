import type { Message } from "../../render/message-model.js";
import type { ReadIntent } from "../types.js";
import { readEcsFlavors } from "./read-ecs-flavors.js";
import { readEcsJob } from "./read-ecs-job.js";
import { readEcsList } from "./read-ecs-list.js";
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
]);

/** True for the read-only query intents this module runs. */
export function isReadIntent(intent: { type: string }): intent is ReadIntent {
  return READ_TYPES.has(intent.type);
}
