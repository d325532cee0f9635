import type { Policy, RuleRef } from "../policy/types.js";
import type { CalendarKind } from "./calendar-types.js";
import { findActiveOccurrence, findNextOccurrences } from "./find-calendar-occurrences.js";

/** How a calendar bore on a decision: which rule looked at it, and the event in force or the next one. */
export interface CalendarNote {
  ruleId: string;
  calendar: string;
  kind: CalendarKind;
  description: string;
  /** `during`: an event is in force (until `until`); `outside`: none is (the next starts at `next`). */
  relation: "during" | "outside";
  until?: number;
  next?: number;
}

/**
 * The calendar conditions of the rules named in a decision, as they stood at `at`: for `/ops policy explain`
 * ("freeze `year-end` in force until …"). Pure.
 */
export function explainCalendarConditions(
  policy: Policy,
  rules: readonly RuleRef[],
  at: number,
): CalendarNote[] {
  const notes: CalendarNote[] = [];
  for (const ref of rules) {
    const rule = policy.rules.find((r) => r.id === ref.id);
    if (rule === undefined) continue;
    for (const relation of ["during", "outside"] as const) {
      for (const name of rule.when[relation] ?? []) {
        const calendar = policy.calendars?.find((c) => c.name === name);
        if (calendar === undefined) continue;
        const active = findActiveOccurrence(calendar, at);
        const next = active === undefined ? findNextOccurrences(calendar, at, 1)[0] : undefined;
        notes.push({
          ruleId: rule.id,
          calendar: name,
          kind: calendar.kind,
          description: calendar.description,
          relation: active !== undefined ? "during" : "outside",
          ...(active !== undefined && { until: active.end }),
          ...(next !== undefined && { next: next.start }),
        });
      }
    }
  }
  return notes;
}
