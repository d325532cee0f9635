/**
 * Domain types of the Huawei Cloud client: camelCase objects mapped from the wire's snake_case.
 *
 * Enumerations the cloud may extend are typed as "known values or any string": an unknown value is
 * kept verbatim, never rejected, so a new status on the service side cannot break a listing.
 */
import type { EcsCatalogReads, EcsServerOperations, EcsTagOperations } from "./ecs-operation-types.js";
import type { CloudError, OutcomeUnknownError } from "./errors.js";
import type { HssApi } from "./hss-types.js";

export type * from "./hss-types.js";

/** Known values plus any other string (keeps editor completion without rejecting new values). */
export type Open<T extends string> = T | (string & {});

// ---------------------------------------------------------------------------------------------
// ECS
// ---------------------------------------------------------------------------------------------

/** ECS status (`status` of `GET /v2.1/{project_id}/servers/detail`). */
export type ServerStatus = Open<
  | "ACTIVE"
  | "BUILD"
  | "DELETED"
  | "ERROR"
  | "HARD_REBOOT"
  | "MIGRATING"
  | "PAUSED"
  | "REBOOT"
  | "REBUILD"
  | "RESIZE"
  | "REVERT_RESIZE"
  | "SHUTOFF"
  | "SHELVED"
  | "SHELVED_OFFLOADED"
  | "SOFT_DELETED"
  | "SUSPENDED"
  | "VERIFY_RESIZE"
>;

/** One IP address of a server, flattened out of the `addresses` map (key = network name / ID). */
export interface ServerAddress {
  network: string;
  addr: string;
  /** 4 or 6. */
  version: number;
  /** `OS-EXT-IPS:type`: `fixed` (private) or `floating` (EIP). */
  type?: Open<"fixed" | "floating">;
  macAddr?: string;
  portId?: string;
}

export interface ServerFlavorRef {
  id: string;
  name?: string;
  vcpus?: number;
  ramMb?: number;
  diskGb?: number;
}

export interface Server {
  id: string;
  name: string;
  status: ServerStatus;
  flavor: ServerFlavorRef;
  addresses: ServerAddress[];
  /** 1D tags as returned by `servers/detail` (microversion ≥ 2.26); 2D tags appear as `key=value`. */
  tags: string[];
  /** `OS-EXT-AZ:availability_zone`. */
  availabilityZone?: string;
  /** ISO 8601, e.g. `2019-05-22T07:48:53Z`. */
  created?: string;
  updated?: string;
  /** `OS-EXT-STS:task_state` (null/absent when idle). */
  taskState?: string | null;
  /** `OS-EXT-STS:vm_state`. */
  vmState?: string;
  /** `OS-EXT-STS:power_state`: 0 pending, 1 running, 2 paused, 3 shutdown, 4 crashed. */
  powerState?: number;
  imageId?: string;
  /** `key_name`: the key pair the server was created (or last reinstalled) with; absent for a password server. */
  keyName?: string;
  metadata: Record<string, string>;
  /** IDs of attached EVS disks (`os-extended-volumes:volumes_attached`). */
  volumeIds: string[];
  /**
   * Per-disk details of `os-extended-volumes:volumes_attached`, in the same order as `volumeIds`.
   * Absent when the response lists bare IDs only (Nova microversion < 2.3).
   */
  volumes?: ServerVolume[];
  securityGroups: string[];
  locked?: boolean;
  description?: string;
  tenantId?: string;
  hostStatus?: string;
  /** `fault` when the server is in ERROR. */
  fault?: { code?: number; message?: string; details?: string };
  /**
   * The dedicated host the ECS is on, from `os:scheduler_hints` (Tables 6-46/6-57: "only available in DeH
   * scenarios"): present when `tenancy` is `dedicated` or a `dedicated_host_id` is given (`id`, when given).
   * Absent: its details show no DeH, i.e. it is in the public resource pool.
   */
  dedicatedHost?: { id?: string };
}

