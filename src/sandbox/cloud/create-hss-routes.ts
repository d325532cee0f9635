import { hssError } from "./error-bodies.js";
import { enterpriseProjectMatches, enumParam, intParam, invalid, isError } from "./hss-route-helpers.js";
import { listHosts } from "./list-hss-hosts.js";
import { first, type Route, type RouteContext, type RouteResult } from "./match-route.js";
import type { SimPort, SimScanTask } from "./world-types.js";

export { commonLoginAreaCodes, effectiveAgentStatus, renderHost } from "./list-hss-hosts.js";

function projectCheck(ctx: RouteContext): RouteResult | undefined {
  return ctx.params.project_id === ctx.core.config.projectId
    ? undefined
    : hssError(400, "HSS.0010", "Access denied. The project ID in the URL is not the caller's project.");
}

function renderPort(port: SimPort, agentId: string): Record<string, unknown> {
  return {
    host_id: port.hostId,
    laddr: port.laddr,
    status: port.status,
    port: port.port,
    type: port.type,
    pid: port.pid,
    path: port.path,
    agent_id: agentId,
    container_id: port.containerId,
  };
}

/**
 * `GET /v5/{project_id}/asset/ports`. Status values follow the service (`unknow`); a filter of
 * `unknown` (the doc's response table spelling) is accepted as the same thing. The filters take only the
 * documented values (`type` TCP or UDP, `status` danger or unknow): anything else is 400, so a client
 * sending `tcp` or `normal` is caught here rather than by the real service.
 */
function listPorts(ctx: RouteContext): RouteResult {
  const q = ctx.query;
  const hostId = first(q, "host_id");
  if (hostId === undefined || hostId === "") return invalid("host_id is required.");
  const limit = intParam(q, "limit", 10, 200, 10);
  if (isError(limit)) return limit.error;
  const offset = intParam(q, "offset", 0, 2_000_000, 0);
  if (isError(offset)) return offset.error;
  const port = intParam(q, "port", 1, 65_535, 0);
  if (isError(port)) return port.error;
  const type = first(q, "type") || undefined;
  if (type && type !== "TCP" && type !== "UDP") return invalid("type must be TCP or UDP.");
  const rawStatus = first(q, "status");
  if (rawStatus && !["danger", "unknow", "unknown"].includes(rawStatus)) {
    return invalid("status must be danger or unknow.");
  }
  const status = rawStatus === "unknown" ? "unknow" : rawStatus;
  const category = first(q, "category") ?? "host";
  if (category !== "host" && category !== "container") return invalid("category must be host or container.");
  const server = ctx.core.store.server(hostId);
  const host = ctx.core.store.host(hostId);
  const hostName = first(q, "host_name");
  const hostIp = first(q, "host_ip");
  const visible =
    server &&
    host &&
    category === "host" &&
    enterpriseProjectMatches(q) &&
    (!hostName || server.name.includes(hostName)) &&
    (!hostIp || server.privateIp === hostIp || server.publicIp === hostIp);
  const ports = visible
    ? ctx.core.store
        .ports(hostId)
        .filter(
          (p) =>
            (port === 0 || p.port === port) && (!type || p.type === type) && (!status || p.status === status),
        )
    : [];
  return {
    status: 200,
    body: {
      total_num: ports.length,
      data_list: ports.slice(offset, offset + limit).map((p) => renderPort(p, host?.agentId ?? "")),
    },
  };
}

/** `GET /v5/{project_id}/vulnerability/scan-task/{task_id}/hosts` (a body sent with the GET is ignored). */
function listScanTaskHosts(ctx: RouteContext): RouteResult {
  const task = ctx.core.store.scanTask(ctx.params.task_id!);
  if (!task) return hssError(400, "HSS.0011", `Requested resource not found. task_id: ${ctx.params.task_id}`);
  const limit = intParam(ctx.query, "limit", 1, 200, 10);
  if (isError(limit)) return limit.error;
  const offset = intParam(ctx.query, "offset", 0, 2_000_000, 0);
  if (isError(offset)) return offset.error;
  const scanStatus = enumParam(ctx.query, "scan_status", ["scanning", "success", "failed"]);
  if (isError(scanStatus)) return scanStatus.error;
  const hosts = enterpriseProjectMatches(ctx.query)
    ? task.hosts.filter((h) => !scanStatus || h.scanStatus === scanStatus)
    : [];
  return {
    status: 200,
    body: {
      total_num: hosts.length,
      data_list: hosts.slice(offset, offset + limit).map((h) => ({
        host_id: h.hostId,
        host_name: h.hostName,
        public_ip: h.publicIp,
        private_ip: h.privateIp,
        asset_value: h.assetValue,
        scan_status: h.scanStatus,
        failed_reasons: h.failedReasons.map((r) => ({ vul_type: r.vulType, failed_reason: r.failedReason })),
      })),
    },
  };
}

