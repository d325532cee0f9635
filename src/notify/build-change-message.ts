import { formatCount } from "../render/escape-mrkdwn.js";
import {
  actions,
  bold,
  code,
  context,
  header,
  type ListItem,
  list,
  type Message,
  md,
  type Part,
  type Span,
  section,
} from "../render/message-model.js";
import {
  describeEvent,
  EVENT_COUNT_LABEL,
  eventButtons,
  eventFields,
  SEVERITY_EMOJI,
} from "./describe-event.js";
import { EVENT_TYPES, type EventType, type FleetEvent, severityRank } from "./fleet-event.js";
import type { WatcherKind } from "./load-notifications-config.js";
import type { NotifyAction } from "./notify-action-ids.js";

export const WATCHER_TITLES: Readonly<Record<WatcherKind, string>> = {
  ecs_servers: "ECS servers",
  hss_hosts: "HSS hosts",
  hss_open_ports: "HSS open ports",
  hss_scan_tasks: "HSS vulnerability scans",
};

export interface ChangeMessageOptions {
  watcherId: string;
  kind: WatcherKind;
  /** Items listed in the compact form before "…and N more". */
  maxItems: number;
  /** Up to this many changes are shown one by one with their buttons. */
  detailedUpTo: number;
}

/** Most severe first, then by event type, then by name: the order a reader triages in. */
export function sortEvents(events: readonly FleetEvent[]): FleetEvent[] {
  return [...events].sort(
    (a, b) =>
      severityRank(b.severity) - severityRank(a.severity) ||
      EVENT_TYPES.indexOf(a.type) - EVENT_TYPES.indexOf(b.type) ||
      a.subject.name.localeCompare(b.subject.name, "en", { numeric: true }) ||
      a.subject.id.localeCompare(b.subject.id),
  );
}

/**
 * One message for every change one watcher run routes to one channel. Few changes are shown one by one,
 * each with its buttons (details, open ports, Start for a stopped server); many become a count per kind
 * plus the first `maxItems` as a list ending in "…and N more".
 */
export function buildChangeMessage(events: readonly FleetEvent[], options: ChangeMessageOptions): Message {
  const sorted = sortEvents(events);
  const n = sorted.length;
  const title = WATCHER_TITLES[options.kind];
  const counts = countByType(sorted);
  const intro = context(md`watcher ${code(options.watcherId)} · ${counts}`);
  const head = header(md`${title}: ${formatCount(n)} ${n === 1 ? "change" : "changes"}`);

  if (n <= options.detailedUpTo) {
    const indexes = new Map<NotifyAction, number>();
    const nextIndex = (action: NotifyAction) => {
      const i = indexes.get(action) ?? 0;
      indexes.set(action, i + 1);
      return i;
    };
    const blocks: Part[] = [head, intro];
    for (const event of sorted) {
      blocks.push(section({ text: headline(event) }));
      blocks.push(context(...eventFields(event).map((f) => md`${f.label}: ${f.value}`)));
      const buttons = eventButtons(event, nextIndex);
      if (buttons.length > 0) blocks.push(actions(...buttons));
    }
    return { text: fallback(sorted, title), blocks };
  }

  const items: ListItem[] = sorted.slice(0, options.maxItems).map((event) => ({
    title: md`${code(event.subject.name === "" ? event.subject.id : event.subject.name)}`,
    subtitle: md`${SEVERITY_EMOJI[event.severity]} ${describeEvent(event)}`,
    fields: eventFields(event),
  }));
  return {
    text: fallback(sorted, title),
    blocks: [
      head,
      intro,
      list(items, { total: n, moreHint: md`see \`/ecs list\`, \`/hss hosts\` or \`/ops watch list\`` }),
    ],
  };
}

function headline(event: FleetEvent): Span[] {
  const name = event.subject.name === "" ? event.subject.id : event.subject.name;
  return md`${SEVERITY_EMOJI[event.severity]} ${bold(code(name))} ${describeEvent(event)}`;
}

function countByType(events: readonly FleetEvent[]): Span[] {
  const counts = new Map<EventType, number>();
  for (const e of events) counts.set(e.type, (counts.get(e.type) ?? 0) + 1);
  return [...counts].flatMap(([type, count], i) => [
    ...(i === 0 ? [] : md` · `),
    ...md`${formatCount(count)} ${EVENT_COUNT_LABEL[type]}`,
  ]);
}

function fallback(sorted: readonly FleetEvent[], title: string): Span[] {
  const first = sorted[0];
  if (first === undefined) return md`${title}: no changes`;
  if (sorted.length === 1) return md`${title}: ${code(first.subject.name)} ${describeEvent(first)}`;
  return md`${title}: ${formatCount(sorted.length)} changes (${countByType(sorted)})`;
}
