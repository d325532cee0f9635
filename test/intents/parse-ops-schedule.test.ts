import { describe, expect, it } from "vitest";
import { parseIntent } from "../../src/intents/index.js";

function ok(text: string) {
  const result = parseIntent("/ops", text);
  if (!result.ok) throw new Error(result.error.message);
  return result.intent;
}
function error(text: string) {
  const result = parseIntent("/ops", text);
  if (result.ok) throw new Error(`parsed: ${JSON.stringify(result.intent)}`);
  return result.error;
}

describe("/ops schedule", () => {
  it("add: the cron in quotes, an optional zone, the command line parsed like its own command", () => {
    expect(ok('schedule add "0 19 * * 1-5" tz=Europe/Paris /ecs stop tag:env=dev')).toEqual({
      type: "ops.schedule.add",
      cron: "0 19 * * 1-5",
      timeZone: "Europe/Paris",
      commandLine: "/ecs stop tag:env=dev",
      intent: { type: "ecs.stop", targets: [{ kind: "tag", key: "env", value: "dev" }], hard: false },
    });
    expect(ok("schedule add \u201C0 7 * * *\u201D ecs start web-01")).toMatchObject({
      cron: "0 7 * * *",
      commandLine: "/ecs start web-01",
      intent: { type: "ecs.start" },
    });
  });

  it("list, pause, resume, delete", () => {
    expect(ok("schedule list")).toEqual({ type: "ops.schedule.list" });
    expect(ok("schedule pause sch_4kq2m9x1ab")).toEqual({
      type: "ops.schedule.pause",
      scheduleId: "sch_4kq2m9x1ab",
    });
    expect(ok("schedule resume SCH_4KQ2M9X1AB")).toEqual({
      type: "ops.schedule.resume",
      scheduleId: "sch_4kq2m9x1ab",
    });
    expect(ok("schedule delete sch_4kq2m9x1ab")).toMatchObject({ type: "ops.schedule.delete" });
  });

  it.each([
    ["schedule", "needs a sub-command"],
    ["schedule remove sch_4kq2m9x1ab", "Unknown `/ops schedule` sub-command"],
    ["schedule pause", "needs the schedule's ID"],
    [
      "schedule pause 42",
      "`42` is not a schedule ID: expected one like `sch_4kq2m9x1` (see `/ops schedule list`).",
    ],
    ["schedule list extra", "takes no arguments"],
    ["schedule add 0 19 * * * /ecs stop web-01", "Put the cron expression in quotes"],
    ['schedule add "0 19 * * *"', "needs the command line"],
    ['schedule add "0 19 * * *" tz= /ecs stop web-01', "`tz=` needs an IANA time zone"],
    ['schedule add "0 19 * * *" /ecs list', "Only commands that change servers can be scheduled"],
    ['schedule add "0 19 * * *" /ecs resize web-01 s6.large.2 --dry-run', "is a dry run"],
    ['schedule add "0 19 * * *" /ops jobs', "Only commands that change servers"],
    ['schedule add "0 19 * * *" /ops policy explain ecs stop web-01', "Only commands that change servers"],
    ['schedule add "0 19 * * *" /ecs stop', "Cannot schedule that command"],
    ['policy explain ops schedule add "0 19 * * *" /ecs stop web-01', "Cannot explain that command"],
  ])("%s → %s", (text, message) => {
    expect(error(text).message).toContain(message);
  });

  it("help for the verb names its action and shipped policy", () => {
    expect(ok("help schedule")).toEqual({ type: "help", topic: { command: "ops", verb: "schedule" } });
    expect(ok("schedule help")).toEqual({ type: "help", topic: { command: "ops", verb: "schedule" } });
    expect(error("schedules").suggestion).toBe("schedule");
  });
});