/** A task's state: as set by the control interface, else running while any host is still scanning. */
export function scanTaskStatus(task: SimScanTask): "running" | "finished" {
  return task.status ?? (task.hosts.some((h) => h.scanStatus === "scanning") ? "running" : "finished");
}

/**
 * One `data_list` item of `GET /v5/{project_id}/vulnerability/scan-tasks` (ListVulScanTask, beyond
 * the reference docs; field names from the HSS SDK's `VulScanTaskInfo`). The state goes out as
 * `status` (the SDK's name) and as `task_status` (what this simulator first served; kept for
 * callers that read it).
 */
export function renderScanTask(task: SimScanTask): Record<string, unknown> {
  const count = (s: string) => task.hosts.filter((h) => h.scanStatus === s).length;
  const scanning = count("scanning");
  const status = scanTaskStatus(task);
  return {
    id: task.id,
    scan_type: task.scanType,
    start_time: task.startTime,
    end_time: task.endTime,
    scan_vul_types: [...task.vulTypes],
    status,
    task_status: status,
    scanning_host_num: scanning,
    success_host_num: count("success"),
    failed_host_num: count("failed"),
    estimated_time: status === "running" ? 5 : 0,
  };
}

/**
 * `GET /v5/{project_id}/vulnerability/scan-tasks`: offset paging (limit 1-200) and the SDK's filters
 * `task_id`, `scan_type`, `min_start_time`, `max_start_time`, `enterprise_project_id`.
 */
function listScanTasks(ctx: RouteContext): RouteResult {
  const q = ctx.query;
  const limit = intParam(q, "limit", 1, 200, 10);
  if (isError(limit)) return limit.error;
  const offset = intParam(q, "offset", 0, 2_000_000, 0);
  if (isError(offset)) return offset.error;
  const scanType = enumParam(q, "scan_type", ["manual", "schedule"]);
  if (isError(scanType)) return scanType.error;
  const minStart = intParam(q, "min_start_time", 0, Number.MAX_SAFE_INTEGER, 0);
  if (isError(minStart)) return minStart.error;
  const maxStart = intParam(q, "max_start_time", 0, Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
  if (isError(maxStart)) return maxStart.error;
  const taskId = first(q, "task_id");
  const tasks = enterpriseProjectMatches(q)
    ? ctx.core.store
        .scanTasks()
        .filter(
          (t) =>
            (!taskId || t.id === taskId) &&
            (!scanType || t.scanType === scanType) &&
            t.startTime >= minStart &&
            t.startTime <= maxStart,
        )
    : [];
  return {
    status: 200,
    body: { total_num: tasks.length, data_list: tasks.slice(offset, offset + limit).map(renderScanTask) },
  };
}

/** The HSS endpoints the simulator serves, each checking the project ID in its path first. */
export function createHssRoutes(): Route[] {
  const hss = (pattern: string, handle: (ctx: RouteContext) => RouteResult): Route => ({
    method: "GET",
    pattern,
    service: "hss",
    auth: true,
    handle: (ctx) => projectCheck(ctx) ?? handle(ctx),
  });
  return [
    hss("/v5/:project_id/host-management/hosts", listHosts),
    hss("/v5/:project_id/asset/ports", listPorts),
    hss("/v5/:project_id/vulnerability/scan-task/:task_id/hosts", listScanTaskHosts),
    hss("/v5/:project_id/vulnerability/scan-tasks", listScanTasks),
  ];
}
