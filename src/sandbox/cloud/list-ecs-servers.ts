/**
 * The ECS server listings: the native `GET /v1/{project_id}/cloudservers/detail` (page-numbered
 * `offset`) and Nova's `GET /v2.1/{project_id}/servers[/detail]` (`marker` paging, a next link on every
 * full page), with the query filters and page size they share.
 */
import { badBody } from "./ecs-route-helpers.js";
import { novaError } from "./error-bodies.js";
import { filterServers, isSortKey, type ServerFilter, sortServers } from "./filter-servers.js";
import { first, type Query, type RouteContext, type RouteResult } from "./match-route.js";
import { novaMicroversion, renderNovaServer, renderV1Server } from "./render-ecs.js";
import { FILTERABLE_STATUSES } from "./world-types.js";

const DEFAULT_PAGE = 25;
const MAX_PAGE = 1000;

function parseLimit(query: Query): number | "invalid" {
  const raw = first(query, "limit");
  if (raw === undefined || raw === "") return DEFAULT_PAGE;
  if (!/^\d+$/.test(raw)) return "invalid";
  return Math.min(Number(raw), MAX_PAGE);
}

function commonFilter(query: Query): ServerFilter | "bad-changes-since" {
  const list = (key: string): string[] | undefined => {
    const v = first(query, key);
    return v === undefined ? undefined : v.split(",").map((t) => t.trim());
  };
  const filter: ServerFilter = {};
  const name = first(query, "name");
  if (name !== undefined) filter.name = name;
  const status = first(query, "status");
  if (status !== undefined && status !== "") filter.status = status;
  const ip = first(query, "ip");
  if (ip) filter.ip = ip;
  const flavor = first(query, "flavor");
  if (flavor) filter.flavor = flavor;
  const tags = list("tags");
  if (tags) filter.tags = tags;
  const notTags = list("not-tags");
  if (notTags) filter.notTags = notTags;
  const image = first(query, "image");
  if (image) filter.image = image;
  const reservation = first(query, "reservation_id");
  if (reservation) filter.reservationId = reservation;
  const since = first(query, "changes-since");
  if (since) {
    const t = Date.parse(since);
    if (Number.isNaN(t)) return "bad-changes-since";
    filter.changesSince = t;
  }
  return filter;
}

function queryString(query: Query, overrides: Record<string, string>): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    if (k in overrides) continue;
    for (const item of Array.isArray(v) ? v : [v]) params.append(k, item);
  }
  for (const [k, v] of Object.entries(overrides)) params.set(k, v);
  return params.toString();
}

/** `GET /v2.1/{project_id}/servers/detail` (and `/servers`, which returns id/name/links only). */
export function novaList(detail: boolean) {
  return (ctx: RouteContext): RouteResult => {
    const mv = novaMicroversion(ctx.headers);
    const limit = parseLimit(ctx.query);
    if (limit === "invalid") return novaError(400, "limit param must be an integer");
    const filter = commonFilter(ctx.query);
    if (filter === "bad-changes-since") return novaError(400, "Invalid changes-since value");
    if (filter.status && !FILTERABLE_STATUSES.includes(filter.status.toUpperCase())) {
      // Microversion 2.38+ rejects unknown statuses; earlier ones return an empty list (doc).
      if (mv >= 38) return novaError(400, `Invalid status value: ${filter.status}`);
      return { status: 200, body: { servers: [] } };
    }
    const sortKey = first(ctx.query, "sort_key");
    if (sortKey !== undefined && !isSortKey(sortKey)) return novaError(400, `Invalid sort_key: ${sortKey}`);
    const sortDir = first(ctx.query, "sort_dir") ?? "desc";
    if (sortDir !== "asc" && sortDir !== "desc") return novaError(400, `Invalid sort_dir: ${sortDir}`);
    // "When image is used as a filter criterion, other filter criteria and paging criteria are not supported."
    const effective: ServerFilter = filter.image ? { image: filter.image } : filter;
    let matched = sortServers(filterServers(ctx.core.store.servers(), effective), sortKey, sortDir);
    const marker = first(ctx.query, "marker");
    if (marker && !filter.image) {
      const at = matched.findIndex((s) => s.id === marker);
      if (at < 0) return novaError(400, `marker [${marker}] not found`);
      matched = matched.slice(at + 1);
    }
    const page = filter.image ? matched : matched.slice(0, limit);
    const body: Record<string, unknown> = {
      servers: page.map((s) => {
        if (detail) return renderNovaServer(ctx.core, s, mv);
        const full = renderNovaServer(ctx.core, s, mv);
        return { id: s.id, name: s.name, links: full.links };
      }),
    };
    // Nova adds a next link whenever a page is full, even if nothing follows.
    const last = page[page.length - 1];
    if (!filter.image && last && page.length === limit) {
      const base = `${ctx.core.baseUrl}/v2.1/${ctx.core.config.projectId}/servers${detail ? "/detail" : ""}`;
      body.servers_links = [
        { rel: "next", href: `${base}?${queryString(ctx.query, { limit: String(limit), marker: last.id })}` },
      ];
    }
    return { status: 200, body };
  };
}

/** `GET /v1/{project_id}/cloudservers/detail`: `offset` is a 1-based page number (0 = page 1). */
export function v1List(ctx: RouteContext): RouteResult {
  const limit = parseLimit(ctx.query);
  if (limit === "invalid") return badBody("limit must be an integer.");
  const rawOffset = first(ctx.query, "offset");
  if (rawOffset !== undefined && rawOffset !== "" && !/^\d+$/.test(rawOffset)) {
    return badBody("offset must be a non-negative integer.");
  }
  const ids = first(ctx.query, "server_id");
  if (ids) {
    // "When server_id is used, other filter criteria are ignored"; unknown IDs come back with a fault.
    const servers = ids.split(",").map((id) => {
      const s = ctx.core.store.server(id.trim());
      return s
        ? renderV1Server(ctx.core, s)
        : { id: id.trim(), fault: { code: 404, message: "Instance could not be found", created: null } };
    });
    return { status: 200, body: { count: servers.length, servers } };
  }
  const filter = commonFilter(ctx.query);
  if (filter === "bad-changes-since") return badBody("changes-since is not a valid time.");
  const ipEq = first(ctx.query, "ip_eq");
  if (ipEq) filter.ipEq = ipEq;
  if (filter.status && !FILTERABLE_STATUSES.includes(filter.status.toUpperCase())) {
    return badBody(`Invalid status: ${filter.status}.`);
  }
  let matched = filterServers(ctx.core.store.servers(), filter);
  const count = matched.length;
  const marker = first(ctx.query, "marker");
  if (marker) {
    const at = matched.findIndex((s) => s.id === marker);
    if (at < 0) return badBody(`marker ${marker} not found.`);
    matched = matched.slice(at + 1, at + 1 + limit);
  } else {
    const pageNo = Math.max(1, Number(rawOffset || 1));
    matched = matched.slice((pageNo - 1) * limit, pageNo * limit);
  }
  return { status: 200, body: { count, servers: matched.map((s) => renderV1Server(ctx.core, s)) } };
}
