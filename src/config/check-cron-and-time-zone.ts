import { Cron } from "croner";

/** Whether `value` is a time zone this runtime knows (an IANA name such as `Europe/Paris`, or `UTC`). */
export function isTimeZone(value: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: value });
    return true;
  } catch {
    return false;
  }
}

/** The five fields of a cron expression, in their order. */
export const CRON_FIELD_NAMES = ["minute", "hour", "day of month", "month", "day of week"] as const;

/**
 * Why `pattern` is not a cron expression of five fields that croner accepts and that matches a date (croner's
 * message without its prefix, or ours); undefined if it is. A sixth field (seconds) would fire a digest every
 * second, and an expression no date matches (`0 0 30 2 *`) would be a freeze that never applies; croner
 * overflows its stack looking for some of those (`0 0 31 2,4,6,9,11 *`), so the search is made here, once.
 */
export function cronProblem(pattern: string): string | undefined {
  const fields = pattern
    .trim()
    .split(/\s+/)
    .filter((f) => f !== "");
  let cron: Cron;
  try {
    cron = new Cron(pattern, { paused: true });
  } catch (error) {
    return (error instanceof Error ? error.message : String(error)).replace(/^CronPattern: /, "");
  }
  // A nickname (`@daily`) is five fields written short; croner checked it.
  if (fields.length !== CRON_FIELD_NAMES.length && !(fields.length === 1 && fields[0]?.startsWith("@"))) {
    return `it has ${fields.length} fields; a cron expression takes ${CRON_FIELD_NAMES.length}: ${CRON_FIELD_NAMES.join(", ")}`;
  }
  try {
    if (cron.nextRun(new Date(0)) === null) return "it never matches a date";
  } catch (error) {
    // croner's search recursing without end on a date that does not exist.
    if (error instanceof RangeError) return "it never matches a date";
    throw error;
  }
  return undefined;
}
