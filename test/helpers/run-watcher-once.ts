import type { Notifier } from "../../src/notify/notifier-types.js";
import type { NotifyEnv } from "../notify/helpers/start-notify-env.js";

/**
 * Runs the watcher `watcher` once; its result, and the messages it posted to #ops (`C_OPS`) and #prod
 * (`C_PROD`) during the run.
 */
export async function runWatcherOnce(env: NotifyEnv, notifier: Notifier, watcher: string) {
  const before = { ops: env.posted("C_OPS").length, prod: env.posted("C_PROD").length };
  const result = await notifier.runOnce(watcher);
  return {
    result,
    ops: env.posted("C_OPS").slice(before.ops),
    prod: env.posted("C_PROD").slice(before.prod),
  };
}
