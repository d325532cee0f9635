/**
 * Domain types of the HSS (Host Security Service) API: hosts, open ports and vulnerability scans, with
 * their filters and paging. Re-exported by `types.ts`, so importers keep importing from there.
 */
import type { Open } from "./types.js";

export type HssAgentStatus = Open<
  "installed" | "not_installed" | "online" | "offline" | "install_failed" | "installing"
>;
export type HssProtectStatus = Open<"closed" | "opened" | "protection_exception">;
export type HssDetectResult = Open<"undetected" | "clean" | "risk" | "scanning">;
export type HssHostStatus = Open<"ACTIVE" | "SHUTOFF" | "BUILDING" | "ERROR">;

/** A server as HSS sees it (`GET /v5/{project_id}/host-management/hosts`, `Host`). */
export interface HssHost {
  hostId: string;
  hostName: string;
  agentId?: string;
  privateIp?: string;
  publicIp?: string;
  enterpriseProjectId?: string;
  enterpriseProjectName?: string;
  hostStatus?: HssHostStatus;
  agentStatus?: HssAgentStatus;
  installResultCode?: string;
  /** HSS edition, e.g. `hss.version.enterprise`. */
  version?: string;
  protectStatus?: HssProtectStatus;
  osImage?: string;
  osType?: Open<"Linux" | "Windows">;
  osName?: string;
  osVersion?: string;
  osBit?: string;
  kernelVersion?: string;
  detectResult?: HssDetectResult;
  /** ms timestamp; -1 for non-trial editions. */
  expireTime?: number;
  chargingMode?: Open<"packet_cycle" | "on_demand">;
  resourceId?: string;
  outsideHost?: boolean;
  groupId?: string;
  groupName?: string;
  policyGroupId?: string;
  policyGroupName?: string;
  /** Risk counts. */
  asset?: number;
  vulnerability?: number;
  baseline?: number;
  intrusion?: number;
  assetValue?: Open<"important" | "common" | "test">;
  labels: string[];
  agentCreateTime?: number;
  agentUpdateTime?: number;
  agentVersion?: string;
  upgradeStatus?: string;
  upgradeResultCode?: string;
  upgradable?: boolean;
  openTime?: number;
  protectInterrupt?: boolean;
  protectDegradation?: boolean;
  hostSources?: string;
  interruptReason?: string;
  degradationReason?: string;
  keyName?: string;
  installProgress?: number;
  vpcId?: string;
  clusterId?: string;
  clusterName?: string;
  /** `common_login_area_codes`: areas the server is usually logged in from (with `getCommonLoginLocations`). */
  commonLoginAreaCodes?: number[];
}

/** Every documented query filter of the HSS host list (camelCase of the wire names). */
export interface HssHostFilter {
  version?: string;
  /** Also `not_online` (query-only value: every status except online). */
  agentStatus?: HssAgentStatus | "not_online";
  detectResult?: HssDetectResult;
  hostName?: string;
  hostId?: string;
  hostStatus?: HssHostStatus;
  osType?: Open<"Linux" | "Windows">;
  privateIp?: string;
  publicIp?: string;
  ipAddr?: string;
  protectStatus?: HssProtectStatus;
  groupId?: string;
  groupName?: string;
  vpcId?: string;
  hasIntrusion?: boolean;
  hasVul?: boolean;
  hasBaseline?: boolean;
  sortKey?: "risk_num";
  sortDir?: "asc" | "desc";
  policyGroupId?: string;
  policyGroupName?: string;
  chargingMode?: Open<"packet_cycle" | "on_demand">;
  refresh?: boolean;
  getCommonLoginLocations?: boolean;
  aboveVersion?: boolean;
  outsideHost?: boolean;
  assetValue?: Open<"important" | "common" | "test">;
  label?: string;
  serverGroup?: string;
  agentUpgradable?: boolean;
  installMode?: boolean;
  bindingKey?: boolean;
  protectInterrupt?: boolean;
  incluster?: boolean;
  protectDegradation?: boolean;
  clusterId?: string;
  /** Overrides the configured enterprise project for this call. */
  enterpriseProjectId?: string;
  /** Optional `region` request header. */
  region?: string;
}

