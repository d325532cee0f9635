/**
 * The simulated cloud's data model: one set of machines seen through two services. ECS servers and
 * HSS hosts are the same machines (`host_id` = server ID); wire formats are rendered from these
 * records by the route modules, never stored.
 */

/** ECS `status` values the simulator produces (see "ECS Statuses" in the ECS API reference). */
export type ServerStatus =
  | "ACTIVE"
  | "SHUTOFF"
  | "BUILD"
  | "ERROR"
  | "REBOOT"
  | "HARD_REBOOT"
  | "RESIZE"
  | "VERIFY_RESIZE"
  | "REVERT_RESIZE"
  | "MIGRATING"
  | "REBUILD"
  | "UNKNOWN";

/** Statuses accepted by the `status` filter of the list APIs (doc, Table 6-36). */
export const FILTERABLE_STATUSES: readonly string[] = [
  "ACTIVE",
  "BUILD",
  "ERROR",
  "HARD_REBOOT",
  "MIGRATING",
  "REBOOT",
  "REBUILD",
  "RESIZE",
  "REVERT_RESIZE",
  "SHUTOFF",
  "VERIFY_RESIZE",
  // The v1 API also documents these.
  "DELETED",
  "SHELVED",
  "SHELVED_OFFLOADED",
  "UNKNOWN",
];

export interface SimFlavor {
  id: string;
  vcpus: number;
  ramMb: number;
  /** `ecs:performancetype` */
  performanceType: string;
  /** `ecs:generation` */
  generation: string;
  /** `resource_type` */
  resourceType: string;
}

export interface SimDisk {
  /** EVS volume ID (UUID); also the attachment ID, as the doc says. */
  id: string;
  device: string;
  sizeGb: number;
  /** 0 = system disk. */
  bootIndex: number;
  bus: "virtio" | "scsi";
  pciAddress: string;
  deleteOnTermination: boolean;
}

/** A NIC other than the primary one. */
export interface SimNic {
  portId: string;
  mac: string;
  /** Network (subnet) ID. */
  networkId: string;
  ip: string;
}

/** One security group rule (Nova shape, doc Table 6-106); a remote group or a CIDR, never both. */
export interface SimSecurityGroupRule {
  id: string;
  /** `tcp`, `udp`, `icmp`, or null for "any". */
  ipProtocol: string | null;
  fromPort: number | null;
  toPort: number | null;
  cidr: string | null;
  /** Name of the peer security group (rules that admit members of a group). */
  remoteGroup: string | null;
}

export interface SimSecurityGroup {
  id: string;
  name: string;
  description: string;
  rules: SimSecurityGroupRule[];
}

/** An ECS group (`os-server-groups`); only anti-affinity exists on Huawei Cloud. */
export interface SimServerGroup {
  id: string;
  name: string;
  policies: string[];
  /** Server IDs. */
  members: string[];
}

/** An EVS disk that is not attached to any ECS ("available"). */
export interface SimVolume {
  id: string;
  sizeGb: number;
  /** The unfinished attach job that claimed this disk, if any. */
  reservedBy: string | null;
}

/** One entry of `os-instance-actions` (doc, Table 6-209). */
export interface SimInstanceAction {
  action: string;
  /** `req-<uuid>`. */
  requestId: string;
  startTime: number;
  /** null while running or after success; `Error` when the operation failed (Nova). */
  message: string | null;
}

/** The quota limits of the project (`absolute.max*` of `GET /v1/{project_id}/cloudservers/limits`). */
export interface SimQuotaLimits {
  maxTotalInstances: number;
  maxTotalCores: number;
  maxTotalRAMSize: number;
  maxTotalFloatingIps: number;
  maxSecurityGroups: number;
  maxSecurityGroupRules: number;
  maxServerGroups: number;
  maxServerGroupMembers: number;
  maxTotalKeypairs: number;
  maxServerMeta: number;
  maxImageMeta: number;
  maxPersonality: number;
  maxPersonalitySize: number;
}

export interface SimTag {
  key: string;
  value: string;
}

export interface SimImage {
  id: string;
  name: string;
  osType: "Linux" | "Windows";
  osName: string;
  osVersion: string;
  kernelVersion: string;
}

