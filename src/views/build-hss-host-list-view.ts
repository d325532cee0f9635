import type { HssHost } from "../cloud/types.js";
import type { IntentOf } from "../intents/index.js";
import { code, type ListItem, type Message, md, type Span, type Text } from "../render/message-model.js";
import type { ResultControls } from "./action-ids.js";
import { buildPagedList, DEFAULT_PAGE_SIZE } from "./build-paged-list.js";
import { emoji, joinTexts, typeable } from "./format-values.js";

export type HssHostFilters = IntentOf<"hss.hosts">["filters"];

export interface HssHostCounts {
  agentOnline: number;
  agentOffline: number;
  agentNotInstalled: number;
  protected: number;
  unprotected: number;
  withRisk: number;
}

export interface HssHostListViewInput {
  hosts: readonly HssHost[];
  total: number;
  /** Of this page's items (a page of an earlier listing), how many no longer exist (see `PagedListInput`). */
  gone?: number;
  page: number;
  pageSize?: number;
  filters: HssHostFilters;
  counts?: HssHostCounts;
  controls?: ResultControls;
  sharedBy?: string;
}

const AGENT_ICONS: Readonly<Record<string, `:${string}:`>> = {
  online: ":large_green_circle:",
  offline: ":red_circle:",
  not_installed: ":white_circle:",
  installing: ":arrows_counterclockwise:",
  install_failed: ":x:",
  installed: ":large_green_circle:",
};

const PROTECT_ICONS: Readonly<Record<string, `:${string}:`>> = {
  opened: ":shield:",
  closed: ":no_entry_sign:",
  protection_exception: ":warning:",
};

/** Total risk findings on a host (vulnerabilities, baseline issues, intrusions). */
export function riskCount(host: HssHost): number {
  return (host.vulnerability ?? 0) + (host.baseline ?? 0) + (host.intrusion ?? 0);
}

/** True when HSS reports risks on the host. */
export function hasRisk(host: HssHost): boolean {
  return host.detectResult === "risk" || riskCount(host) > 0;
}

/** Counts over a whole result. */
export function countHosts(hosts: readonly HssHost[]): HssHostCounts {
  const counts: HssHostCounts = {
    agentOnline: 0,
    agentOffline: 0,
    agentNotInstalled: 0,
    protected: 0,
    unprotected: 0,
    withRisk: 0,
  };
  for (const h of hosts) {
    if (h.agentStatus === "online") counts.agentOnline++;
    else if (h.agentStatus === "not_installed") counts.agentNotInstalled++;
    else counts.agentOffline++;
    if (h.protectStatus === "opened") counts.protected++;
    else counts.unprotected++;
    if (hasRisk(h)) counts.withRisk++;
  }
  return counts;
}

function edition(version: string | undefined): string | undefined {
  if (!version || version === "hss.version.null") return undefined;
  return version.replace(/^hss\.version\./, "");
}

/** `agent :large_green_circle: online` and `protection :shield: opened`: what HSS says of one host. */
export function describeHssStatus(host: Pick<HssHost, "agentStatus" | "protectStatus">): Span[][] {
  const agent = host.agentStatus ?? "unknown";
  const protect = host.protectStatus ?? "unknown";
  return [
    md`agent ${emoji(AGENT_ICONS[agent] ?? ":grey_question:")} ${agent}`,
    md`protection ${emoji(PROTECT_ICONS[protect] ?? ":grey_question:")} ${protect}`,
  ];
}

function hostItem(host: HssHost): ListItem {
  const subtitle: Text[] = [...describeHssStatus(host)];
  const ed = edition(host.version);
  if (ed) subtitle.push(ed);
  const risks: Span[] = md`${emoji(hasRisk(host) ? ":warning:" : ":white_check_mark:")} vuln ${host.vulnerability ?? 0} · baseline ${host.baseline ?? 0} · intrusion ${host.intrusion ?? 0}`;
  const fields: { label: Text; value: Text }[] = [{ label: md`Risks`, value: risks }];
  const ip = host.privateIp || host.publicIp;
  if (ip) fields.push({ label: md`IP`, value: ip });
  if (host.osType)
    fields.push({
      label: md`OS`,
      value: [host.osName, host.osVersion].filter(Boolean).join(" ") || host.osType,
    });
  fields.push({ label: md`ID`, value: code(host.hostId) });
  return { title: typeable(host.hostName), subtitle: joinTexts(subtitle), fields };
}

function describeFilters(filters: HssHostFilters): Span[] {
  const parts: Text[] = [];
  if (filters.agent) parts.push(md`agent ${code(filters.agent)}`);
  if (filters.protect) parts.push(md`protection ${code(filters.protect)}`);
  if (filters.risk) parts.push(md`with risks`);
  if (filters.os) parts.push(md`OS ${code(filters.os)}`);
  if (filters.version) parts.push(md`edition ${code(filters.version)}`);
  if (filters.group) parts.push(md`group ${code(filters.group)}`);
  return parts.length === 0 ? [] : md`Filters: ${joinTexts(parts)}`;
}

/** `/hss hosts`: hosts with agent, protection and risk counts, plus totals over the result. */
export function buildHssHostListView(input: HssHostListViewInput): Message {
  const summary: Text[] = [];
  const filters = describeFilters(input.filters);
  if (filters.length > 0) summary.push(filters);
  const c = input.counts;
  if (c !== undefined && input.total > 0) {
    summary.push(
      joinTexts([
        md`agent ${emoji(":large_green_circle:")} ${c.agentOnline} online, ${emoji(":red_circle:")} ${c.agentOffline} offline, ${emoji(":white_circle:")} ${c.agentNotInstalled} not installed`,
        md`protection ${emoji(":shield:")} ${c.protected} on, ${c.unprotected} off`,
        md`${emoji(":warning:")} ${c.withRisk} with risks`,
      ]),
    );
  }
  const blocks = buildPagedList({
    title: md`HSS hosts`,
    summary,
    items: input.hosts.map(hostItem),
    total: input.total,
    ...(input.gone !== undefined && { gone: input.gone }),
    page: input.page,
    pageSize: input.pageSize ?? DEFAULT_PAGE_SIZE,
    empty: filters.length > 0 ? md`No hosts match these filters.` : md`No hosts are known to HSS.`,
    ...(input.controls ? { controls: input.controls } : {}),
    ...(input.sharedBy !== undefined ? { sharedBy: input.sharedBy } : {}),
  });
  return { text: md`HSS hosts: ${input.total.toLocaleString("en-US")}`, blocks };
}
