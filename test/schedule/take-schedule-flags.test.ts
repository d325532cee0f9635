import { describe, expect, it } from "vitest";
import { takeScheduleFlags } from "../../src/schedule/take-schedule-flags.js";

describe("takeScheduleFlags", () => {
  it("takes --at and --window out of the text, wherever they are", () => {
    expect(takeScheduleFlags("stop web-01 --at 22:30")).toEqual({
      ok: true,
      text: "stop web-01",
      flags: { at: "22:30" },
    });
    expect(takeScheduleFlags("reboot --window maint web-01 --hard")).toEqual({
      ok: true,
      text: "reboot web-01 --hard",
      flags: { window: "maint" },
    });
    expect(takeScheduleFlags("stop web-01 --at=2026-12-08T22:30+01:00")).toEqual({
      ok: true,
      text: "stop web-01",
      flags: { at: "2026-12-08T22:30+01:00" },
    });
  });

  it("leaves other text alone, a quoted name holding a flag included", () => {
    expect(takeScheduleFlags("stop web-01")).toEqual({ ok: true, text: "stop web-01", flags: undefined });
    expect(takeScheduleFlags('stop "web-01 --at=22:30"')).toEqual({
      ok: true,
      text: 'stop "web-01 --at=22:30"',
      flags: undefined,
    });
    expect(takeScheduleFlags('stop "--at"')).toEqual({ ok: true, text: 'stop "--at"', flags: undefined });
  });

  it("reads a quoted value as a shell does: around the value, after the flag, or around both", () => {
    for (const flag of ['--at="22:30"', '--at "22:30"', '"--at=22:30"', "--at=“22:30”"])
      expect(takeScheduleFlags(`stop web-01 ${flag} --hard`)).toEqual({
        ok: true,
        text: "stop web-01 --hard",
        flags: { at: "22:30" },
      });
    expect(takeScheduleFlags('stop web-01 --window="night shift"')).toEqual({
      ok: true,
      text: "stop web-01",
      flags: { window: "night shift" },
    });
  });

  it("refuses a flag without value, twice, or both together", () => {
    expect(takeScheduleFlags("stop web-01 --at")).toMatchObject({
      ok: false,
      message: expect.stringContaining("needs a time"),
    });
    expect(takeScheduleFlags("stop web-01 --window --hard")).toMatchObject({
      ok: false,
      message: expect.stringContaining("needs the name of a maintenance window"),
    });
    expect(takeScheduleFlags('stop web-01 --at=""')).toMatchObject({
      ok: false,
      message: expect.stringContaining("needs a time"),
    });
    expect(takeScheduleFlags("stop a --at 10:00 --at 11:00")).toMatchObject({
      ok: false,
      message: expect.stringContaining("twice"),
    });
    expect(takeScheduleFlags("stop a --at 10:00 --window w")).toMatchObject({
      ok: false,
      message: expect.stringContaining("not both"),
    });
  });

  it("refuses --at / --window with --break-glass (taken out before): break-glass acts now", () => {
    for (const [text, flag] of [
      ["reboot web-04 --hard --window maint", "--window"],
      ["reboot web-04 --at 22:30 --hard", "--at"],
    ] as const) {
      const r = takeScheduleFlags(text, { breakGlass: true });
      expect(r.ok).toBe(false);
      expect(r.ok ? "" : r.message).toContain("`--break-glass` acts now, without approval");
      expect(r.ok ? "" : r.message).toContain(`drop \`${flag}\` to act now`);
    }
    // Without a schedule, break-glass is the caller's; without break-glass, the schedule is taken as before.
    expect(takeScheduleFlags("reboot web-04 --hard", { breakGlass: true })).toEqual({
      ok: true,
      text: "reboot web-04 --hard",
      flags: undefined,
    });
    expect(takeScheduleFlags("reboot web-04 --window maint", { breakGlass: false }).ok).toBe(true);
    // A malformed schedule flag is said first: it is what the requester has to fix either way.
    const empty = takeScheduleFlags("reboot web-04 --window", { breakGlass: true });
    expect(empty.ok ? "" : empty.message).toContain("`--window` needs the name");
  });
});
