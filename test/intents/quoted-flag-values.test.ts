/**
 * A flag's value quoted the way a shell user writes it (`--at="22:30"`, `--reason "disk full"`,
 * `"--reason=disk full"`) is read as that flag's value, the same for every flag: the change flags taken out
 * before the grammar (`--reason`, `--break-glass`, `--at`, `--window`) and each verb's own (`--keypair`,
 * `--waves`, `--before`). Hostile forms beside the valid ones: an unterminated quote says where and changes
 * nothing, an empty quoted value is refused as missing, quotes inside names stay names.
 */
import { describe, expect, it } from "vitest";
import { type CommandUnderstanding, understandCommand } from "../../src/commands/understand-command.js";
import { readFlag } from "../../src/intents/parse-arguments.js";
import { tokenize } from "../../src/intents/tokenize.js";
import { renderMrkdwn } from "../../src/render/render-mrkdwn.js";

function understand(text: string, command = "ecs"): CommandUnderstanding {
  return understandCommand(
    { command, text, actor: { userId: "U_ALICE", teamId: "T1" }, channelId: "C_OPS" },
    "req-1",
  );
}

/** What was understood: the intent and the flags taken out before the grammar. */
function read(text: string, command = "ecs") {
  const u = understand(text, command);
  if (!u.ok) throw new Error(`refused: ${renderMrkdwn(u.message.text)}`);
  return {
    intent: u.intent,
    ...(u.meta.why !== undefined && { why: u.meta.why }),
    ...(u.meta.schedule !== undefined && { schedule: u.meta.schedule }),
    ...(u.meta.breakGlass !== undefined && { breakGlass: u.meta.breakGlass.reason }),
  };
}

/** The answer to a command refused, its first line as Slack shows it (code in backticks). */
function refusal(text: string, command = "ecs"): string {
  const u = understand(text, command);
  if (u.ok) throw new Error(`understood: ${JSON.stringify(u.intent)}`);
  return renderMrkdwn(u.message.text);
}

const STOP_WEB_01 = { type: "ecs.stop", targets: [{ kind: "name", name: "web-01" }], hard: false };

describe("a quoted flag value is the flag's value, for every flag", () => {
  it.each([
    ["--at=22:30", "--at=22:30"],
    ['--at="22:30"', '--at="22:30"'],
    ['--at "22:30"', '--at "22:30"'],
    ['"--at=22:30"', "the whole token quoted"],
    ["--at=“22:30”", "smart quotes, as Slack clients type them"],
    ["—at='22:30'", "a smart dash and single quotes"],
  ])("%s (%s)", (flag) => {
    expect(read(`stop web-01 ${flag}`)).toEqual({ intent: STOP_WEB_01, schedule: { at: "22:30" } });
  });

  it.each([
    '--window="night shift"',
    '--window "night shift"',
    '"--window=night shift"',
    "'--window'=\"night shift\"",
  ])("%s", (flag) => {
    expect(read(`stop web-01 ${flag}`)).toEqual({ intent: STOP_WEB_01, schedule: { window: "night shift" } });
  });

  it.each(['--reason="disk full"', '--reason "disk full"', '"--reason=disk full"', "--REASON='disk full'"])(
    "%s",
    (flag) => {
      expect(read(`stop web-01 ${flag}`)).toEqual({ intent: STOP_WEB_01, why: "disk full" });
      expect(read(`stop ${flag} web-01`)).toEqual({ intent: STOP_WEB_01, why: "disk full" });
    },
  );

  it.each(['--break-glass="web tier down"', '"--break-glass=web tier down"'])("%s", (flag) => {
    expect(read(`stop web-01 ${flag}`)).toEqual({ intent: STOP_WEB_01, breakGlass: "web tier down" });
  });

  it("all of them in one command, each quoted its own way", () => {
    expect(read('stop web-01 "--reason=disk full" --at="22:30"')).toEqual({
      intent: STOP_WEB_01,
      why: "disk full",
      schedule: { at: "22:30" },
    });
    // Break-glass acts now, so never with `--at` / `--window`.
    expect(read('stop web-01 "--reason=disk full" --break-glass "web tier down"')).toEqual({
      intent: STOP_WEB_01,
      why: "disk full",
      breakGlass: "web tier down",
    });
  });

  it("a verb's own flags: --waves, --keypair, --before", () => {
    for (const flag of ['--waves="2"', '"--waves=2"', '--waves "2"'])
      expect(read(`reboot web-01 web-02 ${flag}`).intent).toMatchObject({
        type: "ecs.reboot",
        waves: { waves: 2 },
      });
    for (const flag of ['--keypair="ops-key"', '"--keypair=ops-key"'])
      expect(read(`reinstall web-01 ${flag}`).intent).toMatchObject({
        type: "ecs.reinstall",
        keyPair: "ops-key",
      });
    expect(read('audit --before="#4521"', "ops").intent).toMatchObject({
      type: "ops.audit",
      beforeSeq: 4521,
    });
  });
});

