import { isUnknownPortStatus } from "../cloud/hss-schemas.js";
import type { OpenPort, Server } from "../cloud/types.js";
import { bold, code, type ListItem, type Message, md, type Text } from "../render/message-model.js";
import type { ResultControls } from "./action-ids.js";
import { buildPagedList, DEFAULT_PAGE_SIZE } from "./build-paged-list.js";
import { emoji, joinTexts } from "./format-values.js";

export interface OpenPortListViewInput {
  server: Pick<Server, "id" | "name">;
  /** The page's ports, in display order (dangerous first, see {@link sortPorts}). */
  ports: readonly OpenPort[];
  total: number;
  /** Dangerous ports in the whole result. */
  dangerous: number;
  page: number;
  pageSize?: number;
  dangerOnly: boolean;
  protocol?: string;
  controls?: ResultControls;
  sharedBy?: string;
}

/** True when HSS flags the port as dangerous. */
export function isDangerous(port: OpenPort): boolean {
  return port.status === "danger";
}

/** Dangerous ports first, then by port number and protocol. */
export function sortPorts(ports: readonly OpenPort[]): OpenPort[] {
  return [...ports].sort(
    (a, b) =>
      Number(isDangerous(b)) - Number(isDangerous(a)) ||
      a.port - b.port ||
      (a.type ?? "").localeCompare(b.type ?? ""),
  );
}

function portItem(port: OpenPort): ListItem {
  const label = `${port.port}/${port.type ?? "?"}`;
  const danger = isDangerous(port);
  const fields: { label: Text; value: Text }[] = [
    { label: md`Process`, value: port.path ? code(port.path) : "unknown" },
    { label: md`PID`, value: port.pid !== undefined ? String(port.pid) : "?" },
  ];
  if (port.laddr) fields.push({ label: md`Listening on`, value: port.laddr });
  const title = danger ? md`${emoji(":rotating_light:")} ${label}` : label;
  const subtitle = danger
    ? bold(md`dangerous`)
    : port.status !== undefined && isUnknownPortStatus(port.status)
      ? // `unknow` is "port without known risks" (not a status HSS could not read).
        md`no known risk`
      : undefined;
  return { title, ...(subtitle !== undefined ? { subtitle } : {}), fields };
}

/** `/hss ports`: a server's open ports, dangerous ones first and flagged with process path and PID. */
export function buildOpenPortListView(input: OpenPortListViewInput): Message {
  const summary: Text[] = [];
  const filters: Text[] = [];
  if (input.dangerOnly) filters.push(md`dangerous only`);
  if (input.protocol) filters.push(md`protocol ${code(input.protocol.toUpperCase())}`);
  if (filters.length > 0) summary.push(md`Filters: ${joinTexts(filters)}`);
  if (input.total > 0) {
    summary.push(
      input.dangerous > 0
        ? md`${emoji(":rotating_light:")} ${bold(`${input.dangerous} dangerous`)}`
        : md`${emoji(":white_check_mark:")} none flagged dangerous`,
    );
  }
  summary.push(md`Server ${code(input.server.id)}`);
  const blocks = buildPagedList({
    title: md`Open ports on ${input.server.name}`,
    summary,
    items: input.ports.map(portItem),
    total: input.total,
    page: input.page,
    pageSize: input.pageSize ?? DEFAULT_PAGE_SIZE,
    empty: input.dangerOnly ? md`No dangerous open ports.` : md`No open ports reported by HSS.`,
    ...(input.controls ? { controls: input.controls } : {}),
    ...(input.sharedBy !== undefined ? { sharedBy: input.sharedBy } : {}),
  });
  return {
    text: md`Open ports on ${input.server.name}: ${input.total} (${input.dangerous} dangerous)`,
    blocks,
  };
}
