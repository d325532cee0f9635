import { Cron } from "croner";
import { CRON_FIELD_NAMES, cronProblem, timeZoneProblem } from "../config/check-cron-and-time-zone.js";

/** When a schedule runs: a 5-field cron expression read in an IANA time zone. */
export interface ScheduleTiming {
  cron: string;
  timeZone: string;
}

export type TimingResult = { ok: true; timing: ScheduleTiming } | { ok: false; message: string };

/** The zone of a schedule created without `tz=`. */
export const DEFAULT_SCHEDULE_ZONE = "UTC";

/**
 * Checks a cron expression and a time zone as typed after `/ops schedule add`. Five fields only (minute hour
 * day-of-month month day-of-week): a schedule runs at most once a minute. The zone must be an IANA name.
 * Returns operator text for anything wrong; pure.
 */
export function parseScheduleTiming(cron: string, timeZone: string | undefined): TimingResult {
  const expression = cron.trim().replace(/\s+/g, " ");
  const fields = expression === "" ? [] : expression.split(" ");
  if (fields.length !== 5) {
    return {
      ok: false,
      message: `The cron expression \`${clip(cron)}\` has ${fields.length} field${fields.length === 1 ? "" : "s"}; a schedule takes 5: ${CRON_FIELD_NAMES.join(", ")} (e.g. \`0 19 * * 1-5\` for 19:00 Monday to Friday).`,
    };
  }
  const zone = timeZone?.trim() || DEFAULT_SCHEDULE_ZONE;
  const zoneProblem = timeZoneProblem(zone);
  if (zoneProblem !== undefined) return { ok: false, message: `\`${clip(zone)}\` ${zoneProblem}.` };
  const why = cronProblem(expression);
  if (why !== undefined)
    return { ok: false, message: `The cron expression \`${clip(cron)}\` is not valid: ${clip(why)}.` };
  return { ok: true, timing: { cron: expression, timeZone: zone } };
}

/** The next `count` slots strictly after `after` (epoch ms). */
export function nextSlots(timing: ScheduleTiming, after: number, count: number): number[] {
  const job = cronOf(timing);
  const out: number[] = [];
  let from = new Date(after);
  while (out.length < count) {
    const next = job.nextRun(from);
    if (next === null) break;
    out.push(next.getTime());
    from = next;
  }
  return out;
}

/**
 * The slots in `(after, until]`, oldest first, at most `max` of them (the newest kept when there are more, or
 * the oldest with `keep: "oldest"`: `truncated` says so). A bot that was down for weeks reads a bounded number
 * of dates.
 */
export function slotsBetween(
  timing: ScheduleTiming,
  after: number,
  until: number,
  max = 500,
  keep: "newest" | "oldest" = "newest",
): { slots: number[]; truncated: boolean } {
  const job = cronOf(timing);
  const slots: number[] = [];
  let truncated = false;
  let from = new Date(after);
  for (;;) {
    const next = job.nextRun(from);
    if (next === null || next.getTime() > until) break;
    if (keep === "oldest" && slots.length >= max) {
      truncated = true;
      break;
    }
    slots.push(next.getTime());
    if (slots.length > max) {
      slots.shift();
      truncated = true;
    }
    from = next;
  }
  return { slots, truncated };
}

function cronOf(timing: ScheduleTiming): Cron {
  return new Cron(timing.cron, { paused: true, timezone: timing.timeZone });
}

/** User text inside backticks: bounded, without backticks. */
function clip(text: string): string {
  const flat = text.replace(/[`\n\r]/g, "'");
  return flat.length > 80 ? `${flat.slice(0, 79)}…` : flat;
}
