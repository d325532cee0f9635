import { describe, expect, it } from "vitest";
import { parsePolicy } from "../../src/policy/load-policy.js";
import {
  AT_START_GRACE_MS,
  judgeScheduledStart,
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
