/**
 * zod schemas of HSS responses and their mapping to domain objects. Tolerant: unknown fields are
 * ignored, enum values kept verbatim (e.g. port status `unknow`), `null` accepted for absent.
 */
import { z } from "zod";
import { numberish, optNum, optStr } from "./ecs-schemas.js";
import type { HssHost, OpenPort, ScanTask, ScanTaskHost } from "./types.js";

const boolish = z
  .union([z.boolean(), z.enum(["true", "false"])])
  .transform((v) => v === true || v === "true")
  .nullish();

function defined<T extends object>(obj: T): T {
  for (const key of Object.keys(obj) as (keyof T)[])
    if (obj[key] === undefined || obj[key] === null) delete obj[key];
  return obj;
}

/** One host of `ListHosts`; `readHssHost` reads the usual ones without it, and hands it the rest. */
export const hostSchema = z.object({
  host_id: z.string(),
  host_name: optStr,
  agent_id: optStr,
  private_ip: optStr,
  public_ip: optStr,
  enterprise_project_id: optStr,
  enterprise_project_name: optStr,
  host_status: optStr,
  agent_status: optStr,
  install_result_code: optStr,
  version: optStr,
  protect_status: optStr,
  os_image: optStr,
  os_type: optStr,
  os_name: optStr,
  os_version: optStr,
  os_bit: optStr,
  kernel_version: optStr,
  detect_result: optStr,
  expire_time: optNum,
  charging_mode: optStr,
  resource_id: optStr,
  outside_host: boolish,
  group_id: optStr,
  group_name: optStr,
  policy_group_id: optStr,
  policy_group_name: optStr,
  asset: optNum,
  vulnerability: optNum,
  baseline: optNum,
  intrusion: optNum,
  asset_value: optStr,
  labels: z.array(z.string()).nullish(),
  agent_create_time: optNum,
  agent_update_time: optNum,
  agent_version: optStr,
  upgrade_status: optStr,
  upgrade_result_code: optStr,
  upgradable: boolish,
  open_time: optNum,
  protect_interrupt: boolish,
  protect_degradation: boolish,
  host_sources: optStr,
  interrupt_reason: optStr,
  degradation_reason: optStr,
  key_name: optStr,
  install_progress: optNum,
  vpc_id: optStr,
  cluster_id: optStr,
  cluster_name: optStr,
  // Only with `get_common_login_locations=true`; an entry that is not a number is dropped.
  common_login_area_codes: z.array(numberish.nullish().catch(null)).nullish().catch(null),
});

export const listHostsResponse = z.object({
  total_num: numberish.nullish(),
  data_list: z.array(hostSchema).nullish(),
});

export function toHssHost(w: z.infer<typeof hostSchema>): HssHost {
  return defined({
    hostId: w.host_id,
    hostName: w.host_name ?? "",
    agentId: w.agent_id,
    privateIp: w.private_ip,
    publicIp: w.public_ip,
    enterpriseProjectId: w.enterprise_project_id,
    enterpriseProjectName: w.enterprise_project_name,
    hostStatus: w.host_status,
    agentStatus: w.agent_status,
    installResultCode: w.install_result_code,
    version: w.version,
    protectStatus: w.protect_status,
    osImage: w.os_image,
    osType: w.os_type,
    osName: w.os_name,
    osVersion: w.os_version,
    osBit: w.os_bit,
    kernelVersion: w.kernel_version,
    detectResult: w.detect_result,
    expireTime: w.expire_time,
    chargingMode: w.charging_mode,
    resourceId: w.resource_id,
    outsideHost: w.outside_host,
    groupId: w.group_id,
    groupName: w.group_name,
    policyGroupId: w.policy_group_id,
    policyGroupName: w.policy_group_name,
    asset: w.asset,
    vulnerability: w.vulnerability,
    baseline: w.baseline,
    intrusion: w.intrusion,
    assetValue: w.asset_value,
    // The documented example carries `[""]` for "no labels".
    labels: (w.labels ?? []).filter((l) => l !== ""),
    agentCreateTime: w.agent_create_time,
    agentUpdateTime: w.agent_update_time,
    agentVersion: w.agent_version,
    upgradeStatus: w.upgrade_status,
    upgradeResultCode: w.upgrade_result_code,
    upgradable: w.upgradable,
    openTime: w.open_time,
    protectInterrupt: w.protect_interrupt,
    protectDegradation: w.protect_degradation,
    hostSources: w.host_sources,
    interruptReason: w.interrupt_reason,
    degradationReason: w.degradation_reason,
    keyName: w.key_name,
    installProgress: w.install_progress,
    vpcId: w.vpc_id,
    clusterId: w.cluster_id,
    clusterName: w.cluster_name,
    commonLoginAreaCodes: w.common_login_area_codes?.filter((c): c is number => typeof c === "number"),
  } as HssHost);
}

