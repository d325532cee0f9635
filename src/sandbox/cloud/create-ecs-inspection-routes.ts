import { countQuotaUsage } from "./count-quota-usage.js";
import { badBody, novaNotFound, novaRoute, v1NotFound, v1Route, withServer } from "./ecs-route-helpers.js";
import { ECS_ERRORS, ecsError } from "./error-bodies.js";
import { first, type Route, type RouteContext, type RouteResult } from "./match-route.js";
import type { SimCore } from "./sim-core.js";
import type { SimSecurityGroup, SimServer, SimServerGroup } from "./world-types.js";

/** NICs a KVM ECS takes (`attachableQuantity.free_nic` of the SDK's v1 NIC listing). */
const MAX_NICS = 12;
const MAX_GROUP_PAGE = 1000;

/** `GET /v1/{project_id}/cloudservers/limits` (doc 5.7.1): the limits, and usage counted from the fleet. */
function limits(ctx: RouteContext): RouteResult {
  return {
    status: 200,
    body: { absolute: { ...ctx.core.store.quotaLimits, ...countQuotaUsage(ctx.core.store) } },
  };
}

function renderServerGroup(g: SimServerGroup): Record<string, unknown> {
  return { id: g.id, name: g.name, policies: [...g.policies], members: [...g.members], metadata: {} };
}

/**
 * `GET /v1/{project_id}/cloudservers/os-server-groups?limit&marker` (doc 5.10.5): in creation order;
 * `page_info.next_marker` names the last group of a page when more follow.
 */
function listServerGroups(ctx: RouteContext): RouteResult {
  const rawLimit = first(ctx.query, "limit");
  if (rawLimit !== undefined && rawLimit !== "" && !/^\d+$/.test(rawLimit))
    return badBody("limit must be a non-negative integer.");
  const limit = Math.min(MAX_GROUP_PAGE, rawLimit ? Number(rawLimit) || MAX_GROUP_PAGE : MAX_GROUP_PAGE);
  let groups = [...ctx.core.store.serverGroups()];
  const marker = first(ctx.query, "marker");
  if (marker) {
    const at = groups.findIndex((g) => g.id === marker);
    if (at < 0) return badBody(`marker ${marker} not found.`);
    groups = groups.slice(at + 1);
  }
  const page = groups.slice(0, limit);
  const body: Record<string, unknown> = { server_groups: page.map(renderServerGroup) };
  if (groups.length > page.length && page.length > 0) body.page_info = { next_marker: page.at(-1)!.id };
  return { status: 200, body };
}

/**
 * `GET /v1/{project_id}/cloudservers/os-server-groups/{id}` (doc 5.10.6). The doc names no code for
 * an unknown group: 404 with `Ecs.0313` ("ECS group query failed").
 */
function showServerGroup(ctx: RouteContext): RouteResult {
  const group = ctx.core.store.serverGroup(ctx.params.server_group_id!);
  return group
    ? { status: 200, body: { server_group: renderServerGroup(group) } }
    : ecsError(
        404,
        ECS_ERRORS.serverGroupQuery.code,
        `${ECS_ERRORS.serverGroupQuery.message} server_group_id: ${ctx.params.server_group_id}`,
      );
}

/** `interfaceAttachments` (doc 6.7.1, Table 6-127): the primary NIC first. */
function renderNics(server: SimServer): Record<string, unknown>[] {
  const state = server.status === "ACTIVE" ? "ACTIVE" : "DOWN";
  return [
    { portId: server.portId, mac: server.mac, networkId: server.networkId, ip: server.privateIp },
    ...server.extraNics,
  ].map((nic) => ({
    port_state: state,
    fixed_ips: [{ subnet_id: nic.networkId, ip_address: nic.ip }],
    net_id: nic.networkId,
    port_id: nic.portId,
    mac_addr: nic.mac,
  }));
}

function renderSecurityGroup(core: SimCore, group: SimSecurityGroup): Record<string, unknown> {
  const tenant = core.config.projectId;
  return {
    description: group.description,
    id: group.id,
    name: group.name,
    tenant_id: tenant,
    rules: group.rules.map((r) => ({
      id: r.id,
      parent_group_id: group.id,
      ip_protocol: r.ipProtocol,
      from_port: r.fromPort,
      to_port: r.toPort,
      ip_range: r.cidr === null ? {} : { cidr: r.cidr },
      group: r.remoteGroup === null ? {} : { tenant_id: tenant, name: r.remoteGroup },
    })),
  };
}

/** `2014-12-16T10:58:14.000000`, the time format of instance actions. */
function actionTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, ".$1000");
}

/** `GET /v2.1/{project_id}/servers/{server_id}/os-instance-actions` (doc 6.13.1): newest first. */
function instanceActions(ctx: RouteContext, server: SimServer): RouteResult {
  const { projectId, userId } = ctx.core.config;
  return {
    status: 200,
    body: {
      instanceActions: [...server.actions].reverse().map((a) => ({
        action: a.action,
        instance_uuid: server.id,
        message: a.message,
        project_id: projectId,
        request_id: a.requestId,
        start_time: actionTime(a.startTime),
        user_id: userId,
      })),
    },
  };
}

/** Quotas, ECS groups, and a server's NICs, security groups and operation history. */
export function createEcsInspectionRoutes(): Route[] {
  const nics = (withQuantity: boolean) => (_ctx: RouteContext, s: SimServer) => {
    const list = renderNics(s);
    const body: Record<string, unknown> = { interfaceAttachments: list };
    if (withQuantity) body.attachableQuantity = { free_nic: Math.max(0, MAX_NICS - list.length) };
    return { status: 200, body };
  };
  const securityGroups = (ctx: RouteContext, s: SimServer): RouteResult => ({
    status: 200,
    body: {
      security_groups: s.securityGroups.flatMap((ref) => {
        const group = ctx.core.store.plan.securityGroups.find((g) => g.id === ref.id);
        return group ? [renderSecurityGroup(ctx.core, group)] : [];
      }),
    },
  });
  return [
    v1Route("GET", "/v1/:project_id/cloudservers/limits", limits),
    v1Route("GET", "/v1/:project_id/cloudservers/os-server-groups", listServerGroups),
    v1Route("GET", "/v1/:project_id/cloudservers/os-server-groups/:server_group_id", showServerGroup),
    v1Route(
      "GET",
      "/v1/:project_id/cloudservers/:server_id/os-interface",
      withServer(v1NotFound, nics(true)),
    ),
    novaRoute("/v2.1/:project_id/servers/:server_id/os-interface", withServer(novaNotFound, nics(false))),
    novaRoute(
      "/v2.1/:project_id/servers/:server_id/os-security-groups",
      withServer(novaNotFound, securityGroups),
    ),
    novaRoute(
      "/v2.1/:project_id/servers/:server_id/os-instance-actions",
      withServer(novaNotFound, instanceActions),
    ),
  ];
}
