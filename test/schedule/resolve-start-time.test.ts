import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parsePolicy } from "../../src/policy/load-policy.js";
import { approvalDeadline, type Schedule } from "../../src/schedule/approval-deadline.js";
import { formatWallTime, wallTimeOf } from "../../src/schedule/local-wall-time.js";
import {
  AT_START_GRACE_MS,
  judgeScheduledStart,
  MAX_SCHEDULE_AHEAD_MS,
  MIN_WINDOW_LEFT_MS,
  resolveAt,
  resolveStartTime,
} from "../../src/schedule/resolve-start-time.js";

const loaded = parsePolicy(`
calendars:
  maint:
    kind: window
    description: Tuesday nights.
    events: [{ cron: "0 22 * * 2", duration: 4h, time_zone: Europe/Berlin }]
  year-end:
    kind: freeze
    description: Freeze.
    events: [{ start: "2026-12-20T00:00:00Z", end: "2027-01-04T00:00:00Z" }]
rules: []
`);
if (!loaded.ok) throw new Error(JSON.stringify(loaded.errors));
const policy = loaded.policy;
const now = Date.parse("2026-12-04T12:00:00Z"); // a Friday, 13:00 in Berlin
const ctx = { now, policy, timeZone: async () => "Europe/Berlin" };

describe("resolveStartTime", () => {
  it("HH:MM is the next such time in the requester's zone", async () => {
    expect(await resolveStartTime({ at: "22:30" }, ctx)).toEqual({
      ok: true,
      schedule: {
        runAt: Date.parse("2026-12-04T21:30:00Z"),
        startBy: Date.parse("2026-12-04T21:30:00Z") + AT_START_GRACE_MS,
      },
    });
    // 09:00 has passed today in Berlin: tomorrow.
    const tomorrow = await resolveStartTime({ at: "09:00" }, ctx);
    expect(tomorrow.ok && tomorrow.schedule.runAt).toBe(Date.parse("2026-12-05T08:00:00Z"));
  });

  it("an ISO date-time with offset, or a local one in the requester's zone", async () => {
    const iso = await resolveStartTime({ at: "2026-12-08T22:30+01:00" }, ctx);
    expect(iso.ok && iso.schedule.runAt).toBe(Date.parse("2026-12-08T21:30:00Z"));
    const local = await resolveStartTime({ at: "2026-12-08T22:30" }, ctx);
    expect(local.ok && local.schedule.runAt).toBe(Date.parse("2026-12-08T21:30:00Z"));
  });

  it("--window is the next opening of that window, until it closes", async () => {
    expect(await resolveStartTime({ window: "maint" }, ctx)).toEqual({
      ok: true,
      schedule: {
        runAt: Date.parse("2026-12-08T21:00:00Z"),
        startBy: Date.parse("2026-12-09T01:00:00Z"),
        window: "maint",
      },
    });
  });

  it("--window while it is open is this opening: it starts once approved, approval until it closes", async () => {
    const opened = Date.parse("2026-12-08T21:00:00Z");
    const closes = Date.parse("2026-12-09T01:00:00Z");
    const thisOne: Schedule = { runAt: opened, startBy: closes, window: "maint", openWhenAsked: true };
    const at = (iso: string) => resolveStartTime({ window: "maint" }, { ...ctx, now: Date.parse(iso) });
    expect(await at("2026-12-08T21:00:00Z")).toEqual({ ok: true, schedule: thisOne });
    // Asked twice in one opening: the same schedule (one intent), not two changes.
    expect(await at("2026-12-08T23:10:00Z")).toEqual({ ok: true, schedule: thisOne });
    expect(approvalDeadline(thisOne)).toBe(closes);
    expect(judgeScheduledStart(thisOne, Date.parse("2026-12-08T23:11:00Z"))).toBe("start");
    expect(judgeScheduledStart(thisOne, closes)).toBe("missed");
    // With a quarter hour left it is still this opening; with less, too late to be approved and start: the next.
    expect(await at(new Date(closes - MIN_WINDOW_LEFT_MS).toISOString())).toEqual({
      ok: true,
      schedule: thisOne,
    });
    expect(await at(new Date(closes - 2 * 60_000).toISOString())).toEqual({
      ok: true,
      schedule: {
        runAt: Date.parse("2026-12-15T21:00:00Z"),
        startBy: Date.parse("2026-12-16T01:00:00Z"),
        window: "maint",
      },
    });
    // The next opening keeps its rule: approved before it opens.
    const next = { runAt: opened, startBy: closes, window: "maint" };
    expect(approvalDeadline(next)).toBe(opened);
    expect(approvalDeadline({ runAt: opened, startBy: opened + AT_START_GRACE_MS })).toBe(opened);
  });

  it("a one-time window open now, with no other opening, is used, not refused", async () => {
    const once = parsePolicy(`
calendars:
  once:
    kind: window
    description: Tonight only.
    events: [{ start: "2026-12-04T11:00:00Z", end: "2026-12-04T14:00:00Z" }]
rules: []
`);
    if (!once.ok) throw new Error(JSON.stringify(once.errors));
    expect(await resolveStartTime({ window: "once" }, { ...ctx, policy: once.policy })).toEqual({
      ok: true,
      schedule: {
        runAt: Date.parse("2026-12-04T11:00:00Z"),
        startBy: Date.parse("2026-12-04T14:00:00Z"),
        window: "once",
        openWhenAsked: true,
      },
    });
    // Ten minutes before it closes there is no opening left to take.
    const late = await resolveStartTime(
      { window: "once" },
      { ...ctx, now: Date.parse("2026-12-04T13:50:00Z"), policy: once.policy },
    );
    expect(late.ok ? "" : late.message).toBe(
      "the maintenance window `once` does not open in the next 30 days",
    );
  });

  it("bad input is a message", async () => {
    const message = async (flags: { at?: string; window?: string }) => {
      const r = await resolveStartTime(flags, ctx);
      return r.ok ? "" : r.message;
    };
    expect(await message({ at: "tomorrow" })).toContain("is not a time");
    expect(await message({ at: "24:10" })).toContain("is not a time of day");
    expect(await message({ at: "2026-12-01T10:00Z" })).toContain("is in the past");
    expect(await message({ at: "2026-11-01T10:00" })).toContain("is in the past");
    expect(await message({ at: "2027-03-01T10:00Z" })).toContain("more than 30 days ahead");
    expect(await message({ window: "mant" })).toContain("(did you mean `maint`?)");
    expect(await message({ window: "year-end" })).toContain("is a freeze, not a maintenance window");
    const noZone = await resolveStartTime(
      { at: "22:30" },
      { ...ctx, timeZone: async () => Promise.reject(new Error("user_not_found")) },
    );
    expect(noZone.ok ? "" : noZone.message).toContain("could not read your time zone");
    // A zone Slack names that this runtime does not know is refused the same way, never thrown.
    for (const zone of ["Mars/Olympus", "", "+05:00"]) {
      const unknown = await resolveStartTime({ at: "22:30" }, { ...ctx, timeZone: async () => zone });
      expect(unknown.ok ? "" : unknown.message).toContain("could not read your time zone");
    }
  });
});