describe("hostile and malformed quoting: a specific answer, nothing taken", () => {
  it.each([
    ['stop web-01 --reason="disk full', "position 22, after `--reason=`, is never closed"],
    ['stop web-01 --at="22:30', "position 18, after `--at=`, is never closed"],
    ['stop web-01 "--at=22:30', "position 13 is never closed"],
    [
      "stop web-01 --window='night",
      "after `--window=`, is never closed. Close it with a matching quote (`'`)",
    ],
  ])("an unterminated quote: %s", (text, said) => {
    const answer = refusal(text);
    expect(answer).toContain(said);
    // Only the flag's name is repeated, never what was typed after the quote.
    expect(answer).not.toMatch(/disk|22:30|night/);
  });

  it.each([
    ['stop web-01 --at=""', "`--at` needs a time"],
    ['stop web-01 "--at="', "`--at` needs a time"],
    ["stop web-01 --window=''", "`--window` needs the name of a maintenance window"],
    ['stop web-01 --reason=""', "`--reason` needs why"],
    ['stop web-01 --reason="   "', "`--reason` needs why"],
    ['stop web-01 "--break-glass="', "`--break-glass` needs a reason"],
    ['reboot web-01 --waves=""', "`--waves` needs a value"],
  ])("an empty quoted value is a missing one: %s", (text, said) => {
    expect(refusal(text)).toContain(said);
  });

  it("an empty quoted value never takes the next word as the value", () => {
    // Read as `--reason web-02`, web-02 would silently leave the targets.
    expect(refusal('stop web-01 --reason="" web-02')).toContain("`--reason` needs why");
    expect(refusal('stop web-01 --at="" web-02')).toContain("`--at` needs a time");
  });

  it("quotes inside names stay names; a quoted flag without `=` is a literal name, as before", () => {
    expect(read('stop "ops box" --at="22:30"')).toEqual({
      intent: { type: "ecs.stop", targets: [{ kind: "name", name: "ops box" }], hard: false },
      schedule: { at: "22:30" },
    });
    // A quote inside a word is a character of it (refused as a name's), never an opening one.
    expect(refusal('stop ops"box --at="22:30"')).toContain('`ops"box` is not a server name');
    // Quotes of the other family inside a quoted value are part of it.
    expect(read(`stop web-01 --reason="it's 'broken'"`)).toEqual({
      intent: STOP_WEB_01,
      why: "it's 'broken'",
    });
    expect(read(`stop web-01 "--reason=say 'hi'"`)).toEqual({ intent: STOP_WEB_01, why: "say 'hi'" });
    expect(read('stop web-01 "--hard"').intent).toMatchObject({
      targets: [
        { kind: "name", name: "web-01" },
        { kind: "name", name: "--hard" },
      ],
      hard: false,
    });
    // The flag inside a quoted name is part of the name (refused as one), never taken out.
    expect(refusal('stop "web-01 --at=22:30"')).toContain("is not a server name");
    // A quote that opens inside the flag's name does not make a flag of it.
    expect(refusal('stop web-01 --at:"x=1"')).not.toContain("needs a time");
  });

  it("a quoted value that looks like a flag is a value; a flag given twice, however quoted, is refused", () => {
    expect(read('stop web-01 --reason "--at=22:30"')).toEqual({ intent: STOP_WEB_01, why: "--at=22:30" });
    expect(refusal('stop web-01 --at="22:30" "--at=23:00"')).toContain("`--at` is given twice");
    expect(refusal('stop web-01 --reason="a" "--reason=b"')).toContain("`--reason` is given more than once");
    expect(refusal('reboot web-01 --waves=2 "--waves=3"')).toContain("`--waves` is given more than once");
  });

  it("an unknown flag quoted whole is an unknown flag, not a strange server name", () => {
    expect(refusal('stop web-01 "--sooner=now"')).toContain("`--sooner` is not a flag of `/ecs stop`");
  });
});

describe("readFlag", () => {
  const tokenOf = (text: string) => {
    const result = tokenize(text);
    if (!result.ok || result.tokens.length !== 1) throw new Error(`not one token: ${text}`);
    return result.tokens[0]!;
  };

  it.each([
    ["--hard", { name: "--hard" }],
    ["--At=22:30", { name: "--at", value: "22:30" }],
    ['--reason="a b"', { name: "--reason", value: "a b" }],
    ['"--reason=a b"', { name: "--reason", value: "a b" }],
    ['"--reason"=a', { name: "--reason", value: "a" }],
    ['--reason=a="b c"', { name: "--reason", value: "a=b c" }],
    ['--reason=""', { name: "--reason", value: "" }],
    ["—waves=3", { name: "--waves", value: "3" }],
  ])("%s is a flag", (text, flag) => {
    expect(readFlag(tokenOf(text))).toEqual(flag);
  });

  it.each([
    ['"--hard"', "quoted whole without `=`: a literal name"],
    ['name="--at=1"', "a filter whose value looks like a flag"],
    ['--at:"x=1"', "a quote opened inside the name"],
    ["web-01", "a word"],
    ["-5", "a negative number"],
    ["<@U123|bob>", "a mention"],
  ])("%s is not (%s)", (text) => {
    expect(readFlag(tokenOf(text))).toBeUndefined();
  });
});
