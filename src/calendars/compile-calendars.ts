import type { CalendarsFile } from "./calendar-file-schema.js";
import type { Calendar } from "./calendar-types.js";

/** The calendars of a policy file as the engine uses them; `line(name)` locates each for its `source`. */
export function compileCalendars(
  file: CalendarsFile | undefined,
  sourceOf: (name: string) => string,
): Calendar[] {
  return Object.entries(file ?? {}).map(([name, c]) => ({
    name,
    kind: c.kind,
    description: c.description.trim(),
    source: sourceOf(name),
    events: c.events.map((e) =>
      "cron" in e
        ? { kind: "recurring" as const, cron: e.cron, durationMs: e.duration, timeZone: e.time_zone }
        : { kind: "absolute" as const, start: e.start, end: e.end },
    ),
  }));
}
