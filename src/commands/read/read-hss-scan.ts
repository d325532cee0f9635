import { CloudError, ErrorCodes } from "../../cloud/errors.js";
import type { IntentOf } from "../../intents/index.js";
import { code, type Message, md } from "../../render/message-model.js";
import { buildNoticeView } from "../../views/build-notice-view.js";
import { pageOf } from "../../views/build-paged-list.js";
import { buildScanTaskListView } from "../../views/build-scan-task-list-view.js";
import { buildScanTaskView } from "../../views/build-scan-task-view.js";
import { type ReadDeps, type ReadOptions, viewOptions } from "./read-options.js";

const STATUS_ORDER: Readonly<Record<string, number>> = { failed: 0, scanning: 1, success: 2 };

/** How many recent scan tasks `/hss scan` reads (10 pages of 20). */
const RECENT_TASKS = 200;

/**
 * `/hss scan <task_id>`: the hosts of a vulnerability scan task, failures first (an unknown task ID gets a
 * plain explanation); `/hss scan`: recent tasks.
 */
export async function readHssScan(
  intent: IntentOf<"hss.scan">,
  options: ReadOptions,
  deps: ReadDeps,
): Promise<Message> {
  const taskId = intent.taskId;
  if (taskId === undefined) return readRecentTasks(options, deps);
  const listing = await deps.cloud.hss
    .listScanTaskHosts(taskId, {
      ...(intent.status !== undefined ? { scanStatus: intent.status } : {}),
    })
    .catch((error: unknown) => {
      if (isUnknownTask(error)) return undefined;
      throw error;
    });
  if (listing === undefined) {
    return buildNoticeView(
      ":mag:",
      md`No HSS scan task ${code(taskId)}. Check the ID; ${code("/hss scan")} lists the recent ones.`,
    );
  }
  const hosts = [...listing.items].sort(
    (a, b) =>
      (STATUS_ORDER[a.scanStatus ?? ""] ?? 3) - (STATUS_ORDER[b.scanStatus ?? ""] ?? 3) ||
      (a.hostName ?? a.hostId).localeCompare(b.hostName ?? b.hostId),
  );
  const counts: Record<string, number> = {};
  for (const h of hosts) counts[h.scanStatus ?? "unknown"] = (counts[h.scanStatus ?? "unknown"] ?? 0) + 1;
  const page = pageOf(hosts, options.page);
  return buildScanTaskView({
    taskId,
    hosts: page.items,
    total: hosts.length,
    page: page.page,
    ...(intent.status !== undefined ? { statusFilter: intent.status } : {}),
    counts,
    ...viewOptions(options),
  });
}

/** HSS's answer for a task ID it does not know (never issued, or purged). */
function isUnknownTask(error: unknown): boolean {
  return (
    error instanceof CloudError && (error.isNotFound || error.code === ErrorCodes.HSS_RESOURCE_NOT_FOUND)
  );
}

/** The newest {@link RECENT_TASKS} scan tasks, newest first, one page shown. */
async function readRecentTasks(options: ReadOptions, deps: ReadDeps): Promise<Message> {
  const listing = await deps.cloud.hss.listScanTasks({ maxRecords: RECENT_TASKS });
  const tasks = [...listing.items].sort(
    (a, b) => (b.startTime ?? 0) - (a.startTime ?? 0) || (a.id < b.id ? -1 : 1),
  );
  const page = pageOf(tasks, options.page);
  return buildScanTaskListView({
    tasks: page.items,
    total: tasks.length,
    page: page.page,
    ...viewOptions(options),
  });
}
