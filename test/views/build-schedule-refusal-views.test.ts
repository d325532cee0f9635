import { describe, expect, it } from "vitest";
import {
  type AtRefusal,
  buildScheduleRefusalView,
  describeAtRefusal,
} from "../../src/views/build-schedule-views.js";
import { expectHarmless, render } from "./view-test-helpers.js";

const refusal = (commandLine: string, r: AtRefusal) =>
  render(buildScheduleRefusalView(commandLine, describeAtRefusal(r)));

describe("--at refusals", () => {
  it("a time the clocks skip: the night, the change, what to give instead; nothing moved", async () => {
    const { kit, golden } = refusal("/ecs stop web-03 --at 02:30", {
      kind: "skipped",
      text: "02:30",
      zone: "Europe/Berlin",
      date: "2027-03-28",
      time: "02:30",
      from: "02:00",
      to: "03:00",
      dated: false,
    });
    expect(golden).toContain("does not exist");
    expect(golden).toContain("Sunday 28 March 2027");
    expect(golden).toContain("from 02:00 to 03:00");
    expect(golden).toContain("`--at 2027-03-29T02:30`");
    expectHarmless(kit);
    await expect(golden).toMatchFileSnapshot("golden/schedule-at-skipped.json");
    const dated = describeAtRefusal({
      kind: "skipped",
      text: "2027-03-28T02:30",
      zone: "Europe/Berlin",
      date: "2027-03-28",
      time: "02:30",
      from: "02:00",
      to: "03:00",
      dated: true,
    });
    expect(dated).toContain("(e.g. `--at 2027-03-28T03:00`)");
    // Where the clocks jump at midnight (Santiago, Beirut), "before 00:00" would name the day before.
    const midnight = describeAtRefusal({
      kind: "skipped",
      text: "00:30",
      zone: "America/Santiago",
      date: "2027-09-05",
      time: "00:30",
      from: "00:00",
      to: "01:00",
      dated: false,
    });
    expect(midnight).toContain("Give a time from 01:00 (e.g. `--at 01:00`");
    expect(midnight).not.toContain("before 00:00");
  });

  it("not a date, in the past, too far ahead: each its own answer", async () => {
    const notADate = refusal("/ecs stop web-03 --at 2026-02-30T10:00", {
      kind: "not_a_date",
      text: "2026-02-30T10:00",
      year: 2026,
      month: 2,
      day: 30,
    });
    expect(notADate.golden).toContain("is not a date: February 2026 has 28 days");
    await expect(notADate.golden).toMatchFileSnapshot("golden/schedule-at-not-a-date.json");
    expect(
      describeAtRefusal({ kind: "not_a_date", text: "2028-02-30T10:00", year: 2028, month: 2, day: 30 }),
    ).toContain("February 2028 has 29 days");
    expect(
      describeAtRefusal({ kind: "not_a_date", text: "2026-13-01T10:00", year: 2026, month: 13, day: 1 }),
    ).toContain("there is no month 13");

    const far = refusal("/ecs stop web-03 --at 2028-01-10T12:00", {
      kind: "too_far",
      text: "2028-01-10T12:00",
      maxAheadDays: 30,
    });
    expect(far.golden).toContain("more than 30 days ahead");
    expect(far.golden).not.toContain("past");
    await expect(far.golden).toMatchFileSnapshot("golden/schedule-at-too-far.json");

    const past = refusal("/ecs stop web-03 --at 2026-12-06T13:00", {
      kind: "past",
      text: "2026-12-06T13:00",
      now: "2026-12-06T19:10",
      zone: "Europe/Berlin",
    });
    // What time it is where the typed time was read: the zone is what a person most often got wrong.
    expect(past.golden).toContain(
      "is in the past: it is now 19:10 on Sunday 6 December 2026 in Europe/Berlin; give a time to come",
    );
    await expect(past.golden).toMatchFileSnapshot("golden/schedule-at-past.json");
  });

  it("a bad `--at` says what was wrong and a form the parser takes", () => {
    expect(describeAtRefusal({ kind: "not_a_time", text: "tomorrow" })).toBe(
      "`--at tomorrow` is not a time I can read; write `--at 22:30` (the next 22:30 in your time zone), `--at 2026-12-08T22:30` (that day, in your time zone) or `--at 2026-12-08T22:30+01:00` (with its offset from UTC)",
    );
    // The near misses: a date and a time apart, a date alone.
    expect(describeAtRefusal({ kind: "not_a_time", text: "2026-12-24 22:00" })).toBe(
      "`--at 2026-12-24 22:00` is not a time I can read: join the date and the time with a `T`, e.g. `--at 2026-12-24T22:00`",
    );
    expect(describeAtRefusal({ kind: "not_a_time", text: "2026-12-24" })).toContain(
      "names a day but no time: add the time after a `T`, e.g. `--at 2026-12-24T22:30`",
    );
    expect(describeAtRefusal({ kind: "not_a_time_of_day", text: "24:10" })).toBe(
      "`--at 24:10` is not a time of day: hours go from 00 to 23 and minutes from 00 to 59, e.g. `--at 22:30`",
    );
    // In the past with an offset: no "next HH:MM" (that would be read in the Slack time zone, not the offset).
    expect(
      describeAtRefusal({
        kind: "past",
        text: "2026-12-06T13:00+01:00",
        now: "2026-12-06T19:10",
        zone: "UTC+01:00",
      }),
    ).toMatch(/give a time to come$/);
  });

  it("every kind is one line with the value as typed, a backtick in it never breaking the code span", () => {
    const kinds: AtRefusal[] = [
      { kind: "not_a_time", text: "soon`<!channel>" },
      { kind: "not_a_time_of_day", text: "24:10" },
      { kind: "bad_offset", text: "2026-12-08T22:30+15:00" },
      { kind: "no_time_zone", text: "22:30", error: "user_not_found`" },
      { kind: "not_a_time", text: "2026-12-24 22:00" },
      { kind: "not_a_time", text: "2026-12-24" },
    ];
    for (const r of kinds) {
      const line = describeAtRefusal(r);
      expect(line).not.toMatch(/\n|\.$/);
      expect(line.split("`").length % 2).toBe(1);
      const { kit } = refusal(`/ecs stop web-03 --at ${r.text}`, r);
      expectHarmless(kit);
    }
  });
});
