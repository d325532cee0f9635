import type { EcsApiContext } from "./create-ecs-api.js";
import type { CloudRequest, CloudResponse } from "./create-transport.js";
import { listServersV1Page, listServersV1Response } from "./ecs-schemas.js";
import { fetchOffsetPages } from "./fetch-offset-pages.js";
import { invalid, parseResponse } from "./parse-response.js";
import { readServerRecord } from "./read-server-record.js";
import type { ListServersFilter, Server, ServerChanges } from "./types.js";

/** The native API's largest page. */
export const SERVER_PAGE_SIZE = 1000;
/** Microversion that returns `tags` in server details. */
export const NOVA_MICROVERSION = "2.26";
/**
 * Pages in flight at once after the first page told the count (ECS admits bursts well above this): a fleet of
 * up to 11,000 servers is read in two round trips, the first page and then all the others at once.
 */
const DEFAULT_PAGE_CONCURRENCY = 10;
/** IDs per `server_id` query: keeps the URL short whatever the ID format. */
export const IDS_PER_QUERY = 100;

/** One request of the native listing, `GET /v1/{project_id}/cloudservers/detail`, with `query`. */
function sendDetailQuery(
  ctx: EcsApiContext,
  projectId: string,
  query: CloudRequest["query"],
  operation: string,
  signal?: AbortSignal,
): Promise<CloudResponse> {
  return ctx.transport.send({
    method: "GET",
    endpoint: ctx.endpoint,
    projectId,
    path: `/v1/${projectId}/cloudservers/detail`,
    query,
    operation,
    signal,
  });
}

/**
 * Lists servers with the native `GET /v1/{project_id}/cloudservers/detail`: its `offset` is a page number
 * and every page carries the `count` of matches, so after the first page the others are fetched
 * concurrently (bounded) — 10 requests in flight-limited parallel for 10,000 servers instead of a
 * `marker` chain of sequential round-trips. A server moving between pages while they are read can appear
 * twice (kept once) or be missed: a listing is never proof of absence (readers confirm misses by ID).
 */
export async function listServersV1(
  ctx: EcsApiContext,
  filter: ListServersFilter,
  signal?: AbortSignal,
): Promise<Server[]> {
  const operation = "ecs.listServers";
  const projectId = await ctx.projectId(signal);
  const limit = Math.min(SERVER_PAGE_SIZE, Math.max(1, Math.floor(filter.pageSize ?? SERVER_PAGE_SIZE)));
  const query = {
    name: filter.name,
    status: filter.status,
    ip: filter.ip,
    ip_eq: filter.ipEq,
    flavor: filter.flavor,
    tags: filter.tags,
    "not-tags": filter.notTags,
    "changes-since": filter.changesSince,
    reservation_id: filter.reservationId,
  };
  const fetchPage = async (offset: number, size: number, pageSignal?: AbortSignal) => {
    const res = await sendDetailQuery(
      ctx,
      projectId,
      { ...query, limit: size, offset: Math.floor(offset / size) + 1 },
      operation,
      pageSignal,
    );
    const page = readPage(res, operation);
    return { totalNum: page.count, items: page.servers };
  };
  const listed = await fetchOffsetPages(fetchPage, {
    pageSize: limit,
    concurrency: Math.max(1, filter.concurrency ?? DEFAULT_PAGE_CONCURRENCY),
    ...(signal && { signal }),
  });
  const out: Server[] = [];
  const seen = new Set<string>();
  for (const server of listed.items) {
    if (seen.has(server.id)) continue;
    seen.add(server.id);
    out.push(server);
  }
  return out;
}

/**
 * An unknown ID comes back as `{ id, fault: { code: 404 } }` without a status: not a server. Anything else is
 * read (and a malformed record fails the page).
 */
const notUnknownId = (raw: unknown) =>
  typeof raw !== "object" || raw === null || (raw as { status?: unknown }).status != null;

/**
 * The servers with these IDs, by the native listing's `server_id` filter (100 IDs a request): a read
 * proportional to the targets, not the fleet. IDs the cloud does not know are absent from the answer (the
 * API lists them as a bare 404 `fault`).
 */
