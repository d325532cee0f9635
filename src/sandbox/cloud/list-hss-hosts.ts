/**
 * The HSS hosts: a server's host as `GET /v5/{project_id}/host-management/hosts` shows it (status,
 * agent status, common login areas) and the listing itself with every documented filter.
 */
import { hashString } from "./create-prng.js";
import { fuzzyMatcher } from "./filter-servers.js";
import { boolParam, enterpriseProjectMatches, enumParam, intParam, isError } from "./hss-route-helpers.js";
import { first, type RouteContext, type RouteResult } from "./match-route.js";
import type { SimCore } from "./sim-core.js";
import type { SimHost, SimServer } from "./world-types.js";

/** HSS `host_status` from the ECS status (HSS knows ACTIVE, SHUTOFF, BUILDING, ERROR). */
function hostStatus(server: SimServer): string {
  switch (server.status) {
    case "SHUTOFF":
    case "RESIZE":
    case "VERIFY_RESIZE":
    case "REVERT_RESIZE":
      return "SHUTOFF";
    case "BUILD":
      return "BUILDING";
    case "ERROR":
      return "ERROR";
    default:
      return "ACTIVE";
  }
}

/** An agent cannot report while its machine is down: stored `online` reads `offline` then. */
export function effectiveAgentStatus(host: SimHost, server: SimServer): string {
  return host.agentStatus === "online" && hostStatus(server) !== "ACTIVE" ? "offline" : host.agentStatus;
}

/** Area codes (administrative division IDs) operators log in from: Beijing, Shanghai, Shenzhen, Hangzhou. */
const LOGIN_AREAS: readonly number[] = [110000, 310000, 440300, 330100];

/**
 * `common_login_area_codes`, returned when `get_common_login_locations=true`: one or two areas per
 * host, fixed by its ID; none for a host without a working agent (nothing was ever reported).
 */
export function commonLoginAreaCodes(host: SimHost): number[] {
  if (host.agentStatus !== "online" && host.agentStatus !== "offline") return [];
  const h = hashString(host.hostId);
  const first = LOGIN_AREAS[h % LOGIN_AREAS.length]!;
  const second = LOGIN_AREAS[(h >>> 8) % LOGIN_AREAS.length]!;
  return first === second ? [first] : [first, second];
}

function riskNum(host: SimHost): number {
  return host.vulnerability + host.baseline + host.intrusion;
}

/** One `data_list` item of `GET /v5/{project_id}/host-management/hosts` (doc, Table 5 "Host"). */
export function renderHost(host: SimHost, server: SimServer): Record<string, unknown> {
  const agentStatus = effectiveAgentStatus(host, server);
  const out: Record<string, unknown> = {
    host_name: server.name,
    host_id: host.hostId,
    agent_id: host.agentId,
    private_ip: server.privateIp,
    public_ip: server.publicIp ?? "",
    enterprise_project_id: "0",
    enterprise_project_name: "default",
    os_name: host.osName,
    os_version: host.osVersion,
    kernel_version: host.kernelVersion,
    host_status: hostStatus(server),
    agent_status: agentStatus,
    version: host.version,
    protect_status: host.protectStatus,
    os_image: host.osImage,
    os_type: host.osType,
    os_bit: "64",
    detect_result: host.detectResult,
    expire_time: -1,
    charging_mode: host.chargingMode,
    resource_id: host.resourceId,
    outside_host: false,
    group_id: host.groupId,
    group_name: host.groupName,
    policy_group_id: host.policyGroupId,
    policy_group_name: host.policyGroupName,
    asset: host.asset,
    vulnerability: host.vulnerability,
    baseline: host.baseline,
    intrusion: host.intrusion,
    asset_value: host.assetValue,
    labels: [...host.labels],
    agent_create_time: host.agentCreateTime,
    agent_update_time: host.agentUpdateTime,
    agent_version: host.agentVersion,
    upgrade_status: "not_upgrade",
    upgradable: host.upgradable,
    open_time: host.openTime,
    protect_interrupt: host.protectInterrupt,
    protect_degradation: host.protectDegradation,
    host_sources: "ecs",
    key_name: server.keyName,
    vpc_id: server.vpcId,
    install_progress: agentStatus === "installing" ? 40 : agentStatus === "not_installed" ? 0 : 100,
  };
  if (host.agentStatus === "install_failed") out.install_result_code = "network_access_timeout";
  else if (host.agentStatus === "online" || host.agentStatus === "offline")
    out.install_result_code = "install_succeed";
  if (host.protectInterrupt) out.interrupt_reason = "agent_offline";
  return out;
}

interface HostRow {
  host: SimHost;
  server: SimServer;
}

function hostRows(core: SimCore): HostRow[] {
  const rows: HostRow[] = [];
  for (const server of core.store.servers()) {
    const host = core.store.host(server.id);
    if (host) rows.push({ host, server });
  }
  return rows;
}

