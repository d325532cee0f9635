import { Cron } from "croner";
import * as z from "zod";
import { joinWords } from "../render/escape-mrkdwn.js";
import { suggestClosest } from "./suggest-closest.js";

/**
 * Whether `value` is an IANA time zone this runtime knows: an Area/Location name (`Europe/Paris`,
 * `America/New_York`, `Etc/GMT-2`) or `UTC`. The runtime also takes abbreviations and POSIX-style names
 * (`EST`, `CET`, `PST8PDT`, `GMT`); they are refused: `EST` is a fixed UTC−05:00 all year (a window written in
 * it is an hour off all summer) and `IST` or `CST` name several places. Every time zone of the config files and
 * commands (calendars, notifications, recurring schedules) is checked here; {@link timeZoneProblem} says why.
 */
export function isTimeZone(value: string): boolean {
  if (!/^UTC$/i.test(value) && !/^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+)+$/.test(value)) return false;
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: value });
    return true;
  } catch {
    return false;
  }
}

/**
 * The IANA names meant by common abbreviations and POSIX-style names (upper case): several when the
 * abbreviation names several places.
 */
const MEANT_BY: Readonly<Record<string, readonly string[]>> = {
  EST: ["America/New_York"],
  EDT: ["America/New_York"],
  EST5EDT: ["America/New_York"],
  ET: ["America/New_York"],
  CST: ["America/Chicago", "Asia/Shanghai"],
  CDT: ["America/Chicago"],
  CST6CDT: ["America/Chicago"],
  MST: ["America/Denver", "America/Phoenix"],
  MDT: ["America/Denver"],
  MST7MDT: ["America/Denver"],
  PST: ["America/Los_Angeles"],
  PDT: ["America/Los_Angeles"],
  PST8PDT: ["America/Los_Angeles"],
  PT: ["America/Los_Angeles"],
  AKST: ["America/Anchorage"],
  HST: ["Pacific/Honolulu"],
  GMT: ["UTC", "Europe/London"],
  UT: ["UTC"],
  Z: ["UTC"],
  ZULU: ["UTC"],
  BST: ["Europe/London"],
  WET: ["Europe/Lisbon"],
  WEST: ["Europe/Lisbon"],
  CET: ["Europe/Berlin", "Europe/Paris"],
  CEST: ["Europe/Berlin", "Europe/Paris"],
  MET: ["Europe/Berlin", "Europe/Paris"],
  EET: ["Europe/Athens", "Europe/Helsinki"],
  EEST: ["Europe/Athens", "Europe/Helsinki"],
  MSK: ["Europe/Moscow"],
  IST: ["Asia/Kolkata", "Europe/Dublin", "Asia/Jerusalem"],
  PRC: ["Asia/Shanghai"],
  HKT: ["Asia/Hong_Kong"],
  SGT: ["Asia/Singapore"],
  JST: ["Asia/Tokyo"],
  KST: ["Asia/Seoul"],
  AEST: ["Australia/Sydney", "Australia/Brisbane"],
  AEDT: ["Australia/Sydney"],
  NZST: ["Pacific/Auckland"],
  NZDT: ["Pacific/Auckland"],
};

/** `a`, `a or b`, `a, b or c`, each in backticks. */
function either(names: readonly string[]): string {
  return joinWords(
    names.map((n) => `\`${n}\``),
    "or",
  );
}

/**
 * Why `value` is not a time zone {@link isTimeZone} accepts, as the rest of a sentence that starts with the value
 * (`` `EST` is an abbreviation, not an IANA time zone …``); undefined if it is one. An abbreviation gets the
 * IANA names it may stand for, a fixed offset (`UTC+2`, `+02:00`) the `Etc/` name of that offset.
 */
export function timeZoneProblem(value: string): string | undefined {
  if (isTimeZone(value)) return undefined;
  const meant = MEANT_BY[value.trim().toUpperCase()];
  if (meant !== undefined) {
    return `is an abbreviation, not an IANA time zone (Area/Location): did you mean ${either(meant)}? A region's name follows its daylight saving time`;
  }
  const offset = /^(?:UTC|GMT)?\s*([+-])(\d{1,2})(?::?00)?$/i.exec(value.trim());
  const hours = offset === null ? Number.NaN : Number(offset[2]);
  if (offset !== null && hours > 0 && hours <= 12) {
    // The Etc/ names count the other way: Etc/GMT-2 is two hours ahead of UTC.
    const etc = `Etc/GMT${offset[1] === "+" ? "-" : "+"}${hours}`;
    return `is a fixed offset, not an IANA time zone: write the place's name (like Europe/Berlin), which follows its daylight saving time, or \`${etc}\` for this offset all year`;
  }
  const guess = value.includes("/")
    ? suggestClosest(value.trim(), Intl.supportedValuesOf("timeZone"))
    : undefined;
  if (guess !== undefined) return `is not an IANA time zone (did you mean \`${guess}\`?)`;
  return "is not an IANA time zone; write e.g. Europe/Berlin, Asia/Shanghai or UTC";
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

/** A `time_zone` value of a declarative file: refused with {@link timeZoneProblem}'s words. */
export const timeZoneSchema = z.string().superRefine((value, ctx) => {
  const problem = timeZoneProblem(value);
  if (problem !== undefined) ctx.addIssue({ code: "custom", message: `\`${value}\` ${problem}` });
});
