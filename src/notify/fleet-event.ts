import type { WATCHER_KINDS } from "./notifications-file-schema.js";

/**
 * The events the watchers report: one state transition of one server, host, port or scan result.
 * Events are JSON (they are kept in the store while a flapping item is held back), so every field is
 * a plain value.
 */

/** Every event type a watcher can produce. Routes select them by name or glob (`ecs.*`). */
export const EVENT_TYPES = [
  "ecs.error",
  "ecs.stopped",
  "ecs.started",
  "ecs.recovered",
  "ecs.disappeared",
  "hss.agent_offline",
  "hss.agent_online",
  "hss.agent_install_failed",
  "hss.protection_closed",
  "hss.protection_exception",
  "hss.protection_restored",
  "hss.detect_risk",
  "hss.risk_increased",
  "hss.dangerous_port",
  "hss.scan_failed",
] as const;

export type EventType = (typeof EVENT_TYPES)[number];

export const SEVERITIES = ["info", "warning", "critical"] as const;
export type Severity = (typeof SEVERITIES)[number];

/** Severity of each event type (routes filter with `min_severity`). */
export const EVENT_SEVERITY: Readonly<Record<EventType, Severity>> = {
  "ecs.error": "critical",
  "ecs.stopped": "warning",
  "ecs.started": "info",
  "ecs.recovered": "info",
  "ecs.disappeared": "warning",
  "hss.agent_offline": "warning",
  "hss.agent_online": "info",
  "hss.agent_install_failed": "warning",
  "hss.protection_closed": "critical",
  "hss.protection_exception": "warning",
  "hss.protection_restored": "info",
  "hss.detect_risk": "critical",
  "hss.risk_increased": "warning",
  "hss.dangerous_port": "critical",
  "hss.scan_failed": "warning",
};

/**
 * The kind of watcher that reports each event type (checked against each watcher's `diff` in the tests), so
 * the file check can refuse a route whose watchers can never report its events.
 */
export const EVENT_WATCHER_KIND: Readonly<Record<EventType, (typeof WATCHER_KINDS)[number]>> = {
  "ecs.error": "ecs_servers",
  "ecs.stopped": "ecs_servers",
  "ecs.started": "ecs_servers",
  "ecs.recovered": "ecs_servers",
  "ecs.disappeared": "ecs_servers",
  "hss.agent_offline": "hss_hosts",
  "hss.agent_online": "hss_hosts",
  "hss.agent_install_failed": "hss_hosts",
  "hss.protection_closed": "hss_hosts",
  "hss.protection_exception": "hss_hosts",
  "hss.protection_restored": "hss_hosts",
  "hss.detect_risk": "hss_hosts",
  "hss.risk_increased": "hss_hosts",
  "hss.dangerous_port": "hss_open_ports",
  "hss.scan_failed": "hss_scan_tasks",
};

export function severityRank(severity: Severity): number {
  return SEVERITIES.indexOf(severity);
}

/** What an event is about. `tags` are the server's ECS tags (`env=prod` → `{ env: "prod" }`). */
export interface EventSubject {
  kind: "server" | "host";
  /** ECS server ID (HSS host IDs are the ECS server IDs). */
  id: string;
  name: string;
  tags: Record<string, string>;
}

export type EventDetail =
  | { kind: "server"; previous: string; status: string; flavor?: string; fault?: string }
  | { kind: "hss_state"; previous: string; current: string; reason?: string }
  | {
      kind: "risk";
      /** `asset` (asset risks) is absent from events recorded before asset risks were watched. */
      before: { vulnerability: number; baseline: number; intrusion: number; asset?: number };
      after: { vulnerability: number; baseline: number; intrusion: number; asset?: number };
    }
  | { kind: "port"; port: number; protocol: string; laddr?: string; pid?: number; path?: string }
  | { kind: "scan"; taskId: string; reasons: { vulType?: string; reason?: string }[] };

export interface FleetEvent {
  type: EventType;
  severity: Severity;
  /**
   * The item whose state changed, e.g. `ecs.status:<server id>` or `hss.agent:<host id>`. The quiet
   * period applies per family: a flapping item is announced at most once per period.
   */
  family: string;
  /** The family's new state (compared when a held-back change is reconsidered). */
  state: string;
  subject: EventSubject;
  detail: EventDetail;
  /** Changes of this family held back during the quiet period before this one was announced. */
  heldBack?: number;
  /** Announced when the quiet period ended rather than when it happened. */
  delayed?: boolean;
}

/** Builds an event with the type's severity. */
export function fleetEvent(
  type: EventType,
  family: string,
  state: string,
  subject: EventSubject,
  detail: EventDetail,
): FleetEvent {
  return { type, severity: EVENT_SEVERITY[type], family, state, subject, detail };
}