/** Options of offset-paginated HSS listings. */
export interface HssPageOptions {
  /** Page size, 10–200 (clamped); default 200. */
  pageSize?: number;
  /** Pages fetched at once after the first page revealed `total_num`; default 4. */
  concurrency?: number;
  /** Stop after this many records (default: all). */
  maxRecords?: number;
  signal?: AbortSignal;
}

/**
 * Port status. The documents list `normal`, `danger`, `unknown`, while the service and the request
 * filter use `unknow`: both are kept verbatim (use `isUnknownPortStatus` rather than comparing).
 */
export type OpenPortStatus = Open<"normal" | "danger" | "unknown" | "unknow">;

/** `GET /v5/{project_id}/asset/ports`, `PortResponseInfo`. */
export interface OpenPort {
  hostId?: string;
  laddr?: string;
  port: number;
  type?: Open<"TCP" | "UDP">;
  status?: OpenPortStatus;
  pid?: number;
  path?: string;
  agentId?: string;
  containerId?: string;
}

export interface OpenPortFilter {
  hostName?: string;
  hostIp?: string;
  port?: number;
  type?: Open<"TCP" | "UDP">;
  /** Query filter: `danger` or `unknow` (the spelling the service accepts). */
  status?: Open<"danger" | "unknow">;
  category?: Open<"host" | "container">;
  enterpriseProjectId?: string;
}

export type ScanStatus = Open<"scanning" | "success" | "failed">;

/** `GET /v5/{project_id}/vulnerability/scan-task/{task_id}/hosts`, `VulScanTaskHostInfo`. */
export interface ScanTaskHost {
  hostId: string;
  hostName?: string;
  publicIp?: string;
  privateIp?: string;
  assetValue?: string;
  scanStatus?: ScanStatus;
  failedReasons: Array<{ vulType?: string; failedReason?: string }>;
}

export interface ScanTaskHostFilter {
  scanStatus?: ScanStatus;
  enterpriseProjectId?: string;
}

/** Scan task state (`status`): `running` or `finished`; other values are kept verbatim. */
export type ScanTaskStatus = Open<"running" | "finished">;
export type ScanType = Open<"manual" | "schedule">;

/**
 * A vulnerability scan task (`GET /v5/{project_id}/vulnerability/scan-tasks`, ListVulScanTask,
 * `VulScanTaskInfo`; not in the reference documents, names from the HSS SDK). Times are ms timestamps.
 */
export interface ScanTask {
  id: string;
  /** `status` (some deployments send `task_status`); `unknown` when neither is present. */
  status: ScanTaskStatus;
  scanType?: ScanType;
  startTime?: number;
  /** -1 (or absent) while running. */
  endTime?: number;
  /** `scan_vul_types`, e.g. `linux_vul`, `windows_vul`, `web_cms`, `app_vul`, `urgent_vul`. */
  scanVulTypes: string[];
  scanningHostNum?: number;
  successHostNum?: number;
  failedHostNum?: number;
  /** `estimated_time` (estimated time to completion, as the service reports it). */
  estimatedTime?: number;
}

/** Query filters of the scan-task list. */
export interface ScanTaskFilter {
  scanType?: ScanType;
  taskId?: string;
  /** ms timestamps bounding `start_time`. */
  minStartTime?: number;
  maxStartTime?: number;
  enterpriseProjectId?: string;
}

/**
 * Filters and paging of `listScanTasks` in one bag, so a caller that passes only page options (as
 * the notifier's `listScanTasks?(options?: HssPageOptions)` contract does) is served correctly.
 */
export type ListScanTasksOptions = ScanTaskFilter & HssPageOptions;

/** A listing with the service's `total_num` (the number of records matching, not of those returned). */
export interface HssListing<T> {
  totalNum: number;
  items: T[];
}

/** The HSS operations; every method throws `CloudError` on failure. */
export interface HssApi {
  listHosts(filter?: HssHostFilter, options?: HssPageOptions): Promise<HssListing<HssHost>>;
  listOpenPorts(
    hostId: string,
    filter?: OpenPortFilter,
    options?: HssPageOptions,
  ): Promise<HssListing<OpenPort>>;
  listScanTaskHosts(
    taskId: string,
    filter?: ScanTaskHostFilter,
    options?: HssPageOptions,
  ): Promise<HssListing<ScanTaskHost>>;
  /** Vulnerability scan tasks (offset pagination, every page fetched). */
  listScanTasks(options?: ListScanTasksOptions): Promise<HssListing<ScanTask>>;
}