export interface SimServer {
  id: string;
  name: string;
  status: ServerStatus;
  /** `OS-EXT-STS:vm_state` (lower case, as Nova returns it). */
  vmState: string;
  /** `OS-EXT-STS:task_state`; null when the server is stable. */
  taskState: string | null;
  /** `OS-EXT-STS:power_state`: 1 running, 3 shutdown (doc values), 0 pending. */
  powerState: number;
  flavorId: string;
  image: SimImage;
  availabilityZone: string;
  /** Network (subnet) ID: the key of `addresses`. */
  networkId: string;
  vpcId: string;
  privateIp: string;
  /** EIP bound to the server, if any. */
  publicIp: string | null;
  /** Whether the EIP is released with the server when `delete_publicip` is not given. */
  eipDeleteOnTermination: boolean;
  mac: string;
  portId: string;
  tags: SimTag[];
  disks: SimDisk[];
  created: number;
  updated: number;
  launchedAt: number;
  keyName: string;
  /** Security groups of the primary NIC (IDs of the world's catalog, `NetworkPlan.securityGroups`). */
  securityGroups: { id: string; name: string }[];
  /** NICs beyond the primary one (`networkId`/`privateIp`/`mac`/`portId`); usually none. */
  extraNics: SimNic[];
  /** Nova `locked` (doc, Table 6-38, microversion 2.9+): a locked ECS refuses management operations. */
  locked: boolean;
  /** Dedicated host (DeH) the ECS runs on; null = the public resource pool. */
  dedicatedHostId: string | null;
  /** Operations on this ECS, oldest first (`os-instance-actions`). */
  actions: SimInstanceAction[];
  /** Console lines appended after the derived boot log (control interface). */
  consoleLines: string[];
  /** Nova `hostId` (hash of the hypervisor). */
  hostId: string;
  hypervisorHostname: string;
  /** `OS-EXT-SRV-ATTR:instance_name` */
  instanceName: string;
  description: string;
  /** ID of the unfinished job that holds this server, if any (actions on a busy server fail). */
  busyJobId: string | null;
}

export type AgentStatus = "online" | "offline" | "not_installed" | "install_failed" | "installing";
export type ProtectStatus = "opened" | "closed" | "protection_exception";
export type DetectResult = "undetected" | "clean" | "risk" | "scanning";
export type AssetValue = "important" | "common" | "test";

/** HSS-side facts about a machine; names, IPs and power state come from its ECS server. */
export interface SimHost {
  hostId: string;
  agentId: string;
  /** Stored agent state; an `online` agent reads as `offline` while its server is not ACTIVE. */
  agentStatus: AgentStatus;
  protectStatus: ProtectStatus;
  version: string;
  detectResult: DetectResult;
  vulnerability: number;
  baseline: number;
  intrusion: number;
  asset: number;
  assetValue: AssetValue;
  osType: "Linux" | "Windows";
  osName: string;
  osVersion: string;
  kernelVersion: string;
  osImage: string;
  chargingMode: "packet_cycle" | "on_demand";
  resourceId: string;
  groupId: string;
  groupName: string;
  policyGroupId: string;
  policyGroupName: string;
  labels: string[];
  agentVersion: string;
  agentCreateTime: number;
  agentUpdateTime: number;
  openTime: number;
  upgradable: boolean;
  protectInterrupt: boolean;
  protectDegradation: boolean;
}

/** Port status values: the service returns `unknow` (sic) where the doc's table says `unknown`. */
export type PortStatus = "danger" | "unknow" | "normal";

export interface SimPort {
  hostId: string;
  laddr: string;
  port: number;
  type: "TCP" | "UDP";
  status: PortStatus;
  pid: number;
  path: string;
  containerId: string;
}

export type ScanStatus = "scanning" | "success" | "failed";

export interface SimScanHost {
  hostId: string;
  hostName: string;
  publicIp: string;
  privateIp: string;
  assetValue: AssetValue;
  scanStatus: ScanStatus;
  failedReasons: { vulType: string; failedReason: string }[];
}

export type ScanTaskStatus = "running" | "finished";

export interface SimScanTask {
  id: string;
  scanType: "manual" | "schedule";
  /** Set by the control interface; when absent, running while any host is still scanning. */
  status?: ScanTaskStatus;
  startTime: number;
  /** -1 while running. */
  endTime: number;
  vulTypes: string[];
  /** Snapshot taken when the task ran: later server changes do not rewrite scan history. */
  hosts: SimScanHost[];
}
