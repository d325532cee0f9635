import { joinWords } from "../render/escape-mrkdwn.js";

/**
 * A 5-field cron expression in words, for the common forms: fixed times (`0 19 * * *` → "at 19:00"), lists
 * of hours, steps of minutes or hours, a day-of-week range or list, days of the month. Anything else (month
 * fields, `L`, `#`, mixed steps) is undefined: the caller shows the raw expression. Pure.
 *
 * Examples: `0 19 * * 1-5` → "at 19:00, Monday to Friday"; `*\/15 * * * *` → "every 15 minutes";
 * `30 2 1,15 * *` → "at 02:30 on days 1 and 15 of the month".
 */
export function describeCron(cron: string): string | undefined {
  const fields = cron.trim().split(/\s+/);
  if (fields.length !== 5) return undefined;
  const [minute, hour, dom, month, dow] = fields as [string, string, string, string, string];
  if (month !== "*") return undefined;
  const time = describeTime(minute, hour);
  if (time === undefined) return undefined;
  const days = describeDays(dom, dow);
  if (days === undefined) return undefined;
  return days === "" ? time : `${time}${days}`;
}

const DAY_NAMES = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];
const DAY_ABBREVIATIONS = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];

function number(text: string, min: number, max: number): number | undefined {
  if (!/^\d{1,2}$/.test(text)) return undefined;
  const n = Number(text);
  return n >= min && n <= max ? n : undefined;
}

/** `7,19` → [7, 19]; at most 12 values (a longer list reads better as the expression). */
function parseList(text: string, min: number, max: number): number[] | undefined {
  const parts = text.split(",").map((p) => number(p, min, max));
  if (parts.length > 12 || parts.some((p) => p === undefined)) return undefined;
  return parts as number[];
}

function pad(n: number): string {
  return String(n).padStart(2, "0");
}

function stepOf(text: string): number | undefined {
  const m = /^\*\/(\d{1,2})$/.exec(text);
  return m ? Number(m[1]) : undefined;
}

function describeTime(minute: string, hour: string): string | undefined {
  if (minute === "*" && hour === "*") return "every minute";
  const minuteStep = stepOf(minute);
  if (minuteStep !== undefined && minuteStep > 0 && minuteStep < 60) {
    if (hour === "*") return minuteStep === 1 ? "every minute" : `every ${minuteStep} minutes`;
    return undefined;
  }
  const minutes = parseList(minute, 0, 59);
  if (minutes === undefined) return undefined;
  if (hour === "*") {
    return minutes.length === 1
      ? `every hour at minute ${minutes[0]}`
      : `every hour at minutes ${joinWords(minutes.map(String))}`;
  }
  const hourStep = stepOf(hour);
  if (hourStep !== undefined && hourStep > 0 && hourStep < 24) {
    if (minutes.length !== 1) return undefined;
    return hourStep === 1
      ? `every hour at minute ${minutes[0]}`
      : `every ${hourStep} hours at minute ${minutes[0]}`;
  }
  const hours = parseList(hour, 0, 23);
  if (hours === undefined) return undefined;
  const times = hours.flatMap((h) => minutes.map((m) => `${pad(h)}:${pad(m)}`));
  if (times.length > 8) return undefined;
  return `at ${joinWords(times)}`;
}

function dayOfWeek(text: string): number | undefined {
  const lower = text.toLowerCase();
  const named = DAY_ABBREVIATIONS.indexOf(lower);
  if (named >= 0) return named;
  const n = number(text, 0, 7);
  return n === 7 ? 0 : n;
}

function describeWeekdays(dow: string): string | undefined {
  const range = /^([a-z0-9]+)-([a-z0-9]+)$/i.exec(dow);
  if (range) {
    const from = dayOfWeek(range[1] ?? "");
    const toRaw = range[2] ?? "";
    const to = toRaw === "7" ? 7 : dayOfWeek(toRaw);
    if (from === undefined || to === undefined || to <= from) return undefined;
    if (from === 1 && to === 5) return "Monday to Friday";
    return `${DAY_NAMES[from]} to ${DAY_NAMES[to % 7]}`;
  }
  const days = dow.split(",").map(dayOfWeek);
  if (days.some((d) => d === undefined)) return undefined;
  const names = (days as number[]).map((d) => DAY_NAMES[d] ?? "");
  return names.length === 1 ? `on ${names[0]}s` : `on ${joinWords(names)}`;
}

function describeDays(dom: string, dow: string): string | undefined {
  if (dom === "*" && dow === "*") return "";
  if (dom !== "*" && dow !== "*") return undefined;
  if (dow !== "*") {
    const words = describeWeekdays(dow);
    return words === undefined ? undefined : words.startsWith("on ") ? ` ${words}` : `, ${words}`;
  }
  const days = parseList(dom, 1, 31);
  if (days === undefined) return undefined;
  return days.length === 1
    ? ` on day ${days[0]} of the month`
    : ` on days ${joinWords(days.map(String))} of the month`;
}
