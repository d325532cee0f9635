import type { HssHost } from "../cloud/types.js";

export interface RiskyHost {
  id: string;
  name: string;
  vulnerability: number;
  baseline: number;
  intrusion: number;
  total: number;
}

export interface HssPostureSummary {
  total: number;
  /** Hosts per agent status, most frequent first. */
  byAgent: [string, number][];
  /** Hosts per protection status, most frequent first. */
  byProtect: [string, number][];
  /** Hosts whose detection result is `risk`. */
  detectRisk: number;
  /** The `top` hosts with the most findings (vulnerabilities + baseline + intrusions), only those with any. */
  topRisky: RiskyHost[];
  riskyCount: number;
  /** Hosts without a working agent (not installed or install failed), first `top` by name. */
  withoutAgent: { id: string; name: string; agentStatus: string }[];
  withoutAgentCount: number;
}

const NO_AGENT = new Set(["not_installed", "install_failed"]);

export function countBy<T>(items: readonly T[], key: (item: T) => string): [string, number][] {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(key(item), (counts.get(key(item)) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
}

/** The daily HSS posture: hosts by agent and protection status, the riskiest hosts, hosts without the agent. */
export function summarizeHssPosture(hosts: readonly HssHost[], top: number): HssPostureSummary {
  const risky = hosts
    .map((h) => {
      const vulnerability = h.vulnerability ?? 0;
      const baseline = h.baseline ?? 0;
      const intrusion = h.intrusion ?? 0;
      return {
        id: h.hostId,
        name: h.hostName,
        vulnerability,
        baseline,
        intrusion,
        total: vulnerability + baseline + intrusion,
      };
    })
    .filter((h) => h.total > 0)
    // Intrusions first: an intrusion outweighs any number of missing patches.
    .sort((a, b) => b.intrusion - a.intrusion || b.total - a.total || a.name.localeCompare(b.name));
  const withoutAgent = hosts
    .filter((h) => NO_AGENT.has(h.agentStatus ?? ""))
    .map((h) => ({ id: h.hostId, name: h.hostName, agentStatus: h.agentStatus ?? "" }))
    .sort((a, b) => a.name.localeCompare(b.name));
  return {
    total: hosts.length,
    byAgent: countBy(hosts, (h) => h.agentStatus ?? "unknown"),
    byProtect: countBy(hosts, (h) => h.protectStatus ?? "unknown"),
    detectRisk: hosts.filter((h) => h.detectResult === "risk").length,
    topRisky: risky.slice(0, top),
    riskyCount: risky.length,
    withoutAgent: withoutAgent.slice(0, top),
    withoutAgentCount: withoutAgent.length,
  };
}