describe("resolveAt: each step has its own answer", () => {
  const at = (text: string, nowIso: string, zone = "Europe/Berlin") =>
    resolveAt(text, { now: Date.parse(nowIso), timeZone: async () => zone });
  const instant = async (text: string, nowIso: string, zone?: string) => {
    const r = await at(text, nowIso, zone);
    return r.ok ? new Date(r.at).toISOString() : r.refusal.kind;
  };

  it("spring forward in Berlin (28 Mar 2027): 02:30 does not exist; refused, not moved to 03:30", async () => {
    expect(await at("02:30", "2027-03-27T12:00:00Z")).toEqual({
      ok: false,
      refusal: {
        kind: "skipped",
        text: "02:30",
        zone: "Europe/Berlin",
        date: "2027-03-28",
        time: "02:30",
        from: "02:00",
        to: "03:00",
        dated: false,
      },
    });
    expect(await at("2027-03-28T02:30", "2027-03-27T12:00:00Z")).toMatchObject({
      ok: false,
      refusal: { kind: "skipped", date: "2027-03-28", dated: true },
    });
    expect(await instant("2:30", "2027-03-27T12:00:00Z")).toBe("skipped");
    // Around the gap, and after it has passed.
    expect(await instant("01:59", "2027-03-27T12:00:00Z")).toBe("2027-03-28T00:59:00.000Z");
    expect(await instant("03:00", "2027-03-27T12:00:00Z")).toBe("2027-03-28T01:00:00.000Z");
    expect(await instant("02:30", "2027-03-28T01:15:00Z")).toBe("2027-03-29T00:30:00.000Z");
    expect(await instant("2027-03-28T02:30", "2027-03-28T01:15:00Z")).toBe("past");
  });

  it("fall back in Berlin (31 Oct 2027): a repeated time is its next coming", async () => {
    // Asked at 02:45 summer time: the 02:30 winter time 45 minutes later, not tomorrow's.
    expect(await instant("02:30", "2027-10-31T00:45:00Z")).toBe("2027-10-31T01:30:00.000Z");
    expect(await instant("2027-10-31T02:30", "2027-10-31T00:45:00Z")).toBe("2027-10-31T01:30:00.000Z");
    // Asked the day before: the first of the two (summer time).
    expect(await instant("02:30", "2027-10-30T12:00:00Z")).toBe("2027-10-31T00:30:00.000Z");
    expect(await instant("2027-10-31T02:30", "2027-10-30T12:00:00Z")).toBe("2027-10-31T00:30:00.000Z");
    // Both gone.
    expect(await instant("2027-10-31T02:30", "2027-10-31T01:30:00Z")).toBe("past");
  });

  it("west of UTC too (New York), both directions", async () => {
    const ny = "America/New_York";
    expect(await instant("02:30", "2027-03-13T17:00:00Z", ny)).toBe("skipped");
    expect(await instant("01:30", "2027-11-07T05:45:00Z", ny)).toBe("2027-11-07T06:30:00.000Z");
    expect(await instant("2027-11-07T01:30", "2027-11-06T12:00:00Z", ny)).toBe("2027-11-07T05:30:00.000Z");
  });

  it("leap days: 29 February 2028 is a date, 2027's and 30 February are not", async () => {
    expect(await instant("2028-02-29T10:00", "2028-02-10T12:00:00Z")).toBe("2028-02-29T09:00:00.000Z");
    expect(await instant("2028-02-29T10:00+01:00", "2028-02-10T12:00:00Z")).toBe("2028-02-29T09:00:00.000Z");
    expect(await at("2027-02-29T10:00", "2027-02-10T12:00:00Z")).toEqual({
      ok: false,
      refusal: { kind: "not_a_date", text: "2027-02-29T10:00", year: 2027, month: 2, day: 29 },
    });
    expect(await instant("2026-02-30T10:00", "2026-02-10T12:00:00Z")).toBe("not_a_date");
    expect(await instant("2026-02-30T10:00Z", "2026-02-10T12:00:00Z")).toBe("not_a_date");
    expect(await instant("2026-13-01T10:00", "2026-02-10T12:00:00Z")).toBe("not_a_date");
    expect(await instant("2026-04-31T10:00+02:00", "2026-02-10T12:00:00Z")).toBe("not_a_date");
  });

  it("a date is checked before the zone is read", async () => {
    const r = await resolveAt("2026-02-30T10:00", {
      now: Date.parse("2026-02-10T12:00:00Z"),
      timeZone: async () => Promise.reject(new Error("not read")),
    });
    expect(r).toMatchObject({ ok: false, refusal: { kind: "not_a_date" } });
  });

  it("far off and past are different answers", async () => {
    const now = "2026-12-06T12:00:00Z";
    expect(await instant("2028-01-10T12:00", now)).toBe("too_far");
    expect(await instant("2028-01-10T12:00Z", now)).toBe("too_far");
    expect(await instant("2027-01-06T12:00Z", now)).toBe("too_far");
    expect(await instant("2027-01-05T12:00Z", now)).toBe("2027-01-05T12:00:00.000Z");
    expect(await instant("2026-12-06T13:00", now)).toBe("past");
    expect(await instant("2026-12-06T12:00Z", now)).toBe("past");
    expect(await instant("2025-01-10T12:00", now)).toBe("past");
    expect(await instant("2026-12-06T14:00", now)).toBe("2026-12-06T13:00:00.000Z");
  });

  it("a time in the past says what time it is where the time was read: the zone, or the offset typed", async () => {
    const now = Date.parse("2026-12-06T12:05:00Z");
    const refusalOf = async (text: string) => {
      const r = await resolveAt(text, { now, timeZone: async () => "Europe/Berlin" });
      return r.ok ? undefined : r.refusal;
    };
    expect(await refusalOf("2026-12-06T13:00")).toEqual({
      kind: "past",
      text: "2026-12-06T13:00",
      now: "2026-12-06T13:05",
      zone: "Europe/Berlin",
    });
    expect(await refusalOf("2026-12-06T09:00-03:00")).toMatchObject({
      now: "2026-12-06T09:05",
      zone: "UTC-03:00",
    });
    expect(await refusalOf("2026-12-06T11:00Z")).toMatchObject({ now: "2026-12-06T12:05", zone: "UTC" });
  });

  it("offsets, fractions and malformed input", async () => {
    const now = "2026-12-06T12:00:00Z";
    expect(await instant("2026-12-08T22:30:15.5+05:45", now)).toBe("2026-12-08T16:45:15.500Z");
    expect(await instant("2026-12-08T22:30-03:30", now)).toBe("2026-12-09T02:00:00.000Z");
    expect(await instant("2026-12-08T22:30+15:00", now)).toBe("bad_offset");
    expect(await instant("2026-12-08T22:30+01:75", now)).toBe("bad_offset");
    expect(await instant("2026-12-08T24:00+01:00", now)).toBe("not_a_time_of_day");
    expect(await instant("2026-12-08T22:60", now)).toBe("not_a_time_of_day");
    expect(await instant("2026-12-08T22:30+0100", now)).toBe("not_a_time");
    expect(await instant("11pm", now)).toBe("not_a_time");
  });

  it("property: any local time of the next 30 days that exists resolves to an instant reading it", async () => {
    const zones = ["Europe/Berlin", "America/New_York", "Australia/Sydney", "Asia/Kolkata", "UTC"];
    const base = Date.parse("2027-01-01T00:00:00Z");
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 3 * 365 * 24 * 60 }),
        fc.integer({ min: 1, max: 30 * 24 * 60 - 60 * 24 }),
        fc.constantFrom(...zones),
        async (nowMinute, aheadMinutes, zone) => {
          const now = base + nowMinute * 60_000;
          const target = now + aheadMinutes * 60_000;
          const wall = wallTimeOf(target, zone);
          const text = formatWallTime(wall);
          const r = await resolveAt(text, { now, timeZone: async () => zone });
          expect(r.ok).toBe(true);
          if (r.ok) {
            expect(wallTimeOf(r.at, zone)).toEqual(wall);
            expect(r.at).toBeGreaterThan(now);
            expect(r.at - now).toBeLessThanOrEqual(MAX_SCHEDULE_AHEAD_MS);
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe("judgeScheduledStart", () => {
  const schedule = { runAt: 1_000, startBy: 2_000 };
  it("waits before its time, starts until startBy, is missed from then", () => {
    expect(judgeScheduledStart(schedule, 999)).toBe("wait");
    expect(judgeScheduledStart(schedule, 1_000)).toBe("start");
    expect(judgeScheduledStart(schedule, 1_999)).toBe("start");
    expect(judgeScheduledStart(schedule, 2_000)).toBe("missed");
  });
});
