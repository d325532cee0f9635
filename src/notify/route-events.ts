import { matchGlob } from "../policy/match-glob.js";
import { type FleetEvent, severityRank } from "./fleet-event.js";
import type { RouteRule } from "./load-notifications-config.js";
import { matchSubject } from "./match-subject.js";

/** Whether one route takes one event of one watcher. */
export function routeMatches(route: RouteRule, watcherId: string, event: FleetEvent): boolean {
  if (route.watchers !== undefined && !route.watchers.includes(watcherId)) return false;
  if (route.events !== undefined && !route.events.some((pattern) => matchGlob(pattern, event.type)))
    return false;
  if (severityRank(event.severity) < severityRank(route.minSeverity)) return false;
  return matchSubject(route.match, event.subject);
}

/**
 * Which channel gets which events: every matching route adds the event to each of its channels, once per
 * channel however many routes lead there. Channels come in route order, events in their given order.
 */
export function routeEvents(
  events: readonly FleetEvent[],
  routes: readonly RouteRule[],
  watcherId: string,
): Map<string, FleetEvent[]> {
  const byChannel = new Map<string, Set<FleetEvent>>();
  for (const route of routes) {
    for (const channel of route.channels) if (!byChannel.has(channel)) byChannel.set(channel, new Set());
  }
  for (const event of events) {
    for (const route of routes) {
      if (!routeMatches(route, watcherId, event)) continue;
      for (const channel of route.channels) byChannel.get(channel)?.add(event);
    }
  }
  const out = new Map<string, FleetEvent[]>();
  for (const [channel, set] of byChannel) {
    if (set.size > 0)
      out.set(
        channel,
        events.filter((e) => set.has(e)),
      );
  }
  return out;
}