export async function listServersByIds(
  ctx: EcsApiContext,
  ids: readonly string[],
  signal?: AbortSignal,
): Promise<Server[]> {
  const operation = "ecs.listServersByIds";
  const unique = [...new Set(ids)];
  if (unique.length === 0) return [];
  // A comma would select other servers than the ID names.
  for (const id of unique) if (id.includes(",")) throw new RangeError('server ID must not contain ","');
  const projectId = await ctx.projectId(signal);
  const out: Server[] = [];
  for (let i = 0; i < unique.length; i += IDS_PER_QUERY) {
    const part = unique.slice(i, i + IDS_PER_QUERY);
    const res = await sendDetailQuery(
      ctx,
      projectId,
      { server_id: part.join(","), limit: part.length },
      operation,
      signal,
    );
    const wanted = new Set(part);
    for (const server of readPage(res, operation, notUnknownId).servers) {
      if (!wanted.has(server.id)) continue;
      wanted.delete(server.id);
      out.push(server);
    }
  }
  return out;
}

/**
 * What changed since `since` (ISO 8601, on the cloud's clock) among the servers in `status` (default: the
 * whole fleet), and how many there are now: the servers whose status changed at or after it, by
 * `GET /v2.1/{project_id}/servers/detail`'s `changes-since` (6.2.5; pages of 1,000 by marker, usually one),
 * and the native listing's `count` (`GET /v1/{project_id}/cloudservers/detail`, one record), both with the
 * same `status` filter. Two requests where a listing of 10,000 servers is ten of 1,000 records. The count lets
 * a caller tell whether the changes account for every server it knows: a server that left (deleted, or out
 * of `status`) without being among the changes leaves it holding one server too many.
 */
export async function listServerChanges(
  ctx: EcsApiContext,
  since: string,
  filter: { status?: string } = {},
  signal?: AbortSignal,
): Promise<ServerChanges> {
  const projectId = await ctx.projectId(signal);
  // The documented form (whole seconds, "2018-01-17T03:03:32Z"); rounded down, so nothing is left out.
  const t = Date.parse(since);
  const changesSince = Number.isNaN(t)
    ? since
    : new Date(Math.floor(t / 1000) * 1000).toISOString().replace(".000Z", "Z");
  const readChanges = async (): Promise<Server[]> => {
    const operation = "ecs.listServerChanges";
    const changed: Server[] = [];
    for (let marker: string | undefined; ; ) {
      const res = await ctx.transport.send({
        method: "GET",
        endpoint: ctx.endpoint,
        projectId,
        path: `/v2.1/${projectId}/servers/detail`,
        query: { "changes-since": changesSince, status: filter.status, limit: SERVER_PAGE_SIZE, marker },
        headers: { "X-OpenStack-Nova-API-Version": NOVA_MICROVERSION },
        operation,
        signal,
      });
      const page = readPage(res, operation).servers;
      changed.push(...page);
      // Nova links a next page whenever a page is full; a short page is the last.
      const last = page.at(-1);
      if (page.length < SERVER_PAGE_SIZE || last === undefined) return changed;
      // A service that ignored the marker would answer the same page for ever.
      if (last.id === marker) invalid(operation, res, `the page after ${marker} ends with it again`);
      marker = last.id;
    }
  };
  const readCount = async (): Promise<number> => {
    const operation = "ecs.countServers";
    const res = await sendDetailQuery(ctx, projectId, { status: filter.status, limit: 1 }, operation, signal);
    return readPage(res, operation).count;
  };
  const [changed, count] = await Promise.all([readChanges(), readCount()]);
  return { changed, count };
}

/**
 * One page, each record read once by `readServerRecord` (the schema's reading without its per-field cost),
 * skipping the records `keep` refuses. A record it rejects fails the page with the schema's own message
 * (`INVALID_RESPONSE`).
 */
function readPage(
  res: CloudResponse,
  operation: string,
  keep: (raw: unknown) => boolean = () => true,
): { count: number; servers: Server[] } {
  const page = parseResponse(listServersV1Page, res, operation);
  const servers: Server[] = [];
  for (const raw of page.servers ?? []) {
    if (!keep(raw)) continue;
    const read = readServerRecord(raw);
    if (!read.ok) {
      parseResponse(listServersV1Response, res, operation);
      throw new Error(`${operation}: ${read.error}`);
    }
    servers.push(read.server);
  }
  return { count: page.count ?? 0, servers };
}