const portSchema = z.object({
  host_id: optStr,
  laddr: optStr,
  status: optStr,
  port: numberish,
  type: optStr,
  pid: optNum,
  path: optStr,
  agent_id: optStr,
  container_id: optStr,
});

export const listPortsResponse = z.object({
  total_num: numberish.nullish(),
  data_list: z.array(portSchema).nullish(),
});

export function toOpenPort(w: z.infer<typeof portSchema>): OpenPort {
  return defined({
    hostId: w.host_id,
    laddr: w.laddr,
    port: w.port,
    type: w.type,
    status: w.status,
    pid: w.pid,
    path: w.path,
    agentId: w.agent_id,
    containerId: w.container_id,
  } as OpenPort);
}

/** The service says `unknow` where the documents say `unknown`: both mean "no known risk". */
export function isUnknownPortStatus(status: string | undefined): boolean {
  return status === "unknow" || status === "unknown";
}

const scanTaskHostSchema = z.object({
  host_id: z.string(),
  host_name: optStr,
  public_ip: optStr,
  private_ip: optStr,
  asset_value: optStr,
  scan_status: optStr,
  failed_reasons: z.array(z.object({ vul_type: optStr, failed_reason: optStr })).nullish(),
});

export const listScanTaskHostsResponse = z.object({
  total_num: numberish.nullish(),
  data_list: z.array(scanTaskHostSchema).nullish(),
});

export function toScanTaskHost(w: z.infer<typeof scanTaskHostSchema>): ScanTaskHost {
  return defined({
    hostId: w.host_id,
    hostName: w.host_name,
    publicIp: w.public_ip,
    privateIp: w.private_ip,
    assetValue: w.asset_value,
    scanStatus: w.scan_status,
    failedReasons: (w.failed_reasons ?? []).map((r) =>
      defined({ vulType: r.vul_type, failedReason: r.failed_reason } as {
        vulType?: string;
        failedReason?: string;
      }),
    ),
  } as ScanTaskHost);
}

const scanTaskSchema = z.object({
  id: z.string(),
  scan_type: optStr,
  start_time: optNum,
  end_time: optNum,
  scan_vul_types: z.array(z.string()).nullish(),
  status: optStr,
  // Some deployments (and the simulator) name the status `task_status`.
  task_status: optStr,
  scanning_host_num: optNum,
  success_host_num: optNum,
  failed_host_num: optNum,
  estimated_time: optNum,
});

/** `GET /v5/{project_id}/vulnerability/scan-tasks` (ListVulScanTask). */
export const listScanTasksResponse = z.object({
  total_num: numberish.nullish(),
  data_list: z.array(scanTaskSchema).nullish(),
});

export function toScanTask(w: z.infer<typeof scanTaskSchema>): ScanTask {
  return defined({
    id: w.id,
    status: w.status ?? w.task_status ?? "unknown",
    scanType: w.scan_type,
    startTime: w.start_time,
    endTime: w.end_time,
    scanVulTypes: w.scan_vul_types ?? [],
    scanningHostNum: w.scanning_host_num,
    successHostNum: w.success_host_num,
    failedHostNum: w.failed_host_num,
    estimatedTime: w.estimated_time,
  } as ScanTask);
}
