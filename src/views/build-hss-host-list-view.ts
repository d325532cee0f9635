import type { HssHost } from "../cloud/types.js";
import type { IntentOf } from "../intents/index.js";
import { code, type ListItem, type Message, md, type Span, type Text } from "../render/message-model.js";
import type { ResultControls } from "./action-ids.js";
import { buildPagedList, DEFAULT_PAGE_SIZE } from "./build-paged-list.js";
import { emoji, joinTexts, typeable } from "./format-values.js";
import { agentStatusWords, protectStatusWords } from "./hss-status-words.js";

export type HssHostFilters = IntentOf<"hss.hosts">["filters"];

/**
 * Counts over a whole `/hss hosts` result (also kept with a listing's snapshot for its page clicks, see
 * `read-hss-hosts.ts`). Every host is in exactly one agent bucket and one protection bucket.
 */
export interface HssHostCounts {
  agentOnline: number;
  agentOffline: number;
  agentNotInstalled: number;
  /** `installing`: the agent is being installed (HSS has nothing from it yet). */
  agentInstalling: number;
  /** `install_failed`: the installation failed (someone has to act). */
  agentInstallFailed: number;
  /**
   * `installed`: HSS's umbrella status (online, offline, install_failed or installing), which says the agent
   * is there but not whether it is connected; counted apart rather than as online or offline.
   */
  agentInstalled: number;
  /** No agent status, or one HSS does not document. */
  agentUnknown: number;
  protected: number;
  /** `closed`, or no protection status. */
  unprotected: number;
  /** `protection_exception`: HSS reports its protection of the host as abnormal; never counted as protected. */
  protectionError: number;
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
  installing: ":hourglass_flowing_sand:",
  install_failed: ":x:",
  // Installed, connection not reported: neither the online green nor the offline red.
  installed: ":large_blue_circle:",
};

const PROTECT_ICONS: Readonly<Record<string, `:${string}:`>> = {
  opened: ":shield:",
  closed: ":no_entry_sign:",
  protection_exception: ":warning:",
};

/** Total risk findings on a host (asset risks, vulnerabilities, baseline issues, intrusions). */
export function riskCount(host: HssHost): number {
  return (host.asset ?? 0) + (host.vulnerability ?? 0) + (host.baseline ?? 0) + (host.intrusion ?? 0);
}

/** True when HSS reports risks on the host. */
export function hasRisk(host: HssHost): boolean {
  return host.detectResult === "risk" || riskCount(host) > 0;
}

/** The count each documented agent status goes to (hss-list-hosts, `agent_status`). */
const AGENT_BUCKETS: Readonly<Record<string, keyof HssHostCounts>> = {
  online: "agentOnline",
  offline: "agentOffline",
  not_installed: "agentNotInstalled",
  installing: "agentInstalling",
  install_failed: "agentInstallFailed",
  installed: "agentInstalled",
};

/** Counts over a whole result. */
export function countHosts(hosts: readonly HssHost[]): HssHostCounts {
  const counts: HssHostCounts = {
    agentOnline: 0,
    agentOffline: 0,
    agentNotInstalled: 0,
    agentInstalling: 0,
    agentInstallFailed: 0,
    agentInstalled: 0,
    agentUnknown: 0,
    protected: 0,
    unprotected: 0,
    protectionError: 0,
    withRisk: 0,
  };
  for (const h of hosts) {
    counts[AGENT_BUCKETS[h.agentStatus ?? ""] ?? "agentUnknown"]++;
    if (h.protectStatus === "opened") counts.protected++;
    else if (h.protectStatus === "protection_exception") counts.protectionError++;
    else counts.unprotected++;
    if (hasRisk(h)) counts.withRisk++;
  }
  return counts;
}

function edition(version: string | undefined): string | undefined {
  if (!version || version === "hss.version.null") return undefined;
  return version.replace(/^hss\.version\./, "");
}

/** `agent :large_green_circle: online` and `protection :shield: on`: what HSS says of one host. */
export function describeHssStatus(host: Pick<HssHost, "agentStatus" | "protectStatus">): Span[][] {
  const agent = host.agentStatus ?? "unknown";
  const protect = host.protectStatus ?? "unknown";
  return [
    md`agent ${emoji(AGENT_ICONS[agent] ?? ":grey_question:")} ${agentStatusWords(agent)}`,
    md`protection ${emoji(PROTECT_ICONS[protect] ?? ":grey_question:")} ${protectStatusWords(protect)}`,
  ];
}

function hostItem(host: HssHost): ListItem {
  const subtitle: Text[] = [...describeHssStatus(host)];
  const ed = edition(host.version);
  if (ed) subtitle.push(ed);
  // Asset risks are rare: named only when there are some, so the usual line stays short.
  const asset = host.asset ?? 0;
  const risks: Span[] = md`${emoji(hasRisk(host) ? ":warning:" : ":white_check_mark:")} vuln ${host.vulnerability ?? 0} · baseline ${host.baseline ?? 0} · intrusion ${host.intrusion ?? 0}${asset > 0 ? md` · asset risk ${asset}` : []}`;
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

/** `a, b, c` of the counts shown (a `false` entry is a count left out). */
function joinCounts(parts: readonly (Span[] | false)[]): Span[] {
  return joinTexts(
    parts.filter((p): p is Span[] => p !== false),
    ", ",
  );
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
        md`agent ${joinCounts([
          md`${emoji(":large_green_circle:")} ${c.agentOnline} online`,
          md`${emoji(":red_circle:")} ${c.agentOffline} offline`,
          md`${emoji(":white_circle:")} ${c.agentNotInstalled} not installed`,
          // The rarer states only when some host is in them.
          c.agentInstalling > 0 && md`${emoji(":hourglass_flowing_sand:")} ${c.agentInstalling} installing`,
          c.agentInstallFailed > 0 && md`${emoji(":x:")} ${c.agentInstallFailed} install failed`,
          c.agentInstalled > 0 &&
            md`${emoji(":large_blue_circle:")} ${c.agentInstalled} installed (connection not reported)`,
          c.agentUnknown > 0 && md`${emoji(":grey_question:")} ${c.agentUnknown} status unknown`,
        ])}`,
        md`protection ${joinCounts([
          md`${emoji(":shield:")} ${c.protected} on`,
          md`${c.unprotected} off`,
          c.protectionError > 0 && md`${emoji(":warning:")} ${c.protectionError} error`,
        ])}`,
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
