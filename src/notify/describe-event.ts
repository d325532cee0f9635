import {
  type Button,
  bold,
  button,
  code,
  italic,
  type ListField,
  md,
  type Span,
} from "../render/message-model.js";
import type { EventType, FleetEvent, Severity } from "./fleet-event.js";
import { type NotifyAction, notifyActionId } from "./notify-action-ids.js";

/** Trusted spans (a bare string would be escaped as an untrusted value and its emoji defused). */
export const SEVERITY_EMOJI: Readonly<Record<Severity, Span>> = {
  critical: { t: "plain", v: ":rotating_light:" },
  warning: { t: "plain", v: ":warning:" },
  info: { t: "plain", v: ":information_source:" },
};

/** Short plural phrases for the per-type counts of a grouped message ("12 stopped"). */
export const EVENT_COUNT_LABEL: Readonly<Record<EventType, string>> = {
  "ecs.error": "entered ERROR",
  "ecs.stopped": "stopped",
  "ecs.started": "started",
  "ecs.recovered": "recovered from ERROR",
  "ecs.disappeared": "disappeared",
  "hss.agent_offline": "agent offline",
  "hss.agent_online": "agent back online",
  "hss.agent_install_failed": "agent install failed",
  "hss.protection_closed": "protection closed",
  "hss.protection_exception": "protection exception",
  "hss.protection_restored": "protection back on",
  "hss.detect_risk": "detection: risk",
  // The count is of hosts: "1 with more risks", never "1 risks rose".
  "hss.risk_increased": "with more risks",
  "hss.dangerous_port": "with new dangerous ports",
  "hss.scan_failed": "scan failed",
};

/** What happened, as one line of rich text (values from the cloud are untrusted spans). */
export function describeEvent(event: FleetEvent): Span[] {
  const d = event.detail;
  const base = ((): Span[] => {
    switch (event.type) {
      case "ecs.error": {
        const fault = d.kind === "server" && d.fault ? md` — ${d.fault}` : [];
        return md`entered ${bold("ERROR")}${d.kind === "server" && d.previous !== "NEW" ? md` (was ${d.previous})` : md` (new server)`}${fault}`;
      }
      case "ecs.stopped":
        return md`stopped outside hwc-chatops${d.kind === "server" ? md` (was ${d.previous})` : []}`;
      case "ecs.started":
        return md`started outside hwc-chatops`;
      case "ecs.recovered":
        return md`recovered from ERROR, now ${d.kind === "server" ? d.status : "ACTIVE"}`;
      case "ecs.disappeared":
        return md`disappeared from the server list${d.kind === "server" ? md` (last seen ${d.previous})` : []}`;
      case "hss.agent_offline":
        return md`HSS agent went ${bold("offline")}`;
      case "hss.agent_online":
        return md`HSS agent is back online`;
      case "hss.agent_install_failed":
        return md`HSS agent installation failed${d.kind === "hss_state" && d.reason ? md` (${code(d.reason)})` : []}`;
      case "hss.protection_closed":
        return md`HSS protection ${bold("closed")}`;
      case "hss.protection_exception":
        return md`HSS protection ${bold("exception")}`;
      case "hss.protection_restored":
        return md`HSS protection is back on`;
      case "hss.detect_risk":
        return md`HSS detection result turned ${bold("risk")}`;
      case "hss.risk_increased":
        return d.kind === "risk" ? md`HSS risks rose: ${riskChanges(d.before, d.after)}` : md`HSS risks rose`;
      case "hss.dangerous_port":
        return d.kind === "port"
          ? md`new ${bold("dangerous")} open port ${code(`${d.protocol} ${d.port}`)}${d.path ? md` · ${code(d.path)}` : []}${d.pid !== undefined ? md` (PID ${d.pid})` : []}`
          : md`new dangerous open port`;
      case "hss.scan_failed":
        return d.kind === "scan"
          ? md`vulnerability scan failed${scanReasons(d.reasons)}`
          : md`vulnerability scan failed`;
    }
  })();
  const notes: Span[] = [];
  if (event.heldBack !== undefined && event.heldBack > 0) {
    notes.push(
      ...md` ${italic(md`(${event.heldBack} earlier ${event.heldBack === 1 ? "change" : "changes"} held back by the quiet period)`)}`,
    );
  } else if (event.delayed) {
    notes.push(...md` ${italic(md`(held back by the quiet period)`)}`);
  }
  return [...base, ...notes];
}

