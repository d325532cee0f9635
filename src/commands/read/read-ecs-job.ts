import { CloudError } from "../../cloud/errors.js";
import type { IntentOf } from "../../intents/index.js";
import { code, type Message, md } from "../../render/message-model.js";
import { buildJobView } from "../../views/build-job-view.js";
import { buildNoticeView } from "../../views/build-notice-view.js";
import { type ReadDeps, type ReadOptions, viewOptions } from "./read-options.js";

/** `/ecs job`: one job's status; an unknown (or purged) job ID gets a plain explanation. */
export async function readEcsJob(
  intent: IntentOf<"ecs.job">,
  options: ReadOptions,
  deps: ReadDeps,
): Promise<Message> {
  try {
    const job = await deps.cloud.ecs.getJob(intent.jobId);
    return buildJobView({ job, ...viewOptions(options) });
  } catch (error) {
    if (error instanceof CloudError && error.isNotFound) {
      return buildNoticeView(
        ":mag:",
        md`No ECS job ${code(intent.jobId)}. Check the ID; finished jobs are only kept for a while.`,
      );
    }
    throw error;
  }
}
