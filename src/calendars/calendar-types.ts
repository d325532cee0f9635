/**
 * Named calendars of the policy (`calendars:` in flows/policy.yml): freezes, during which rules may deny or ask
 * for more, and maintenance windows, outside which rules may deny, or within which they may allow.
 */
export type CalendarKind = "freeze" | "window";

/** One entry of a calendar: a cron that opens an event lasting `durationMs` in `timeZone`, or one fixed span. */
export type CalendarEventSpec =
  | { kind: "recurring"; cron: string; durationMs: number; timeZone: string }
  | { kind: "absolute"; start: number; end: number };

export interface Calendar {
  name: string;
  kind: CalendarKind;
  /** For readers of the policy file and `/ops calendar`. */
  description: string;
  /** Where it is written, e.g. `flows/policy.yml:12`. */
  source: string;
  events: CalendarEventSpec[];
}

/** One occurrence of a calendar: from `start` (inclusive) to `end` (exclusive), epoch milliseconds. */
export interface CalendarOccurrence {
  calendar: string;
  kind: CalendarKind;
  start: number;
  end: number;
}
