import type { HssHost } from "../cloud/types.js";
import { fetchServerIndex } from "./fetch-server-index.js";
import { type EventSubject, type EventType, type FleetEvent, fleetEvent } from "./fleet-event.js";
import { matchSubject } from "./match-subject.js";
import type { WatcherKindImpl } from "./watcher-kind.js";

/** A host's risk counts as HSS reports them (hss-list-hosts: `vulnerability`, `baseline`, `intrusion`, `asset`). */
export interface RiskCounts {
  vulnerability: number;
  baseline: number;
  intrusion: number;
  /**
   * Asset risks (HSS's `asset`). Undefined in a host recorded before they were watched: not compared until
   * the host is observed again, so that their first observation announces nothing.
   */
  asset?: number;
}

/** A host as the HSS watcher remembers it. */
export interface HssHostRecord {
  name: string;
  tags: Record<string, string>;
  /**
   * Agent status, with `offline:host_down` for an agent that is offline because its server is not
   * running: the ECS watcher announces the stop, and "agent offline" would only repeat it.
   */
  agent: string;
  protect: string;
  /** Last settled detection result (`scanning` keeps the previous one). */
  detect: string;
  risk: RiskCounts;
  installCode?: string;
}

export interface HssSnapshot {
  hosts: Record<string, HssHostRecord>;
}

export const HOST_DOWN_OFFLINE = "offline:host_down";

const FAMILIES = ["hss.agent", "hss.protect", "hss.detect", "hss.risk"] as const;
type Family = (typeof FAMILIES)[number];

function family(kind: Family, hostId: string): string {
  return `${kind}:${hostId}`;
}

export function riskState(risk: RiskCounts): string {
  return `${risk.vulnerability}/${risk.baseline}/${risk.intrusion}/${risk.asset ?? "?"}`;
}

function agentState(host: HssHost): string {
  const status = host.agentStatus ?? "unknown";
  if (status === "offline" && host.hostStatus !== undefined && host.hostStatus !== "ACTIVE") {
    return HOST_DOWN_OFFLINE;
  }
  return status;
}

/**
 * HSS hosts: agent offline / back online / install failed, protection closed or in exception (and back on),
 * detection result turning `risk`, and risk counts (vulnerabilities, baseline, intrusions, asset risks) rising.
 * Hosts are tagged with their server's ECS tags for routing. New hosts are recorded silently.
 */
export const hssHostsWatcher: WatcherKindImpl<HssSnapshot> = {
  unavailable: () => undefined,

  async observe({ cloud, fleet, watcher }, previous) {
    const [listing, servers] = await Promise.all([cloud.hss.listHosts(), fetchServerIndex(fleet)]);
    const hosts: Record<string, HssHostRecord> = {};
    for (const h of listing.items) {
      const tags = servers.get(h.hostId)?.tags ?? {};
      if (!matchSubject(watcher.scope, { name: h.hostName, tags })) continue;
      const before = previous?.hosts[h.hostId];
      const detect = h.detectResult ?? "undetected";
      const record: HssHostRecord = {
        name: h.hostName,
        tags,
        agent: agentState(h),
        protect: h.protectStatus ?? "unknown",
        detect: detect === "scanning" ? (before?.detect ?? "undetected") : detect,
        risk: {
          vulnerability: h.vulnerability ?? 0,
          baseline: h.baseline ?? 0,
          intrusion: h.intrusion ?? 0,
          asset: h.asset ?? 0,
        },
      };
      if (h.installResultCode !== undefined) record.installCode = h.installResultCode;
      hosts[h.hostId] = record;
    }
    return { data: { hosts }, observed: Object.keys(hosts).length, notes: [] };
  },

  diff(previous, next) {
    const events: FleetEvent[] = [];
    for (const [id, n] of Object.entries(next.hosts)) {
      const p = previous.hosts[id];
      if (p === undefined) continue;
      const subject: EventSubject = { kind: "host", id, name: n.name, tags: n.tags };
      const push = (type: EventType, kind: Family, state: string, from: string, reason?: string) =>
        events.push(
          fleetEvent(type, family(kind, id), state, subject, {
            kind: "hss_state",
            previous: from,
            current: state,
            ...(reason !== undefined && { reason }),
          }),
        );

      const agent = agentTransition(p.agent, n.agent);
      if (agent)
        push(
          agent,
          "hss.agent",
          n.agent,
          p.agent,
          agent === "hss.agent_install_failed" ? n.installCode : undefined,
        );
      const protect = protectTransition(p.protect, n.protect);
      if (protect) push(protect, "hss.protect", n.protect, p.protect);
      if (n.detect === "risk" && p.detect !== "risk")
        push("hss.detect_risk", "hss.detect", n.detect, p.detect);
      if (
        n.risk.vulnerability > p.risk.vulnerability ||
        n.risk.baseline > p.risk.baseline ||
        n.risk.intrusion > p.risk.intrusion ||
        (p.risk.asset !== undefined && (n.risk.asset ?? 0) > p.risk.asset)
      ) {
        events.push(
          fleetEvent("hss.risk_increased", family("hss.risk", id), riskState(n.risk), subject, {
            kind: "risk",
            before: p.risk,
            after: n.risk,
          }),
        );
      }
    }
    return events;
  },

  stateOf(data, fam) {
    const colon = fam.indexOf(":");
    const kind = fam.slice(0, colon) as Family;
    const id = fam.slice(colon + 1);
    if (colon < 0 || !FAMILIES.includes(kind) || !Object.hasOwn(data.hosts, id)) return undefined;
    const host = data.hosts[id]!;
    switch (kind) {
      case "hss.agent":
        return host.agent;
      case "hss.protect":
        return host.protect;
      case "hss.detect":
        return host.detect;
      case "hss.risk":
        return riskState(host.risk);
    }
  },
};

function agentTransition(previous: string, next: string): EventType | undefined {
  if (previous === next) return undefined;
  if (next === "offline") return "hss.agent_offline";
  if (next === "online" && (previous === "offline" || previous === "install_failed"))
    return "hss.agent_online";
  if (next === "install_failed") return "hss.agent_install_failed";
  return undefined;
}

function protectTransition(previous: string, next: string): EventType | undefined {
  if (previous === next) return undefined;
  if (next === "closed") return "hss.protection_closed";
  if (next === "protection_exception") return "hss.protection_exception";
  if (next === "opened" && (previous === "closed" || previous === "protection_exception")) {
    return "hss.protection_restored";
  }
  return undefined;
}
