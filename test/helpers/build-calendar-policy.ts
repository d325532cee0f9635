import { testCalendarsYaml } from "./test-calendars.js";

/**
 * `policy` (the shipped one) with the freeze `test-freeze` and the window `maint` put before its own calendars,
 * each from and to the given minutes after `now` (ms), and `rules` (e.g. `FREEZE_DENIES_POWER`) after its rules.
 */
export function buildCalendarPolicy(
  policy: string,
  now: number,
  freeze: [number, number],
  window: [number, number],
  rules = "",
): string {
  const withCalendars = policy.replace(/^calendars:\n/m, testCalendarsYaml(now, freeze, window));
  return rules === "" ? withCalendars : `${withCalendars}\n${rules}`;
}
