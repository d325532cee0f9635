import { parseServerTags } from "../cloud/parse-server-tags.js";
import type { Server } from "../cloud/types.js";
import type { IntentOf } from "../intents/index.js";
import { code, type ListItem, type Message, md, type Span, type Text } from "../render/message-model.js";
import { statusIcon } from "../render/status-icon.js";
import type { ResultControls } from "./action-ids.js";
import { buildPagedList, DEFAULT_PAGE_SIZE } from "./build-paged-list.js";
import { emoji, joinTexts, serverIps, typeable } from "./format-values.js";

export type EcsListFilters = IntentOf<"ecs.list">["filters"];

export interface ServerListViewInput {
  /** The servers of the requested page, in display order. */
  servers: readonly Server[];
  /** Servers matching the query in total. */
  total: number;
  /** Of this page's items (a page of an earlier listing), how many no longer exist (see `PagedListInput`). */
  gone?: number;
  page: number;
  pageSize?: number;
  filters: EcsListFilters;
  /** Status → count over the whole result (not just the page). */
  statusCounts?: Readonly<Record<string, number>>;
  controls?: ResultControls;
  sharedBy?: string;
}

/**
 * One server as a list row: status icon, name (as it can be typed back), flavor · env tag · AZ, then IPs
 * and the ID. The one place a server becomes a row of operator text.
 */
export function serverListItem(server: Server): ListItem {
  const ips = serverIps(server);
  const fields: { label: Text; value: Text }[] = [];
  if (ips.fixed.length > 0) fields.push({ label: md`IP`, value: ips.fixed.join(", ") });
  if (ips.floating.length > 0) fields.push({ label: md`EIP`, value: ips.floating.join(", ") });
  fields.push({ label: md`ID`, value: code(server.id) });
  const subtitle: Text[] = [code(server.flavor.name ?? server.flavor.id)];
  const env = parseServerTags(server.tags).env;
  if (env !== undefined) subtitle.push(code(`env=${env}`));
  if (server.availabilityZone) subtitle.push(server.availabilityZone);
  if (server.locked === true) subtitle.push(md`${emoji(":lock:")} locked`);
  return { status: server.status, title: typeable(server.name), subtitle: joinTexts(subtitle), fields };
}

/** The active filters, e.g. `name~web · status=ACTIVE · tag env=prod`; empty when unfiltered. */
export function describeListFilters(filters: EcsListFilters): Span[] {
  const parts: Text[] = [];
  if (filters.name !== undefined) parts.push(md`name ~ ${code(filters.name)}`);
  if (filters.status !== undefined) parts.push(md`status ${code(filters.status)}`);
  if (filters.flavor !== undefined) parts.push(md`flavor ~ ${code(filters.flavor)}`);
  if (filters.ip !== undefined) parts.push(md`IP ~ ${code(filters.ip)}`);
  for (const tag of filters.tags) parts.push(md`tag ${code(`${tag.key}=${tag.value}`)}`);
  return parts.length === 0 ? [] : md`Filters: ${joinTexts(parts)}`;
}

const STATUS_ORDER = ["ACTIVE", "SHUTOFF", "ERROR"];

/** `:large_green_circle: 30 ACTIVE · :red_circle: 10 SHUTOFF · …`, most common states first. */
export function describeStatusCounts(counts: Readonly<Record<string, number>>): Span[] {
  const entries = Object.entries(counts).filter(([, n]) => n > 0);
  entries.sort(([a, na], [b, nb]) => {
    const ia = STATUS_ORDER.indexOf(a);
    const ib = STATUS_ORDER.indexOf(b);
    if (ia !== ib) return (ia < 0 ? 99 : ia) - (ib < 0 ? 99 : ib);
    return nb - na || (a < b ? -1 : 1);
  });
  return joinTexts(
    entries.map(([status, n]) => md`${emoji(statusIcon(status))} ${n.toLocaleString("en-US")} ${status}`),
  );
}

/** `/ecs list`: a page of servers with totals, filters and per-status counts. */
export function buildServerListView(input: ServerListViewInput): Message {
  const summary: Text[] = [];
  const filters = describeListFilters(input.filters);
  if (filters.length > 0) summary.push(filters);
  if (input.statusCounts !== undefined && input.total > 0) {
    summary.push(describeStatusCounts(input.statusCounts));
  }
  const blocks = buildPagedList({
    title: md`ECS servers`,
    summary,
    items: input.servers.map(serverListItem),
    total: input.total,
    ...(input.gone !== undefined && { gone: input.gone }),
    page: input.page,
    pageSize: input.pageSize ?? DEFAULT_PAGE_SIZE,
    empty: filters.length > 0 ? md`No servers match these filters.` : md`No servers in this project.`,
    ...(input.controls ? { controls: input.controls } : {}),
    ...(input.sharedBy !== undefined ? { sharedBy: input.sharedBy } : {}),
  });
  return { text: md`ECS servers: ${input.total.toLocaleString("en-US")}`, blocks };
}