/** A host's risk counts in an event; `asset` is absent from events recorded before asset risks were watched. */
interface RiskCountsOf {
  vulnerability: number;
  baseline: number;
  intrusion: number;
  asset?: number;
}

function riskChanges(before: RiskCountsOf, after: RiskCountsOf): Span[] {
  const parts: Span[][] = [];
  const one = (label: string, a: number | undefined, b: number) => {
    parts.push(a === undefined || a === b ? md`${label} ${b}` : md`${label} ${a} → ${bold(b)}`);
  };
  one("vulnerabilities", before.vulnerability, after.vulnerability);
  one("baseline", before.baseline, after.baseline);
  one("intrusions", before.intrusion, after.intrusion);
  // Asset risks are rare (as in `/hss hosts`): named only when the host has or had some.
  if ((before.asset ?? 0) > 0 || (after.asset ?? 0) > 0) one("asset risks", before.asset, after.asset ?? 0);
  return parts.flatMap((p, i) => (i === 0 ? p : [...md` · `, ...p]));
}

function scanReasons(reasons: readonly { vulType?: string; reason?: string }[]): Span[] {
  if (reasons.length === 0) return [];
  const shown = reasons.slice(0, 3).flatMap((r, i) => {
    const text = md`${r.vulType ? md`${code(r.vulType)} ` : []}${r.reason ?? "no reason given"}`;
    return i === 0 ? text : [...md`; `, ...text];
  });
  return [...md`: `, ...shown, ...(reasons.length > 3 ? md` (+${reasons.length - 3} more)` : [])];
}

/** Facts shown under the headline. */
export function eventFields(event: FleetEvent): ListField[] {
  const fields: ListField[] = [{ label: md`ID`, value: code(event.subject.id) }];
  const d = event.detail;
  if (d.kind === "server" && d.flavor) fields.push({ label: md`flavor`, value: d.flavor });
  if (d.kind === "scan") fields.push({ label: md`scan task`, value: code(d.taskId) });
  const env = event.subject.tags.env;
  if (env !== undefined) fields.push({ label: md`env`, value: env });
  return fields;
}

/** The buttons of one event; `nextIndex` numbers repeated action IDs within one message. */
export function eventButtons(event: FleetEvent, nextIndex: (action: NotifyAction) => number): Button[] {
  const id = event.subject.id;
  const make = (action: NotifyAction, label: Span[], value: string, extra: Partial<Button> = {}) =>
    button({ id: notifyActionId(action, nextIndex(action)), label, value, ...extra });
  if (event.subject.kind === "server") {
    if (event.type === "ecs.disappeared") return [];
    const buttons = [make("serverDetails", md`Details`, id)];
    if (event.type === "ecs.stopped") {
      buttons.push(
        make("serverStart", md`Start`, id, {
          style: "primary",
          confirm: {
            title: md`Start server?`,
            text: md`Start ${code(event.subject.name)} (${code(id)})? The request goes through the usual policy and approval.`,
            confirm: md`Start`,
            deny: md`Cancel`,
          },
        }),
      );
    }
    return buttons;
  }
  const buttons = [make("hostDetails", md`Host details`, id), make("hostPorts", md`Open ports`, id)];
  if (event.detail.kind === "scan")
    buttons.push(make("scanTaskHosts", md`Failed hosts`, event.detail.taskId));
  return buttons;
}
