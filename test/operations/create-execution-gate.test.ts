/**
 * What the gate judges of a scheduled change's time before it starts, and before each of its waves, beyond its
 * stored start and end: its approval complete before it starts, its window open in the calendar as it is now.
 */
import { describe, expect, it } from "vitest";
import type { Calendar } from "../../src/calendars/calendar-types.js";
import { judgeApprovalTime, judgeWindow } from "../../src/operations/judge-start-now.js";
import { T0 } from "./fixtures.js";

const MINUTE = 60_000;
const at = (minutes: number) => T0 + minutes * MINUTE;
/** Approved for the window `maint` opening at +60 and closing at +120. */
const schedule = { runAt: at(60), startBy: at(120), window: "maint" };
const calendar = (kind: Calendar["kind"], ...spans: [number, number][]): { calendars: Calendar[] } => ({
  calendars: [
    {
      name: "maint",
      kind,
      description: "Maintenance.",
      source: "flows/policy.yml:3",
      events: spans.map(([start, end]) => ({ kind: "absolute", start: at(start), end: at(end) })),
    },
  ],
});

describe("judgeWindow", () => {
  it("the window as approved: open from its start until it closes", () => {
    const policy = calendar("window", [60, 120]);
    expect(judgeWindow(schedule, policy, at(61))).toBe("open");
    expect(judgeWindow(schedule, policy, at(119))).toBe("open");
    expect(judgeWindow(schedule, policy, at(120))).toEqual({
      kind: "window_closed",
      window: "maint",
      closedAt: at(120),
    });
  });

  it("moved after approval to later that night: not open now, and not before the approved end either", () => {
    expect(judgeWindow(schedule, calendar("window", [300, 360]), at(61))).toEqual({
      kind: "window_moved",
      window: "maint",
    });
  });

  it("moved a little, within the approved span: it starts when the window opens, as approved", () => {
    const policy = calendar("window", [70, 130]);
    expect(judgeWindow(schedule, policy, at(61))).toBe("later");
    expect(judgeWindow(schedule, policy, at(70))).toBe("open");
    // Still never past the approved end, though the window is open longer now.
    expect(judgeWindow(schedule, policy, at(125))).toMatchObject({ kind: "window_closed" });
  });

  it("shortened after approval: closed early means not open, whatever was approved", () => {
    expect(judgeWindow(schedule, calendar("window", [60, 90]), at(95))).toEqual({
      kind: "window_moved",
      window: "maint",
    });
  });

  it("removed, or now a freeze: not open", () => {
    expect(judgeWindow(schedule, { calendars: [] }, at(61))).toMatchObject({ kind: "window_moved" });
    expect(judgeWindow(schedule, {}, at(61))).toMatchObject({ kind: "window_moved" });
    expect(judgeWindow(schedule, calendar("freeze", [60, 120]), at(61))).toMatchObject({
      kind: "window_moved",
    });
  });

  it("a change at a time (`--at`) has no window to judge", () => {
    expect(judgeWindow({ runAt: at(60), startBy: at(75) }, { calendars: [] }, at(200))).toBe("open");
  });
});

describe("judgeApprovalTime", () => {
  it("approval complete before the start: nothing to say", () => {
    expect(judgeApprovalTime({ approvals: [{ userId: "U_BOB", at: at(59) }] }, schedule)).toBeUndefined();
  });

  it("the last approval at or after the start: it never runs", () => {
    const approvals = [
      { userId: "U_BOB", at: at(5), stage: "team lead" },
      { userId: "U_ERIN", at: at(100), stage: "security" },
    ];
    expect(judgeApprovalTime({ approvals }, schedule)).toEqual({
      kind: "approved_late",
      runAt: at(60),
      approvedAt: at(100),
    });
    expect(judgeApprovalTime({ approvals: [{ userId: "U_BOB", at: at(60) }] }, schedule)).toMatchObject({
      kind: "approved_late",
    });
  });
});
