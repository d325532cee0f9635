import type { OpenPort } from "../cloud/types.js";
import { fetchServerIndex } from "./fetch-server-index.js";
import { type FleetEvent, fleetEvent } from "./fleet-event.js";
import { matchSubject } from "./match-subject.js";
import type { WatcherKindImpl } from "./watcher-kind.js";

export interface DangerousPort {
  pid?: number;
  path?: string;
  laddr?: string;
}

export interface PortHostRecord {
  name: string;
  tags: Record<string, string>;
  /** Dangerous open ports by `PROTOCOL/port` (e.g. `TCP/2375`). */
  ports: Record<string, DangerousPort>;
}

export interface OpenPortsSnapshot {
  hosts: Record<string, PortHostRecord>;
  /** Where the next run's rotation starts: the first host ID after the last one read (absent: the start). */
  cursor?: string;
}

const FAMILY = "hss.port:";

export function portKey(port: Pick<OpenPort, "type" | "port">): string {
  return `${(port.type ?? "TCP").toUpperCase()}/${port.port}`;
}

/**
 * This run's share of the hosts (sorted by ID): up to `perRun` from the first ID after `cursor`, wrapping
 * around; `cursor` for the next run is the last ID read (absent when everything fits in one run).
 */
export function rotate<T extends { id: string }>(
  sorted: readonly T[],
  cursor: string | undefined,
  perRun: number,
): { batch: T[]; cursor?: string } {
  if (sorted.length <= perRun) return { batch: [...sorted] };
  let start = cursor === undefined ? 0 : sorted.findIndex((h) => h.id > cursor);
  if (start < 0) start = 0;
  const batch = Array.from({ length: perRun }, (_, i) => sorted[(start + i) % sorted.length]!);
  return { batch, cursor: batch.at(-1)!.id };
}

/**
 * Agents whose hosts are read for ports: online and offline ones (an offline agent's last report still
 * stands), and `installed`, HSS's umbrella status that does not say which of those it is. Not read: an agent
 * never installed, still `installing` or `install_failed`: no agent has reported ports there, so a read would
 * spend the run's budget on an empty answer.
 */
const REPORTING_AGENTS = new Set(["online", "offline", "installed"]);

/**
 * HSS open ports: a port HSS rates `danger` appears on a known host, with protocol, process path and PID.
 * One request per host (the API is per host), `concurrency` at a time, and at most `requestsPerRun` a run:
 * on a larger fleet the hosts are read in rotation (by host ID, resuming after the last one read), a host not
 * read this run keeping its previous ports, so a full cycle takes ceil(hosts / requestsPerRun) intervals. A
 * host whose request fails keeps its previous ports (so nothing is announced twice), and only a run where
 * every host read failed fails. New hosts are recorded silently.
 */
export const hssOpenPortsWatcher: WatcherKindImpl<OpenPortsSnapshot> = {
  unavailable: () => undefined,

  async observe({ cloud, fleet, watcher }, previous) {
    const [listing, servers] = await Promise.all([cloud.hss.listHosts(), fetchServerIndex(fleet)]);
    const targets = listing.items
      .filter((h) => REPORTING_AGENTS.has(h.agentStatus ?? ""))
      .map((h) => ({ id: h.hostId, name: h.hostName, tags: servers.get(h.hostId)?.tags ?? {} }))
      .filter((h) => matchSubject(watcher.scope, h))
      .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    const { batch, cursor } = rotate(targets, previous?.cursor, watcher.requestsPerRun);

    const hosts: Record<string, PortHostRecord> = {};
    // Hosts outside this run's share keep what their last read found.
    const reading = new Set(batch.map((h) => h.id));
    for (const h of targets) {
      const kept = previous?.hosts[h.id];
      if (!reading.has(h.id) && kept) hosts[h.id] = { ...kept, name: h.name, tags: h.tags };
    }
    const failures: { id: string; error: unknown }[] = [];
    let next = 0;
    const worker = async () => {
      while (next < batch.length) {
        const host = batch[next++]!;
        try {
          const found = await cloud.hss.listOpenPorts(host.id, { status: "danger" });
          const ports: Record<string, DangerousPort> = {};
          for (const p of found.items) {
            // The filter is the service's; a port it let through with another status is not ours to announce.
            if (p.status !== undefined && p.status !== "danger") continue;
            ports[portKey(p)] = {
              ...(p.pid !== undefined && { pid: p.pid }),
              ...(p.path !== undefined && { path: p.path }),
              ...(p.laddr !== undefined && { laddr: p.laddr }),
            };
          }
          hosts[host.id] = { name: host.name, tags: host.tags, ports };
        } catch (error) {
          failures.push({ id: host.id, error });
          const kept = previous?.hosts[host.id];
          if (kept) hosts[host.id] = kept;
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(watcher.concurrency, batch.length) }, worker));
    if (batch.length > 0 && failures.length === batch.length) throw failures[0]!.error;
    const notes =
      failures.length > 0
        ? [`${failures.length} of ${batch.length} hosts could not be read; their previous ports were kept`]
        : [];
    return {
      data: { hosts, ...(cursor !== undefined && { cursor }) },
      observed: targets.length,
      notes,
      ...(targets.length > batch.length && { rotation: { perRun: batch.length, total: targets.length } }),
    };
  },

  diff(previous, next) {
    // (A host outside a run's share carries its previous ports: it cannot show a change.)
    const events: FleetEvent[] = [];
    for (const [id, n] of Object.entries(next.hosts)) {
      const p = previous.hosts[id];
      if (p === undefined) continue;
      for (const [key, port] of Object.entries(n.ports)) {
        if (Object.hasOwn(p.ports, key)) continue;
        const [protocol = "TCP", number = "0"] = key.split("/");
        events.push(
          fleetEvent(
            "hss.dangerous_port",
            `${FAMILY}${id}:${key}`,
            "open",
            { kind: "host", id, name: n.name, tags: n.tags },
            { kind: "port", port: Number(number), protocol, ...port },
          ),
        );
      }
    }
    return events;
  },

  stateOf(data, family) {
    if (!family.startsWith(FAMILY)) return undefined;
    const rest = family.slice(FAMILY.length);
    const colon = rest.lastIndexOf(":");
    const id = rest.slice(0, colon);
    const key = rest.slice(colon + 1);
    if (!Object.hasOwn(data.hosts, id)) return undefined;
    return Object.hasOwn(data.hosts[id]!.ports, key) ? "open" : "closed";
  },
};
