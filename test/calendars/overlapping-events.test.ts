/**
 * A recurring calendar event that lasts longer than the time until its cron starts the next one runs into it:
 * a Tuesday/Thursday window of `4d` is open from Tuesday night to the next Monday night. Such a file is refused
 * at start with file:line:column, the gap and the longest duration that fits. Events that fit exactly, or
 * overlap only through a daylight saving change, are accepted.
 */
import { describe, expect, it } from "vitest";
import { formatConfigErrors } from "../../src/config/load-yaml-config.js";
import { parsePolicy } from "../../src/policy/load-policy.js";

/** A policy with one calendar of the given events (each a flow mapping), and a rule naming it. */
const withEvents = (...events: string[]) => `version: 1
calendars:
  maintenance:
    kind: window
    description: Nights.
    events:
${events.map((e) => `      - ${e}`).join("\n")}
rules:
  - id: r
    description: R.
    actions: [ecs:cloudServers:migrate]
    match: { during: [maintenance] }
    effect: allow
`;

function problems(yaml: string): string[] {
  const loaded = parsePolicy(yaml, "policy.yml");
  return loaded.ok ? [] : formatConfigErrors(loaded.errors).split("\n");
}

describe("recurring events that overlap the next one", () => {
  it("refuses the admin's `duration: 4d` on a Tuesday/Thursday window, at the duration, with what fits", () => {
    expect(problems(withEvents(`{ cron: "0 22 * * 2,4", duration: 4d, time_zone: Europe/Berlin }`))).toEqual([
      "policy.yml:7:43: `duration: 4d` is longer than the 2d between two starts of `0 22 * * 2,4` (Tue 22:00, then Thu 22:00): each event would run into the next, so the calendar would be in force almost all the time; make `duration` at most 2d, or start events less often",
    ]);
  });

  it("names the shortest gap, however long the event", () => {
    const [line] = problems(withEvents(`{ cron: "0 22 * * 2,4", duration: 10d, time_zone: UTC }`));
    expect(line).toContain("`duration: 10d` is longer than the 2d between two starts");
    expect(line).toContain("make `duration` at most 2d");
  });

  it("refuses several starts a night, a daily event of 25h and every 5 minutes for 6 minutes, each at its line", () => {
    expect(
      problems(
        withEvents(
          `{ cron: "0 22,23 * * *", duration: 4h, time_zone: UTC }`,
          `{ cron: "0 22 * * *", duration: 25h, time_zone: UTC }`,
          `{ cron: "*/5 * * * *", duration: 6m, time_zone: UTC }`,
          `{ cron: "0 9 * * 1-5", duration: 3d, time_zone: Asia/Shanghai }`,
        ),
      ),
    ).toEqual([
      expect.stringMatching(
        /^policy\.yml:7:\d+: `duration: 4h` is longer than the 1h between two starts of `0 22,23 \* \* \*` \(\w{3} 22:00, then \w{3} 23:00\)/,
      ),
      expect.stringMatching(/^policy\.yml:8:\d+: `duration: 25h` is longer than the 1d between two starts/),
      expect.stringMatching(/^policy\.yml:9:\d+: `duration: 6m` is longer than the 5m between two starts/),
      expect.stringMatching(/^policy\.yml:10:\d+: `duration: 3d` is longer than the 1d between two starts/),
    ]);
  });

  it("accepts events that end when the next starts, or long before", () => {
    expect(
      problems(
        withEvents(
          // The shipped window.
          `{ cron: "0 22 * * 2,4", duration: 4h, time_zone: Europe/Berlin }`,
          // Exactly the gap: back to back, never two at once.
          `{ cron: "0 22 * * 2,4", duration: 2d, time_zone: UTC }`,
          `{ cron: "*/5 * * * *", duration: 5m, time_zone: UTC }`,
          `{ cron: "0 9 * * 1-5", duration: 8h, time_zone: Asia/Shanghai }`,
          // Monthly, the longest event allowed.
          `{ cron: "0 3 1 * *", duration: 14d, time_zone: UTC }`,
          // Leap days only: one start in the year searched.
          `{ cron: "0 0 29 2 *", duration: 14d, time_zone: UTC }`,
          // Weekends: Saturday and Sunday 00:00 for 1d each.
          `{ cron: "0 0 * * 6,0", duration: 1d, time_zone: UTC }`,
        ),
      ),
    ).toEqual([]);
  });

  it("judges the wall clock: a daily 24h event in a zone with daylight saving is accepted", () => {
    // On the night clocks go forward, 22:00 to 22:00 is 23 hours: not a mistake of the file.
    expect(problems(withEvents(`{ cron: "0 22 * * *", duration: 24h, time_zone: Europe/Berlin }`))).toEqual(
      [],
    );
  });

  it("leaves a bad cron to its own message (no second one about the duration)", () => {
    const lines = problems(withEvents(`{ cron: "0 25 * * *", duration: 4d, time_zone: UTC }`));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain("is not a cron expression");
  });
});