/** `GET /v5/{project_id}/host-management/hosts`: every documented filter, limit 10-200, offset paging. */
export function listHosts(ctx: RouteContext): RouteResult {
  const q = ctx.query;
  const limit = intParam(q, "limit", 10, 200, 10);
  if (isError(limit)) return limit.error;
  const offset = intParam(q, "offset", 0, 2_000_000, 0);
  if (isError(offset)) return offset.error;
  const enums = {
    version: enumParam(q, "version", [
      "hss.version.null",
      "hss.version.basic",
      "hss.version.advanced",
      "hss.version.enterprise",
      "hss.version.premium",
      "hss.version.wtp",
      "hss.version.container.enterprise",
    ]),
    agentStatus: enumParam(q, "agent_status", [
      "installed",
      "not_installed",
      "online",
      "offline",
      "install_failed",
      "installing",
      "not_online",
    ]),
    detectResult: enumParam(q, "detect_result", ["undetected", "clean", "risk", "scanning"]),
    hostStatus: enumParam(q, "host_status", ["ACTIVE", "SHUTOFF", "BUILDING", "ERROR"]),
    osType: enumParam(q, "os_type", ["Linux", "Windows"]),
    protectStatus: enumParam(q, "protect_status", ["closed", "opened", "protection_exception"]),
    sortKey: enumParam(q, "sort_key", ["risk_num"]),
    sortDir: enumParam(q, "sort_dir", ["asc", "desc"]),
    chargingMode: enumParam(q, "charging_mode", ["packet_cycle", "on_demand"]),
    assetValue: enumParam(q, "asset_value", ["important", "common", "test"]),
  };
  for (const v of Object.values(enums)) if (isError(v)) return v.error;
  const bools = {
    hasIntrusion: boolParam(q, "has_intrusion"),
    hasVul: boolParam(q, "has_vul"),
    hasBaseline: boolParam(q, "has_baseline"),
    outsideHost: boolParam(q, "outside_host"),
    agentUpgradable: boolParam(q, "agent_upgradable"),
    protectInterrupt: boolParam(q, "protect_interrupt"),
    protectDegradation: boolParam(q, "protect_degradation"),
    incluster: boolParam(q, "incluster"),
    // Accepted and validated, no effect on a simulated fleet:
    refresh: boolParam(q, "refresh"),
    commonLogin: boolParam(q, "get_common_login_locations"),
    aboveVersion: boolParam(q, "above_version"),
    installMode: boolParam(q, "install_mode"),
    bindingKey: boolParam(q, "binding_key"),
  };
  for (const v of Object.values(bools)) if (isError(v)) return v.error;
  const e = enums as { [K in keyof typeof enums]: string | undefined };
  const b = bools as { [K in keyof typeof bools]: boolean | undefined };
  const str = (key: string) => {
    const v = first(q, key);
    return v === undefined || v === "" ? undefined : v;
  };
  const hostName = str("host_name");
  const nameMatch = hostName ? fuzzyMatcher(hostName.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")) : null;
  const hostId = str("host_id");
  const privateIp = str("private_ip");
  const publicIp = str("public_ip");
  const ipAddr = str("ip_addr");
  const groupId = str("group_id");
  const groupName = str("group_name") ?? str("server_group");
  const vpcId = str("vpc_id");
  const policyGroupId = str("policy_group_id");
  const policyGroupName = str("policy_group_name");
  const label = str("label");
  const clusterId = str("cluster_id");
  const epOk = enterpriseProjectMatches(q);

  const rows = hostRows(ctx.core).filter(({ host, server }) => {
    if (!epOk) return false;
    const agent = effectiveAgentStatus(host, server);
    if (e.version && host.version !== e.version) return false;
    if (e.agentStatus) {
      // `installed` is the type whose statuses are online, offline, install_failed and installing (Table 2).
      const installed = agent !== "not_installed";
      if (
        e.agentStatus === "installed"
          ? !installed
          : e.agentStatus === "not_online"
            ? agent === "online"
            : agent !== e.agentStatus
      ) {
        return false;
      }
    }
    if (e.detectResult && host.detectResult !== e.detectResult) return false;
    if (e.hostStatus && hostStatus(server) !== e.hostStatus) return false;
    if (e.osType && host.osType !== e.osType) return false;
    if (e.protectStatus && host.protectStatus !== e.protectStatus) return false;
    if (e.chargingMode && host.chargingMode !== e.chargingMode) return false;
    if (e.assetValue && host.assetValue !== e.assetValue) return false;
    if (nameMatch && !nameMatch(server.name)) return false;
    if (hostId && host.hostId !== hostId) return false;
    if (privateIp && !server.privateIp.includes(privateIp)) return false;
    if (publicIp && !(server.publicIp ?? "").includes(publicIp)) return false;
    if (ipAddr && !server.privateIp.includes(ipAddr) && !(server.publicIp ?? "").includes(ipAddr))
      return false;
    if (groupId && host.groupId !== groupId) return false;
    if (groupName && host.groupName !== groupName) return false;
    if (vpcId && server.vpcId !== vpcId) return false;
    if (policyGroupId !== undefined && host.policyGroupId !== policyGroupId) return false;
    if (policyGroupName && host.policyGroupName !== policyGroupName) return false;
    if (label && !host.labels.includes(label)) return false;
    if (clusterId || b.incluster === true) return false;
    if (b.hasIntrusion !== undefined && host.intrusion > 0 !== b.hasIntrusion) return false;
    if (b.hasVul !== undefined && host.vulnerability > 0 !== b.hasVul) return false;
    if (b.hasBaseline !== undefined && host.baseline > 0 !== b.hasBaseline) return false;
    if (b.outsideHost === true) return false;
    if (b.agentUpgradable !== undefined && host.upgradable !== b.agentUpgradable) return false;
    if (b.protectInterrupt !== undefined && host.protectInterrupt !== b.protectInterrupt) return false;
    if (b.protectDegradation !== undefined && host.protectDegradation !== b.protectDegradation) return false;
    return true;
  });
  if (e.sortKey === "risk_num") {
    const sign = e.sortDir === "asc" ? 1 : -1;
    rows.sort((x, y) => sign * (riskNum(x.host) - riskNum(y.host)));
  }
  const page = rows.slice(offset, offset + limit);
  return {
    status: 200,
    body: {
      total_num: rows.length,
      data_list: page.map((r) => {
        const out = renderHost(r.host, r.server);
        if (b.commonLogin === true) out.common_login_area_codes = commonLoginAreaCodes(r.host);
        return out;
      }),
    },
  };
}
