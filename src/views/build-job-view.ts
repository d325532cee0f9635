import type { Job, SubJob } from "../cloud/types.js";
import {
  actions,
  code,
  context,
  header,
  type ListItem,
  list,
  type Message,
  md,
  type Part,
  section,
  type Text,
} from "../render/message-model.js";
import { statusIcon } from "../render/status-icon.js";
import type { ResultControls } from "./action-ids.js";
import { shareButton } from "./build-paged-list.js";
import { describeDiskFailureNextStep, diskOperationOfJob } from "./describe-disk-failure-next-step.js";
import { emoji, formatTime, joinTexts, sharedByLine } from "./format-values.js";

export interface JobViewInput {
  job: Job;
  controls?: ResultControls;
  sharedBy?: string;
}

function subJobItem(sub: SubJob): ListItem {
  const fields: { label: Text; value: Text }[] = [];
  if (sub.serverId) fields.push({ label: md`Server`, value: code(sub.serverId) });
  if (sub.errorCode) fields.push({ label: md`Error`, value: code(sub.errorCode) });
  const reason = sub.errorcodeMessage || sub.failReason;
  if (reason) fields.push({ label: md`Reason`, value: reason });
  return { status: sub.status, title: sub.jobType ?? sub.jobId ?? "sub-job", fields };
}

/** `/ecs job`: a job's status, timing and per-server sub-jobs (with failure reasons). */
export function buildJobView(input: JobViewInput): Message {
  const job = input.job;
  const facts: Text[] = [md`${emoji(statusIcon(job.status))} ${job.status}`];
  if (job.jobType) facts.push(md`type ${code(job.jobType)}`);
  if (job.serverId) facts.push(md`server ${code(job.serverId)}`);
  const times: Text[] = [];
  const begin = formatTime(job.beginTime);
  const end = formatTime(job.endTime);
  if (begin) times.push(md`started ${begin}`);
  if (end) times.push(md`ended ${end}`);

  const blocks: Part[] = [
    header(md`ECS job`),
    section({ text: md`${code(job.jobId)}\n${joinTexts(facts)}` }),
  ];
  if (job.failReason || job.errorCode) {
    const why: Text[] = [];
    if (job.errorCode) why.push(code(job.errorCode));
    if (job.failReason) why.push(job.failReason);
    blocks.push(section({ text: md`${emoji(":x:")} ${joinTexts(why, " ")}` }));
    // A failed disk job says what to look at next, which the cloud's reason never does.
    const disk = diskOperationOfJob(job.jobType);
    const server = job.serverId ?? job.subJobs.find((s) => s.serverId)?.serverId;
    if (disk !== undefined) blocks.push(context(describeDiskFailureNextStep(disk, server ?? "<server>")));
  }
  if (times.length > 0) blocks.push(context(joinTexts(times)));
  if (job.subJobs.length > 0) {
    blocks.push(context(md`Sub-jobs: ${job.subJobsTotal ?? job.subJobs.length}`));
    blocks.push(list(job.subJobs.map(subJobItem)));
  }
  if (input.sharedBy !== undefined) blocks.push(context(sharedByLine(input.sharedBy)));
  if (input.controls !== undefined) blocks.push(actions(shareButton(input.controls, 1)));
  return { text: md`ECS job ${job.jobId}: ${job.status}`, blocks };
}