/** One entry of `os-extended-volumes:volumes_attached`. */
export interface ServerVolume {
  id: string;
  /**
   * `delete_on_termination`: whether the disk is deleted with the server. Nova returns it from
   * microversion 2.3 (a boolean); the native v1 API as `"true"`/`"false"`.
   */
  deleteOnTermination?: boolean;
  /**
   * `bootIndex`, 0 = system disk. Only the native v1 server API documents it (Table 8-16); Nova's
   * `servers/detail` does not return it, so read it from `listVolumeAttachments` instead.
   */
  bootIndex?: number;
  /** `device` (v1 API only), e.g. `/dev/vda`. */
  device?: string;
}

/** Filters of `GET /v2.1/{project_id}/servers/detail` (name, flavor and ip are fuzzy-matched by ECS). */
export interface ListServersFilter {
  name?: string;
  status?: ServerStatus;
  /** IPv4, fuzzy-matched. */
  ip?: string;
  /** Flavor ID, fuzzy-matched. */
  flavor?: string;
  /** Servers whose tags contain this value. */
  tags?: string;
  notTags?: string;
  /** ISO 8601 timestamp. */
  changesSince?: string;
  reservationId?: string;
  /** IPv4, exact match on a fixed or floating address (native API `ip_eq`). */
  ipEq?: string;
  /** Page size (1–1000, default 1000); all pages are fetched. */
  pageSize?: number;
  /** Pages in flight at once after the first (default 8). */
  concurrency?: number;
}

/** ECS flavor from `GET /v1/{project_id}/cloudservers/flavors`. */
export interface Flavor {
  id: string;
  name: string;
  vcpus: number;
  ramMb: number;
  isPublic?: boolean;
  disabled?: boolean;
  /** `os_extra_specs["ecs:performancetype"]`, e.g. `normal`, `computingv3`. */
  performanceType?: string;
  /** `os_extra_specs["ecs:generation"]`. */
  generation?: string;
  /** `os_extra_specs["cond:operation:status"]`: normal, abandon, sellout, obt, promotion… */
  operationStatus?: string;
  /** `os_extra_specs["cond:operation:az"]`, e.g. `az1(normal),az2(sellout)`. */
  operationAz?: string;
  /**
   * `operationAz` parsed: AZ → status (lower-cased), only the AZs it names; absent when it names none. An
   * AZ it does not name has `operationStatus` (see `flavorStatusIn`).
   */
  statusByAz?: Readonly<Record<string, string>>;
  /** All of `os_extra_specs`, verbatim. */
  extraSpecs: Record<string, string>;
}

/** Status of an ECS asynchronous job and of its sub-jobs. */
export type JobStatus = Open<"INIT" | "RUNNING" | "SUCCESS" | "FAIL">;

/** One sub-job (usually one per server) of a batch job. */
export interface SubJob {
  jobId?: string;
  jobType?: string;
  status: JobStatus;
  serverId?: string;
  nicId?: string;
  beginTime?: string;
  endTime?: string;
  errorCode?: string | null;
  failReason?: string | null;
  /** `entities.errorcode_message`: cause of a sub-job failure. */
  errorcodeMessage?: string;
}

/** `GET /v1/{project_id}/jobs/{job_id}`. */
export interface Job {
  jobId: string;
  jobType?: string;
  status: JobStatus;
  beginTime?: string;
  endTime?: string;
  errorCode?: string | null;
  failReason?: string | null;
  /** `entities.server_id` for single-server jobs. */
  serverId?: string;
  subJobsTotal?: number;
  subJobs: SubJob[];
}

/**
 * A disk attached to a server (`GET /v1/{project_id}/cloudservers/{server_id}/block_device`, doc
 * Table 5-55; the Nova `os-volume_attachments` shape maps onto the same fields minus the extras).
 */
export interface VolumeAttachment {
  id: string;
  volumeId: string;
  serverId: string;
  device?: string;
  /** `bootIndex`: 0 = system disk, non-zero = data disk. */
  bootIndex?: number;
  /** `size` in GB. */
  sizeGb?: number;
  /** `delete_on_termination`, when the response carries it (the documented block_device API does not). */
  deleteOnTermination?: boolean;
}

/** A 2D tag (`GET /v1/{project_id}/servers/{server_id}/tags`). */
export interface ServerTag {
  key: string;
  value: string;
}

export type RebootType = "SOFT" | "HARD";

