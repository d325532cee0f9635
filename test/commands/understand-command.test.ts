import { describe, expect, it } from "vitest";
import type { CommandRequest } from "../../src/commands/types.js";
import { understandCommand } from "../../src/commands/understand-command.js";
import { renderBlockKit } from "../../src/render/render-block-kit.js";
import { blocksText } from "../helpers/read-slack-blocks.js";

const request = (command: string, text: string): CommandRequest => ({
  command,
  text,
  actor: { userId: "U1", teamId: "T1" },
  channelId: "C1",
  triggerId: "trigger",
});

const refusal = (command: string, text: string) => {
  const understood = understandCommand(request(command, text), "ref");
  if (understood.ok) throw new Error(`understood: ${JSON.stringify(understood.intent)}`);
  return { ...understood, text: blocksText(renderBlockKit(understood.message).blocks) };
};

describe("understandCommand", () => {
  it("reads a change with its schedule and break-glass reason out of the text", () => {
    const understood = understandCommand(request("/ecs", 'stop web-01 --break-glass "db down"'), "ref-1");
    expect(understood.ok).toBe(true);
    if (!understood.ok) return;
    expect(understood.intent).toMatchObject({
      type: "ecs.stop",
      targets: [{ kind: "name", name: "web-01" }],
    });
    expect(understood.meta).toEqual({
      actor: { userId: "U1", teamId: "T1" },
      channelId: "C1",
      triggerId: "trigger",
      // The reason is kept apart, not in the command line the card and the audit show.
      commandLine: "/ecs stop web-01",
      breakGlass: { reason: "db down" },
      requestId: "ref-1",
    });
    const scheduled = understandCommand(request("/ecs", 'stop web-01 --window night --reason "db"'), "ref-2");
    // The schedule stays in the command line, as when no reason is given.
    expect(scheduled.ok && scheduled.meta).toMatchObject({
      schedule: { window: "night" },
      commandLine: "/ecs stop web-01 --window night",
    });
    // Break-glass acts now: with a schedule it is refused, whichever comes first.
    for (const text of [
      'stop web-01 --window night --break-glass "db down"',
      'stop web-01 --break-glass "db down" --at 22:30',
    ])
      expect(refusal("/ecs", text).text).toContain("`--break-glass` acts now, without approval");
  });

  it("reads why a change is asked for out of the text, and refuses it on a command that changes nothing", () => {
    const understood = understandCommand(
      request("/ecs", 'stop web-01 --hard --reason "INC-4711: leaks memory"'),
      "ref-3",
    );
    expect(understood.ok && understood.meta).toMatchObject({
      commandLine: "/ecs stop web-01 --hard",
      why: "INC-4711: leaks memory",
    });
    // A password in the reason is refused like one anywhere else; unquoted words after it are not targets.
    expect(refusal("/ecs", 'reboot web-03 --hard --reason "INC-1 --password hunter2"').text).toContain(
      "never takes a password",
    );
    expect(refusal("/ecs", 'stop web-01 --break-glass "down, adminPass: x"').text).toContain(
      "never takes a password",
    );
    expect(
      understandCommand(request("/ecs", 'stop web-01 --reason "the password rotation failed"'), "r").ok,
    ).toBe(true);
    // A password given in a sentence is one too: the reason is shown to approvers and kept in the audit.
    expect(refusal("/ecs", 'stop web-01 --reason "the root password is Hunter2Secret"').text).toContain(
      "never takes a password",
    );
    expect(refusal("/ecs", "stop web-04 --reason deploy web-03").text).toContain(
      "Put why after `--reason` in quotes, or the words after it are read as part of the command",
    );
    expect(understandCommand(request("/ecs", "stop web-04 --reason INC-4711"), "r").ok).toBe(true);
    expect(understandCommand(request("/ecs", 'stop web-04 --at 22:30 --reason "x"'), "r")).toMatchObject({
      meta: { commandLine: "/ecs stop web-04 --at 22:30", why: "x" },
    });
    const refused = refusal("/ecs", 'show web-01 --reason "curious"');
    expect(refused.text).toContain("`--reason` says why a change is asked for, for its approvers;");
    expect(refusal("/ecs", "stop web-01 --reason").text).toContain("`--reason` needs why.");
  });

  it("keeps the command line as typed when there is no break-glass", () => {
    const understood = understandCommand(request("/ecs", "show web-01 "), "ref-2");
    expect(understood.ok && understood.meta.commandLine).toBe("/ecs show web-01");
  });

  it("refuses text the grammar does not understand, with its code, before any verb is known", () => {
    const refused = refusal("/ecs", "stopp web-01");
    expect(refused.verb).toBe("unparsed");
    expect(refused.parseErrorCode).toBe("unknown_verb");
    expect(refused.text).toContain("stopp");
  });

  it("refuses a schedule flag without a value", () => {
    const refused = refusal("/ecs", "stop web-01 --at");
    expect(refused.verb).toBe("unparsed");
    expect("parseErrorCode" in refused).toBe(false);
    expect(refused.text).toMatch(/--at/);
  });

  it("refuses --break-glass on a read, naming the command", () => {
    const refused = refusal("/ecs", 'show web-01 --break-glass "because"');
    expect(refused.verb).toBe("ecs.show");
    expect(refused.text).toContain("only applies to commands that change servers");
    expect(refused.text).toContain("/ecs show");
  });

  it("refuses a malformed --break-glass", () => {
    const refused = refusal("/ecs", "stop web-01 --break-glass");
    expect(refused.verb).toBe("unparsed");
    expect(refused.text).toMatch(/break-glass/);
  });

  it("refuses --at and --window on a command that changes nothing", () => {
    const refused = refusal("/ecs", "list --window night");
    expect(refused.verb).toBe("ecs.list");
    expect(refused.text).toContain("this command changes nothing");
  });

  it("refuses --window on a recurring schedule, saying how a window is kept for its runs", () => {
    const refused = refusal(
      "/ops",
      'schedule add "0 19 * * 2" tz=Europe/Berlin /ecs reboot web-04 --hard --window maintenance',
    );
    expect(refused.verb).toBe("ops.schedule.add");
    expect(refused.text).toContain("a recurring schedule runs at its cron times and takes neither");
    expect(refused.text).toContain("`outside: [maintenance]`");
    expect(refused.text).not.toContain("this command changes nothing");
  });

  it("takes --window on /ops policy explain of a change (the decision as of that start)", () => {
    const understood = understandCommand(
      request("/ops", "policy explain /ecs stop web-01 --window night"),
      "r",
    );
    expect(understood.ok && understood.intent.type).toBe("ops.policy.explain");
    expect(understood.ok && understood.meta.schedule).toEqual({ window: "night" });
  });
});
