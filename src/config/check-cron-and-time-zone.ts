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

/** Why `pattern` is not a cron expression croner accepts (its message, without its prefix); undefined if it is. */
export function cronProblem(pattern: string): string | undefined {
  try {
    new Cron(pattern, { paused: true });
    return undefined;
  } catch (error) {
    return (error instanceof Error ? error.message : String(error)).replace(/^CronPattern: /, "");
  }
}
