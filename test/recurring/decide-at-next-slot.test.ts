import { describe, expect, it } from "vitest";
import { parsePolicy } from "../../src/policy/load-policy.js";
import type { PolicyDecision } from "../../src/policy/types.js";
import { calendarsMatter, decideAtNextSlot } from "../../src/recurring/decide-at-next-slot.js";
import { nextSlots } from "../../src/recurring/parse-schedule-timing.js";

const WEEKLY = { cron: "0 23 * * 2", timeZone: "Europe/Berlin" };
const NOW = Date.parse("2026-12-14T12:00:00Z"); // a Monday, before the year-end freeze
const FREEZE = {
  start: Date.parse("2026-12-21T00:00:00+01:00"),
  end: Date.parse("2027-01-04T08:00:00+01:00"),
};
const allow: PolicyDecision = { effect: "allow", rules: [] };
const deny: PolicyDecision = {
  effect: "deny",
  rules: [],
  reasons: ["Production is frozen for the year-end."],
};
const frozen = (at: number) => (at >= FREEZE.start && at < FREEZE.end ? deny : allow);

describe("decideAtNextSlot", () => {
  it("decides at the next slot, passing its time to the policy", () => {
    const asked: number[] = [];
    const judged = decideAtNextSlot(WEEKLY, NOW, (at) => {
      asked.push(at);
      return allow;
    });
    const [next] = nextSlots(WEEKLY, NOW, 1);
    expect(judged).toEqual({ kind: "next", slotAt: next, decision: allow });
    expect(asked).toEqual([next]);
    expect(new Date(next!).toISOString()).toBe("2026-12-15T22:00:00.000Z");
  });

  it("next slot denied, later ones not: the first slot let through, with the denied ones counted", () => {
    // Asked during the freeze: the 22 and 29 December runs are frozen, 5 January is not.
    const judged = decideAtNextSlot(WEEKLY, Date.parse("2026-12-21T09:00:00Z"), frozen);
    expect(judged).toEqual({
      kind: "later",
      deniedAt: Date.parse("2026-12-22T22:00:00Z"),
      denied: deny,
      skipped: 2,
      slotAt: Date.parse("2027-01-05T22:00:00Z"),
      decision: allow,
    });
  });

  it("every slot looked at denied: the next one and the last looked at", () => {
    const judged = decideAtNextSlot(WEEKLY, NOW, () => deny);
    expect(judged).toMatchObject({
      kind: "denied",
      slotAt: Date.parse("2026-12-15T22:00:00Z"),
      decision: deny,
    });
    // Bounded: a year of weekly runs at most.
    expect(judged.kind === "denied" && judged.checked).toBeLessThanOrEqual(53);
    const few = decideAtNextSlot({ cron: "* * * * *", timeZone: "UTC" }, NOW, () => deny, {
      limits: { maxSlots: 10, maxMs: 86_400_000 },
    });
    expect(few).toMatchObject({
      kind: "denied",
      checked: 10,
      lastCheckedAt: NOW - (NOW % 60_000) + 10 * 60_000,
    });
  });

  it("when no rule on the action has a calendar condition, only the next slot is decided", () => {
    let asked = 0;
    const judged = decideAtNextSlot(
      WEEKLY,
      NOW,
      () => {
        asked++;
        return deny;
      },
      { timeMatters: false },
    );
    expect(judged).toMatchObject({ kind: "denied", checked: 1 });
    expect(asked).toBe(1);
  });

  it("calendarsMatter: a rule naming the action (by pattern) with during or outside", () => {
    const loaded = parsePolicy(`
calendars:
  maint: { kind: window, description: m, events: [{ cron: "0 22 * * 2", duration: 4h, time_zone: UTC }] }
rules:
  - id: reboots-in-window
    description: r
    actions: ["ecs:cloudServers:reb*"]
    match: { outside: [maint] }
    effect: { deny: "no" }
  - id: stops
    description: s
    actions: [ecs:cloudServers:stop]
    effect: allow
`);
    if (!loaded.ok) throw new Error(JSON.stringify(loaded.errors));
    expect(calendarsMatter(loaded.policy, "ecs:cloudServers:reboot")).toBe(true);
    expect(calendarsMatter(loaded.policy, "ecs:cloudServers:stop")).toBe(false);
  });

  it("a next run more than the look-ahead away is still the next run (29 February)", () => {
    const leap = decideAtNextSlot({ cron: "0 9 29 2 *", timeZone: "UTC" }, NOW, () => allow);
    expect(leap).toEqual({ kind: "next", slotAt: Date.parse("2028-02-29T09:00:00Z"), decision: allow });
  });

  it("a cron with no time to come has nothing to decide", () => {
    expect(decideAtNextSlot({ cron: "0 0 30 2 *", timeZone: "UTC" }, NOW, () => allow)).toEqual({
      kind: "no_slot",
    });
  });
});
