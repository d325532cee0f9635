/**
 * Domain types of the ECS operations beyond listing and power: tags, tag queries, OS reinstall and
 * change, disks, migration, lock, console output, quotas, NICs, security groups, ECS groups and
 * operation history. camelCase, mapped from the wire by `ecs-operation-schemas.ts`.
 */
import type { Open, ServerTag } from "./types.js";

/** A key used in the project with every value it has (`GET /v1/{project_id}/servers/tags`, 5.9.5). */
export interface ProjectTag {
  key: string;
  values: string[];
}

/** A tag to delete: by key, and only with this value when one is given (5.9.4). */
export interface ServerTagRef {
  key: string;
  value?: string;
}

/** One tag condition of a tag query: the key with any of `values` (any value when empty or absent). */
export interface TagCondition {
  key: string;
  values?: string[];
}

/** `POST /v1/{project_id}/servers/resource_instances/action` criteria (5.9.2). */
export interface TagQuery {
  /** ECSs having every one of these tags. */
  tags?: TagCondition[];
  /** ECSs having none of these tags. */
  notTags?: TagCondition[];
  /** ECSs whose name matches (`matches: [{key: "resource_name", value}]`). */
  name?: string;
}

/** One ECS of a tag query. */
export interface TaggedServer {
  id: string;
  name: string;
  tags: ServerTag[];
}

/** One page of a tag query, with the number of ECSs matching in all. */
export interface TaggedServerPage {
  totalCount: number;
  servers: TaggedServer[];
}

/** Paging of a tag query: `offset` is the index of the first ECS, `limit` at most 1,000 (default). */
export interface TagQueryPage {
  limit?: number;
  offset?: number;
}

/**
 * Reinstall the OS from the current image (5.2.1). Key pair only: this client never sends a
 * password, so there is no field for one.
 */
export interface ReinstallOsOptions {
  /** Key pair injected into the new system disk (`keyname`). */
  keyName: string;
  /** `userid`; the service defaults to the caller's user. */
  userId?: string;
  /** Cloud-init user data, plain text (encoded to base64 here; at most 32 KB). */
  userData?: string;
}

/** Change the OS to another image (5.2.2); key pair only, as for a reinstall. */
export interface ChangeOsOptions extends ReinstallOsOptions {
  /** The new image ID (`imageid`). */
  imageId: string;
}

export interface AttachVolumeOptions {
  /** Device name, e.g. `/dev/vdb`; the service picks the next free one when absent. */
  device?: string;
  /** Only check the request (`dry_run`); nothing is attached and no job is created. */
  dryRun?: boolean;
}

export interface DetachVolumeOptions {
  /** Forcibly detach a data disk (`delete_flag=1`). */
  force?: boolean;
}

export interface MigrateServerOptions {
  /** Target dedicated host; absent = back to the public resource pool (`migrate: null`). */
  dedicatedHostId?: string;
}

/** A task that can be dry-run: a job, or only the confirmation that the request passed the checks. */
export type TaskResult = { dryRun: false; jobId: string } | { dryRun: true };

/** Tenant quotas and their usage (`GET /v1/{project_id}/cloudservers/limits`, `absolute`, 5.7.1). */
export interface Quotas {
  maxTotalInstances?: number;
  maxTotalCores?: number;
  /** MB. */
  maxTotalRAMSize?: number;
  maxTotalKeypairs?: number;
  maxServerMeta?: number;
  maxPersonality?: number;
  maxPersonalitySize?: number;
  maxServerGroups?: number;
  maxServerGroupMembers?: number;
  maxSecurityGroups?: number;
  maxSecurityGroupRules?: number;
  maxTotalFloatingIps?: number;
  maxImageMeta?: number;
  totalInstancesUsed?: number;
  totalCoresUsed?: number;
  /** MB. */
  totalRAMUsed?: number;
  totalSecurityGroupsUsed?: number;
  totalFloatingIpsUsed?: number;
  totalServerGroupsUsed?: number;
}

/** A NIC of an ECS (`interfaceAttachments`, 6.7.1). */
export interface ServerNic {
  portId: string;
  portState?: string;
  netId?: string;
  macAddr?: string;
  fixedIps: { subnetId?: string; ipAddress: string }[];
}

/** A rule of a security group (Nova shape, Table 6-106); `cidr` or `remoteGroup`, never both. */
export interface SecurityGroupRule {
  id: string;
  /** `tcp`, `udp`, `icmp`, a protocol number, or absent for any. */
  ipProtocol?: string;
  fromPort?: number;
  toPort?: number;
  cidr?: string;
  /** Name of the peer security group. */
  remoteGroup?: string;
}

/** A security group of an ECS (`GET /v2.1/{project_id}/servers/{server_id}/os-security-groups`, 6.5.3). */
export interface SecurityGroup {
  id: string;
  name: string;
  description?: string;
  rules: SecurityGroupRule[];
}

/** An ECS group (5.10.5/5.10.6). */
export interface ServerGroup {
  id: string;
  name: string;
  /** `anti-affinity` on Huawei Cloud. */
  policies: string[];
  /** Server IDs. */
  members: string[];
  metadata: Record<string, string>;
}

