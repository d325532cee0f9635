import type { EcsApi, HssApi, HssListing, HssPageOptions } from "../cloud/types.js";
import type { FleetIndex } from "./create-fleet-index.js";
import type { FleetEvent } from "./fleet-event.js";
import type { WatcherConfig } from "./load-notifications-config.js";

/** A vulnerability scan task as the task list reports it (`GET /v5/{project_id}/vulnerability/scan-tasks`). */
export interface ScanTaskSummary {
  id: string;
  /** `running` or `finished`. */
  status: string;
  startTime?: number;
  endTime?: number;
  /** `failed_host_num`; when known to be 0 the failed hosts are not fetched. */
  failedHostNum?: number;
}

/**
 * The cloud operations the notifier reads (a subset of `CloudClient`). `hss.listScanTasks` is optional
 * so that a client without it (a partial or older implementation) still serves the other watchers: the
 * scan-task watcher then reports itself unavailable instead of failing.
 */
export interface NotifierCloud {
  /** Without `listServerChanges` the fleet is listed in full for every look (see `createFleetIndex`). */
  ecs: Pick<EcsApi, "listServers"> & Partial<Pick<EcsApi, "listServerChanges">>;
  hss: Pick<HssApi, "listHosts" | "listOpenPorts" | "listScanTaskHosts"> & {
    listScanTasks?: (options?: HssPageOptions) => Promise<HssListing<ScanTaskSummary>>;
  };
}

export interface ObserveContext {
  cloud: NotifierCloud;
  /** The servers, kept current between runs; the watchers read the fleet here, never by listing it. */
  fleet: FleetIndex;
  watcher: WatcherConfig;
}

/** What an observation found, plus notes for `/ops watch list` (e.g. hosts that could not be read). */
export interface Observation<D> {
  data: D;
  /** Number of servers / hosts / tasks observed. */
  observed: number;
  notes: string[];
  /** A watcher reading its subjects in rotation: how many a run reads, of how many. */
  rotation?: Rotation;
}

/** Subjects read per run in rotation: a full cycle takes ceil(total / perRun) runs. */
export interface Rotation {
  perRun: number;
  total: number;
}

/**
 * One kind of watcher: how to read the world into a JSON snapshot, and which transitions between two
 * snapshots are worth announcing. `diff` and `stateOf` are pure.
 */
export interface WatcherKindImpl<D> {
  /** Why this cloud client cannot serve the watcher, or undefined when it can. */
  unavailable(cloud: NotifierCloud): string | undefined;
  /** Reads the cloud; throws (`CloudError`) when the observation as a whole failed. */
  observe(ctx: ObserveContext, previous: D | undefined): Promise<Observation<D>>;
  /** The announceable transitions from `previous` to `next`. */
  diff(previous: D, next: D): FleetEvent[];
  /** The current state of an event family in a snapshot; undefined when the family is not tracked. */
  stateOf(data: D, family: string): string | undefined;
}
