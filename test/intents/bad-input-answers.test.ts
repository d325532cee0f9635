/**
 * Answers to hostile or mistaken input found by a hostile-user review: a Slack mention or a link where a zone,
 * a cron expression, an ID, a flag or a command line belongs is called what it is, never read as something else,
 * never echoed, and every refused value is named in the operator's words (not a field's internal name).
 */
import { describe, expect, it } from "vitest";
import { parseIntent } from "../../src/intents/index.js";

function error(command: string, text: string) {
  const result = parseIntent(command, text);
  if (result.ok) throw new Error(`parsed: ${JSON.stringify(result.intent)}`);
  return result.error;
}

describe("a Slack mention where a value belongs", () => {
  it.each(["<!channel>", "<@U_DAVE>", "<@U0123ABCD|dave>"])("tz=%s is not a time zone", (mention) => {
    const e = error("/ops", `schedule add "0 3 * * *" tz=${mention} /ecs stop web-03`);
    expect(e.code).toBe("invalid_value");
    expect(e.message).toBe(
      "A Slack mention is not an IANA time zone: expected one such as `Europe/Paris`, `Asia/Shanghai` or `UTC`.",
    );
  });

  it.each(['"<!channel>"', '"<@U_DAVE>"'])("the cron expression %s is not one", (cron) => {
    const e = error("/ops", `schedule add ${cron} /ecs stop web-03`);
    expect(e.message).toMatch(/^A Slack mention is not a cron expression: write its five fields in quotes/);
    expect(e.message).not.toContain("Put the cron expression in quotes");
  });

  it("a schedule ID: called a mention, never shown as code", () => {
    expect(error("/ops", "schedule pause <!channel>").message).toBe(
      "A Slack mention is not a schedule ID: expected one like `sch_4kq2m9x1` (see `/ops schedule list`).",
    );
  });

  it("`--<!channel>` is an unknown flag, with the flags the verb takes", () => {
    const e = error("/ecs", "stop web-03 --<!channel>");
    expect(e.code).toBe("unknown_flag");
    expect(e.message).toBe("A Slack mention is not a flag of `/ecs stop`.");
    expect(e.validFlags).toContain("--hard");
    expect(error("/ecs", "list -<@U_DAVE>").code).toBe("unknown_flag");
  });

  it("a mention in a value flag is still refused as a value, not read as a flag", () => {
    expect(error("/ecs", "reinstall web-03 --keypair=<!channel>").code).not.toBe("unknown_flag");
    expect(error("/ecs", "reinstall web-03 --keypair <!channel>").message).toBe(
      "`--keypair` takes a name, not a Slack mention.",
    );
  });
});

describe("the command line of `/ops policy explain` and `/ops schedule add`", () => {
  it("a link's label is not made into a command", () => {
    const e = error("/ops", "policy explain <http://evil.example|click>");
    expect(e.code).toBe("unknown_command");
    expect(e.message).toBe(
      "Cannot explain that command: The command line must start with `/ecs`, `/hss` or `/ops`.",
    );
    expect(e.message).not.toContain("/click");
  });

  it("a mention or an unknown word: the same answer, a near command suggested", () => {
    expect(error("/ops", 'schedule add "0 3 * * *" <!channel> stop web-03').message).toBe(
      "Cannot schedule that command: The command line must start with `/ecs`, `/hss` or `/ops`.",
    );
    const typo = error("/ops", "policy explain ecss stop web-03");
    expect(typo.message).toContain("Did you mean `/ecs`?");
    expect(typo.suggestion).toBe("/ecs");
  });
});

describe("every refused value in the operator's words", () => {
  it.each([
    ["/ops", "schedule pause sch_zzzz", "`sch_zzzz` is not a schedule ID: expected one like `sch_4kq2m9x1`"],
    ["/ops", "schedule delete 42", "`42` is not a schedule ID"],
    ["/ops", "audit 9999", "`9999` is not a number of entries: expected a whole number from 1 to"],
    ["/ops", "audit --before abc", "`abc` is not an entry number: expected its number as the audit shows it"],
    ["/ecs", "list status=sleeping", "`sleeping` is not a server status: expected one of"],
    ["/ecs", "list flavor=???", "`???` is not a flavor ID"],
    ["/ecs", "flavors min-vcpus=0", "`0` is not a number of vCPUs"],
    ["/hss", "hosts agent=sleeping", "`sleeping` is not an agent status"],
    ["/ecs", "job a/b", '`a/b` is not a job ID: expected letters, digits and "-".'],
    ["/ecs", "change-os web-03 ubuntu", "`ubuntu` is not an image ID"],
  ])("%s %s", (command, text, said) => {
    const e = error(command, text);
    expect(e.message).toContain(said);
    expect(e.message).not.toMatch(/is not a valid `/);
  });

  it("a near value is offered as the filter to type", () => {
    const e = error("/ecs", "list status=shutof");
    expect(e.suggestion).toBe("status=SHUTOFF");
    expect(e.message).toContain("Did you mean `status=SHUTOFF`?");
  });
});

describe("a zone quoted after `tz=`", () => {
  it("is read as the zone", () => {
    const result = parseIntent("/ops", 'schedule add "0 3 * * *" tz="Europe/Paris" /ecs stop web-03');
    expect(result.ok && result.intent).toMatchObject({ type: "ops.schedule.add", timeZone: "Europe/Paris" });
  });
});