/** An operation performed on an ECS (`os-instance-actions`, 6.13.1), newest first. */
export interface ServerAction {
  action: Open<
    | "create"
    | "delete"
    | "stop"
    | "start"
    | "reboot"
    | "rebuild"
    | "resize"
    | "migrate"
    | "attach_volume"
    | "detach_volume"
    | "lock"
    | "unlock"
  >;
  requestId: string;
  /** As returned, e.g. `2014-12-16T10:58:14.000000` (UTC, no zone). */
  startTime?: string;
  /** The result: null/absent when fine, `Error` when the operation failed. */
  message?: string;
  userId?: string;
}

/** An SSH key pair of the project (`GET /v2.1/{project_id}/os-keypairs/{keypair_name}`, 6.11.2). */
export interface KeyPair {
  name: string;
  fingerprint?: string;
  /** `ssh` (microversion 2.2+). */
  type?: string;
  /** `created_at` as returned, e.g. `2014-05-07T12:06:13.681238`. */
  createdAt?: string;
}

/** An image (`GET /v2.1/{project_id}/images/{image_id}`, 11.2.3). */
export interface OsImage {
  id: string;
  name?: string;
  /** `ACTIVE` when usable. */
  status?: string;
  /** `minDisk` in GB. */
  minDiskGb?: number;
}

/**
 * What a read of one named resource found: it, or that the service says it does not exist (its own 404).
 * Any other failure is thrown as `CloudError` (the answer is then unknown, not "absent").
 */
export type Lookup<T> = { found: true; value: T } | { found: false };

/** Reads of what a reinstall or change of OS names. Reads: retried like any GET. */
export interface EcsCatalogReads {
  /** The key pair of this name (6.11.2); `{found: false}` when the project has none. */
  getKeyPair(name: string, signal?: AbortSignal): Promise<Lookup<KeyPair>>;
  /** The image with this ID (11.2.3); `{found: false}` when the region has none. */
  getImage(imageId: string, signal?: AbortSignal): Promise<Lookup<OsImage>>;
}

/**
 * Tag operations. Mutations are never resent when their outcome is unknown (`OutcomeUnknownError`);
 * every method throws `CloudError` when the service refuses.
 */
export interface EcsTagOperations {
  /** Every tag key used in the project with its values (5.9.5). */
  listProjectTags(signal?: AbortSignal): Promise<ProjectTag[]>;
  /** Adds or overwrites (same key) tags of one ECS (5.9.3); an ECS has at most 10 tags. */
  addServerTags(serverId: string, tags: readonly ServerTag[]): Promise<void>;
  /** Deletes tags of one ECS by key (and value, when given) (5.9.4); absent tags are no error. */
  deleteServerTags(serverId: string, tags: readonly ServerTagRef[]): Promise<void>;
  /** One page of the ECSs matching a tag query (5.9.2, `filter`), with the total count. */
  findServersByTag(query: TagQuery, page?: TagQueryPage, signal?: AbortSignal): Promise<TaggedServerPage>;
  /** How many ECSs match a tag query (5.9.2, `count`). */
  countServersByTag(query: TagQuery, signal?: AbortSignal): Promise<number>;
}

/**
 * Operations on one ECS and project reads. Task mutations return the job ID to follow with
 * `waitForJob`; a mutation whose outcome is unknown throws `OutcomeUnknownError` and is never resent.
 */
export interface EcsServerOperations {
  /** Locks an ECS (6.3.4): management operations are refused until it is unlocked. No job. */
  lockServer(serverId: string): Promise<void>;
  unlockServer(serverId: string): Promise<void>;
  /** The last `lines` lines of the console log (6.14.1); -1 = all of it. */
  getConsoleOutput(serverId: string, lines: number, signal?: AbortSignal): Promise<string[]>;
  /** Reinstalls the OS from the current image with a key pair (5.2.1); the ECS must be stopped. */
  reinstallServer(serverId: string, options: ReinstallOsOptions): Promise<string>;
  /** Changes the OS to another image with a key pair (5.2.2); the ECS must be stopped. */
  changeServerOs(serverId: string, options: ChangeOsOptions): Promise<string>;
  /** Attaches an available EVS disk (5.6.1). */
  attachVolume(serverId: string, volumeId: string, options?: AttachVolumeOptions): Promise<TaskResult>;
  /**
   * Detaches a disk (5.6.2). Whether it is the system disk is told by `listVolumeAttachments`
   * (`bootIndex` 0), which callers read first: see `findSystemDisk`.
   */
  detachVolume(serverId: string, volumeId: string, options?: DetachVolumeOptions): Promise<string>;
  /** Cold-migrates a stopped ECS to a dedicated host, or back to the public pool (5.2.3). */
  migrateServer(serverId: string, options?: MigrateServerOptions): Promise<string>;
  /** The project's quotas and their usage (5.7.1). */
  getQuotas(signal?: AbortSignal): Promise<Quotas>;
  /** NICs of an ECS (6.7.1). */
  listServerNics(serverId: string, signal?: AbortSignal): Promise<ServerNic[]>;
  /** Security groups of an ECS with their rules (6.5.3). */
  listServerSecurityGroups(serverId: string, signal?: AbortSignal): Promise<SecurityGroup[]>;
  /** Every ECS group of the project (5.10.5, all pages). */
  listServerGroups(signal?: AbortSignal): Promise<ServerGroup[]>;
  /** One ECS group (5.10.6); `CloudError` with `isNotFound` when it does not exist. */
  getServerGroup(serverGroupId: string, signal?: AbortSignal): Promise<ServerGroup>;
  /** Operations performed on an ECS, newest first (6.13.1). */
  listServerActions(serverId: string, signal?: AbortSignal): Promise<ServerAction[]>;
}
