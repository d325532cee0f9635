import type { FleetServer } from "./create-fleet-index.js";
import { fetchServerIndex } from "./fetch-server-index.js";
import { type FleetEvent, fleetEvent } from "./fleet-event.js";
import { matchSubject } from "./match-subject.js";
import type { WatcherKindImpl } from "./watcher-kind.js";

export interface FailedScanHost {
  hostId: string;
  name: string;
  tags: Record<string, string>;
  reasons: { vulType?: string; reason?: string }[];
}

export interface ScanTaskRecord {
  status: string;
  /** Only on the observation in which the task was first seen finished (fetched then, announced once). */
  failed?: FailedScanHost[];
}

export interface ScanTasksSnapshot {
  tasks: Record<string, ScanTaskRecord>;
}

const FINISHED = "finished";

/**
 * HSS vulnerability scan tasks: a task finishes (or first appears finished) with failed hosts; one event
 * per failed host, with its failure reasons, so routes can filter by the host's tags and name.
 * Needs `hss.listScanTasks` from the cloud client.
 */
export const hssScanTasksWatcher: WatcherKindImpl<ScanTasksSnapshot> = {
  unavailable: (cloud) =>
    typeof cloud.hss.listScanTasks === "function"
      ? undefined
      : "the cloud client has no hss.listScanTasks (the vulnerability scan-task list API)",

  async observe({ cloud, fleet, watcher }, previous) {
    const list = cloud.hss.listScanTasks;
    if (list === undefined) throw new Error("hss.listScanTasks is not available");
    const listing = await list();
    const tasks: Record<string, ScanTaskRecord> = {};
    let servers: Map<string, FleetServer> | undefined;
    for (const task of listing.items) {
      const record: ScanTaskRecord = { status: task.status };
      const before = previous?.tasks[task.id];
      // On the first observation every finished task is history, not news.
      const newlyFinished = previous !== undefined && task.status === FINISHED && before?.status !== FINISHED;
      if (newlyFinished && task.failedHostNum !== 0) {
        const failed = await cloud.hss.listScanTaskHosts(task.id, { scanStatus: "failed" });
        servers ??= failed.items.length > 0 ? await fetchServerIndex(fleet) : new Map();
        record.failed = failed.items
          .map((h) => ({
            hostId: h.hostId,
            name: h.hostName ?? servers?.get(h.hostId)?.name ?? h.hostId,
            tags: servers?.get(h.hostId)?.tags ?? {},
            reasons: h.failedReasons.map((r) => ({
              ...(r.vulType !== undefined && { vulType: r.vulType }),
              ...(r.failedReason !== undefined && { reason: r.failedReason }),
            })),
          }))
          .filter((h) => matchSubject(watcher.scope, h));
      }
      tasks[task.id] = record;
    }
    return { data: { tasks }, observed: listing.items.length, notes: [] };
  },

  diff(previous, next) {
    const events: FleetEvent[] = [];
    for (const [taskId, task] of Object.entries(next.tasks)) {
      if (task.status !== FINISHED || previous.tasks[taskId]?.status === FINISHED) continue;
      for (const host of task.failed ?? []) {
        events.push(
          fleetEvent(
            "hss.scan_failed",
            `hss.scan:${taskId}:${host.hostId}`,
            "failed",
            { kind: "host", id: host.hostId, name: host.name, tags: host.tags },
            { kind: "scan", taskId, reasons: host.reasons },
          ),
        );
      }
    }
    return events;
  },

  // A task finishes once: nothing to reconsider after a quiet period.
  stateOf: () => undefined,
};
