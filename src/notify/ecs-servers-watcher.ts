import { type EventType, type FleetEvent, fleetEvent } from "./fleet-event.js";
import { matchSubject } from "./match-subject.js";
import type { WatcherKindImpl } from "./watcher-kind.js";

/** A server as the ECS watcher remembers it. */
export interface EcsServerRecord {
  name: string;
  tags: Record<string, string>;
  status: string;
  /**
   * The last stable state seen: ACTIVE, SHUTOFF or ERROR. Transitional states (REBOOT, RESIZE, BUILD…)
   * keep the previous one, so a reboot caught half-way is not a stop followed by a start.
   */
  stable: string;
  flavor: string;
  fault?: string;
}

export interface EcsSnapshot {
  servers: Record<string, EcsServerRecord>;
}

const STABLE = new Set(["ACTIVE", "SHUTOFF", "ERROR"]);
/** Listed, but gone for all purposes. */
const GONE_STATUSES = new Set(["DELETED", "SOFT_DELETED"]);
/** The family state of a server that is no longer listed. */
export const GONE = "GONE";
/** A server first seen in a transitional state. */
const UNKNOWN = "UNKNOWN";

const FAMILY = "ecs.status:";

export function ecsFamily(serverId: string): string {
  return `${FAMILY}${serverId}`;
}

/** Event types that an operation started through the bot may explain (see `markExpectedTransition`). */
export const EXPECTABLE_EVENTS: ReadonlySet<EventType> = new Set([
  "ecs.stopped",
  "ecs.started",
  "ecs.recovered",
  "ecs.disappeared",
]);

/**
 * ECS servers: a server enters ERROR (also when it first appears in ERROR), stops, starts, recovers from
 * ERROR, or disappears. New servers are recorded silently.
 */
export const ecsServersWatcher: WatcherKindImpl<EcsSnapshot> = {
  unavailable: () => undefined,

  async observe({ fleet, watcher }, previous) {
    const servers = await fleet.servers();
    const out: Record<string, EcsServerRecord> = {};
    for (const s of servers) {
      if (GONE_STATUSES.has(s.status)) continue;
      const { tags } = s;
      if (!matchSubject(watcher.scope, { name: s.name, tags })) continue;
      const before = previous?.servers[s.id];
      const record: EcsServerRecord = {
        name: s.name,
        tags,
        status: s.status,
        stable: STABLE.has(s.status) ? s.status : (before?.stable ?? UNKNOWN),
        flavor: s.flavor,
      };
      if (s.status === "ERROR" && s.fault) record.fault = s.fault;
      out[s.id] = record;
    }
    return { data: { servers: out }, observed: Object.keys(out).length, notes: [] };
  },

  diff(previous, next) {
    const events: FleetEvent[] = [];
    for (const [id, n] of Object.entries(next.servers)) {
      const p = previous.servers[id];
      const type = transition(p?.stable, n.stable);
      if (type === undefined) continue;
      events.push(
        fleetEvent(
          type,
          ecsFamily(id),
          n.stable,
          { kind: "server", id, name: n.name, tags: n.tags },
          {
            kind: "server",
            previous: p?.stable ?? "NEW",
            status: n.status,
            flavor: n.flavor,
            ...(n.fault !== undefined && { fault: n.fault }),
          },
        ),
      );
    }
    for (const [id, p] of Object.entries(previous.servers)) {
      if (Object.hasOwn(next.servers, id)) continue;
      events.push(
        fleetEvent(
          "ecs.disappeared",
          ecsFamily(id),
          GONE,
          { kind: "server", id, name: p.name, tags: p.tags },
          { kind: "server", previous: p.status, status: GONE, flavor: p.flavor },
        ),
      );
    }
    return events;
  },

  stateOf(data, family) {
    if (!family.startsWith(FAMILY)) return undefined;
    const id = family.slice(FAMILY.length);
    return Object.hasOwn(data.servers, id) ? data.servers[id]!.stable : GONE;
  },
};

function transition(previous: string | undefined, next: string): EventType | undefined {
  if (previous === next) return undefined;
  if (next === "ERROR") return "ecs.error";
  // A new server is recorded silently unless it arrives broken (above).
  if (previous === undefined) return undefined;
  if (next === "SHUTOFF") return "ecs.stopped";
  if (next === "ACTIVE" && previous === "SHUTOFF") return "ecs.started";
  if (next === "ACTIVE" && previous === "ERROR") return "ecs.recovered";
  return undefined;
}
