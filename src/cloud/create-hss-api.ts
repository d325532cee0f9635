import { assertPathId } from "./create-ecs-api.js";
import type { CloudResponse, QueryValue, Transport } from "./create-transport.js";
import { fetchOffsetPages } from "./fetch-offset-pages.js";
import {
  listPortsResponse,
  listScanTaskHostsResponse,
  listScanTasksResponse,
  toOpenPort,
  toScanTask,
  toScanTaskHost,
} from "./hss-schemas.js";
import { parseResponse } from "./parse-response.js";
import { readHostsPage } from "./read-hss-host.js";
import type { HssApi, HssHostFilter, HssPageOptions } from "./types.js";

/** Documented page size range of HSS listings. */
export const HSS_MIN_PAGE_SIZE = 10;
export const HSS_MAX_PAGE_SIZE = 200;
const DEFAULT_CONCURRENCY = 4;

export interface HssApiContext {
  transport: Transport;
  endpoint: string;
  projectId: (signal?: AbortSignal) => Promise<string>;
  /** Default `enterprise_project_id` (e.g. `all_granted_eps`). */
  enterpriseProjectId: string;
}

/** Every documented host-list filter: camelCase option → wire query name. */
const HOST_FILTER_PARAMS: Record<Exclude<keyof HssHostFilter, "enterpriseProjectId" | "region">, string> = {
  version: "version",
  agentStatus: "agent_status",
  detectResult: "detect_result",
  hostName: "host_name",
  hostId: "host_id",
  hostStatus: "host_status",
  osType: "os_type",
  privateIp: "private_ip",
  publicIp: "public_ip",
  ipAddr: "ip_addr",
  protectStatus: "protect_status",
  groupId: "group_id",
  groupName: "group_name",
  vpcId: "vpc_id",
  hasIntrusion: "has_intrusion",
  hasVul: "has_vul",
  hasBaseline: "has_baseline",
  sortKey: "sort_key",
  sortDir: "sort_dir",
  policyGroupId: "policy_group_id",
  policyGroupName: "policy_group_name",
  chargingMode: "charging_mode",
  refresh: "refresh",
  getCommonLoginLocations: "get_common_login_locations",
  aboveVersion: "above_version",
  outsideHost: "outside_host",
  assetValue: "asset_value",
  label: "label",
  serverGroup: "server_group",
  agentUpgradable: "agent_upgradable",
  installMode: "install_mode",
  bindingKey: "binding_key",
  protectInterrupt: "protect_interrupt",
  incluster: "incluster",
  protectDegradation: "protect_degradation",
  clusterId: "cluster_id",
};

/** Host-list filter as wire query parameters. */
export function hostFilterQuery(filter: HssHostFilter): Record<string, QueryValue> {
  const query: Record<string, QueryValue> = {};
  for (const [option, param] of Object.entries(HOST_FILTER_PARAMS)) {
    const value = filter[option as keyof typeof HOST_FILTER_PARAMS];
    if (value !== undefined) query[param] = value;
  }
  return query;
}

function pageSize(options: HssPageOptions): number {
  return Math.min(
    HSS_MAX_PAGE_SIZE,
    Math.max(HSS_MIN_PAGE_SIZE, Math.floor(options.pageSize ?? HSS_MAX_PAGE_SIZE)),
  );
}

/** The HSS operations over a transport. Listings fetch every page (bounded concurrency). */
export function createHssApi(ctx: HssApiContext): HssApi {
  async function list<W, T>(
    operation: string,
    path: (projectId: string) => string,
    query: Record<string, QueryValue>,
    options: HssPageOptions,
    parse: (res: CloudResponse) => { total: number; items: W[] },
    map: (w: W) => T,
    headers?: Record<string, string>,
  ) {
    const projectId = await ctx.projectId(options.signal);
    const page = await fetchOffsetPages(
      async (offset, limit, signal) => {
        const res = await ctx.transport.send({
          method: "GET",
          endpoint: ctx.endpoint,
          projectId,
          path: path(projectId),
          query: { ...query, offset, limit },
          headers,
          operation,
          signal,
        });
        const { total, items } = parse(res);
        return { totalNum: total, items: items.map(map) };
      },
      {
        pageSize: pageSize(options),
        concurrency: Math.max(1, options.concurrency ?? DEFAULT_CONCURRENCY),
        maxRecords: options.maxRecords,
        signal: options.signal,
      },
    );
    return page;
  }

  return {
    async listHosts(filter = {}, options = {}) {
      const operation = "hss.listHosts";
      const page = await list(
        operation,
        (projectId) => `/v5/${projectId}/host-management/hosts`,
        {
          ...hostFilterQuery(filter),
          enterprise_project_id: filter.enterpriseProjectId ?? ctx.enterpriseProjectId,
        },
        options,
        (res) => readHostsPage(res, operation),
        (host) => host,
        filter.region ? { region: filter.region } : undefined,
      );
      // A host may shift across page boundaries while pages are read: keep its first occurrence.
      const seen = new Set<string>();
      const items = page.items.filter((h) => {
        if (seen.has(h.hostId)) return false;
        seen.add(h.hostId);
        return true;
      });
      return { totalNum: page.totalNum, items };
    },

    async listOpenPorts(hostId, filter = {}, options = {}) {
      const operation = "hss.listOpenPorts";
      const page = await list(
        operation,
        (projectId) => `/v5/${projectId}/asset/ports`,
        {
          host_id: hostId,
          host_name: filter.hostName,
          host_ip: filter.hostIp,
          port: filter.port,
          type: filter.type,
          status: filter.status,
          category: filter.category,
          enterprise_project_id: filter.enterpriseProjectId ?? ctx.enterpriseProjectId,
        },
        options,
        (res) => {
          const body = parseResponse(listPortsResponse, res, operation);
          return { total: body.total_num ?? 0, items: body.data_list ?? [] };
        },
        toOpenPort,
      );
      return { totalNum: page.totalNum, items: page.items };
    },

    async listScanTaskHosts(taskId, filter = {}, options = {}) {
      assertPathId(taskId, "task ID");
      const operation = "hss.listScanTaskHosts";
      const page = await list(
        operation,
        (projectId) => `/v5/${projectId}/vulnerability/scan-task/${taskId}/hosts`,
        {
          scan_status: filter.scanStatus,
          enterprise_project_id: filter.enterpriseProjectId ?? ctx.enterpriseProjectId,
        },
        options,
        (res) => {
          const body = parseResponse(listScanTaskHostsResponse, res, operation);
          return { total: body.total_num ?? 0, items: body.data_list ?? [] };
        },
        toScanTaskHost,
      );
      return { totalNum: page.totalNum, items: page.items };
    },

    async listScanTasks(options = {}) {
      const operation = "hss.listScanTasks";
      const page = await list(
        operation,
        (projectId) => `/v5/${projectId}/vulnerability/scan-tasks`,
        {
          scan_type: options.scanType,
          task_id: options.taskId,
          min_start_time: options.minStartTime,
          max_start_time: options.maxStartTime,
          enterprise_project_id: options.enterpriseProjectId ?? ctx.enterpriseProjectId,
        },
        options,
        (res) => {
          const body = parseResponse(listScanTasksResponse, res, operation);
          return { total: body.total_num ?? 0, items: body.data_list ?? [] };
        },
        toScanTask,
      );
      // A task may shift across page boundaries while pages are read: keep its first occurrence.
      const seen = new Set<string>();
      const items = page.items.filter((t) => !seen.has(t.id) && seen.add(t.id));
      return { totalNum: page.totalNum, items };
    },
  };
}
