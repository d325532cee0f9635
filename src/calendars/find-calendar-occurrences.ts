import { Cron } from "croner";
import type { Calendar, CalendarEventSpec, CalendarOccurrence } from "./calendar-types.js";

function cronOf(spec: Extract<CalendarEventSpec, { kind: "recurring" }>): Cron {
  return new Cron(spec.cron, { paused: true, timezone: spec.timeZone });
}

/** The occurrence of one event in force at `at` (start ≤ at < end), if any. */
function activeOf(spec: CalendarEventSpec, at: number): { start: number; end: number } | undefined {
  if (spec.kind === "absolute") return spec.start <= at && at < spec.end ? spec : undefined;
  // The first start after `at - duration` is the only one that can still be running at `at`.
  const start = cronOf(spec)
    .nextRun(new Date(at - spec.durationMs))
    ?.getTime();
  return start !== undefined && start <= at ? { start, end: start + spec.durationMs } : undefined;
}

/**
 * The occurrence of `calendar` in force at `at`, if any; when several of its events overlap, the one that ends
 * last (what "in force until" means to a reader). Pure.
 */
export function findActiveOccurrence(calendar: Calendar, at: number): CalendarOccurrence | undefined {
  let found: { start: number; end: number } | undefined;
  for (const spec of calendar.events) {
    const active = activeOf(spec, at);
    if (active !== undefined && (found === undefined || active.end > found.end)) found = active;
  }
  return found && { calendar: calendar.name, kind: calendar.kind, start: found.start, end: found.end };
}

/** The next `count` occurrences of `calendar` that start after `at`, in order of start. Pure. */
export function findNextOccurrences(calendar: Calendar, at: number, count: number): CalendarOccurrence[] {
  const starts: { start: number; end: number }[] = [];
  for (const spec of calendar.events) {
    if (spec.kind === "absolute") {
      if (spec.start > at) starts.push(spec);
      continue;
    }
    for (const d of cronOf(spec).nextRuns(count, new Date(at))) {
      const start = d.getTime();
      starts.push({ start, end: start + spec.durationMs });
    }
  }
  return starts
    .sort((a, b) => a.start - b.start || a.end - b.end)
    .slice(0, count)
    .map((o) => ({ calendar: calendar.name, kind: calendar.kind, ...o }));
}
