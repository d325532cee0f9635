import { describe, expect, it } from "vitest";
import type { Calendar } from "../../src/calendars/calendar-types.js";
import { buildCalendarView } from "../../src/views/build-calendar-view.js";
import { expectHarmless, render } from "./view-test-helpers.js";

const at = (iso: string) => Date.parse(iso);

const calendars: Calendar[] = [
  {
    name: "year-end",
    kind: "freeze",
    description: "No changes over the holidays.",
    source: "policy.yml:3",
    events: [{ kind: "absolute", start: at("2026-12-20T00:00:00Z"), end: at("2027-01-04T00:00:00Z") }],
  },
  {
    name: "maint",
    kind: "window",
    description: "Tuesday nights <!channel> *bold*",
    source: "policy.yml:9",
    events: [{ kind: "recurring", cron: "0 22 * * 2", durationMs: 4 * 3_600_000, timeZone: "Europe/Berlin" }],
  },
];

describe("/ops calendar", () => {
  it("what is in force now and the next events of each calendar, in local time", async () => {
    const { kit, golden } = render(buildCalendarView(calendars, at("2026-12-22T12:00:00Z")));
    const text = JSON.stringify(kit.blocks);
    expect(text).toContain("freeze `year-end` until <!date^1799020800^");
    expect(text).toContain("No further events.");
    expect(text).toContain("<!date^1797973200^");
    await expect(golden).toMatchFileSnapshot("golden/calendar.json");
  });

  it("nothing in force, and untrusted descriptions defused", () => {
    const { kit } = render(buildCalendarView(calendars.slice(1), at("2026-12-09T12:00:00Z")));
    expect(kit.text).toBe("Calendar: nothing in force now");
    expect(JSON.stringify(kit.blocks)).not.toContain("<!channel>");
  });

  it("a policy without calendars says so", () => {
    const { kit } = render(buildCalendarView([], 0));
    expectHarmless(kit);
    expect(JSON.stringify(kit.blocks)).toContain("no freezes or maintenance windows");
  });
});
