import type { Calendar } from "../calendars/calendar-types.js";
import { findActiveOccurrence, findNextOccurrences } from "../calendars/find-calendar-occurrences.js";
import {
  code,
  context,
  localTime,
  type Message,
  md,
  type Part,
  type Span,
  section,
} from "../render/message-model.js";

/** Upcoming events shown per calendar. */
const NEXT_EVENTS = 3;

/**
 * `/ops calendar`: what is in force now (freezes, open maintenance windows, each until when), then each calendar's
 * next events, in the reader's local time. Pure.
 */
export function buildCalendarView(calendars: readonly Calendar[], now: number): Message {
  if (calendars.length === 0) {
    const text = md`:calendar: The policy defines no freezes or maintenance windows (\`calendars:\` in the policy file).`;
    return { text, blocks: [section({ text })] };
  }
  const active = calendars.flatMap((c) => {
    const o = findActiveOccurrence(c, now);
    return o === undefined ? [] : [{ calendar: c, end: o.end }];
  });
  const inForce: Span[] =
    active.length === 0
      ? md`*In force now:* nothing — no freeze, no maintenance window open.`
      : [
          ...md`*In force now:*`,
          ...active.flatMap(
            ({ calendar, end }) =>
              md`\n• ${kindIcon(calendar)} ${kindWord(calendar)} ${code(calendar.name)} until ${localTime(end)}`,
          ),
        ];
  const blocks: Part[] = [section({ text: md`:calendar: ${inForce}` })];
  for (const calendar of calendars) {
    const next = findNextOccurrences(calendar, now, NEXT_EVENTS);
    blocks.push(
      section({
        text: [
          ...md`${kindIcon(calendar)} *${calendar.name}* · ${kindWord(calendar)} — ${calendar.description}`,
          ...(next.length === 0
            ? md`\nNo further events.`
            : next.flatMap((o) => md`\n• ${localTime(o.start)} → ${localTime(o.end)}`)),
        ],
      }),
    );
  }
  blocks.push(
    context(
      md`Freezes can deny changes or ask for more approvals; a change can wait for a window with ${code("--window <name>")}.`,
    ),
  );
  const text =
    active.length === 0
      ? md`Calendar: nothing in force now`
      : md`Calendar: ${active.map((a) => a.calendar.name).join(", ")} in force now`;
  return { text, blocks };
}

function kindIcon(calendar: Calendar): Span {
  return { t: "plain", v: calendar.kind === "freeze" ? ":snowflake:" : ":wrench:" };
}

function kindWord(calendar: Calendar): string {
  return calendar.kind === "freeze" ? "freeze" : "maintenance window";
}
