import type { IntentOf } from "../../intents/index.js";
import type { Message } from "../../render/message-model.js";
import { pageOf } from "../../views/build-paged-list.js";
import { buildScanTaskView } from "../../views/build-scan-task-view.js";
import { type ReadDeps, type ReadOptions, viewOptions } from "./read-options.js";

const STATUS_ORDER: Readonly<Record<string, number>> = { failed: 0, scanning: 1, success: 2 };

/** `/hss scan`: the hosts of a vulnerability scan task, failures first. */
export async function readHssScan(
  intent: IntentOf<"hss.scan">,
  options: ReadOptions,
  deps: ReadDeps,
): Promise<Message> {
  const listing = await deps.cloud.hss.listScanTaskHosts(intent.taskId, {
    ...(intent.status !== undefined ? { scanStatus: intent.status } : {}),
  });
  const hosts = [...listing.items].sort(
    (a, b) =>
      (STATUS_ORDER[a.scanStatus ?? ""] ?? 3) - (STATUS_ORDER[b.scanStatus ?? ""] ?? 3) ||
      (a.hostName ?? a.hostId).localeCompare(b.hostName ?? b.hostId),
  );
  const counts: Record<string, number> = {};
  for (const h of hosts) counts[h.scanStatus ?? "unknown"] = (counts[h.scanStatus ?? "unknown"] ?? 0) + 1;
  const page = pageOf(hosts, options.page);
  return buildScanTaskView({
    taskId: intent.taskId,
    hosts: page.items,
    total: hosts.length,
    page: page.page,
    ...(intent.status !== undefined ? { statusFilter: intent.status } : {}),
    counts,
    ...viewOptions(options),
  });
}