/** One accepted API call of a batch action: the job that covers these servers. */
export interface SubmittedJob {
  jobId: string;
  serverIds: string[];
}

/** One API call of a batch action that did not yield a job. */
export interface BatchChunkFailure {
  serverIds: string[];
  /**
   * `CloudError`: the service rejected the call (nothing happened to these servers).
   * `OutcomeUnknownError`: the call may or may not have taken effect: reconcile by reading the servers.
   */
  error: CloudError | OutcomeUnknownError;
}

/**
 * Outcome of a batch action (start/stop/reboot/delete). More than 1,000 servers are split into
 * API-sized calls, each yielding its own job; the calls are independent, so a failed call does not
 * stop the others. Every requested server ID is in exactly one of `jobs[].serverIds` or `failures[].serverIds`.
 */
export interface BatchActionResult {
  jobs: SubmittedJob[];
  failures: BatchChunkFailure[];
}

export interface DeleteServersOptions {
  /** Release EIPs bound to the servers (`delete_publicip`); omitted = the EIP's own delete_on_termination. */
  deletePublicIp?: boolean;
  /** Delete data disks (`delete_volume`), default false. */
  deleteVolume?: boolean;
}

/** Result of a resize: a job, or for `dryRun` only the confirmation that the request passed the checks. */
export type ResizeResult = { dryRun: false; jobId: string } | { dryRun: true };

/** What changed in the fleet, or among the servers in one status, since a moment (`EcsApi.listServerChanges`). */
export interface ServerChanges {
  /**
   * The servers whose status changed at or after the moment, as they are now. A deleted one may be among
   * them with the status `DELETED`, or be absent: the API does not say which.
   */
  changed: Server[];
  /** How many servers (in the status asked for) the native listing counts now. */
  count: number;
}

/** The ECS operations. Every method throws `CloudError` / `OutcomeUnknownError` on failure (batch ops: see result). */
export interface EcsApi extends EcsTagOperations, EcsServerOperations, EcsCatalogReads {
  /** All servers matching the filter (every page; pages after the first fetched concurrently). */
  listServers(filter?: ListServersFilter, signal?: AbortSignal): Promise<Server[]>;
  /** The servers with these IDs that exist (unknown IDs are simply absent), few requests per 100 IDs. */
  listServersByIds(serverIds: readonly string[], signal?: AbortSignal): Promise<Server[]>;
  /**
   * The servers in `status` (default: any) whose status changed at or after `since` (ISO 8601, the cloud's
   * clock), as they are now, and the count of every server in it: two requests, for keeping a listing current.
   */
  listServerChanges(
    since: string,
    filter?: { status?: string },
    signal?: AbortSignal,
  ): Promise<ServerChanges>;
  /** One server; throws `CloudError` with `status` 404 when it does not exist. */
  getServer(serverId: string, signal?: AbortSignal): Promise<Server>;
  listFlavors(availabilityZone?: string, signal?: AbortSignal): Promise<Flavor[]>;
  startServers(serverIds: readonly string[]): Promise<BatchActionResult>;
  stopServers(serverIds: readonly string[], type?: RebootType): Promise<BatchActionResult>;
  rebootServers(serverIds: readonly string[], type: RebootType): Promise<BatchActionResult>;
  deleteServers(serverIds: readonly string[], options?: DeleteServersOptions): Promise<BatchActionResult>;
  resizeServer(serverId: string, flavorRef: string, options?: { dryRun?: boolean }): Promise<ResizeResult>;
  /** Throws `CloudError` with `status` 404 once the job record is gone. */
  getJob(jobId: string, signal?: AbortSignal): Promise<Job>;
  /** The server's disks with their boot index (native `block_device` API); 404 `CloudError` for an unknown server. */
  listVolumeAttachments(serverId: string, signal?: AbortSignal): Promise<VolumeAttachment[]>;
  listServerTags(serverId: string, signal?: AbortSignal): Promise<ServerTag[]>;
}

/** What `createCloudClient` returns. */
export interface CloudClient {
  ecs: EcsApi;
  hss: HssApi;
  /** The project ID in use (configured or looked up via IAM). */
  projectId(): Promise<string>;
  /** Closes pooled connections. */
  close(): Promise<void>;
}
